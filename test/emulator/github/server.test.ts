import { request as httpRequest } from 'node:http';
import { startGitHubEmulator, type GitHubEmulator } from './server.ts';
import type { Permissions } from './tokens.ts';

const UA = { 'user-agent': 'emulator-test' };

async function api(
  emulator: GitHubEmulator,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(path.startsWith('http') ? path : `${emulator.url}${path}`, {
    method,
    headers: {
      ...UA,
      accept: 'application/vnd.github+json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> & unknown[],
  };
}

describe('GitHub REST emulator', () => {
  let emulator: GitHubEmulator;
  let now = new Date('2026-12-07T06:00:00Z');

  beforeEach(async () => {
    now = new Date('2026-12-07T06:00:00Z');
    emulator = await startGitHubEmulator({ clock: () => now });
  });
  afterEach(() => emulator.close());

  function seed(permissions: Permissions, options: { private?: boolean } = {}) {
    const repository = emulator.store.addRepository({
      fullName: 'acme/app',
      private: options.private ?? true,
    });
    const author = emulator.accounts.get('octocat');
    const pull = emulator.store.addPullRequest(repository, { author, headSha: 'a'.repeat(40) });
    const issue = emulator.store.addIssue(repository, { author });
    emulator.addToken({ token: 'ghs_job', permissions, repositories: ['acme/app'] });
    return { repository, pull, issue };
  }

  it('creates, gets and updates a pull-request comment in GitHub shapes', async () => {
    const { pull } = seed({ 'pull-requests': 'write' });
    const path = `/repos/acme/app/issues/${pull.number}/comments`;
    const created = await api(emulator, 'ghs_job', 'POST', path, { body: 'first' });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    expect(created.headers.get('location')).toBe(
      `${emulator.url}/repos/acme/app/issues/comments/${id}`,
    );
    expect(created.json).toMatchObject({
      id,
      url: `${emulator.url}/repos/acme/app/issues/comments/${id}`,
      html_url: `https://github.com/acme/app/pull/${pull.number}#issuecomment-${id}`,
      issue_url: `${emulator.url}/repos/acme/app/issues/${pull.number}`,
      body: 'first',
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      created_at: '2026-12-07T06:00:00.000Z',
      updated_at: '2026-12-07T06:00:00.000Z',
      author_association: 'NONE',
    });

    now = new Date('2026-12-07T06:05:00Z');
    const updated = await api(
      emulator,
      'ghs_job',
      'PATCH',
      `/repos/acme/app/issues/comments/${id}`,
      {
        body: 'second',
      },
    );
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      id,
      body: 'second',
      updated_at: '2026-12-07T06:05:00.000Z',
    });
    const got = await api(emulator, 'ghs_job', 'GET', `/repos/acme/app/issues/comments/${id}`);
    expect(got.json).toMatchObject({ id, body: 'second', created_at: '2026-12-07T06:00:00.000Z' });
    const listed = await api(emulator, 'ghs_job', 'GET', path);
    expect(listed.json.map((c) => (c as { id: number }).id)).toEqual([id]);
    expect(listed.headers.get('link')).toBeNull();
  });

  it('pages lists as GitHub does: per_page up to 100, Link by repository id', async () => {
    const { repository, pull } = seed({ 'pull-requests': 'read' });
    const someone = emulator.accounts.get('someone');
    for (let i = 1; i <= 250; i++)
      emulator.store.addComment(repository, pull.number, someone, `c${i}`);
    const base = `${emulator.url}/repositories/${repository.id}/issues/${pull.number}/comments`;

    const first = await api(
      emulator,
      'ghs_job',
      'GET',
      `/repos/acme/app/issues/${pull.number}/comments?per_page=100`,
    );
    expect(first.json).toHaveLength(100);
    expect(first.headers.get('link')).toBe(
      `<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`,
    );
    const last = await api(emulator, 'ghs_job', 'GET', `${base}?per_page=100&page=3`);
    expect(last.json.map((c) => (c as { body: string }).body)).toEqual(
      Array.from({ length: 50 }, (_, i) => `c${201 + i}`),
    );
    expect(last.headers.get('link')).toBe(
      `<${base}?per_page=100&page=2>; rel="prev", <${base}?per_page=100&page=1>; rel="first"`,
    );
    const defaults = await api(
      emulator,
      'ghs_job',
      'GET',
      `/repos/acme/app/issues/${pull.number}/comments`,
    );
    expect(defaults.json).toHaveLength(30);
    const capped = await api(
      emulator,
      'ghs_job',
      'GET',
      `/repos/acme/app/issues/${pull.number}/comments?per_page=500`,
    );
    expect(capped.json).toHaveLength(100);
  });

  describe.each`
    permissions                                    | onPull | onIssue
    ${{ 'pull-requests': 'write' }}                | ${201} | ${403}
    ${{ issues: 'write' }}                         | ${201} | ${201}
    ${{ 'pull-requests': 'read', issues: 'read' }} | ${403} | ${403}
    ${{ contents: 'write', deployments: 'write' }} | ${403} | ${403}
    ${{}}                                          | ${403} | ${403}
  `('a token with $permissions', ({ permissions, onPull, onIssue }) => {
    it(`writes a pull-request comment: ${onPull}; an issue comment: ${onIssue}`, async () => {
      const { pull, issue } = seed(permissions as Permissions);
      const onPr = await api(
        emulator,
        'ghs_job',
        'POST',
        `/repos/acme/app/issues/${pull.number}/comments`,
        { body: 'x' },
      );
      const onIs = await api(
        emulator,
        'ghs_job',
        'POST',
        `/repos/acme/app/issues/${issue.number}/comments`,
        { body: 'x' },
      );
      expect([onPr.status, onIs.status]).toEqual([onPull, onIssue]);
      for (const refused of [onPr, onIs].filter((r) => r.status === 403)) {
        expect(refused.json).toEqual({
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
          status: '403',
        });
      }
    });
  });

  it('refuses edits without write, and reads of a private repository without a permission', async () => {
    const { repository, pull } = seed({ contents: 'read' });
    const comment = emulator.store.addComment(
      repository,
      pull.number,
      emulator.accounts.get('x'),
      'hi',
    );
    const list = await api(
      emulator,
      'ghs_job',
      'GET',
      `/repos/acme/app/issues/${pull.number}/comments`,
    );
    expect(list.status).toBe(403);
    const edit = await api(
      emulator,
      'ghs_job',
      'PATCH',
      `/repos/acme/app/issues/comments/${comment.id}`,
      { body: 'y' },
    );
    expect(edit.status).toBe(403);
    expect(comment.body).toBe('hi');
  });

  it('lets anyone read a public repository, nobody anonymous write, and hides other private ones', async () => {
    const { pull } = seed({}, { private: false });
    const secret = emulator.store.addRepository({ fullName: 'acme/secret' });
    emulator.store.addPullRequest(secret, { author: emulator.accounts.get('octocat') });
    const path = `/repos/acme/app/issues/${pull.number}/comments`;
    expect((await api(emulator, 'ghs_job', 'GET', path)).status).toBe(200);
    expect((await api(emulator, undefined, 'GET', path)).status).toBe(200);
    const anonymous = await api(emulator, undefined, 'POST', path, { body: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.message).toBe('Requires authentication');
    const other = await api(emulator, 'ghs_job', 'GET', '/repos/acme/secret/issues/1/comments');
    expect(other.status).toBe(404);
    expect(other.json.message).toBe('Not Found');
  });

  it('answers 401 Bad credentials to an unknown token and logs no token', async () => {
    const { pull } = seed({ 'pull-requests': 'write' });
    const refused = await api(
      emulator,
      'ghs_unknown',
      'GET',
      `/repos/acme/app/pulls/${pull.number}`,
    );
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
    await api(emulator, 'ghs_job', 'GET', `/repos/acme/app/pulls/${pull.number}`);
    expect(emulator.calls.map((c) => [c.operation, c.status, c.login])).toEqual([
      ['', 401, undefined],
      ['pulls/get', 200, 'github-actions[bot]'],
    ]);
    expect(JSON.stringify(emulator.calls)).not.toMatch(/ghs_/);
  });

  it('serves a pull request with its head SHA and fork flag', async () => {
    const { repository } = seed({ 'pull-requests': 'read' });
    const fork = emulator.store.addPullRequest(repository, {
      author: emulator.accounts.get('outsider'),
      headRepository: 'outsider/app',
      headSha: 'b'.repeat(40),
    });
    const got = await api(emulator, 'ghs_job', 'GET', `/repos/acme/app/pulls/${fork.number}`);
    expect(got.json).toMatchObject({
      number: fork.number,
      state: 'open',
      head: { sha: 'b'.repeat(40), repo: { full_name: 'outsider/app', fork: true } },
      base: { ref: 'main', repo: { full_name: 'acme/app', fork: false } },
    });
    const issue = await api(emulator, 'ghs_job', 'GET', '/repos/acme/app/pulls/2');
    expect(issue.status).toBe(404); // #2 is an issue, not a pull request
  });

  it('answers GET /user for a personal token and 403 for an installation token', async () => {
    seed({});
    emulator.addToken({ token: 'ghp_mine', kind: 'user', login: 'octocat' });
    expect((await api(emulator, 'ghp_mine', 'GET', '/user')).json).toMatchObject({
      login: 'octocat',
      type: 'User',
    });
    const bot = await api(emulator, 'ghs_job', 'GET', '/user');
    expect([bot.status, bot.json.message]).toEqual([403, 'Resource not accessible by integration']);
  });

  it('counts requests in rate-limit headers and refuses past the primary limit', async () => {
    const { pull } = seed({ 'pull-requests': 'read' });
    emulator.addToken({
      token: 'ghs_small',
      permissions: { 'pull-requests': 'read' },
      rateLimit: 2,
    });
    const path = `/repos/acme/app/pulls/${pull.number}`;
    const reset = String(Math.floor(now.getTime() / 1000) + 3600);
    const first = await api(emulator, 'ghs_job', 'GET', path);
    expect(
      Object.fromEntries([...first.headers].filter(([k]) => k.startsWith('x-ratelimit'))),
    ).toEqual({
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': reset,
      'x-ratelimit-resource': 'core',
    });
    await api(emulator, 'ghs_small', 'GET', path);
    await api(emulator, 'ghs_small', 'GET', path);
    const limited = await api(emulator, 'ghs_small', 'GET', path);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.json.message).toMatch(/^API rate limit exceeded/);
    now = new Date(now.getTime() + 3600_000);
    expect((await api(emulator, 'ghs_small', 'GET', path)).status).toBe(200);
  });

  it('injects secondary rate limits with retry-after, the given number of times', async () => {
    const { pull } = seed({ 'pull-requests': 'write' });
    const fault = emulator.faults.inject({
      kind: 'secondary-rate-limit',
      operation: 'issues/create-comment',
      retryAfterSeconds: 7,
      times: 1,
    });
    const path = `/repos/acme/app/issues/${pull.number}/comments`;
    expect((await api(emulator, 'ghs_job', 'GET', path)).status).toBe(200);
    const limited = await api(emulator, 'ghs_job', 'POST', path, { body: 'x' });
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json.message).toMatch(/^You have exceeded a secondary rate limit/);
    expect((await api(emulator, 'ghs_job', 'POST', path, { body: 'x' })).status).toBe(201);
    expect(fault.applied).toBe(1);
    expect(emulator.calls.map((c) => c.fault)).toEqual([
      undefined,
      'secondary-rate-limit',
      undefined,
    ]);
  });

  it('takes a body of 65,536 characters (not UTF-16 units) and refuses one more', async () => {
    const { pull } = seed({ 'pull-requests': 'write' });
    const path = `/repos/acme/app/issues/${pull.number}/comments`;
    expect(
      (await api(emulator, 'ghs_job', 'POST', path, { body: '😀'.repeat(65_536) })).status,
    ).toBe(201);
    const long = await api(emulator, 'ghs_job', 'POST', path, { body: 'x'.repeat(65_537) });
    expect(long.status).toBe(422);
    expect(long.json).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)',
        },
      ],
    });
    expect((await api(emulator, 'ghs_job', 'POST', path, {})).status).toBe(422);
  });

  it('answers 404 to paths it does not serve, malformed escapes included', async () => {
    seed({ 'pull-requests': 'write' });
    for (const path of [
      '/repos/acme/app/nothing',
      '/repos/acme/%E0%A4%A/pulls/1',
      '/repos/acme/app/pulls/abc',
    ]) {
      const answer = await api(emulator, 'ghs_job', 'GET', path);
      expect([answer.status, answer.json.message]).toEqual([404, 'Not Found']);
    }
  });

  it('refuses a request without a User-Agent header', async () => {
    seed({});
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${emulator.url}/user`,
        { headers: { authorization: 'Bearer ghs_job' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('GitHub REST emulator under a GHES path', () => {
  it('serves the API below /api/v3 and nothing outside it', async () => {
    const emulator = await startGitHubEmulator({ pathPrefix: '/api/v3' });
    try {
      emulator.addToken({ token: 'ghp_x', kind: 'user', login: 'hubot' });
      expect(emulator.url).toMatch(/\/api\/v3$/);
      expect((await api(emulator, 'ghp_x', 'GET', '/user')).json.login).toBe('hubot');
      const outside = await api(emulator, 'ghp_x', 'GET', emulator.url.replace('/api/v3', '/user'));
      expect(outside.status).toBe(404);
    } finally {
      await emulator.close();
    }
  });
});
