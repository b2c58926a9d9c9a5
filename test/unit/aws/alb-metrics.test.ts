import { describe, expect, it } from '@jest/globals';
import { statisticNumber } from '../../../src/aws/alb-metrics.ts';

describe('thresholds in a CloudWatch statistic', () => {
  it('are plain decimals: no exponent, no float noise, at most 10 places', () => {
    expect(statisticNumber(2)).toBe('2');
    expect(statisticNumber(0.2488)).toBe('0.2488');
    expect(statisticNumber(0.1 + 0.2)).toBe('0.3');
    expect(statisticNumber(1e-7)).toBe('0.0000001');
    expect(statisticNumber(3600)).toBe('3600');
    expect(`PR(:${statisticNumber(0.0001)})`).toBe('PR(:0.0001)');
  });
});
