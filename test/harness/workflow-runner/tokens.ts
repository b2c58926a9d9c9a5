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
import { asString, evaluate, type Contexts, type StatusFacts } from './expressions.ts';

export function evaluateToken(
  token: TemplateToken | undefined,
  contexts: Contexts,
  status?: StatusFacts,
): unknown {
  if (token === undefined) return undefined;
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, status);
  if (isString(token)) return token.value;
  if (isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token)) return [...token].map((item) => evaluateToken(item, contexts, status));
  if (isMapping(token)) {
    const result: Record<string, unknown> = {};
    for (const pair of token) {
      result[asString(evaluateToken(pair.key, contexts, status))] = evaluateToken(
        pair.value,
        contexts,
        status,
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
