import { describe, expect, it } from '@jest/globals';
import {
  periodStart,
  recentlyWorse,
  resolveTargetGroups,
} from '../../../../src/ecs/deploy/continuous-analysis.ts';
import type { DeploymentSnapshot, RevisionDetails } from '../../../../src/ecs/deploy/ports.ts';
import { UserError } from '../../../../src/lib/errors.ts';
import { windowOf } from '../../canary/analysis/windows.ts';
import { BLUE, GREEN } from './fake-ecs.ts';

const snapshot: DeploymentSnapshot = {
  arn: 'arn:d',
  status: 'IN_PROGRESS',
  target: {
    arn: 'rev-new',
    requestedTaskCount: 2,
    runningTaskCount: 2,
    pendingTaskCount: 0,
    requestedProductionTrafficWeight: 10,
  },
  sources: [
    {
      arn: 'rev-leftover',
      requestedTaskCount: 0,
      runningTaskCount: 0,
      pendingTaskCount: 0,
      requestedProductionTrafficWeight: 0,
    },
    {
      arn: 'rev-old',
      requestedTaskCount: 2,
      runningTaskCount: 2,
      pendingTaskCount: 0,
      requestedProductionTrafficWeight: 90,
    },
  ],
  hooks: [],
};
const lookup = (details: RevisionDetails[]) => async (arns: readonly string[]) =>
  new Map(details.filter((d) => arns.includes(d.arn)).map((d) => [d.arn, d]));

describe('resolveTargetGroups', () => {
  it('takes the canary from the new revision and the baseline from the source serving production', async () => {
    const groups = await resolveTargetGroups(
      snapshot,
      lookup([
        { arn: 'rev-new', taskDefinition: 'web:7', productionTargetGroupArn: GREEN },
        { arn: 'rev-leftover', taskDefinition: 'web:5', productionTargetGroupArn: GREEN },
        { arn: 'rev-old', taskDefinition: 'web:6', productionTargetGroupArn: BLUE },
      ]),
      undefined,
    );
    expect(groups).toEqual({ canary: GREEN, baseline: BLUE });
  });

  it('fills in the other side from the service pair', async () => {
    const groups = await resolveTargetGroups(
      snapshot,
      lookup([{ arn: 'rev-new', taskDefinition: 'web:7', productionTargetGroupArn: BLUE }]),
      { targetGroupArn: BLUE, alternateTargetGroupArn: GREEN },
    );
    expect(groups).toEqual({ canary: BLUE, baseline: GREEN });
  });

  it('refuses to guess', async () => {
    await expect(resolveTargetGroups(snapshot, lookup([]), undefined)).rejects.toThrow(UserError);
  });
});

describe('recentlyWorse', () => {
  const baseline = windowOf([
    { requests: 3000, target5xx: 6 },
    { requests: 3000, target5xx: 6 },
  ]);

  it('flags a last period whose errors chance does not explain', () => {
    expect(
      recentlyWorse(windowOf([{ requests: 300 }, { requests: 3, target5xx: 1 }]), baseline, 0.25),
    ).toBe(true);
    expect(
      recentlyWorse(windowOf([{ requests: 300 }, { requests: 300, target5xx: 5 }]), baseline, 0.25),
    ).toBe(true);
  });

  it('lets ordinary noise pass', () => {
    expect(
      recentlyWorse(windowOf([{ requests: 300 }, { requests: 300, target5xx: 1 }]), baseline, 0.25),
    ).toBe(false);
    expect(recentlyWorse(windowOf([{ requests: 300 }, { requests: 0 }]), baseline, 0.25)).toBe(
      false,
    );
  });

  it('flags unhealthy canary hosts', () => {
    expect(recentlyWorse(windowOf([{ requests: 300, unhealthy: 1 }]), baseline, 0.25)).toBe(true);
  });
});

it('periodStart floors to the metric period', () => {
  expect(periodStart(Date.parse('2026-03-01T12:01:42Z'), 60)).toBe(
    Date.parse('2026-03-01T12:01:00Z'),
  );
});
