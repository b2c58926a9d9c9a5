import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvent, runUrlOf } from '../../../../src/actions/deploy-command/event.ts';

function envWith(name: string, payload: unknown): NodeJS.ProcessEnv {
  const file = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload));
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file };
}

const comment = (over: Record<string, unknown> = {}, user: Record<string, unknown> = {}) => ({
  action: 'created',
  comment: {
    id: 5,
    body: '/deploy staging',
    user: { login: 'writer', type: 'User', ...user },
    ...over,
  },
  issue: { number: 7, pull_request: { url: 'x' } },
});

describe('readEvent', () => {
  it('reads the facts of a comment on a pull request', () => {
    expect(readEvent(envWith('issue_comment', comment()), 'u')).toEqual({
      kind: 'comment',
      comment: {
        action: 'created',
        commentId: 5,
        body: '/deploy staging',
        author: { login: 'writer', isBot: false },
        issueNumber: 7,
        onPullRequest: true,
        runUrl: 'u',
      },
    });
  });

  it('knows a bot by its type or its [bot] login', () => {
    const e = readEvent(
      envWith('issue_comment', comment({}, { login: 'x[bot]', type: 'User' })),
      '',
    );
    expect(e).toMatchObject({ comment: { author: { isBot: true } } });
  });

  it.each([
    [comment({}, { login: 'evil\n::set-output name=sha::main' }), "commenter's login"],
    [comment({}, { login: '' }), "commenter's login"],
    [comment({ id: -1 }), 'comment id'],
    [comment({ id: '5' }), 'comment id'],
    [comment({ body: 5 }), 'comment body'],
    [{ ...comment(), action: 'pinned' }, 'action'],
    [{ ...comment(), issue: { number: 0 } }, 'issue number'],
  ])('refuses a payload with a bad %#: %s', (payload, what) => {
    expect(() => readEvent(envWith('issue_comment', payload), '')).toThrow(`has no valid ${what}`);
  });

  it('refuses a payload that is not JSON', () => {
    expect(() => readEvent(envWith('issue_comment', '{'), '')).toThrow('cannot be read as JSON');
  });

  it('sees a closed pull request, and other events as other', () => {
    expect(
      readEvent(
        envWith('pull_request', { action: 'closed', number: 9, pull_request: { number: 9 } }),
        '',
      ),
    ).toEqual({ kind: 'pull-request-closed', number: 9 });
    expect(readEvent(envWith('pull_request', { action: 'opened', number: 9 }), '')).toEqual({
      kind: 'other',
      name: 'pull_request opened',
    });
    expect(readEvent({ GITHUB_EVENT_NAME: 'push' }, '')).toEqual({ kind: 'other', name: 'push' });
  });
});

describe('runUrlOf', () => {
  it('builds the run page from the runner variables, or nothing when they look wrong', () => {
    const env = {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '12',
    };
    expect(runUrlOf(env)).toBe('https://github.com/o/r/actions/runs/12');
    expect(runUrlOf({ ...env, GITHUB_SERVER_URL: 'javascript:alert(1)' })).toBe('');
    expect(runUrlOf({ ...env, GITHUB_RUN_ID: '12) [x](http://evil' })).toBe('');
  });
});
