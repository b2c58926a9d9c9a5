// Template tokens (what @actions/workflow-parser reads a workflow into) evaluated against the
// contexts: literals as they are, `${{ }}` through GitHub's evaluator, mappings and sequences
// element by element. Also the raw lookups the parser's model leaves out (permissions, a step's
// `with:`, workflow_call outputs).
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import {
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
} from '@actions/workflow-parser/templates/tokens/type-guards';
import {
  asString,
  evaluate,
  ExpressionFailure,
  type Contexts,
  type StatusFacts,
} from './expressions.ts';

/** One expression that failed, where GitHub's runner would point at it. */
export interface TemplateErrorEntry {
  line: number | undefined;
  column: number | undefined;
  detail: string;
}

/**
 * Expressions of one template that failed to evaluate. GitHub's template evaluator goes on
 * through the rest of the template and reports every failure at once (TemplateContext.Error and
 * TemplateValidationErrors.Check in actions/runner src/Sdk/DTObjectTemplating): "The template is
 * not valid. <file> (Line: L, Col: C): <message>", the entries joined by ",".
 */
export class TemplateError extends Error {
  readonly entries: readonly TemplateErrorEntry[];
  constructor(entries: readonly TemplateErrorEntry[]) {
    super(describeTemplateErrors(entries, undefined));
    this.name = 'TemplateError';
    this.entries = entries;
  }

  /** The runner's text: `prefix` replaces "The template is not valid." (e.g. a job's `if:`). */
  describe(file: string, prefix?: string): string {
    return describeTemplateErrors(this.entries, file, prefix);
  }
}

function describeTemplateErrors(
  entries: readonly TemplateErrorEntry[],
  file: string | undefined,
  prefix = 'The template is not valid.',
): string {
  const located = entries.map(({ line, column, detail }) => {
    const position =
      line === undefined || column === undefined ? '' : `(Line: ${line}, Col: ${column})`;
    const where = [file ?? '', position].filter((part) => part !== '').join(' ');
    return where === '' ? detail : `${where}: ${detail}`;
  });
  return `${prefix} ${located.join(',')}`;
}

/**
 * A template token evaluated: literals as they are, `${{ }}` through GitHub's evaluator,
 * mappings and sequences element by element. Every expression that fails is collected (the
 * failed value reads as '') and thrown together as one TemplateError.
 */
export function evaluateToken(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status?: StatusFacts,
): unknown {
  const errors: TemplateErrorEntry[] = [];
  const value = evaluateCollecting(token, contexts, status, errors);
  if (errors.length > 0) throw new TemplateError(errors);
  return value;
}

function evaluateCollecting(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status: StatusFacts | undefined,
  errors: TemplateErrorEntry[],
): unknown {
  if (token === undefined) return undefined;
  if (isBasicExpression(token)) {
    try {
      return evaluate(token.expression, contexts, status);
    } catch (error) {
      errors.push({
        line: token.range?.start.line,
        column: token.range?.start.column,
        detail: error instanceof ExpressionFailure ? error.detail : String(error),
      });
      return '';
    }
  }
  if (isString(token)) return token.value;
  if (isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token)) {
    return [...token].map((item) => evaluateCollecting(item, contexts, status, errors));
  }
  if (isMapping(token)) {
    const result: Record<string, unknown> = {};
    for (const pair of token) {
      result[asString(evaluateCollecting(pair.key, contexts, status, errors))] = evaluateCollecting(
        pair.value,
        contexts,
        status,
        errors,
      );
    }
    return result;
  }
  return null;
}

/** A mapping of strings, as `env:`, `with:`, `outputs:` and `secrets:` become. */
export function evaluateStringMap(
  token: TemplateToken | undefined,
  contexts: Contexts,
): Record<string, string> {
  const value = evaluateToken(token, contexts);
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a mapping, got ${asString(value)}`);
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, asString(item)]),
  );
}

/** The value under `key` in a mapping token, or undefined. */
export function child(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (token === undefined || !isMapping(token)) return undefined;
  for (const pair of token) {
    if (isString(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}

/** A path of keys through nested mappings. */
export function at(token: TemplateToken | undefined, ...keys: string[]): TemplateToken | undefined {
  return keys.reduce<TemplateToken | undefined>((current, key) => child(current, key), token);
}

export function asMapping(token: TemplateToken | undefined): MappingToken | undefined {
  return token !== undefined && isMapping(token) ? token : undefined;
}

/** The items of a sequence token (empty when it is not one). */
export function items(token: TemplateToken | undefined): TemplateToken[] {
  return token !== undefined && isSequence(token) ? [...token] : [];
}

/** A token as plain data without evaluating anything: expressions stay `${{ … }}` text. */
export function literal(token: TemplateToken | undefined): unknown {
  if (token === undefined) return undefined;
  if (isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  if (isString(token) || isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token)) return [...token].map(literal);
  if (isMapping(token)) {
    const result: Record<string, unknown> = {};
    for (const pair of token) result[asString(literal(pair.key))] = literal(pair.value);
    return result;
  }
  return null;
}
