// The adapter's sticky comment on a fake port (the GitHub REST one is src/github's, tested there):
// one comment per job found by its marker, written on a pull request only, and a port that fails
// is a warning, never the gate's verdict.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../../src/actions/quality-gate/main.ts';
import type { PullRequestRef, StickyCommentPort } from '../../../../src/quality/comment-port.ts';
import { createTerminalRunner } from '../../../../src/runner/terminal-runner.ts';

afterEach(() => {
  process.exitCode = undefined;
});

interface Upsert {
  token: string;
  apiUrl: string;
  pr: PullRequestRef;
  marker: string;
  body: string;
}

async function gate(event: string, port: (calls: Upsert[]) => StickyCommentPort['upsert']) {
  const cwd = mkdtempSync(join(tmpdir(), 'quality-gate-comment-'));
  writeFileSync(join(cwd, 'lcov.info'), 'SF:src/a.ts\nDA:1,1\nDA:2,0\nend_of_record\n');
  writeFileSync(
    join(cwd, 'event.json'),
    JSON.stringify({ number: 7, pull_request: { number: 7 } }),
  );
  const out: string[] = [];
  const runner = createTerminalRunner({
    inputs: { coverage: 'lcov.info', 'github-token': 'ghp_test', mode: 'report' },
    env: {
      GITHUB_WORKSPACE: cwd,
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: join(cwd, 'event.json'),
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: 'https://ghe.example/api/v3',
      GITHUB_JOB: 'quality',
    },
    verbose: false,
    summaryFile: join(cwd, 'summary.md'),
    out: (text) => void out.push(text),
    err: (text) => void out.push(text),
  });
  const calls: Upsert[] = [];
  const upsert = port(calls);
  await run(runner, {
    stickyComments: (token, apiUrl) => ({
      upsert: (pr, marker, body) => {
        calls.push({ token, apiUrl, pr, marker, body });
        return upsert(pr, marker, body);
      },
    }),
  });
  return { calls, log: out.join(''), outputs: runner.outputs };
}

describe('quality-gate sticky comment', () => {
  it('writes the verdict and the table on the pull request, under the job marker', async () => {
    const { calls, log } = await gate('pull_request', () => async () => ({
      id: 1,
      url: 'https://ghe.example/acme/shop/pull/7#issuecomment-1',
      action: 'created',
    }));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      token: 'ghp_test',
      apiUrl: 'https://ghe.example/api/v3',
      pr: { owner: 'acme', repo: 'shop', number: 7 },
      marker: '<!-- aws-ship-suite quality-gate quality -->',
    });
    expect(calls[0]!.body.startsWith('<!-- aws-ship-suite quality-gate quality -->\n')).toBe(true);
    expect(calls[0]!.body).toContain('**Quality gate failed**: min-coverage.');
    expect(calls[0]!.body).toContain('| `min-coverage` | 50% (1/2 lines) | ≥ 80% |  | **fail** |');
    expect(log).toContain(
      'Pull-request comment created: https://ghe.example/acme/shop/pull/7#issuecomment-1',
    );
  });

  it('writes nothing outside a pull request', async () => {
    const { calls, log } = await gate('push', () => () => Promise.reject(new Error('not called')));
    expect(calls).toEqual([]);
    expect(log).toContain('Not a pull request: no comment.');
  });

  it('reports a comment that failed as a warning, the verdict untouched', async () => {
    const { log, outputs } = await gate(
      'pull_request',
      () => () => Promise.reject(new Error('the token cannot write pull-request comments')),
    );
    expect(log).toContain(
      'The pull-request comment was not written: the token cannot write pull-request comments',
    );
    expect(outputs.verdict).toBe('fail');
    expect(process.exitCode).toBeUndefined();
  });
});
