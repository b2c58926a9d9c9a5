import { describe, expect, it } from '@jest/globals';
import {
  finishDeploy,
  startDeploy,
  type StartRequest,
} from '../../../src/deploy-command/lifecycle.ts';
import type {
  DeploymentWriter,
  NewDeployment,
  PullRequestState,
  Reaction,
} from '../../../src/deploy-command/ports.ts';
import type { DeployFacts } from '../../../src/notify/index.ts';

const SHA = 'a'.repeat(40);

function world(head = SHA, recordedSha?: string) {
  const created: NewDeployment[] = [];
  const statuses: { id: number; state: string; logUrl?: string }[] = [];
  const reactions: Reaction[] = [];
  const replies: string[] = [];
  const deployments: DeploymentWriter = {
    create: async (d) => {
      created.push(d);
      return { id: 100 + created.length, sha: recordedSha ?? d.sha };
    },
    setStatus: async (id, state, details) =>
      void statuses.push({ id, state, ...(details.logUrl ? { logUrl: details.logUrl } : {}) }),
  };
  const pull: PullRequestState = { number: 7, state: 'open', headSha: head, fromFork: false };
  return {
    created,
    statuses,
    reactions,
    replies,
    ports: {
      deployments,
      pullRequest: async () => pull,
      conversation: {
        react: async (r: Reaction) => void reactions.push(r),
        reply: async (t: string) => void replies.push(t),
      },
    },
  };
}

const request: StartRequest = {
  environment: 'staging',
  sha: SHA,
  pullRequest: 7,
  facts: {
    actor: 'writer',
    imageDigest: 'sha256:' + '1'.repeat(64),
    command: 'deploy',
    pullRequest: 7,
  },
  production: false,
  logUrl: 'https://github.com/o/r/actions/runs/1',
};

describe('startDeploy', () => {
  it('records the deployment for the pinned SHA and marks it in progress with the run', async () => {
    const w = world();
    expect(await startDeploy(request, w.ports)).toEqual({ outcome: 'started', deploymentId: 101 });
    expect(w.created).toEqual([
      expect.objectContaining({ environment: 'staging', sha: SHA, facts: request.facts }),
    ]);
    expect(w.statuses).toEqual([{ id: 101, state: 'in_progress', logUrl: request.logUrl }]);
  });

  it('cancels, with no record, when the pull request moved after the command', async () => {
    const w = world('b'.repeat(40));
    const result = await startDeploy(request, w.ports);
    expect(result).toMatchObject({ outcome: 'stale', headSha: 'b'.repeat(40) });
    expect(w.created).toEqual([]);
    expect(w.reactions).toEqual(['-1']);
    expect(w.replies[0]).toContain('#7 moved to bbbbbbb after the command was given for aaaaaaa');
  });

  it('marks a record GitHub made for another commit as an error and stops', async () => {
    const w = world(SHA, 'c'.repeat(40));
    await expect(startDeploy(request, w.ports)).rejects.toThrow(
      'not aaaaaaaaaaaa: nothing was deployed',
    );
    expect(w.statuses.map((s) => s.state)).toEqual(['error']);
  });

  it('does not look at a pull request for a push or dispatch deploy', async () => {
    const w = world('b'.repeat(40));
    expect(await startDeploy({ ...request, pullRequest: undefined }, w.ports)).toMatchObject({
      outcome: 'started',
    });
  });
});

describe('finishDeploy', () => {
  it.each([
    ['success', 'success', 'rocket'],
    ['failure', 'failure', '-1'],
    ['cancelled', 'inactive', '-1'],
  ] as const)('%s → status %s and %s', async (outcome, state, reaction) => {
    const w = world();
    await finishDeploy(
      { deploymentId: 5, outcome, environment: 'staging', logUrl: 'u', environmentUrl: undefined },
      w.ports,
    );
    expect(w.statuses).toEqual([{ id: 5, state, logUrl: 'u' }]);
    expect(w.reactions).toEqual([reaction]);
  });

  const notice = {
    repository: 'o/r',
    rolledBack: true,
    reason: 'alarm web-5xx fired',
    failedStep: 'canary',
    imageDigest: undefined,
    sha: SHA,
  };

  it('notifies after recording, with the facts of the deploy', async () => {
    const w = world();
    const order: string[] = [];
    const deployments: DeploymentWriter = {
      create: w.ports.deployments.create,
      setStatus: async () => void order.push('record'),
    };
    const seen: DeployFacts[] = [];
    const result = await finishDeploy(
      {
        deploymentId: 5,
        outcome: 'failure',
        environment: 'staging',
        logUrl: 'https://github.com/o/r/actions/runs/1',
        environmentUrl: undefined,
        notice,
      },
      {
        deployments,
        conversation: undefined,
        notifier: async (facts) => {
          order.push('notify');
          seen.push(facts);
          return { sent: false, reason: 'stub' };
        },
      },
    );
    expect(order).toEqual(['record', 'notify']);
    expect(seen).toEqual([
      {
        repository: 'o/r',
        environment: 'staging',
        outcome: 'failure',
        rolledBack: true,
        reason: 'alarm web-5xx fired',
        failedStep: 'canary',
        imageDigest: undefined,
        sha: SHA,
        deploymentId: 5,
        runUrl: 'https://github.com/o/r/actions/runs/1',
      },
    ]);
    expect(result.notification).toEqual({ sent: false, reason: 'stub' });
  });

  it('still notifies when recording fails, then throws the recording error', async () => {
    const w = world();
    let notified = 0;
    await expect(
      finishDeploy(
        {
          deploymentId: 5,
          outcome: 'failure',
          environment: 'staging',
          logUrl: 'u',
          environmentUrl: undefined,
          notice,
        },
        {
          deployments: {
            create: w.ports.deployments.create,
            setStatus: async () => {
              throw new Error('GitHub answered 502');
            },
          },
          conversation: undefined,
          notifier: async () => {
            notified += 1;
            return { sent: false, reason: 'stub' };
          },
        },
      ),
    ).rejects.toThrow('GitHub answered 502');
    expect(notified).toBe(1);
  });
});
