// How an input's value is shown in an error: in quotes, on one line (control characters escaped),
// long values shortened. Only ever for display.

const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

export function quote(text: string, max = 80): string {
  const shown = text.replace(CONTROL, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `'${shown.length > max ? `${shown.slice(0, max - 1)}…` : shown}'`;
}
