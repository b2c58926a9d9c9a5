// Expressions evaluated with GitHub's own expression library, exactly as written in the
// workflow: the lexer, parser and evaluator of @actions/expressions, the status functions the
// runner adds (success, failure, cancelled, always), and GitHub's conversion of a result to the
// string a `run:`, `env:` or `with:` receives.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { TokenType, type Token } from '@actions/expressions/lexer';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';

export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'secrets',
  'inputs',
  'needs',
  'steps',
  'jobs',
  'matrix',
  'strategy',
  'job',
  'runner',
] as const;

export type ContextName = (typeof CONTEXT_NAMES)[number];
export type Contexts = Partial<Record<ContextName, unknown>>;

/** What the status functions answer, for a job (its needs) or a step (its job so far). */
export interface StatusFacts {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export class ExpressionFailure extends Error {
  /** The evaluator's own message, as GitHub's runner puts it in "The template is not valid." */
  readonly detail: string;
  constructor(expression: string, cause: unknown) {
    const detail = runnerMessage(cause instanceof Error ? cause.message : String(cause));
    super(`cannot evaluate '\${{ ${expression} }}': ${detail}`);
    this.name = 'ExpressionFailure';
    this.detail = detail;
  }
}

/**
 * The runner parses fromJSON's argument with Newtonsoft's JToken.ReadFrom (actions/runner
 * src/Sdk/DTExpressions2/Expressions2/Sdk/Functions/FromJson.cs), so an empty string (the usual
 * case: an output that was never set) fails with Newtonsoft's text, which the JavaScript library
 * words as 'empty input'. Other messages are the library's own.
 */
function runnerMessage(message: string): string {
  return message === 'empty input'
    ? "Error reading JToken from JsonReader. Path '', line 0, position 0."
    : message;
}

const STATUS_NAMES = ['success', 'failure', 'cancelled', 'always'] as const;

function statusFunctions(status: StatusFacts | undefined): Map<string, FunctionDefinition> {
  const answer = (name: (typeof STATUS_NAMES)[number]): boolean => {
    if (name === 'always') return true;
    if (status === undefined) throw new Error(`${name}() is not allowed here`);
    return status[name];
  };
  return new Map(
    STATUS_NAMES.map((name) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(answer(name)) },
    ]),
  );
}

/** Evaluates one expression (without `${{ }}`) to plain JSON-like data. */
export function evaluate(expression: string, contexts: Contexts, status?: StatusFacts): unknown {
  try {
    const tokens = unescapeStrings(new Lexer(expression).lex().tokens);
    const functions = statusFunctions(status);
    const tree = new Parser(
      tokens,
      [...CONTEXT_NAMES],
      [...functions.values()].map(({ name, minArgs, maxArgs }) => ({ name, minArgs, maxArgs })),
    ).parse();
    // A context not given here reads as null (as an absent property does), never as a crash.
    const all = Object.fromEntries(CONTEXT_NAMES.map((name) => [name, contexts[name] ?? null]));
    const dictionary = toExpressionData(all) as data.Dictionary;
    const result = new Evaluator(tree, dictionary, functions).evaluate();
    return JSON.parse(JSON.stringify(result, data.replacer)) as unknown;
  } catch (error) {
    throw new ExpressionFailure(expression, error);
  }
}

/** GitHub's truthiness: false, 0, -0, NaN, '' and null are falsy. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return true;
}

/** The string a template receives: booleans and numbers as text, null as '', objects as JSON. */
export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

/**
 * The library's lexer unescapes only the first `''` of a string literal (`value.replace("''",
 * "'")`); GitHub's (LexicalAnalyzer.ReadStringToken in actions/runner) unescapes every one. The
 * workflow parser turns `run: echo '${{ x }}' 'y'` into `format('echo ''{0}'' ''y''', x)`, so
 * without this every quote after the first would come out doubled.
 */
function unescapeStrings(tokens: Token[]): Token[] {
  return tokens.map((token) =>
    token.type === TokenType.STRING
      ? { ...token, value: token.lexeme.slice(1, -1).replaceAll("''", "'") }
      : token,
  );
}

function toExpressionData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}
