// `${{ }}` in a scalar that spans lines (`run: |`, a `>-` folded `with:` value, a plain or quoted
// scalar continued on the next line), templated from the scalar's YAML value as GitHub does.
//
// GitHub's template reader splits the parsed value (TemplateReader.ParseScalar in actions/runner
// src/Sdk/DTObjectTemplating reads `token.ToString()`), so a literal block loses its indentation,
// a folded one is folded, `|-` drops the final newline and a plain scalar's line breaks become
// spaces. @actions/workflow-parser splits the scalar's source text instead (for editor
// positions: "For multi-line block scalars, use token.source directly"), which keeps all of it.
// This rebuilds those expressions from the value the `yaml` library (the parser's own reader)
// gives the same scalar, with the same segmenting and escaping as GitHub's reader.
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token';
import {
  isBasicExpression,
  isMapping,
  isSequence,
} from '@actions/workflow-parser/templates/tokens/type-guards';

const OPEN = '${{';
const CLOSE = '}}';

/** Rewrites, in place, every expression token of `tree` that came from a multi-line scalar. */
export function templateMultilineScalars(content: string, tree: unknown): void {
  const values = multilineValues(content);
  if (values.size === 0) return;
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (isTemplateToken(value)) {
      if (isBasicExpression(value)) rewrite(value, values);
      else if (isMapping(value)) {
        for (const pair of value) {
          walk(pair.key);
          walk(pair.value);
        }
      } else if (isSequence(value)) for (const item of value) walk(item);
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) walk(item);
  };
  walk(tree);
}

function isTemplateToken(value: object): value is TemplateToken {
  return 'templateTokenType' in value;
}

/** `line:column` of each string scalar whose range spans lines → its YAML value. */
function multilineValues(content: string): Map<string, string> {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, {
    lineCounter,
    keepSourceTokens: true,
    uniqueKeys: false,
  });
  const values = new Map<string, string>();
  visit(document, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
      const start = lineCounter.linePos(node.range[0]);
      const end = lineCounter.linePos(node.range[1]);
      if (start.line !== end.line) values.set(`${start.line}:${start.col}`, node.value);
    },
  });
  return values;
}

function rewrite(token: BasicExpressionToken, values: Map<string, string>): void {
  const range = token.range;
  if (range === undefined || range.start.line === range.end.line) return;
  const value = values.get(`${range.start.line}:${range.start.column}`);
  if (value === undefined) return;
  const expression = expressionOf(value);
  // The token keeps its expression in a private field (`expression` is a getter).
  if (expression !== undefined) (token as unknown as { expr: string }).expr = expression;
}

/**
 * The expression GitHub's reader makes of a string: one `${{ }}` alone is that expression,
 * otherwise `format('<literal text, quotes and braces escaped>', <expressions>)`.
 */
export function expressionOf(raw: string): string | undefined {
  const format: string[] = [];
  const args: string[] = [];
  let i = 0;
  let start = raw.indexOf(OPEN);
  if (start < 0) return undefined;
  while (i < raw.length) {
    if (i === start) {
      let end = -1;
      let inString = false;
      for (i += OPEN.length; i < raw.length; i++) {
        if (raw[i] === "'") inString = !inString;
        else if (!inString && raw[i] === '}' && raw[i - 1] === '}') {
          end = i;
          i++;
          break;
        }
      }
      if (end < 0) return undefined; // not closed: the parser has reported it
      args.push(raw.slice(start + OPEN.length, end + 1 - CLOSE.length).trim());
      format.push(`{${args.length - 1}}`);
      start = raw.indexOf(OPEN, i);
    } else {
      const text = start < 0 ? raw.slice(i) : raw.slice(i, start);
      format.push(text.replace(/'/g, "''").replace(/\{/g, '{{').replace(/\}/g, '}}'));
      i += text.length;
      if (start < 0) break;
    }
  }
  if (format.length === 1 && args.length === 1) return args[0];
  return `format('${format.join('')}', ${args.join(', ')})`;
}
