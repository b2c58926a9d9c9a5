import { describe, expect, it } from '@jest/globals';
import { shown } from '../../../src/lib/errors.ts';

describe('shown', () => {
  it('quotes a short value as it is', () => {
    expect(shown('eu-west-1')).toBe("'eu-west-1'");
    expect(shown('')).toBe("''");
  });

  it('cuts a long value to 60 characters and says how long it was', () => {
    expect(shown('a'.repeat(100 * 1024))).toBe(`'${'a'.repeat(60)}…' (102400 characters)`);
    expect(shown('b'.repeat(60))).toBe(`'${'b'.repeat(60)}'`);
  });

  it('keeps the value on one line', () => {
    expect(shown('x\n::error::forged\r\u2028')).toBe("'x\\u000a::error::forged\\u000d\\u2028'");
  });

  it('counts characters, not UTF-16 units', () => {
    expect(shown('😀'.repeat(61))).toBe(`'${'😀'.repeat(60)}…' (61 characters)`);
  });
});
