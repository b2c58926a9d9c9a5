import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../../../src/lib/durations.ts';
import { parseBoolean, parseInteger, parseList } from '../../../src/lib/parse.ts';

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['1.5', 1500],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration('timeout', text)).toBe(ms));

  it.each(['', 'soon', '5 minutes', '10x', '-5s', '5m garbage'])(
    'rejects %p naming the input',
    (text) => {
      expect(() => parseDuration('timeout', text)).toThrow(
        /^Input 'timeout' is '.*', which is not a duration/,
      );
    },
  );

  it('formats durations for people', () => {
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(0)).toBe('0ms');
  });
});

describe('scalar inputs', () => {
  it('parses booleans like the toolkit and refuses anything else', () => {
    expect(parseBoolean('x', 'True')).toBe(true);
    expect(parseBoolean('x', 'false')).toBe(false);
    expect(() => parseBoolean('output-credentials', 'yes')).toThrow(
      "Input 'output-credentials' is 'yes': use true or false.",
    );
  });

  it('parses bounded integers', () => {
    expect(parseInteger('n', '900', 900, 43200)).toBe(900);
    expect(() => parseInteger('n', '899', 900, 43200)).toThrow(
      'use a whole number from 900 to 43200',
    );
    expect(() => parseInteger('n', '1e3', 1, 5000)).toThrow();
    expect(() => parseInteger('n', '12.5', 1, 50)).toThrow();
  });

  it('splits lists on commas and new lines', () => {
    expect(parseList('a, b\n\nc,')).toEqual(['a', 'b', 'c']);
    expect(parseList('')).toEqual([]);
  });
});
