import { describe, expect, it } from '@jest/globals';
import {
  alphaText,
  pAgainst,
  percent,
  seconds,
  times,
} from '../../../../src/canary/analysis/format.ts';

describe('figures for people', () => {
  it.each([
    [0.041, '4.1 %'],
    [0.003, '0.3 %'],
    [0.00012, '0.012 %'],
    [0, '0 %'],
    [1, '100 %'],
    [0.98, '98 %'],
  ])('percent(%p) = %p', (value, text) => expect(percent(value)).toBe(text));

  it.each([
    [0.412, '412 ms'],
    [0.0041, '4.1 ms'],
    [0.25, '250 ms'],
    [0.9999, '1 s'],
    [1.24, '1.24 s'],
    [0.0004, '0.4 ms'],
    [0, '0 ms'],
  ])('seconds(%p) = %p', (value, text) => expect(seconds(value)).toBe(text));

  it('writes ratios and significance levels without noise', () => {
    expect(times(1.6543)).toBe('1.65×');
    expect(times(1.25)).toBe('1.25×');
    expect(times(250)).toBe('250×');
    expect(alphaText(0.98)).toBe('0.02');
    expect(alphaText(0.995)).toBe('0.005');
  });

  it('never shows a p-value as equal to the level it is compared with', () => {
    expect(pAgainst(0.0001, 0.98)).toBe('p=0.0001 < 0.02');
    expect(pAgainst(3.294e-40, 0.98)).toBe('p=3.3e-40 < 0.02');
    expect(pAgainst(0.0196, 0.98)).toBe('p=0.0196 < 0.02');
    expect(pAgainst(0.0203, 0.98)).toBe('p=0.0203 ≥ 0.02');
    expect(pAgainst(0.21, 0.98)).toBe('p=0.21 ≥ 0.02');
    expect(pAgainst(1, 0.98)).toBe('p=1 ≥ 0.02');
  });
});
