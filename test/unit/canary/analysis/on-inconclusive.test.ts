import { describe, expect, it } from '@jest/globals';
import {
  type OnInconclusive,
  decideAfterAnalysis,
  decideOnInconclusive,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/on-inconclusive.ts';
import { UserError } from '../../../../src/lib/errors.ts';

describe('decideOnInconclusive', () => {
  it('continues or rolls back as told', () => {
    const go = validateInconclusivePolicy({ onInconclusive: 'continue' });
    expect(decideOnInconclusive(go, 0)).toEqual({
      action: 'continue',
      reason: 'analysis inconclusive: continuing the deployment (on-inconclusive: continue)',
    });
    const back = validateInconclusivePolicy({ onInconclusive: 'rollback' });
    expect(decideOnInconclusive(back, 0).action).toBe('rollback');
  });

  it('extends up to max-extensions, then rolls back by default', () => {
    const policy = validateInconclusivePolicy({ onInconclusive: 'extend', maxExtensions: 2 });
    expect(decideOnInconclusive(policy, 0)).toEqual({
      action: 'extend',
      extension: 1,
      maxExtensions: 2,
      reason: 'analysis inconclusive: extending it (1 of 2, on-inconclusive: extend)',
    });
    expect(decideOnInconclusive(policy, 1)).toMatchObject({ action: 'extend', extension: 2 });
    expect(decideOnInconclusive(policy, 2)).toEqual({
      action: 'rollback',
      reason:
        'analysis still inconclusive after 2 of 2 extensions: rolling back (after-extensions: rollback)',
    });
    expect(decideOnInconclusive(policy, 7).action).toBe('rollback');
  });

  it('can continue once the extensions are spent', () => {
    const policy = validateInconclusivePolicy({
      onInconclusive: 'extend',
      maxExtensions: 1,
      afterExtensions: 'continue',
    });
    expect(decideOnInconclusive(policy, 1).action).toBe('continue');
  });

  it('extends once when max-extensions is not given', () => {
    const policy = validateInconclusivePolicy({ onInconclusive: 'extend' });
    expect(policy.maxExtensions).toBe(1);
  });

  it('refuses a negative count of extensions used', () => {
    const policy = validateInconclusivePolicy({ onInconclusive: 'extend' });
    expect(() => decideOnInconclusive(policy, -1)).toThrow(RangeError);
  });
});

describe('validateInconclusivePolicy', () => {
  it.each([
    [
      { onInconclusive: 'pause' as OnInconclusive },
      "on-inconclusive is 'pause': use continue, rollback or extend.",
    ],
    [
      { onInconclusive: 'extend' as const, maxExtensions: 0 },
      'on-inconclusive is extend but max-extensions is 0: set max-extensions to 1 or more, or use continue or rollback.',
    ],
    [
      { onInconclusive: 'extend' as const, maxExtensions: 1.5 },
      'max-extensions is 1.5: use a whole number from 0 to 100.',
    ],
    [
      { onInconclusive: 'extend' as const, afterExtensions: 'extend' as 'continue' },
      "after-extensions is 'extend': use continue or rollback.",
    ],
  ])('refuses %p', (input, message) => {
    expect(() => validateInconclusivePolicy(input)).toThrow(new UserError(message));
  });
});

describe('decideAfterAnalysis', () => {
  const policy = validateInconclusivePolicy({ onInconclusive: 'extend', maxExtensions: 1 });

  it('continues on pass, rolls back on fail, asks the policy otherwise', () => {
    expect(decideAfterAnalysis('pass', policy, 0).action).toBe('continue');
    expect(decideAfterAnalysis('fail', policy, 0).action).toBe('rollback');
    expect(decideAfterAnalysis('inconclusive', policy, 0).action).toBe('extend');
  });
});
