import { describe, expect, it } from '@jest/globals';
import { resolveDispatch, type DispatchRequest } from '../../../src/deploy-command/dispatch.ts';
import { contractsSince } from '../../../src/deploy-command/migration-state.ts';
import { rollbackTarget } from '../../../src/deploy-command/rollback-target.ts';
import { type CommandPolicy, DEFAULT_POLICY } from '../../../src/deploy-command/policy.ts';
import type { DeploymentFacts, DeploymentRecord } from '../../../src/deploy-command/ports.ts';
import { fakeWorld, record } from './fake-ports.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

const policy = (more: Partial<CommandPolicy> = {}): CommandPolicy => ({
  ...DEFAULT_POLICY,
  ...more,
});

function deployment(
  id: number,
  environment: string,
  sha: string,
  state: DeploymentRecord['state'],
  facts: Partial<DeploymentFacts> = {},
): DeploymentRecord {
  const base = record(id, environment, sha, state);
  return {
    ...base,
    createdAt: `2026-12-0${Math.min(id, 9)}T10:00:00.000Z`,
    facts: { ...base.facts, ...facts },
  };
}

const rollback = (environment: string, actor = 'writer'): DispatchRequest => ({
  verb: 'rollback',
  actor,
  environment,
});
const promote = (digest?: string, actor = 'writer'): DispatchRequest => ({
  verb: 'promote',
  actor,
  digest,
});

describe('resolveDispatch: promote', () => {
  const history = () => [
    deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
    deployment(2, 'staging', B, 'success', { imageDigest: D2, siteRelease: 'bbbbbbbbbbbb' }),
    deployment(3, 'staging', C, 'failure', { imageDigest: D3 }),
  ];

  it('sends what staging runs now: its commit and digest, to production, behind the reviewers', async () => {
    const world = fakeWorld({ deployments: history() });
    const result = await resolveDispatch(promote(), policy(), world.ports);
    expect(result).toEqual({
      decision: 'proceed',
      verb: 'promote',
      environment: 'production',
      sha: B,
      actor: 'writer',
      imageDigest: D2,
      sourceDeploymentId: 2,
      siteRelease: undefined,
      siteArtifact: undefined,
      needsApproval: true,
      reason: expect.stringContaining('staging deployment 2) to production'),
    });
  });

  it('a named digest staging ran successfully before: that deployment’s commit', async () => {
    const world = fakeWorld({ deployments: history() });
    const result = await resolveDispatch(promote(D1), policy(), world.ports);
    expect(result).toMatchObject({
      decision: 'proceed',
      sha: A,
      imageDigest: D1,
      sourceDeploymentId: 1,
    });
  });

  it.each([
    ['failed in staging', D3],
    ['never in staging', `sha256:${'9'.repeat(64)}`],
  ])('a named digest that %s: refused, nothing promoted', async (_, digest) => {
    const world = fakeWorld({ deployments: history() });
    expect(await resolveDispatch(promote(digest), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'digest-not-in-source',
      reason: `${digest} never ran successfully in staging (its last 30 deployments): promote only what staging has run.`,
    });
  });

  it('nothing runs in staging: nothing to promote', async () => {
    const world = fakeWorld({
      deployments: [deployment(1, 'staging', A, 'failure', { imageDigest: D1 })],
    });
    expect(await resolveDispatch(promote(), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'nothing-to-promote',
      environment: 'production',
    });
  });

  it('ships the site build the promoted deployment recorded: its artifact and the run holding it', async () => {
    const siteArtifact = { name: `site-${B}`, runId: 7001 };
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', {
          imageDigest: D1,
          siteArtifact: { name: `site-${A}`, runId: 7000 },
        }),
        deployment(2, 'staging', B, 'success', {
          imageDigest: D2,
          siteRelease: B.slice(0, 12),
          siteArtifact,
        }),
      ],
    });
    const now = await resolveDispatch(promote(), policy(), world.ports);
    expect(now).toMatchObject({
      decision: 'proceed',
      sha: B,
      siteArtifact,
      siteRelease: undefined,
    });
    expect(now.reason).toBe(
      `Promoting ${D2.slice(0, 19)} (${B.slice(0, 7)}, staging deployment 2) to production with its site build (artifact site-${B} of run 7001); it waits for production's reviewers.`,
    );
    // A named digest: that deployment's own build, not what staging runs now.
    expect(await resolveDispatch(promote(D1), policy(), world.ports)).toMatchObject({
      sha: A,
      siteArtifact: { name: `site-${A}`, runId: 7000 },
    });
  });

  it('a deployment with a site release but no recorded build: promoted without the site, and said', async () => {
    const world = fakeWorld({ deployments: history() });
    const result = await resolveDispatch(promote(), policy(), world.ports);
    expect(result).toMatchObject({ decision: 'proceed', siteArtifact: undefined });
    expect(result.reason).toContain(
      "to production; its site release bbbbbbbbbbbb was recorded without its build, so production's site stays as it is; it waits",
    );
  });

  it('a release without a site: promoted without one, nothing said about a site', async () => {
    const world = fakeWorld({
      deployments: [deployment(1, 'staging', A, 'success', { imageDigest: D1 })],
    });
    const result = await resolveDispatch(promote(), policy(), world.ports);
    expect(result).toMatchObject({ decision: 'proceed', siteArtifact: undefined });
    expect(result.reason).not.toContain('site');
  });

  it('a release production ran before, across a contract migration applied there since: refused like a rollback', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', B, 'success', { imageDigest: D2 }),
        deployment(3, 'production', A, 'inactive', { imageDigest: D1 }),
        deployment(4, 'production', B, 'success', {
          imageDigest: D2,
          actor: 'owner',
          contractMigrations: ['7'],
        }),
      ],
    });
    expect(await resolveDispatch(promote(D1), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'contract-migration',
      environment: 'production',
      reason:
        'Promoting aaaaaaa to production would run a release older than contract migration 7, applied by deployment 4 (bbbbbbb, @owner) at 2026-12-04T10:00:00.000Z: that release needs schema the migration removed. Promote a newer release instead.',
    });
    // The release that applied it, promoted again: its own contracts do not count.
    expect(await resolveDispatch(promote(D2), policy(), world.ports)).toMatchObject({
      decision: 'proceed',
      sha: B,
    });
  });

  it('a release production never ran, or ran with no contract since: promoted', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', B, 'success', { imageDigest: D2 }),
        deployment(3, 'production', A, 'inactive', { imageDigest: D1 }),
        deployment(4, 'production', C, 'success', { imageDigest: D3, migrationVersions: ['8'] }),
      ],
    });
    expect(await resolveDispatch(promote(D1), policy(), world.ports)).toMatchObject({
      decision: 'proceed',
      sha: A,
    });
    expect(await resolveDispatch(promote(), policy(), world.ports)).toMatchObject({
      decision: 'proceed',
      sha: B,
    });
  });

  it("promote-from's current deployment without a digest: nothing to promote", async () => {
    const world = fakeWorld({ deployments: [deployment(1, 'staging', A, 'success')] });
    expect(await resolveDispatch(promote(), policy(), world.ports)).toMatchObject({
      reasonCode: 'nothing-to-promote',
      reason: "staging's deployment 1 records no image digest, so there is nothing to promote.",
    });
  });
});

describe('resolveDispatch: who may dispatch', () => {
  const deployments = [
    deployment(1, 'production', A, 'inactive', { imageDigest: D1 }),
    deployment(2, 'production', B, 'success', { imageDigest: D2 }),
    deployment(3, 'staging', B, 'success', { imageDigest: D2 }),
  ];

  it.each([
    // actor, policy, expected decision, reason code
    ['owner', {}, 'proceed', undefined],
    ['writer', {}, 'proceed', undefined],
    ['reader', {}, 'rejected', 'permission'],
    ['stranger', {}, 'rejected', 'permission'],
    ['renovate[bot]', {}, 'rejected', 'bot'],
    [
      'writer',
      { environmentPermissions: new Map([['production', ['admin' as const]]]) },
      'rejected',
      'permission',
    ],
    [
      'owner',
      { environmentPermissions: new Map([['production', ['admin' as const]]]) },
      'proceed',
      undefined,
    ],
    [
      'owner',
      { environmentUsers: new Map([['production', ['writer']]]) },
      'rejected',
      'not-allowed-for-environment',
    ],
    ['writer', { environmentUsers: new Map([['production', ['writer']]]) }, 'proceed', undefined],
  ])('%s, %o: %s %s', async (actor, more, decision, code) => {
    for (const request of [promote(undefined, actor), rollback('production', actor)]) {
      const world = fakeWorld({ deployments });
      const result = await resolveDispatch(request, policy(more), world.ports);
      expect([
        result.decision,
        result.decision === 'rejected' ? result.reasonCode : undefined,
      ]).toEqual([decision, code]);
    }
  });

  it("says the actor's access and what the environment needs", async () => {
    const world = fakeWorld({ deployments });
    expect(
      await resolveDispatch(rollback('production', 'reader'), policy(), world.ports),
    ).toMatchObject({
      reason:
        '@reader has read access to this repository; commands in production need write or admin.',
    });
  });

  it('an environment the repository does not deploy to: refused before anything is read', async () => {
    const world = fakeWorld({ deployments });
    expect(await resolveDispatch(rollback('qa'), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'environment-not-reachable',
      reason: 'qa is not an environment this repository deploys to: use staging, production.',
    });
    expect(world.calls).toEqual([]);
  });

  it('a locked environment: refused with who holds it', async () => {
    const world = fakeWorld({ deployments });
    world.locks.set('production', {
      environment: 'production',
      holder: 'owner',
      reason: 'freeze',
      since: '2026-12-07T09:00:00.000Z',
      pullRequest: 4,
    });
    expect(await resolveDispatch(rollback('production'), policy(), world.ports)).toMatchObject({
      reasonCode: 'locked',
      reason:
        'production is locked by @owner for #4 since 2026-12-07T09:00:00.000Z (freeze): ask them, or unlock it.',
    });
  });
});

describe('resolveDispatch: rollback', () => {
  it('the previous successful deployment: its commit, image and site release', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1, siteRelease: 'aaaaaaaaaaaa' }),
        deployment(2, 'staging', B, 'success', { imageDigest: D2, siteRelease: 'bbbbbbbbbbbb' }),
      ],
    });
    expect(await resolveDispatch(rollback('staging'), policy(), world.ports)).toEqual({
      decision: 'proceed',
      verb: 'rollback',
      environment: 'staging',
      sha: A,
      actor: 'writer',
      imageDigest: D1,
      sourceDeploymentId: 1,
      siteRelease: 'aaaaaaaaaaaa',
      siteArtifact: undefined,
      needsApproval: false,
      reason: `Rolling staging back to aaaaaaa (deployment 1, ${D1.slice(0, 19)} and site release aaaaaaaaaaaa).`,
    });
  });

  it('production: needs its reviewers', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'production', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'production', B, 'success', { imageDigest: D2 }),
      ],
    });
    expect(await resolveDispatch(rollback('production'), policy(), world.ports)).toMatchObject({
      decision: 'proceed',
      needsApproval: true,
      siteRelease: undefined,
    });
  });

  it.each([
    ['no deployment at all', []],
    ['only the current one', [deployment(1, 'staging', A, 'success', { imageDigest: D1 })]],
  ])('%s: nothing to roll back', async (_, deployments) => {
    const world = fakeWorld({ deployments });
    expect(await resolveDispatch(rollback('staging'), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'nothing-to-roll-back',
      reason: 'staging has no earlier successful deployment to roll back to.',
    });
  });

  it('a previous deployment that recorded no image: refused, nothing guessed', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive'),
        deployment(2, 'staging', B, 'success', { imageDigest: D2 }),
      ],
    });
    expect(await resolveDispatch(rollback('staging'), policy(), world.ports)).toMatchObject({
      reasonCode: 'nothing-to-roll-back',
      reason: "staging's previous successful deployment 1 records no image digest to deploy again.",
    });
  });

  it('across a contract migration applied since: refused with which, when and by which deployment', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', B, 'success', {
          imageDigest: D2,
          actor: 'owner',
          migrationVersions: ['6'],
          contractMigrations: ['7', '8'],
        }),
      ],
    });
    expect(await resolveDispatch(rollback('staging'), policy(), world.ports)).toMatchObject({
      decision: 'rejected',
      reasonCode: 'contract-migration',
      reason:
        'Rolling staging back to aaaaaaa (deployment 1) would run a release older than contract migration 7 (and 1 more), applied by deployment 2 (bbbbbbb, @owner) at 2026-12-02T10:00:00.000Z: that release needs schema the migration removed. Deploy a fix forward instead.',
    });
  });

  it('a failed deploy that recorded contract migrations: still refused, and it says the deploy failed', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', B, 'success', { imageDigest: D2 }),
        deployment(3, 'staging', C, 'failure', { imageDigest: D3, contractMigrations: ['9'] }),
      ],
    });
    const result = await resolveDispatch(rollback('staging'), policy(), world.ports);
    expect(result).toMatchObject({ decision: 'rejected', reasonCode: 'contract-migration' });
    expect(result.reason).toContain(
      'applied by deployment 3 (ccccccc, @writer) at 2026-12-03T10:00:00.000Z, which did not succeed: check whether its contract phase ran: that release',
    );
  });

  it('expand migrations since, or contracts by the target release itself: the rollback goes ahead', async () => {
    const world = fakeWorld({
      deployments: [
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1, contractMigrations: ['5'] }),
        // The target's own contract phase, run after it was deployed (the pipeline's last job).
        deployment(2, 'staging', A, 'inactive', { imageDigest: D1, contractMigrations: ['6'] }),
        deployment(3, 'staging', B, 'success', { imageDigest: D2, migrationVersions: ['7'] }),
      ],
    });
    expect(await resolveDispatch(rollback('staging'), policy(), world.ports)).toMatchObject({
      decision: 'proceed',
      sha: A,
      sourceDeploymentId: 2,
    });
  });
});

describe('contractsSince', () => {
  it('counts a failed deploy’s contract migrations too, oldest first', () => {
    const target = deployment(1, 'staging', A, 'inactive');
    const later = [
      deployment(4, 'staging', C, 'success', { contractMigrations: ['9'] }),
      deployment(3, 'staging', B, 'failure', { contractMigrations: ['8'] }),
      target,
      deployment(0, 'staging', C, 'inactive', { contractMigrations: ['1'] }),
    ];
    expect(contractsSince(target, later).map((c) => [c.version, c.deployment.id])).toEqual([
      ['8', 3],
      ['9', 4],
    ]);
  });
});

describe('rollbackTarget', () => {
  const X = 'e'.repeat(40);
  const ids = (list: DeploymentRecord[]) => rollbackTarget([...list].reverse())?.id;

  it('the newest successful release before the current one', () => {
    expect(
      ids([
        deployment(1, 'staging', X, 'inactive', { imageDigest: D3 }),
        deployment(2, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(3, 'staging', B, 'failure', { imageDigest: D2 }),
        deployment(4, 'staging', A, 'success', { imageDigest: D1 }),
      ]),
    ).toBe(1);
  });

  it('after a rollback: further back, never forward to the release rolled away from', () => {
    const history = [
      deployment(1, 'staging', X, 'inactive', { imageDigest: D3 }),
      deployment(2, 'staging', A, 'inactive', { imageDigest: D1 }),
      deployment(3, 'staging', B, 'inactive', { imageDigest: D2 }),
      deployment(4, 'staging', A, 'success', { imageDigest: D1, command: 'rollback' }),
    ];
    expect(ids(history)).toBe(1);
    expect(ids(history.slice(1))).toBeUndefined();
    // Two rollbacks in a row: back past both.
    const twice = [
      ...history,
      deployment(5, 'staging', X, 'success', { imageDigest: D3, command: 'rollback' }),
    ];
    twice[3] = { ...twice[3]!, state: 'inactive' };
    expect(ids([deployment(0, 'staging', C, 'inactive', { imageDigest: D2 }), ...twice])).toBe(0);
  });

  it('the same commit with another image is another release', () => {
    expect(
      ids([
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', A, 'success', { imageDigest: D2 }),
      ]),
    ).toBe(1);
  });

  it('nothing runs now: the newest that ever succeeded', () => {
    expect(
      ids([
        deployment(1, 'staging', A, 'inactive', { imageDigest: D1 }),
        deployment(2, 'staging', B, 'failure', { imageDigest: D2 }),
      ]),
    ).toBe(1);
  });
});
