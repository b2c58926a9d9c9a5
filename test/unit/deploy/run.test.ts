import { describe, expect, it } from '@jest/globals';
import { deployEnvironment } from '../../../src/deploy/run.ts';
import type {
  CanaryOutcome,
  DeployEnvironmentPorts,
  MigrationOutcome,
} from '../../../src/deploy/ports.ts';

const SUCCEEDED: CanaryOutcome = {
  outcome: 'succeeded',
  reason: undefined,
  status: 'SUCCESSFUL',
  verdict: 'pass',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:2',
};
const ROLLED_BACK: CanaryOutcome = {
  outcome: 'rolled-back',
  reason: 'The canary analysis failed: error rate 12% against 0.1%.',
  status: 'ROLLBACK_SUCCESSFUL',
  verdict: 'fail',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop:3',
};

interface Fake {
  ports: DeployEnvironmentPorts;
  calls: string[];
  controller: AbortController;
}

function fake(
  overrides: Partial<DeployEnvironmentPorts> & { migrations?: MigrationOutcome | false } = {},
): Fake {
  const calls: string[] = [];
  const controller = new AbortController();
  const { migrations = { ok: true, applied: ['1', '2'] }, ...rest } = overrides;
  const ports: DeployEnvironmentPorts = {
    assume: async () => void calls.push('assume'),
    ...(migrations === false
      ? {}
      : {
          planMigrations: async () => (calls.push('plan'), ['1', '2']),
          applyMigrations: async () => (calls.push('apply'), migrations),
        }),
    canary: async () => (calls.push('canary'), SUCCEEDED),
    startRecord: async (facts) => (calls.push(`start ${facts.migrationVersions.join(',')}`), 42),
    finishRecord: async (id, outcome) => void calls.push(`finish ${id} ${outcome}`),
    signal: controller.signal,
    onEvent: () => {},
    ...rest,
  };
  return { ports, calls, controller };
}

describe('deployEnvironment', () => {
  it('assumes, plans, records in_progress, migrates, runs the canary, then records success', async () => {
    const { ports, calls } = fake();
    const result = await deployEnvironment(ports);
    expect(calls).toEqual(['assume', 'plan', 'start 1,2', 'apply', 'canary', 'finish 42 success']);
    expect(result).toEqual({
      outcome: 'succeeded',
      deploymentId: 42,
      migrationsApplied: ['1', '2'],
      canary: SUCCEEDED,
    });
  });

  it('without migrations records no versions and goes straight to the canary', async () => {
    const { ports, calls } = fake({ migrations: false });
    const result = await deployEnvironment(ports);
    expect(calls).toEqual(['assume', 'start ', 'canary', 'finish 42 success']);
    expect(result.migrationsApplied).toEqual([]);
  });

  it('settles the target after the assume and before anything is recorded', async () => {
    const { ports, calls } = fake({
      target: async () => (calls.push('target'), { migrations: true }),
    });
    await deployEnvironment(ports);
    expect(calls).toEqual([
      'assume',
      'target',
      'plan',
      'start 1,2',
      'apply',
      'canary',
      'finish 42 success',
    ]);
  });

  it('runs no migrations when the target says it has none, though the ports are given', async () => {
    const { ports, calls } = fake({
      target: async () => (calls.push('target'), { migrations: false }),
    });
    const result = await deployEnvironment(ports);
    expect(calls).toEqual(['assume', 'target', 'start ', 'canary', 'finish 42 success']);
    expect(result.migrationsApplied).toEqual([]);
  });

  it('records and changes nothing when the target cannot be settled (no deploy document)', async () => {
    const { ports, calls } = fake({
      target: async () => {
        calls.push('target');
        throw new Error('no deploy document at /aws-ship-suite/shop-deploy-staging');
      },
    });
    await expect(deployEnvironment(ports)).rejects.toThrow(/no deploy document/);
    expect(calls).toEqual(['assume', 'target']);
  });

  it('records nothing when the role cannot be assumed', async () => {
    const { ports, calls } = fake({
      assume: async () => {
        throw new Error('AccessDenied: not authorized to perform sts:AssumeRoleWithWebIdentity');
      },
    });
    await expect(deployEnvironment(ports)).rejects.toThrow(/AccessDenied/);
    expect(calls).toEqual([]);
  });

  it('records nothing when the plan cannot be made (nothing has changed yet)', async () => {
    const { ports, calls } = fake({
      planMigrations: async () => {
        throw new Error('connection refused');
      },
    });
    await expect(deployEnvironment(ports)).rejects.toThrow('connection refused');
    expect(calls).toEqual(['assume']);
  });

  it('stops before the canary when a migration fails, and records failure', async () => {
    const { ports, calls } = fake({
      migrations: { ok: false, reason: 'V2 failed: column "status" exists', applied: ['1'] },
    });
    const result = await deployEnvironment(ports);
    expect(calls).toEqual(['assume', 'plan', 'start 1,2', 'apply', 'finish 42 failure']);
    expect(result).toMatchObject({
      outcome: 'failed',
      failedPhase: 'migrate',
      reason:
        'The migrations failed, so the canary did not start: V2 failed: column "status" exists',
      migrationsApplied: ['1'],
      canary: undefined,
    });
  });

  it("reports the canary's rollback and records failure", async () => {
    const { ports, calls } = fake({ canary: async () => ROLLED_BACK });
    const result = await deployEnvironment(ports);
    expect(calls.at(-1)).toBe('finish 42 failure');
    expect(result).toMatchObject({
      outcome: 'rolled-back',
      failedPhase: 'canary',
      reason: ROLLED_BACK.reason,
      canary: ROLLED_BACK,
      migrationsApplied: ['1', '2'],
    });
  });

  it('records failure and rethrows when a phase throws after the record', async () => {
    const { ports, calls } = fake({
      canary: async () => {
        throw new Error('Service shop does not exist in cluster shop');
      },
    });
    await expect(deployEnvironment(ports)).rejects.toThrow('Service shop does not exist');
    expect(calls.at(-1)).toBe('finish 42 failure');
  });

  it('records the deploy as cancelled (inactive) when the step was aborted', async () => {
    const f = fake();
    f.ports = {
      ...f.ports,
      canary: async () => {
        f.controller.abort(new Error('cancelled'));
        throw new Error('aborted');
      },
    };
    await expect(deployEnvironment(f.ports)).rejects.toThrow('aborted');
    expect(f.calls.at(-1)).toBe('finish 42 cancelled');
  });

  it('records a canary rolled back because the step was cancelled as cancelled (inactive)', async () => {
    const f = fake();
    f.ports = {
      ...f.ports,
      canary: async () => {
        f.controller.abort(new Error('cancelled'));
        return { ...ROLLED_BACK, reason: 'Rolled back (cancelled): the job was cancelled.' };
      },
    };
    const result = await deployEnvironment(f.ports);
    expect(result.outcome).toBe('rolled-back');
    expect(f.calls.at(-1)).toBe('finish 42 cancelled');
  });

  it('keeps the outcome when the last status cannot be written, and says so', async () => {
    const events: unknown[] = [];
    const { ports } = fake({
      finishRecord: async () => {
        throw new Error('403 Resource not accessible by integration');
      },
      onEvent: (event) => void events.push(event),
    });
    const result = await deployEnvironment(ports);
    expect(result.outcome).toBe('succeeded');
    expect(events).toContainEqual({
      type: 'record-failed',
      deploymentId: 42,
      reason: '403 Resource not accessible by integration',
    });
  });

  it('keeps the phase error when the record cannot be finished either', async () => {
    const { ports } = fake({
      applyMigrations: async () => {
        throw new Error('lock timeout');
      },
      finishRecord: async () => {
        throw new Error('GitHub is down');
      },
    });
    await expect(deployEnvironment(ports)).rejects.toThrow('lock timeout');
  });
});
