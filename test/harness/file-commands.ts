// Parsers for the runner's file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH),
// following actions/runner's FileCommandManager on Linux: only LF ends a line (a CR stays in
// the value), `name=value` or `name<<DELIMITER` heredocs, and entries read before a malformed
// line still apply while the step fails.

export interface KeyValueFileResult {
  values: Record<string, string>;
  /** The runner's message for the first malformed entry; `undefined` when the file is valid. */
  error: string | undefined;
}

export function parseKeyValueFile(text: string): KeyValueFileResult {
  const values: Record<string, string> = {};
  let index = 0;
  const readLine = (): { line: string; newline: boolean } | undefined => {
    if (index >= text.length) return undefined;
    const start = index;
    const lf = text.indexOf('\n', index);
    if (lf < 0) {
      index = text.length;
      return { line: text.slice(start), newline: false };
    }
    index = lf + 1;
    return { line: text.slice(start, lf), newline: true };
  };

  try {
    for (let read = readLine(); read !== undefined; read = readLine()) {
      const { line } = read;
      if (line === '') continue;
      const equalsIndex = line.indexOf('=');
      const heredocIndex = line.indexOf('<<');
      if (equalsIndex >= 0 && (heredocIndex < 0 || equalsIndex < heredocIndex)) {
        const name = line.slice(0, equalsIndex);
        if (name === '') throw new Error(`Invalid format '${line}'. Name must not be empty`);
        values[name] = line.slice(equalsIndex + 1);
      } else if (heredocIndex >= 0 && (equalsIndex < 0 || heredocIndex < equalsIndex)) {
        const name = line.slice(0, heredocIndex);
        const delimiter = line.slice(heredocIndex + 2);
        if (name === '' || delimiter === '') {
          throw new Error(
            `Invalid format '${line}'. Name must not be empty and delimiter must not be empty`,
          );
        }
        const start = index;
        let end = index;
        for (;;) {
          const next = readLine();
          if (next === undefined) {
            throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
          }
          if (next.line === delimiter) break;
          if (!next.newline) throw new Error('Invalid value. EOF marker missing new line.');
          end = index - 1;
        }
        values[name] = end > start ? text.slice(start, end) : '';
      } else {
        throw new Error(`Invalid format '${line}'`);
      }
    }
  } catch (error) {
    return { values, error: (error as Error).message };
  }
  return { values, error: undefined };
}

/** GITHUB_PATH: one directory per line, blank lines ignored (any line ending). */
export function parsePathFile(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line !== '');
}
