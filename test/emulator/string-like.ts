/** IAM `StringLike`: `*` matches any run of characters (also empty), `?` exactly one; case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'su').test(value);
}

/** A condition with several values is met when any of them matches. */
export function anyStringLike(patterns: string | readonly string[], value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return (typeof patterns === 'string' ? [patterns] : patterns).some((p) => stringLike(p, value));
}

export function anyStringEquals(values: string | readonly string[], value: unknown): boolean {
  return (
    typeof value === 'string' && (typeof values === 'string' ? [values] : values).includes(value)
  );
}
