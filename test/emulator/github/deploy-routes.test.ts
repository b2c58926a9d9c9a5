// The endpoints deploy-command uses, as GitHub answers them: shapes, documented errors, and the
// permissions a GITHUB_TOKEN needs for each.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startGitHubEmulator, type GitHubEmulator } from './server.ts';
import type { Permissions } from './tokens.ts';

let github: GitHubEmulator;
beforeEach(async () => {
  github = await startGitHubEmulator({ clock: () => new Date('2026-12-07T06:00:00Z') });
});
afterEach(() => github.close());

function seed(permissions: Permissions, isPrivate = true) {
  const repository = github.store.addRepository({ fullName: 'acme/app', private: isPrivate });
  const pr = github.store.addPullRequest(repository, {
    author: github.accounts.get('dev'),
    headSha: 'a'.repeat(40),
  });
  github.addToken({ token: 'ghs_job', permissions, repositories: ['acme/app'] });
  return { repository, pr };
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${github.url}${path}`, {
    method,
    headers: {
      'user-agent': 'test',
      authorization: 'Bearer ghs_job',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GitHub's JSON, read by tests
    json: (text ? JSON.parse(text) : undefined) as Record<string, any>,
  };
}

describe('deployments', () => {
  it('needs deployments: write to create, and read to list', async () => {
    seed({ deployments: 'read' });
    expect((await api('POST', '/repos/acme/app/deployments', { ref: 'a'.repeat(40) })).status).toBe(
      403,
    );
    expect((await api('GET', '/repos/acme/app/deployments')).status).toBe(200);
  });

  it('refuses an unknown ref (422) and red statuses without required_contexts (409)', async () => {
    const { repository } = seed({ deployments: 'write' });
    const unknown = await api('POST', '/repos/acme/app/deployments', { ref: 'b'.repeat(40) });
    expect(unknown.status).toBe(422);
    expect(unknown.json.errors[0].message).toBe(`No ref found for: ${'b'.repeat(40)}`);
    github.store.addCommitStatus(repository, 'a'.repeat(40), 'ci', 'failure');
    const red = await api('POST', '/repos/acme/app/deployments', { ref: 'a'.repeat(40) });
    expect(red.status).toBe(409);
    const skip = await api('POST', '/repos/acme/app/deployments', {
      ref: 'a'.repeat(40),
      required_contexts: [],
      environment: 'staging',
    });
    expect(skip.status).toBe(201);
    expect(skip.json).toMatchObject({
      sha: 'a'.repeat(40),
      environment: 'staging',
      production_environment: false,
      task: 'deploy',
    });
  });

  it('takes only GitHub states and keeps statuses newest first', async () => {
    seed({ deployments: 'write' });
    const { json: d } = await api('POST', '/repos/acme/app/deployments', {
      ref: 'main',
      required_contexts: [],
    });
    expect(d.environment).toBe('production');
    expect(
      (await api('POST', `/repos/acme/app/deployments/${d.id}/statuses`, { state: 'done' })).status,
    ).toBe(422);
    await api('POST', `/repos/acme/app/deployments/${d.id}/statuses`, {
      state: 'in_progress',
      log_url: 'https://x/1',
    });
    await api('POST', `/repos/acme/app/deployments/${d.id}/statuses`, { state: 'success' });
    const list = await api('GET', `/repos/acme/app/deployments/${d.id}/statuses`);
    expect((list.json as unknown as { state: string }[]).map((s) => s.state)).toEqual([
      'success',
      'in_progress',
    ]);
  });
});

describe('reactions, permission, checks, refs', () => {
  it('reacts with pull-requests: write; 200 for a repeat; 422 for an unknown content', async () => {
    const { repository, pr } = seed({ 'pull-requests': 'write' });
    const c = github.store.addComment(repository, pr.number, github.accounts.get('dev'), 'x');
    const path = `/repos/acme/app/issues/comments/${c.id}/reactions`;
    expect((await api('POST', path, { content: 'eyes' })).status).toBe(201);
    expect((await api('POST', path, { content: 'eyes' })).status).toBe(200);
    expect((await api('POST', path, { content: 'thumbsup' })).status).toBe(422);
  });

  it('answers a permission with metadata alone: none for a stranger on a private repository', async () => {
    seed({});
    expect(
      (await api('GET', '/repos/acme/app/collaborators/stranger/permission')).json,
    ).toMatchObject({ permission: 'none', role_name: 'none' });
    expect((await api('GET', '/repos/acme/app/collaborators/acme/permission')).json).toMatchObject({
      permission: 'admin',
    });
  });

  it('needs checks: read for check runs and statuses: read for the combined status', async () => {
    const { repository } = seed({ checks: 'read' });
    github.store.addCheckRun(repository, 'a'.repeat(40), 'test', 'failure');
    github.store.addCheckRun(repository, 'a'.repeat(40), 'test', 'success');
    const runs = await api('GET', `/repos/acme/app/commits/${'a'.repeat(40)}/check-runs`);
    expect(runs.json.check_runs.map((r: { conclusion: string }) => r.conclusion)).toEqual([
      'success',
    ]);
    expect((await api('GET', `/repos/acme/app/commits/${'a'.repeat(40)}/status`)).status).toBe(403);
  });

  it('claims a ref once (422 after), deletes it once (422 after), with contents: write', async () => {
    const { repository } = seed({ contents: 'write' });
    const body = { ref: 'refs/heads/staging-deploy-lock', sha: repository.defaultBranchSha };
    expect((await api('POST', '/repos/acme/app/git/refs', body)).status).toBe(201);
    const again = await api('POST', '/repos/acme/app/git/refs', body);
    expect([again.status, again.json.message]).toEqual([422, 'Reference already exists']);
    expect(
      (await api('GET', '/repos/acme/app/git/ref/heads/staging-deploy-lock')).json.object.sha,
    ).toBe(repository.defaultBranchSha);
    expect((await api('DELETE', '/repos/acme/app/git/refs/heads/staging-deploy-lock')).status).toBe(
      204,
    );
    expect((await api('DELETE', '/repos/acme/app/git/refs/heads/staging-deploy-lock')).status).toBe(
      422,
    );
  });
});
