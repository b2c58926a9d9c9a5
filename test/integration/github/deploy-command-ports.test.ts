// src/github's deploy-command ports and Deployments records against the GitHub REST emulator:
// GitHub's paths, shapes and permission checks, the lock as an atomic ref, the history lookups
// over auto-inactivated deployments, and one-line errors that name the missing permission.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gitHubCommandPorts, gitHubLocks, parseLock } from '../../../src/github/deploy-command.ts';
import { gitHubDeployments, toRecord } from '../../../src/github/deployments.ts';
import { gitHubRest } from '../../../src/github/rest.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulator/github/server.ts';
import type { Repository } from '../../emulator/github/store.ts';

const FULL = 'ghs_portsfull000000000000000000000000000';
const READ_ONLY = 'ghs_portsreadonly0000000000000000000000';
const REPO = { owner: 'acme', repo: 'app' };
const digest = (c: string) => `sha256:${c.repeat(64)}`;

let github: GitHubEmulator;
let repository: Repository;
const rest = (token = FULL) =>
  gitHubRest({ token, apiUrl: github.url, sleep: async () => undefined });

beforeAll(async () => {
  let t = Date.parse('2026-12-07T08:00:00Z');
  github = await startGitHubEmulator({ clock: () => new Date((t += 1000)) });
  repository = github.store.addRepository({ fullName: 'acme/app' });
  github.addToken({
    token: FULL,
    permissions: {
      'pull-requests': 'write',
      contents: 'write',
      deployments: 'write',
      checks: 'read',
      statuses: 'read',
    },
  });
  github.addToken({
    token: READ_ONLY,
    permissions: {
      'pull-requests': 'read',
      contents: 'read',
      deployments: 'read',
      checks: 'read',
      statuses: 'read',
    },
  });
});
afterAll(() => github.close());

describe('locks as refs', () => {
  it('claims once, tells the loser who holds it, reads it back, releases it', async () => {
    const locks = gitHubLocks(rest(), REPO);
    const lock = {
      environment: 'staging',
      holder: 'alice',
      reason: 'load test',
      since: '2026-12-07T09:00:00.000Z',
      pullRequest: 3,
    };
    const [a, b] = await Promise.all([
      locks.claim(lock),
      locks.claim({ ...lock, holder: 'bob', pullRequest: 4 }),
    ]);
    const winners = [a, b].filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const loser = [a, b].find((r) => !r.claimed) as { claimed: false; held: { holder: string } };
    expect(['alice', 'bob']).toContain(loser.held.holder);
    expect(await locks.get('staging')).toEqual(expect.objectContaining({ environment: 'staging' }));
    expect(repository.refs.has('refs/heads/staging-deploy-lock')).toBe(true);
    expect(await locks.release('staging')).toBe(true);
    expect(await locks.release('staging')).toBe(false);
    expect(await locks.get('staging')).toBeUndefined();
  });

  it('treats a lock branch made by hand as held, by someone unknown', async () => {
    repository.refs.set('refs/heads/qa-deploy-lock', repository.defaultBranchSha);
    const tree = await rest().request<{ sha: string }>('POST', '/repos/acme/app/git/trees', {
      tree: [{ path: 'x', mode: '100644', type: 'blob', content: 'x' }],
    });
    const commit = await rest().request<{ sha: string }>('POST', '/repos/acme/app/git/commits', {
      message: 'by hand',
      tree: tree.data.sha,
      parents: [],
    });
    repository.refs.set('refs/heads/qa-deploy-lock', commit.data.sha);
    expect(await gitHubLocks(rest(), REPO).get('qa')).toMatchObject({
      holder: 'unknown',
      pullRequest: 0,
    });
  });

  it('refuses lock.json whose fields are not what the action writes', () => {
    expect(
      parseLock('s', 'x\n\n{"holder":"a b","reason":"","since":"2026-01-01","pullRequest":1}'),
    ).toBeUndefined();
    expect(
      parseLock('s', 'x\n\n{"holder":"al","reason":"`x`","since":"2026-01-01","pullRequest":1}'),
    ).toBeUndefined();
    expect(
      parseLock('s', 'x\n\n{"holder":"al","reason":"ok","since":"2026-01-01","pullRequest":1}'),
    ).toMatchObject({ holder: 'al' });
  });

  it('says which permission is missing, in one line', async () => {
    await expect(
      gitHubLocks(rest(READ_ONLY), REPO).claim({
        environment: 'staging',
        holder: 'a',
        reason: '',
        since: 'x',
        pullRequest: 1,
      }),
    ).rejects.toThrow(
      'The token may not lock staging (GitHub: 403 "Resource not accessible by integration"): give the job `permissions: contents: write`.',
    );
  });
});

describe('Deployments records', () => {
  const sha = (c: string) => c.repeat(40);

  it('creates for a full SHA, tracks statuses, and finds what runs now and before', async () => {
    for (const c of ['1', '2', '3']) repository.commits.add(sha(c));
    const records = gitHubDeployments(rest(), REPO);
    const ids: number[] = [];
    for (const c of ['1', '2', '3']) {
      const { id, sha: recorded } = await records.create({
        environment: 'staging',
        sha: sha(c),
        facts: { actor: 'writer', imageDigest: digest(c) },
        description: 'deploy',
        production: false,
      });
      expect(recorded).toBe(sha(c));
      await records.setStatus(id, 'in_progress', {
        logUrl: 'https://github.com/acme/app/actions/runs/1',
      });
      await records.setStatus(id, c === '3' ? 'failure' : 'success', {});
      ids.push(id);
    }
    const current = await records.current('staging');
    expect(current).toMatchObject({
      id: ids[1],
      sha: sha('2'),
      state: 'success',
      facts: { actor: 'writer', imageDigest: digest('2') },
    });
    // The first success was made inactive by the second (auto_inactive), and is what a rollback takes.
    expect(await records.previousSuccessful('staging')).toMatchObject({
      id: ids[0],
      state: 'inactive',
      succeeded: true,
      facts: { imageDigest: digest('1') },
    });
    expect((await records.recent('staging', 2)).map((r) => [r.id, r.state])).toEqual([
      [ids[2], 'failure'],
      [ids[1], 'success'],
    ]);
    expect(await records.current('production')).toBeUndefined();
  });

  it('needs deployments: write to record, and says so', async () => {
    await expect(
      gitHubDeployments(rest(READ_ONLY), REPO).create({
        environment: 'staging',
        sha: sha('1'),
        facts: { actor: 'a' },
        description: '',
        production: false,
      }),
    ).rejects.toThrow('give the job `permissions: deployments: write`');
  });

  it('reads records other tools made without trusting their payload', () => {
    const record = toRecord(
      {
        id: 1,
        sha: sha('a'),
        environment: 'staging',
        created_at: 'x',
        payload: {
          actor: 'a b; rm',
          imageDigest: 'latest',
          migrationVersions: ['ok', '$(id)'],
          siteRelease: '../../etc',
        },
        creator: { login: 'deployer' },
      },
      [{ state: 'success' }],
    );
    expect(record.facts).toEqual({ actor: 'deployer', migrationVersions: ['ok'] });
    const site = toRecord(
      {
        id: 2,
        sha: sha('b'),
        environment: 'staging',
        created_at: 'x',
        payload: { actor: 'a', siteRelease: 'a3f1c9e07b5d' },
      },
      [],
    );
    expect(site.facts).toEqual({ actor: 'a', siteRelease: 'a3f1c9e07b5d' });
  });

  it('reads the contract migrations and the site release a deploy recorded, checked', () => {
    const read = (payload: Record<string, unknown>) =>
      toRecord({ id: 1, sha: sha('a'), environment: 'staging', created_at: 'x', payload }, [
        { state: 'success' },
      ]).facts;
    expect(
      read({ actor: 'a', contractMigrations: ['7', '8;drop'], siteRelease: '0123456789ab' }),
    ).toEqual({ actor: 'a', contractMigrations: ['7'], siteRelease: '0123456789ab' });
    expect(read({ actor: 'a', contractMigrations: 'V7', siteRelease: '../etc' })).toEqual({
      actor: 'a',
    });
  });

  it('keeps where the site build came from, and reads it back only in the shape it wrote', async () => {
    repository.commits.add(sha('4'));
    const records = gitHubDeployments(rest(), REPO);
    const siteArtifact = { name: `site-${sha('4')}`, runId: 7001 };
    const { id } = await records.create({
      environment: 'staging',
      sha: sha('4'),
      facts: { actor: 'writer', siteRelease: sha('4').slice(0, 12), siteArtifact },
      description: 'deploy',
      production: false,
    });
    expect((await records.recent('staging', 1))[0]).toMatchObject({ id, facts: { siteArtifact } });
    const read = (value: unknown) =>
      toRecord(
        {
          id: 1,
          sha: sha('a'),
          environment: 'staging',
          created_at: 'x',
          payload: { actor: 'a', siteArtifact: value },
        },
        [],
      ).facts.siteArtifact;
    expect(read({ name: 'site-1', runId: 42 })).toEqual({ name: 'site-1', runId: 42 });
    for (const bad of [
      'site-1',
      { name: 'site-1' },
      { name: 'site-1', runId: '42' },
      { name: 'site-1', runId: 0 },
      { name: 'site-1', runId: 1.5 },
      { name: '../site', runId: 42 },
      { name: 'a\n::warning::x', runId: 42 },
      null,
    ]) {
      expect([bad, read(bad)]).toEqual([bad, undefined]);
    }
  });
});

describe('command ports', () => {
  it('reads the permission, the pull request and its checks the way GitHub answers', async () => {
    github.store.setRole(repository, 'tri', 'triage');
    const pr = github.store.addPullRequest(repository, {
      author: github.accounts.get('tri'),
      headRepository: 'fork/app',
    });
    github.store.addCheckRun(repository, pr.pull!.headSha, 'build', 'success');
    github.store.addCheckRun(repository, pr.pull!.headSha, 'lint', null);
    github.store.addCommitStatus(repository, pr.pull!.headSha, 'ci/legacy', 'error');
    const ports = gitHubCommandPorts(rest(), {
      repository: REPO,
      issueNumber: pr.number,
      commentId: 1,
      now: () => 0,
    });
    expect(await ports.collaborator('tri')).toEqual({ permission: 'read', roleName: 'triage' });
    expect(await ports.collaborator('nobody')).toEqual({ permission: 'none', roleName: 'none' });
    expect(await ports.pullRequest(pr.number)).toEqual({
      number: pr.number,
      state: 'open',
      headSha: pr.pull!.headSha,
      fromFork: true,
    });
    expect(await ports.checks(pr.pull!.headSha)).toEqual([
      { name: 'build', outcome: 'success' },
      { name: 'lint', outcome: 'pending' },
      { name: 'ci/legacy', outcome: 'failure' },
    ]);
  });

  it('reacts once per content, and replies', async () => {
    const pr = github.store.addPullRequest(repository, { author: github.accounts.get('writer') });
    const c = github.store.addComment(
      repository,
      pr.number,
      github.accounts.get('writer'),
      '/deploy staging',
    );
    const ports = gitHubCommandPorts(rest(), {
      repository: REPO,
      issueNumber: pr.number,
      commentId: c.id,
      now: () => 0,
    });
    await ports.conversation.react('eyes');
    await ports.conversation.react('eyes');
    await ports.conversation.reply('hello');
    expect(c.reactions.map((r) => r.content)).toEqual(['eyes']);
    expect(github.store.comments(repository, pr.number).map((x) => x.body)).toEqual([
      '/deploy staging',
      'hello',
    ]);
    const readOnly = gitHubCommandPorts(rest(READ_ONLY), {
      repository: REPO,
      issueNumber: pr.number,
      commentId: c.id,
      now: () => 0,
    });
    await expect(readOnly.conversation.react('rocket')).rejects.toThrow(
      'give the job `permissions: pull-requests: write`',
    );
  });
});
