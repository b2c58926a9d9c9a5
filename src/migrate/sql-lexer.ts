// Splits a migration into statements with a small lexer, the way psql does: it skips comments
// (nested /* */ too), strings ('…', E'…'), quoted identifiers and dollar quotes, counts
// parentheses and the BEGIN … END of SQL-standard function bodies, and cuts at the semicolons that
// are left. It also reads the few leading words that decide whether a statement may run in a
// transaction. It needs no WASM and takes microseconds, so applying can start before PostgreSQL's
// parser (parser.ts) is loaded; test/integration/migrate/lexer-equivalence.test.ts proves it
// agrees with that parser on every fixture history.

/** A statement as the apply sends it. */
export interface SqlStatement {
  /** The statement's text without its terminating ';'. */
  sql: string;
  /** 1-based line and column (in characters) of the statement's first token. */
  line: number;
  column: number;
}

export interface LexedStatement extends SqlStatement {
  /** The leading tokens: unquoted words upper-cased, quoted identifiers as `"name"` decoded. */
  head: Token[];
}

export type Token =
  /** `text` upper-cased for matching keywords; `name` as PostgreSQL folds an unquoted name. */
  | { kind: 'word'; text: string; name: string }
  | { kind: 'ident'; text: string }
  | { kind: 'punct'; text: string };

/** Enough leading tokens to read `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS n ON ONLY s.t`. */
const HEAD_TOKENS = 24;

// By UTF-16 code unit, as the expressions /[A-Za-z_\u0080-\uFFFF]/ and /[A-Za-z0-9_$\u0080-\uFFFF]/
// would read it: the lexer runs on every character of every file, before the first query.
const isWordStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
const isWordChar = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/y;

export function lexStatements(text: string): LexedStatement[] {
  const statements: LexedStatement[] = [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const positionOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: [...text.slice(lineStarts[low], offset)].length + 1 };
  };

  let start = -1; // offset of the current statement's first token
  let head: Token[] = [];
  let parens = 0;
  let beginDepth = 0;
  // psql's test for a function with a SQL-standard body: CREATE [OR REPLACE] FUNCTION|PROCEDURE.
  let words: string[] = [];
  const token = (offset: number, t?: () => Token) => {
    if (start === -1) start = offset;
    if (t && wantsHead()) head.push(t());
  };
  // Past four tokens only the statements whose mode depends on a later one keep their head.
  let keepsHead: boolean | undefined;
  const wantsHead = () => {
    if (head.length < 4) return true;
    if (keepsHead === undefined) {
      const [w0, w1] = head.map((t) => (t.kind === 'word' ? t.text : ''));
      keepsHead =
        (w0 === 'CREATE' && (w1 === 'INDEX' || w1 === 'UNIQUE')) ||
        w0 === 'REINDEX' ||
        (w0 === 'ALTER' && w1 === 'TYPE');
    }
    return keepsHead && head.length < HEAD_TOKENS;
  };
  // Whether the statement is CREATE [OR REPLACE] FUNCTION|PROCEDURE, once its first words say.
  let inBody = false;
  const word = (upper: string) => {
    if (words.length < 4) {
      words.push(upper);
      const [w0, w1, w2, w3] = words;
      const routine = (w: string | undefined) => w === 'FUNCTION' || w === 'PROCEDURE';
      inBody = w0 === 'CREATE' && (routine(w1) || (w1 === 'OR' && w2 === 'REPLACE' && routine(w3)));
    }
    if (!inBody || parens !== 0) return;
    if (upper === 'BEGIN') beginDepth++;
    else if (upper === 'CASE' && beginDepth > 0) beginDepth++;
    else if (upper === 'END' && beginDepth > 0) beginDepth--;
  };
  const end = (offset: number) => {
    if (start !== -1) {
      statements.push({ sql: text.slice(start, offset).trim(), ...positionOf(start), head });
    }
    start = -1;
    head = [];
    keepsHead = undefined;
    parens = 0;
    beginDepth = 0;
    words = [];
    inBody = false;
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++; // space, \t \n \v \f \r
    } else if (c === 45 && next === 45) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol + 1;
    } else if (c === 47 && next === 42) {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        const a = text.charCodeAt(i);
        const b = text.charCodeAt(i + 1);
        if ((a === 47 && b === 42) || (a === 42 && b === 47)) {
          depth += a === 47 ? 1 : -1;
          i += 2;
        } else i++;
      }
    } else if (c === 39) {
      token(i);
      i = skipString(text, i, false);
    } else if (c === 34) {
      const close = skipQuotedIdentifier(text, i);
      token(i, () => ({
        kind: 'ident',
        text: text.slice(i + 1, close - 1).replaceAll('""', '"'),
      }));
      i = close;
    } else if (c === 36 && ((DOLLAR_TAG.lastIndex = i), DOLLAR_TAG.test(text))) {
      const tag = text.slice(i, DOLLAR_TAG.lastIndex);
      const close = text.indexOf(tag, DOLLAR_TAG.lastIndex);
      token(i);
      i = close === -1 ? text.length : close + tag.length;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
      if (j === i + 1 && (c === 69 || c === 101) && text.charCodeAt(j) === 39) {
        token(i); // E'…'
        i = skipString(text, j, true);
        continue;
      }
      if (start === -1) start = i;
      const keep = wantsHead();
      // A word matters only at the head of a statement or in a routine's body.
      if (keep || words.length < 4 || inBody) {
        const raw = text.slice(i, j);
        const upper = raw.toUpperCase();
        if (keep) {
          head.push({
            kind: 'word',
            text: upper,
            name: raw.replace(/[A-Z]+/g, (m) => m.toLowerCase()),
          });
        }
        word(upper);
      }
      i = j;
    } else if (c === 59 && parens === 0 && beginDepth === 0) {
      end(i);
      i++;
    } else {
      if (c === 40) parens++;
      else if (c === 41 && parens > 0) parens--;
      if (start === -1) start = i;
      if (wantsHead()) head.push({ kind: 'punct', text: text[i]! });
      i++;
    }
  }
  end(text.length);
  return statements;
}

/** The offset after the string literal opening at `open`; `escapes`: an E'…' string. */
function skipString(text: string, open: number, escapes: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (escapes && c === 92)
      i += 2; // backslash
    else if (c === 39) {
      if (text.charCodeAt(i + 1) !== 39) return i + 1;
      i += 2;
    } else i++;
  }
  return text.length;
}

function skipQuotedIdentifier(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] !== '"') return i + 1;
      i += 2;
    } else i++;
  }
  return text.length;
}
