import { describe, expect, it } from '@jest/globals';
import { evaluateStatusCondition, interpolate } from './expressions.ts';

describe('evaluateStatusCondition', () => {
  it.each([
    ['always()', 'failure', true],
    ['success()', 'success', true],
    ['success()', 'failure', false],
    ['failure()', 'failure', true],
    ['cancelled()', 'cancelled', true],
    ['!cancelled()', 'failure', true],
    ['${{ success() || failure() }}', 'cancelled', false],
    ['!(success() && cancelled())', 'success', true],
    ['true', 'failure', false],
    ['', 'success', true],
  ] as const)('%s with job status %s is %s', (condition, status, expected) => {
    expect(evaluateStatusCondition(condition, status)).toBe(expected);
  });

  it('refuses what it cannot evaluate instead of guessing', () => {
    expect(() => evaluateStatusCondition("github.event_name == 'push'", 'success')).toThrow(
      /unsupported condition/,
    );
    expect(() => evaluateStatusCondition('always() &&', 'success')).toThrow(/unsupported/);
  });
});

describe('interpolate', () => {
  const contexts = { github: { token: 'ghs_x', repository: 'o/r' }, runner: { os: 'Linux' } };

  it('replaces context paths and string literals', () => {
    expect(interpolate('${{ github.token }}', contexts)).toBe('ghs_x');
    expect(interpolate('${{github.repository}}@${{ runner.os }}', contexts)).toBe('o/r@Linux');
    expect(interpolate("${{ 'it''s' }}", contexts)).toBe("it's");
    expect(interpolate('plain', contexts)).toBe('plain');
  });

  it('refuses unknown contexts and operators', () => {
    expect(() => interpolate('${{ secrets.X }}', contexts)).toThrow(/unsupported expression/);
    expect(() => interpolate('${{ github.a || github.b }}', contexts)).toThrow(/unsupported/);
  });
});
