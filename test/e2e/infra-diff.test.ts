// dist/infra-diff/index.js run as the runner runs it against the GitHub emulator: the comment a
// pull request's cdk diff gets, a token that may not write it, a comment of someone else's that
// carries the marker, and bad inputs stopped before any request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { RECORDED } from '../unit/infra-diff/samples.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';
import { workspace } from './workspace.ts';

const WRITER = 'ghs_infradiffwriter000000000000000000000';
const READER = 'ghs_infradiffreader000000000000000000000';

const steps = useActionSteps('actions/infra-diff/action.yml', {
  defaults: () => ({ timeoutMs: 60_000 }),
  secrets: () => [WRITER, READER],
});

let github: GitHubEmulator;
let repository: Repository;

beforeAll(async () => {
  github = await startGitHubEmulator();
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  github.addToken({ token: WRITER, permissions: { 'pull-requests': 'write' } });
  github.addToken({ token: READER, permissions: { 'pull-requests': 'read' } });
});
afterAll(() => github.close());

const newPullRequest = () =>
  github.store.addPullRequest(repository, { author: github.accounts.get('dev') }).number;

const post = (number: number, token: string, inputs: Record<string, string> = {}) =>
  steps.run({
    cwd: workspace({ 'cdk-diff.txt': RECORDED }),
    inputs: { output: 'cdk-diff.txt', 'github-token': token, ...inputs },
    context: { eventName: 'pull_request' },
    event: { number, pull_request: { number } },
    env: { GITHUB_API_URL: github.url },
  });

describe('infra-diff', () => {
  it("leaves someone else's comment with the marker alone and writes its own", async () => {
    const number = newPullRequest();
    const planted = github.store.addComment(
      repository,
      number,
      github.accounts.get('mallory'),
      '<!-- aws-ship-suite infra-diff -->\nAll clear, merge away.',
    );
    const run = await post(number, WRITER);
    expectSuccess(run);
    expect(run.outputs).toMatchObject({ outcome: 'differences', 'stacks-changed': '2' });
    expect(result(run)).toMatchObject({
      outcome: 'differences',
      comment: { action: 'created' },
    });
    const comments = github.store.comments(repository, number);
    expect(comments).toHaveLength(2);
    expect(comments[0]).toMatchObject({ id: planted.id, body: planted.body });
    expect(comments[1]!.body).toContain('2 of 2 stacks with differences.');
    expect(run.log).toContain('Pull-request comment created:');
  });

  it('fails in one line when the token may not write pull-request comments', async () => {
    const number = newPullRequest();
    const run = await post(number, READER);
    expectFailure(run, /permissions: pull-requests: write/);
    expect(run.log).not.toMatch(/\n\s+at /);
    expect(github.store.comments(repository, number)).toEqual([]);
  });

  it('refuses a pull request number outside a pull_request event when none is given', async () => {
    const run = await steps.run({
      cwd: workspace({ 'cdk-diff.txt': RECORDED }),
      inputs: { output: 'cdk-diff.txt', 'github-token': WRITER },
      context: { eventName: 'push' },
      env: { GITHUB_API_URL: github.url },
    });
    expectFailure(run, /Input 'pull-request' is empty and this push event is not a pull request's/);
  });
});
