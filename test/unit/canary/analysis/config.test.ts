import { describe, expect, it } from '@jest/globals';
import {
  ANALYSIS_DEFAULTS,
  validateAnalysisConfig,
} from '../../../../src/canary/analysis/config.ts';
import { UserError } from '../../../../src/lib/errors.ts';

describe('validateAnalysisConfig', () => {
  it('fills in the defaults (Kayenta: tolerance 0.25, confidence 0.98)', () => {
    expect(validateAnalysisConfig({ minRequests: 300 })).toEqual({
      minRequests: 300,
      tolerance: 0.25,
      confidence: 0.98,
      unhealthyPeriodsToFail: 1,
      absoluteTolerance: 0.002,
      falseRollbackRate: 0.01,
    });
    expect(ANALYSIS_DEFAULTS).toMatchObject({ tolerance: 0.25, confidence: 0.98 });
  });

  it('keeps the limits it is given and drops the ones left undefined', () => {
    const config = validateAnalysisConfig({
      minRequests: 1000,
      maxErrorRate: 0.005,
      maxP95LatencySeconds: 0.4,
      maxP99LatencySeconds: undefined,
      tolerance: 0,
      confidence: 0.95,
      unhealthyPeriodsToFail: 3,
    });
    expect(config).toEqual({
      minRequests: 1000,
      maxErrorRate: 0.005,
      maxP95LatencySeconds: 0.4,
      tolerance: 0,
      confidence: 0.95,
      unhealthyPeriodsToFail: 3,
      absoluteTolerance: 0.002,
      falseRollbackRate: 0.01,
    });
    expect(config).not.toHaveProperty('maxP99LatencySeconds');
  });

  it('is idempotent', () => {
    const once = validateAnalysisConfig({ minRequests: 300, maxErrorRate: 0.01 });
    expect(validateAnalysisConfig(once)).toEqual(once);
  });

  it.each([
    [{ minRequests: 0 }, /^min-requests is 0: use a whole number/],
    [{ minRequests: 2.5 }, /^min-requests is 2.5/],
    [{ minRequests: 300, maxErrorRate: -0.01 }, /^max-error-rate is -0.01: use a fraction above 0/],
    [{ minRequests: 300, maxErrorRate: 0 }, /^max-error-rate is 0:/],
    [{ minRequests: 300, maxErrorRate: 5 }, /\(write 5 % as 0.05\)\.$/],
    [
      { minRequests: 300, maxP95LatencySeconds: 0 },
      /^max-p95-latency is 0 s: use a duration above zero/,
    ],
    [{ minRequests: 300, maxP99LatencySeconds: Number.NaN }, /^max-p99-latency is NaN s/],
    [{ minRequests: 300, tolerance: -0.1 }, /^tolerance is -0.1: use a fraction from 0 to 10/],
    [{ minRequests: 300, tolerance: 25 }, /^tolerance is 25/],
    [
      { minRequests: 300, confidence: 0.5 },
      /^confidence is 0.5: use a number above 0.5 and below 1/,
    ],
    [{ minRequests: 300, confidence: 1 }, /^confidence is 1:/],
    [{ minRequests: 300, confidence: 98 }, /^confidence is 98:/],
    [{ minRequests: 300, unhealthyPeriodsToFail: 0 }, /^unhealthy-periods-to-fail is 0/],
    [{ minRequests: 300, absoluteTolerance: -0.001 }, /^absolute-tolerance is -0.001/],
    [{ minRequests: 300, absoluteTolerance: 1 }, /^absolute-tolerance is 1:/],
    [
      { minRequests: 300, falseRollbackRate: 0 },
      /^false-rollback-rate is 0: use a fraction above 0/,
    ],
    [{ minRequests: 300, falseRollbackRate: 0.5 }, /^false-rollback-rate is 0.5:/],
  ])('refuses %p', (input, message) => {
    let thrown: unknown;
    try {
      validateAnalysisConfig(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).message).toMatch(message);
    expect((thrown as UserError).message).not.toContain('\n');
  });
});
