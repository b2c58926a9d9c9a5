import { describe, expect, it } from '@jest/globals';
import { type CommentEvent, handleComment } from '../../../src/deploy-command/command.ts';
import { type CommandPolicy, DEFAULT_POLICY } from '../../../src/deploy-command/policy.ts';
import { HEAD, fakeWorld, record, type FakeWorld } from './fake-ports.ts';

const event = (body: string, login = 'writer', more: Partial<CommentEvent> = {}): CommentEvent => ({
  action: 'created',
  commentId: 11,
  body,
  author: { login, isBot: login.endsWith('[bot]') },
  issueNumber: 7,
  onPullRequest: true,
  runUrl: 'https://github.com/o/r/actions/runs/1',
  ...more,
});

const policy = (more: Partial<CommandPolicy> = {}): CommandPolicy => ({
  ...DEFAULT_POLICY,
  ...more,
});

describe('handleComment: who may deploy', () => {
  it.each([
    // login, body, policy, expected decision, reason code
    ['owner', '/deploy staging', {}, 'proceed', undefined],
    ['writer', '/deploy staging', {}, 'proceed', undefined],
    ['triager', '/deploy staging', {}, 'rejected', 'permission'],
    ['reader', '/deploy staging', {}, 'rejected', 'permission'],
    ['stranger', '/deploy staging', {}, 'rejected', 'permission'],
    ['dependabot[bot]', '/deploy staging', {}, 'rejected', 'bot'],
    [
      'dependabot[bot]',
      '/deploy staging',
      { allowedBots: ['dependabot[bot]'] },
      'proceed',
      undefined,
    ],
    [
      'renovate[bot]',
      '/deploy staging',
      { allowedBots: ['renovate[bot]'] },
      'rejected',
      'permission',
    ],
    ['writer', '/deploy production', {}, 'rejected', 'environment-not-reachable'],
    ['owner', '/deploy qa', {}, 'rejected', 'environment-not-reachable'],
    [
      'writer',
      '/deploy staging',
      { environmentPermissions: new Map([['staging', ['admin'] as const]]) },
      'rejected',
      'permission',
    ],
    [
      'owner',
      '/deploy staging',
      { environmentPermissions: new Map([['staging', ['admin'] as const]]) },
      'proceed',
      undefined,
    ],
    [
      'writer',
      '/deploy staging',
      { environmentUsers: new Map([['staging', ['owner']]]) },
      'rejected',
      'not-allowed-for-environment',
    ],
    [
      'writer',
      '/deploy staging --force',
      { forceEnvironments: ['staging'] },
      'rejected',
      'force-not-allowed',
    ],
    ['owner', '/deploy staging --force', {}, 'rejected', 'force-not-allowed'],
    ['writer', '/deploy staging; id', {}, 'rejected', 'invalid-command'],
    ['stranger', '/lock staging mine', {}, 'rejected', 'permission'],
    ['stranger', '/status', {}, 'rejected', 'permission'],
  ] as const)('%s: %j %j → %s %s', async (login, body, more, decision, code) => {
    const world = fakeWorld();
    world.permissions.set('dependabot[bot]', 'write');
    const result = await handleComment(event(body, login), policy(more), world.ports);
    expect(result.decision).toBe(decision);
    if (code !== undefined) expect(result).toMatchObject({ reasonCode: code });
    expect(world.reactions[0]).toBe('eyes');
    if (decision === 'rejected') {
      expect(world.reactions).toEqual(['eyes', '-1']);
      expect(world.replies).toHaveLength(1);
      expect(world.replies[0]).toContain(`reason: \`${code}\``);
    }
  });

  it('never asks GitHub about a bot it refuses, nor about the pull request before the person', async () => {
    const world = fakeWorld();
    await handleComment(event('/deploy staging', 'evil[bot]'), policy(), world.ports);
    expect(world.calls).toEqual([]);
    const outsider = fakeWorld();
    await handleComment(event('/deploy staging', 'stranger'), policy(), outsider.ports);
    expect(outsider.calls).toEqual(['collaborator stranger']);
  });
});

describe('handleComment: what is ignored', () => {
  it.each([
    [event('/deploy staging', 'writer', { action: 'edited' }), 'not-created'],
    [event('/deploy staging', 'writer', { action: 'deleted' }), 'not-created'],
    [event('/deploy staging', 'writer', { onPullRequest: false }), 'not-a-pull-request'],
    [event('\uff0fdeploy staging'), 'not-a-command'],
    [event('/d\u0435ploy staging'), 'not-a-command'],
    [event('Looks good to me'), 'not-a-command'],
  ])('%#: %j', async (e, code) => {
    const world = fakeWorld();
    const result = await handleComment(e, policy(), world.ports);
    expect(result).toMatchObject({ decision: 'ignored', reasonCode: code });
    expect(world.reactions).toEqual([]);
    expect(world.replies).toEqual([]);
    expect(world.calls).toEqual([]);
  });
});

describe('handleComment: deploy', () => {
  const deploy = async (world: FakeWorld, body = '/deploy staging', login = 'writer', more = {}) =>
    handleComment(event(body, login), policy(more), world.ports);

  it('pins the head SHA from the API and replies with it', async () => {
    const world = fakeWorld();
    const result = await deploy(world);
    expect(result).toMatchObject({
      decision: 'proceed',
      verb: 'deploy',
      environment: 'staging',
      sha: HEAD,
      dryRun: false,
      pullRequest: 7,
      actor: 'writer',
      needsApproval: false,
    });
    expect(world.calls).toEqual(['collaborator writer', 'pull 7', `checks ${HEAD.slice(0, 7)}`]);
    expect(world.reactions).toEqual(['eyes']);
    expect(world.replies[0]).toContain(`| staging | \`${HEAD}\` |`);
    expect(world.replies[0]).toContain('[run](https://github.com/o/r/actions/runs/1)');
  });

  it('plans with --dry-run', async () => {
    expect(await deploy(fakeWorld(), '/deploy staging --dry-run')).toMatchObject({
      decision: 'proceed',
      dryRun: true,
    });
  });

  it.each([
    [
      { pull: { number: 7, state: 'closed', headSha: HEAD, fromFork: false } },
      'pull-request-closed',
    ],
    [{ pull: { number: 7, state: 'open', headSha: HEAD, fromFork: true } }, 'fork'],
    [
      {
        checks: [
          { name: 'test', outcome: 'failure' },
          { name: 'lint', outcome: 'success' },
        ],
      },
      'checks-failing',
    ],
    [{ checks: [{ name: 'test', outcome: 'pending' }] }, 'checks-failing'],
  ] as const)('refuses %#: %s', async (overrides, code) => {
    const world = fakeWorld(overrides as Parameters<typeof fakeWorld>[0]);
    const result = await deploy(world);
    expect(result).toMatchObject({ decision: 'rejected', reasonCode: code });
  });

  it('says which checks are red, still running or missing', async () => {
    const world = fakeWorld({
      checks: [
        { name: 'test', outcome: 'failure' },
        { name: 'e2e', outcome: 'pending' },
      ],
    });
    const result = await deploy(world, '/deploy staging', 'writer', {
      requiredChecks: ['test', 'e2e', 'scan'],
    });
    expect(result).toMatchObject({
      reason: `The checks on ${HEAD.slice(0, 7)} are not green (failing: test; still running: e2e; not reported: scan).`,
    });
  });

  it('ignores checks it does not require', async () => {
    const world = fakeWorld({
      checks: [
        { name: 'flaky', outcome: 'failure' },
        { name: 'test', outcome: 'success' },
      ],
    });
    expect(
      await deploy(world, '/deploy staging', 'writer', { requiredChecks: ['test'] }),
    ).toMatchObject({ decision: 'proceed' });
  });

  it('lets an admin force red checks where allowed, and says so', async () => {
    const world = fakeWorld({ checks: [{ name: 'test', outcome: 'failure' }] });
    const result = await deploy(world, '/deploy staging --force', 'owner', {
      forceEnvironments: ['staging'],
    });
    expect(result).toMatchObject({ decision: 'proceed', force: true });
    expect(result.reason).toContain('despite red checks (--force by an admin)');
  });

  it('allows forks when told', async () => {
    const world = fakeWorld({ pull: { number: 7, state: 'open', headSha: HEAD, fromFork: true } });
    expect(await deploy(world, '/deploy staging', 'writer', { allowForks: true })).toMatchObject({
      decision: 'proceed',
    });
  });

  it('refuses while another pull request holds the lock, naming who, why and since when', async () => {
    const world = fakeWorld();
    world.locks.set('staging', {
      environment: 'staging',
      holder: 'alice',
      reason: 'load test',
      since: '2026-12-07T09:00:00.000Z',
      pullRequest: 3,
    });
    const result = await deploy(world);
    expect(result).toMatchObject({
      decision: 'rejected',
      reasonCode: 'locked',
      reason:
        'staging is locked by @alice for #3 since 2026-12-07T09:00:00.000Z (`load test`): ask them, or `unlock` it.',
    });
    expect(world.calls).not.toContain('pull 7');
  });

  it('deploys under its own pull request lock', async () => {
    const world = fakeWorld();
    world.locks.set('staging', {
      environment: 'staging',
      holder: 'writer',
      reason: '',
      since: 'x',
      pullRequest: 7,
    });
    expect(await deploy(world)).toMatchObject({ decision: 'proceed' });
  });

  it('refuses a head SHA that is not a full SHA from GitHub as unexpected', async () => {
    const world = fakeWorld({
      pull: { number: 7, state: 'open', headSha: 'main', fromFork: false },
    });
    await expect(deploy(world)).rejects.toThrow('GitHub gave a head SHA that is not one');
  });
});

describe('handleComment: rollback and promote', () => {
  const OLD = 'b'.repeat(40);
  const NEW = 'c'.repeat(40);

  it('rolls back to the previous successful deployment and its digest', async () => {
    const world = fakeWorld({
      deployments: [
        record(1, 'staging', OLD, 'inactive', 'sha256:' + '1'.repeat(64)),
        record(2, 'staging', NEW, 'success'),
      ],
    });
    const result = await handleComment(event('/rollback staging'), policy(), world.ports);
    expect(result).toMatchObject({
      decision: 'proceed',
      verb: 'rollback',
      sha: OLD,
      imageDigest: 'sha256:' + '1'.repeat(64),
      sourceDeploymentId: 1,
    });
    expect(world.calls).not.toContain('pull 7');
  });

  it('has nothing to roll back to after one deployment', async () => {
    const world = fakeWorld({ deployments: [record(2, 'staging', NEW, 'success')] });
    expect(await handleComment(event('/rollback staging'), policy(), world.ports)).toMatchObject({
      reasonCode: 'nothing-to-roll-back',
    });
  });

  it('promotes what staging runs, to production, needing approval', async () => {
    const world = fakeWorld({
      deployments: [record(2, 'staging', NEW, 'success', 'sha256:' + '2'.repeat(64))],
    });
    const result = await handleComment(event('/promote'), policy(), world.ports);
    expect(result).toMatchObject({
      decision: 'proceed',
      verb: 'promote',
      environment: 'production',
      sha: NEW,
      needsApproval: true,
    });
  });

  it("checks who may promote against production's own rules", async () => {
    const world = fakeWorld({ deployments: [record(2, 'staging', NEW, 'success')] });
    const result = await handleComment(
      event('/promote'),
      policy({ environmentPermissions: new Map([['production', ['admin'] as const]]) }),
      world.ports,
    );
    expect(result).toMatchObject({ decision: 'rejected', reasonCode: 'permission' });
  });

  it('has nothing to promote when staging runs nothing', async () => {
    const world = fakeWorld();
    expect(await handleComment(event('/promote'), policy(), world.ports)).toMatchObject({
      reasonCode: 'nothing-to-promote',
    });
  });
});

describe('handleComment: locks, status, help', () => {
  it('locks with a reason, then refuses another pull request, then unlocks', async () => {
    const world = fakeWorld();
    const locked = await handleComment(event('/lock staging load test'), policy(), world.ports);
    expect(locked).toMatchObject({ decision: 'done', verb: 'lock' });
    expect(world.locks.get('staging')).toEqual({
      environment: 'staging',
      holder: 'writer',
      reason: 'load test',
      since: '2026-12-07T12:00:00.000Z',
      pullRequest: 7,
    });
    expect(world.replies[0]).toContain('| @writer | #7 | 2026-12-07T12:00:00.000Z | `load test` |');

    const other = await handleComment(
      event('/lock staging', 'owner', { issueNumber: 9 }),
      policy(),
      world.ports,
    );
    expect(other).toMatchObject({ decision: 'rejected', reasonCode: 'locked' });

    const unlocked = await handleComment(
      event('/unlock staging', 'owner', { issueNumber: 9 }),
      policy(),
      world.ports,
    );
    expect(unlocked).toMatchObject({
      decision: 'done',
      reason: 'staging is unlocked (it was locked by @writer for #7).',
    });
    expect(world.locks.size).toBe(0);
  });

  it('shows who deployed what, when', async () => {
    const world = fakeWorld({
      deployments: [record(2, 'staging', 'c'.repeat(40), 'success', 'sha256:' + 'f'.repeat(64))],
    });
    const result = await handleComment(event('/status staging'), policy(), world.ports);
    expect(result).toMatchObject({ decision: 'done', verb: 'status' });
    expect(world.replies[0]).toContain(
      `| 2 | success | \`cccccccccccc\` | \`sha256:ffffffffffff…\` | @writer | 2026-12-06T10:00:00.000Z |`,
    );
  });

  it('answers /help with the commands, even to anyone', async () => {
    const world = fakeWorld();
    const result = await handleComment(
      event('.help', 'stranger'),
      policy({ prefix: '.' }),
      world.ports,
    );
    expect(result).toMatchObject({ decision: 'done', verb: 'help' });
    expect(world.replies[0]).toContain('`.deploy <environment>`');
    expect(world.calls).toEqual([]);
  });
});
