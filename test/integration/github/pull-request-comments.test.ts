// createStickyComments against the GitHub REST emulator: real HTTP, GitHub's shapes and checks.
import { UserError } from '../../../src/lib/errors.ts';
import { createStickyComments } from '../../../src/github/pull-request-comments.ts';
import type { StickyCommentsOptions } from '../../../src/github/pull-request-comments.ts';
import { bodyTooLong } from '../../emulator/github/issue-comments.ts';
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/server.ts';
import { startStubServer } from '../stub-server.ts';
import type { Repository } from '../../emulator/github/store.ts';
import type { Permissions } from '../../emulator/github/tokens.ts';

const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
const EXPIRED = 'ghs_expired0000000000000000000000000000';
const SPENT = 'ghs_spent000000000000000000000000000000';
const MARKER = '<!-- aws-ship-suite quality-gate -->';

describe('createStickyComments on the GitHub emulator', () => {
  let emulator: GitHubEmulator;
  let repository: Repository;
  let pr: { owner: string; repo: string; number: number };
  let slept: number[];
  let logged: string[];
  const errors: unknown[] = [];
  const everyLine: string[] = [];
  const record = (line: string) => {
    logged.push(line);
    everyLine.push(line);
  };

  beforeEach(async () => {
    emulator = await startGitHubEmulator();
    repository = emulator.store.addRepository({ fullName: 'acme/app' });
    const number = emulator.store.addPullRequest(repository, {
      author: emulator.accounts.get('dev'),
    }).number;
    pr = { owner: 'acme', repo: 'app', number };
    slept = [];
    logged = [];
  });
  afterEach(() => emulator.close());

  function comments(
    token = TOKEN,
    permissions: Permissions = { 'pull-requests': 'write' },
    extra: Partial<StickyCommentsOptions> = {},
  ) {
    emulator.addToken({ token, permissions, repositories: ['acme/app'] });
    return createStickyComments({
      token,
      apiUrl: emulator.url,
      sleep: async (ms) => {
        slept.push(ms);
      },
      log: record,
      ...extra,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<UserError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    errors.push(error);
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }

  const stored = () => emulator.store.comments(repository, pr.number);
  const operations = () => emulator.calls.map((c) => c.operation);

  it('creates the comment, then edits that one in place on the next run', async () => {
    const first = await comments().upsert(pr, MARKER, `${MARKER}\nverdict: fail`);
    expect(first).toEqual({
      id: stored()[0]!.id,
      url: `https://github.com/acme/app/pull/${pr.number}#issuecomment-${stored()[0]!.id}`,
      action: 'created',
    });
    // A new run: a new port, as a new step builds it.
    const second = await createStickyComments({ token: TOKEN, apiUrl: emulator.url }).upsert(
      pr,
      MARKER,
      `${MARKER}\nverdict: pass`,
    );
    expect(second).toEqual({ ...first, action: 'updated' });
    expect(stored().map((c) => c.body)).toEqual([`${MARKER}\nverdict: pass`]);
    expect(operations()).toEqual([
      'issues/list-comments',
      'issues/create-comment',
      'issues/list-comments',
      'issues/update-comment',
    ]);
  });

  it('finds its comment on page 2 of 3 and reads no further', async () => {
    const bot = emulator.accounts.get('github-actions[bot]');
    const others = emulator.accounts.get('reviewer');
    for (let i = 0; i < 130; i++)
      emulator.store.addComment(repository, pr.number, others, `note ${i}`);
    const ours = emulator.store.addComment(repository, pr.number, bot, `${MARKER}\nold`);
    for (let i = 0; i < 120; i++)
      emulator.store.addComment(repository, pr.number, others, `later ${i}`);

    const result = await comments().upsert(pr, MARKER, `${MARKER}\nnew`);
    expect(result).toMatchObject({ id: ours.id, action: 'updated' });
    expect(ours.body).toBe(`${MARKER}\nnew`);
    expect(stored()).toHaveLength(251);
    expect(emulator.calls.map((c) => `${c.operation} ${c.path}`)).toEqual([
      `issues/list-comments /repos/acme/app/issues/${pr.number}/comments`,
      `issues/list-comments /repos/acme/app/issues/${pr.number}/comments`,
      `issues/update-comment /repos/acme/app/issues/comments/${ours.id}`,
    ]);
  });

  it("leaves other people's comments alone, even one that pastes the marker", async () => {
    const someone = emulator.accounts.get('someone');
    const otherMarker = emulator.store.addComment(
      repository,
      pr.number,
      someone,
      '<!-- other-bot -->\nhi',
    );
    const pasted = emulator.store.addComment(
      repository,
      pr.number,
      someone,
      `${MARKER}\nfake pass`,
    );
    const port = comments();
    const first = await port.upsert(pr, MARKER, `${MARKER}\nreal`);
    const second = await port.upsert(pr, MARKER, `${MARKER}\nreal again`);
    expect([first.action, second.action]).toEqual(['created', 'updated']);
    expect(second.id).toBe(first.id);
    expect(otherMarker.body).toBe('<!-- other-bot -->\nhi');
    expect(pasted.body).toBe(`${MARKER}\nfake pass`);
    expect(stored()).toHaveLength(3);
  });

  it("with a personal token, edits that user's comment and no one else's", async () => {
    emulator.addToken({
      token: 'ghp_personal',
      kind: 'user',
      login: 'maintainer',
      permissions: { 'pull-requests': 'write' },
    });
    const bot = emulator.accounts.get('github-actions[bot]');
    const botComment = emulator.store.addComment(repository, pr.number, bot, `${MARKER}\nbot`);
    const mine = emulator.store.addComment(
      repository,
      pr.number,
      emulator.accounts.get('maintainer'),
      `${MARKER}\nmine`,
    );
    const port = createStickyComments({ token: 'ghp_personal', apiUrl: emulator.url });
    expect(await port.upsert(pr, MARKER, `${MARKER}\nupdated`)).toMatchObject({
      id: mine.id,
      action: 'updated',
    });
    expect(botComment.body).toBe(`${MARKER}\nbot`);
    expect(operations()[0]).toBe('users/get-authenticated');
  });

  it('puts the marker in a body that lacks it, so the next run finds the comment', async () => {
    const port = comments();
    const first = await port.upsert(pr, MARKER, 'verdict: pass');
    expect(stored()[0]!.body).toBe(`${MARKER}\nverdict: pass`);
    expect((await port.upsert(pr, MARKER, 'verdict: fail')).id).toBe(first.id);
  });

  it.each`
    permissions
    ${{ 'pull-requests': 'read', issues: 'read' }}
    ${{ contents: 'write' }}
  `('fails in one line without pull-requests: write ($permissions)', async ({ permissions }) => {
    const error = await failure(
      comments(TOKEN, permissions as Permissions).upsert(pr, MARKER, 'x'),
    );
    expect(error.message).toBe(
      `On acme/app#${pr.number}, the token cannot write pull-request comments: give the job \`permissions: pull-requests: write\` (a pull request from a fork only ever gets a read-only token) (GitHub: 403 "Resource not accessible by integration").`,
    );
    expect(stored()).toHaveLength(0);
    expect(slept).toEqual([]);
  });

  it('fails in one line on a token GitHub does not know (401)', async () => {
    comments(); // registers TOKEN; this port uses another
    const port = createStickyComments({
      token: EXPIRED,
      apiUrl: emulator.url,
    });
    const error = await failure(port.upsert(pr, MARKER, 'x'));
    expect(error.message).toBe(
      'GitHub refused the token (GitHub: 401 "Bad credentials"): pass a valid token (a job\'s GITHUB_TOKEN stops working when the job ends).',
    );
  });

  it('fails in one line on a pull request that does not exist (404)', async () => {
    const error = await failure(comments().upsert({ ...pr, number: 999 }, MARKER, 'x'));
    expect(error.message).toMatch(
      /^GitHub found no pull request acme\/app#999 \(GitHub: 404 "Not Found"\): check/,
    );
  });

  it("cuts a body over GitHub's 65,536 characters, keeping the marker and saying so", async () => {
    const table = Array.from({ length: 5000 }, (_, i) => `| rule ${i} | ❌ failed |`).join('\n');
    const result = await comments().upsert(pr, MARKER, `${table}\n${MARKER}`);
    expect(result.action).toBe('created');
    const body = stored()[0]!.body;
    expect([...body].length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(`${MARKER}\n| rule 0 |`)).toBe(true);
    expect(body).toMatch(
      /\| ❌ failed \|\n\n_This comment was cut to GitHub's limit of 65,536 characters \(it had 1\d\d,\d{3}\); the job summary has the rest\._$/,
    );
    expect(
      (await comments('ghs_again', { 'pull-requests': 'write' }).upsert(pr, MARKER, 'short'))
        .action,
    ).toBe('updated');
  });

  it('waits out a secondary rate limit as GitHub asks, with the injected sleep', async () => {
    emulator.faults.inject({
      kind: 'secondary-rate-limit',
      operation: 'issues/create-comment',
      retryAfterSeconds: 3,
      times: 1,
    });
    emulator.faults.inject({
      kind: 'secondary-rate-limit',
      operation: 'issues/list-comments',
      status: 429,
      times: 1,
    });
    const result = await comments().upsert(pr, MARKER, 'x');
    expect(result.action).toBe('created');
    expect(slept).toEqual([60_000, 3_000]);
    expect(stored()).toHaveLength(1);
    expect(logged).toEqual([
      `GitHub's rate limit (429) on GET /repos/acme/app/issues/${pr.number}/comments: waiting 60 s before attempt 2 of 4.`,
      `GitHub's rate limit (403) on POST /repos/acme/app/issues/${pr.number}/comments: waiting 3 s before attempt 2 of 4.`,
    ]);
  });

  it('gives up in one line when the primary rate limit resets too late', async () => {
    emulator.addToken({
      token: SPENT,
      permissions: { 'pull-requests': 'write' },
      rateLimit: 1,
    });
    const port = createStickyComments({
      token: SPENT,
      apiUrl: emulator.url,
      sleep: async (ms) => void slept.push(ms),
    });
    const error = await failure(port.upsert(pr, MARKER, 'x'));
    expect(error.message).toMatch(
      /^GitHub's rate limit for this token allows the next request in 36\d\d s, longer than the 300 s this step waits: re-run the job later$/,
    );
    expect(slept).toEqual([]);
  });

  it('retries server errors on reads and edits, and never posts twice', async () => {
    emulator.faults.inject({
      kind: 'server-error',
      operation: 'issues/list-comments',
      status: 502,
      times: 2,
    });
    emulator.faults.inject({
      kind: 'server-error',
      operation: 'issues/create-comment',
      status: 502,
      times: 1,
    });
    const result = await comments().upsert(pr, MARKER, 'x');
    expect(result.action).toBe('created');
    expect(stored()).toHaveLength(1);
    expect(slept).toEqual([1000, 2000]);
    expect(operations()).toEqual([
      'issues/list-comments',
      'issues/list-comments',
      'issues/list-comments',
      'issues/create-comment',
      'issues/list-comments', // the create failed: look again before posting
      'issues/create-comment',
    ]);
  });

  it('fails in one line when GitHub cannot be reached', async () => {
    const closed = await startGitHubEmulator();
    const url = closed.url;
    await closed.close();
    const port = createStickyComments({
      token: TOKEN,
      apiUrl: url,
      sleep: async (ms) => void slept.push(ms),
      log: record,
    });
    const error = await failure(port.upsert(pr, MARKER, 'x'));
    expect(error.message).toBe(
      `GitHub's API at ${new URL(url).host} could not be reached (ECONNREFUSED): check GITHUB_API_URL and the runner's network, then re-run the job.`,
    );
    expect(slept).toEqual([1000, 2000, 4000]);
  });

  // Runs last: every message a failure or a retry produced above, causes included.
  it('never puts a token in an error message or a log line', () => {
    const texts = [...everyLine];
    for (let error of errors) {
      while (error instanceof Error) {
        texts.push(error.message, ...(error instanceof UserError ? error.details : []));
        error = error.cause;
      }
    }
    expect(texts.length).toBeGreaterThan(15);
    for (const text of texts) {
      for (const token of [TOKEN, EXPIRED, SPENT]) expect(text).not.toContain(token);
    }
  });
});

describe('createStickyComments on GitHub Enterprise Server', () => {
  it('calls the API below /api/v3 and follows its Link pages', async () => {
    const emulator = await startGitHubEmulator({ pathPrefix: '/api/v3' });
    try {
      const repository = emulator.store.addRepository({ fullName: 'corp/svc' });
      const { number } = emulator.store.addPullRequest(repository, {
        author: emulator.accounts.get('dev'),
      });
      for (let i = 0; i < 150; i++)
        emulator.store.addComment(repository, number, emulator.accounts.get('dev'), `n${i}`);
      emulator.addToken({ token: TOKEN, permissions: { 'pull-requests': 'write' } });
      const port = createStickyComments({ token: TOKEN, apiUrl: `${emulator.url}/` });
      const pr = { owner: 'corp', repo: 'svc', number };
      expect((await port.upsert(pr, MARKER, 'a')).action).toBe('created');
      expect((await port.upsert(pr, MARKER, 'b')).action).toBe('updated');
      expect(emulator.calls.every((c) => c.status < 300)).toBe(true);
      expect(emulator.calls.filter((c) => c.operation === 'issues/list-comments')).toHaveLength(4);
    } finally {
      await emulator.close();
    }
  });
});

describe('createStickyComments pointed at something that is not GitHub', () => {
  const pr = { owner: 'acme', repo: 'app', number: 1 };

  it('refuses an API URL that is not an http(s) URL, in one line', () => {
    expect(() => createStickyComments({ token: TOKEN, apiUrl: 'api.github.com' })).toThrow(
      new UserError("GITHUB_API_URL is not a URL: 'api.github.com'."),
    );
    expect(() => createStickyComments({ token: TOKEN, apiUrl: 'ftp://example.com' })).toThrow(
      /^GITHUB_API_URL must be an http\(s\) URL/,
    );
  });

  it('refuses an empty token in one line, and a marker that is not one HTML comment', async () => {
    expect(() => createStickyComments({ token: '', apiUrl: 'https://api.github.com' })).toThrow(
      /^No GitHub token to write the pull-request comment with/,
    );
    const port = createStickyComments({ token: TOKEN, apiUrl: 'http://127.0.0.1:9' });
    for (const marker of ['gate', '<!-- -->', '<!-- a -- b -->', '<!-- a\n -->']) {
      await expect(port.upsert(pr, marker, 'x')).rejects.toThrow(TypeError);
    }
    await expect(port.upsert({ ...pr, number: 0 }, MARKER, 'x')).rejects.toThrow(TypeError);
  });

  it('takes a token with a trailing line break, and refuses one with a space without echoing it', async () => {
    const emulator = await startGitHubEmulator();
    try {
      const repository = emulator.store.addRepository({ fullName: 'acme/app' });
      emulator.store.addPullRequest(repository, { author: emulator.accounts.get('dev') });
      emulator.addToken({ token: TOKEN, permissions: { 'pull-requests': 'write' } });
      const port = createStickyComments({ token: `${TOKEN}\n`, apiUrl: emulator.url });
      expect((await port.upsert(pr, MARKER, 'x')).action).toBe('created');
    } finally {
      await emulator.close();
    }
    let message = '';
    try {
      createStickyComments({ token: `${TOKEN} x`, apiUrl: 'https://api.github.com' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^The GitHub token has characters no token has/);
    expect(message).not.toContain(TOKEN);
  });

  it('says so when the URL answers with a web page', async () => {
    const stub = await startStubServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>sign in</html>');
    });
    try {
      const port = createStickyComments({ token: TOKEN, apiUrl: stub.url });
      await expect(port.upsert(pr, MARKER, 'x')).rejects.toThrow(
        `${stub.url} answered GET /repos/acme/app/issues/1/comments with something other than JSON: it is not GitHub's REST API; check GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).`,
      );
    } finally {
      await stub.close();
    }
  });

  it('does not follow a next page on another host with the token', async () => {
    const stub = await startStubServer((_request, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        link: '<http://attacker.example/steal?page=2>; rel="next"',
      });
      res.end('[]');
    });
    try {
      const port = createStickyComments({ token: TOKEN, apiUrl: stub.url });
      await expect(port.upsert(pr, MARKER, 'x')).rejects.toThrow(
        "GitHub's next page is on another host (attacker.example); not followed",
      );
      expect(stub.requests).toHaveLength(1);
    } finally {
      await stub.close();
    }
  });

  it('creates a new comment when its comment was deleted between the list and the edit', async () => {
    const stub = await startStubServer((request, res) => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (request.method === 'GET') {
        answer(200, [
          { id: 7, html_url: 'u7', body: MARKER, user: { login: 'b[bot]', type: 'Bot' } },
        ]);
      } else if (request.method === 'PATCH') {
        answer(404, { message: 'Not Found' });
      } else {
        answer(201, { id: 8, html_url: 'u8', body: MARKER });
      }
    });
    try {
      const port = createStickyComments({ token: TOKEN, apiUrl: stub.url });
      expect(await port.upsert(pr, MARKER, 'x')).toEqual({ id: 8, url: 'u8', action: 'created' });
      expect(stub.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /repos/acme/app/issues/1/comments?per_page=100',
        'PATCH /repos/acme/app/issues/comments/7',
        'POST /repos/acme/app/issues/1/comments',
      ]);
      expect(stub.requests[0]!.headers).toMatchObject({
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': expect.stringMatching(/^aws-ship-suite\//) as unknown,
      });
    } finally {
      await stub.close();
    }
  });

  it("passes on GitHub's reason when it refuses a body (422, e.g. a lower limit on GHES)", async () => {
    const stub = await startStubServer((request, res) => {
      res.writeHead(request.method === 'GET' ? 200 : 422, { 'content-type': 'application/json' });
      res.end(request.method === 'GET' ? '[]' : JSON.stringify(bodyTooLong().toJSON()));
    });
    try {
      const port = createStickyComments({ token: TOKEN, apiUrl: stub.url });
      await expect(port.upsert(pr, MARKER, 'x')).rejects.toThrow(
        'GitHub refused the comment on acme/app#1 (GitHub: 422 "Validation Failed"): body is too long (maximum is 65536 characters).',
      );
    } finally {
      await stub.close();
    }
  });
});
