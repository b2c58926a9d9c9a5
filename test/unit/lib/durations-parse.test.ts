import { describe, expect, it } from '@jest/globals';
import {
  MAX_DURATION_MS,
  formatDuration,
  parseDuration,
  parseTimeouts,
} from '../../../src/lib/durations.ts';
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

describe('duration ranges', () => {
  it('refuses what overflows Node timers, whatever the input allows', () => {
    expect(() => parseDuration('timeout', '1000000h')).toThrow(
      "Input 'timeout' is '1000000h', longer than the 504h it accepts: give 504h or less.",
    );
    expect(() => parseDuration('timeout', '999h', { max: 10 * MAX_DURATION_MS })).toThrow(
      'longer than the 504h',
    );
    expect(() => parseDuration('timeout', `${'9'.repeat(400)}s`)).toThrow('longer than the 504h');
    expect(MAX_DURATION_MS).toBeLessThan(2 ** 31 - 1);
    expect(parseDuration('timeout', '504h')).toBe(MAX_DURATION_MS);
  });

  it('takes a range of its own', () => {
    expect(parseDuration('poll', '10m', { max: 600_000 })).toBe(600_000);
    expect(() => parseDuration('poll', '601s', { max: 600_000 })).toThrow(
      "Input 'poll' is '601s', longer than the 10m it accepts: give 10m or less.",
    );
    expect(() => parseDuration('poll', '50ms', { min: 100 })).toThrow(
      "Input 'poll' is '50ms', shorter than the 100ms it needs: give 100ms or more.",
    );
  });

  it('shortens the value it echoes', () => {
    expect(() => parseDuration('timeout', 'x'.repeat(1000))).toThrow(
      `Input 'timeout' is '${'x'.repeat(60)}…' (1000 characters), which is not a duration`,
    );
  });

  it('names both inputs when request-timeout and timeout do not fit together', () => {
    expect(() => parseTimeouts({ 'request-timeout': '5m', timeout: '1m' })).toThrow(
      "Inputs 'request-timeout' ('5m') and 'timeout' ('1m') must satisfy 100ms <= request-timeout <= timeout.",
    );
  });
});
