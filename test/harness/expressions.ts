// The small part of the Actions expression language a node action's manifest needs:
// `pre-if`/`post-if` status conditions and `${{ context.path }}` input defaults.

export type JobStatus = 'success' | 'failure' | 'cancelled';

const STATUS_FUNCTIONS = ['always', 'success', 'failure', 'cancelled'];

/**
 * Evaluates a step condition made of status functions, `!`, `&&`, `||`, parentheses and
 * `true`/`false`. Like the runner, a condition without a status function is implicitly
 * `success() && (…)`. Anything else throws, so a test never silently runs the wrong steps.
 */
export function evaluateStatusCondition(condition: string, status: JobStatus): boolean {
  let text = condition.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  if (wrapped?.[1] !== undefined) text = wrapped[1].trim();
  if (text === '') text = 'success()';
  if (!STATUS_FUNCTIONS.some((name) => new RegExp(`\\b${name}\\s*\\(`).test(text))) {
    text = `success() && (${text})`;
  }

  const tokens = text.match(/\s*(\(|\)|!|&&|\|\||[A-Za-z_][\w-]*\s*\(\s*\)|[A-Za-z_][\w-]*)/gy);
  if (!tokens || tokens.join('').length !== text.length) {
    throw new Error(`unsupported condition '${condition}'`);
  }
  const queue = tokens.map((token) => token.replace(/\s+/g, ''));
  let position = 0;
  const peek = (): string | undefined => queue[position];
  const fail = (): never => {
    throw new Error(`unsupported condition '${condition}'`);
  };

  const primary = (): boolean => {
    const token = queue[position++];
    if (token === '!') return !primary();
    if (token === '(') {
      const value = or();
      if (queue[position++] !== ')') fail();
      return value;
    }
    switch (token) {
      case 'always()':
        return true;
      case 'success()':
        return status === 'success';
      case 'failure()':
        return status === 'failure';
      case 'cancelled()':
        return status === 'cancelled';
      case 'true':
        return true;
      case 'false':
        return false;
      default:
        return fail();
    }
  };
  const and = (): boolean => {
    let value = primary();
    while (peek() === '&&') {
      position += 1;
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (peek() === '||') {
      position += 1;
      const right = and();
      value = value || right;
    }
    return value;
  };

  const result = or();
  if (position !== queue.length) fail();
  return result;
}

export type ExpressionContexts = Record<string, Record<string, string>>;

/** Replaces `${{ context.name }}` (and string literals) in an input default. */
export function interpolate(value: string, contexts: ExpressionContexts): string {
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_match, body: string) => {
    const expression = body.trim();
    const literal = /^'((?:[^']|'')*)'$/.exec(expression);
    if (literal?.[1] !== undefined) return literal[1].replaceAll("''", "'");
    const path = /^([A-Za-z_]\w*)\.([A-Za-z_][\w-]*)$/.exec(expression);
    const context = path?.[1] === undefined ? undefined : contexts[path[1]];
    if (!path?.[2] || !context) {
      throw new Error(`unsupported expression '\${{ ${expression} }}' in an input default`);
    }
    return context[path[2]] ?? '';
  });
}
