import { describe, expect, it } from '@jest/globals';
import { parseKeyValueFile, parsePathFile } from './file-commands.ts';

describe('parseKeyValueFile', () => {
  it('reads name=value lines, splitting at the first =', () => {
    expect(parseKeyValueFile('a=1\nb=x=y\n\nempty=\n')).toEqual({
      values: { a: '1', b: 'x=y', empty: '' },
      error: undefined,
    });
  });

  it('reads heredocs as multi-line values without the final newline', () => {
    const text = 'multi<<EOF\nline one\nline two\nEOF\nafter=1\n';
    expect(parseKeyValueFile(text).values).toEqual({ multi: 'line one\nline two', after: '1' });
  });

  it('reads an empty heredoc and one whose delimiter ends the file', () => {
    expect(parseKeyValueFile('e<<X\nX\nlast<<Y\nv\nY').values).toEqual({ e: '', last: 'v' });
  });

  it('uses whichever of = and << comes first', () => {
    expect(parseKeyValueFile('a=b<<c\n').values).toEqual({ a: 'b<<c' });
    expect(parseKeyValueFile('a<<D=\nvalue\nD=\n').values).toEqual({ a: 'value' });
  });

  it('keeps a CR before LF in the value, as the runner does on Linux', () => {
    expect(parseKeyValueFile('a=1\r\n').values).toEqual({ a: '1\r' });
  });

  it('lets the last write of a name win', () => {
    expect(parseKeyValueFile('a=1\na=2\n').values).toEqual({ a: '2' });
  });

  it('reports a heredoc without its delimiter and keeps what came before', () => {
    expect(parseKeyValueFile('ok=1\nbad<<EOF\nvalue\n')).toEqual({
      values: { ok: '1' },
      error: "Invalid value. Matching delimiter not found 'EOF'",
    });
  });

  it('reports lines that are neither form, and empty names', () => {
    expect(parseKeyValueFile('just text\n').error).toBe("Invalid format 'just text'");
    expect(parseKeyValueFile('=value\n').error).toMatch(/Name must not be empty/);
    expect(parseKeyValueFile('<<EOF\nx\nEOF\n').error).toMatch(/delimiter must not be empty/);
  });
});

describe('parsePathFile', () => {
  it('returns the non-empty lines in order', () => {
    expect(parsePathFile('/a\n\n/b\r\n/c')).toEqual(['/a', '/b', '/c']);
  });
});
