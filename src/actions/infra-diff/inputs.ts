// infra-diff's inputs: the registry action.yml is checked against, and the one place their text
// becomes values.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type InputRegistry, readInputs } from '../../lib/action-io.ts';
import { UserError, shown } from '../../lib/errors.ts';
import type { PullRequestRef } from '../../quality/comment-port.ts';
import { isInside, realPath } from '../shared/workspace-paths.ts';

export const INPUTS = {
  output: { kind: 'path', required: true },
  'exit-code': { kind: 'integer', default: '0' },
  'pull-request': { kind: 'integer' },
  'github-token': { kind: 'text', required: true, secret: true },
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'outcome',
  'stacks-changed',
  'comment-id',
  'comment-url',
  'result',
] as const;

/** cdk diff's output is read whole; a diff this long would not fit a comment anyway. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface InfraDiffConfig {
  readonly output: string;
  readonly exitCode: number;
  readonly pullRequest: PullRequestRef;
  readonly githubToken: string;
  readonly commit: string | undefined;
  readonly runUrl: string | undefined;
}

export function parseInputs(
  read: (name: string) => string | undefined,
  workspace: string,
  env: NodeJS.ProcessEnv,
): InfraDiffConfig {
  const { values: v } = readInputs(INPUTS, read);
  const exitCode = wholeNumber('exit-code', v['exit-code'], 0, 255);
  const pullRequest = pullRequestOf(v['pull-request'], env);
  const output = readOutput(v.output, workspace);
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const runUrl =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  const commit = /^[0-9a-f]{40}$/.test(env.GITHUB_SHA ?? '') ? env.GITHUB_SHA : undefined;
  return { output, exitCode, pullRequest, githubToken: v['github-token'], commit, runUrl };
}

function wholeNumber(input: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UserError(
      `Input '${input}' is ${shown(text)}: give a whole number from ${min} to ${max}.`,
    );
  }
  return Number(text);
}

/** The pull request named, else the one the event is for. */
function pullRequestOf(text: string, env: NodeJS.ProcessEnv): PullRequestRef {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) {
    throw new UserError('GITHUB_REPOSITORY is not set: run the action in a workflow.');
  }
  if (text !== '') {
    return { owner, repo, number: wholeNumber('pull-request', text, 1, 2_147_483_647) };
  }
  let number: unknown;
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as {
      pull_request?: { number?: unknown };
    };
    number = payload.pull_request?.number;
  } catch {
    number = undefined;
  }
  if (typeof number !== 'number') {
    throw new UserError(
      `Input 'pull-request' is empty and this ${env.GITHUB_EVENT_NAME ?? ''} event is not a pull request's: pass the pull request's number.`,
    );
  }
  return { owner, repo, number };
}

function readOutput(text: string, workspace: string): string {
  const path = resolve(workspace, text);
  if (!isInside(resolve(workspace), path) || !isInside(realPath(workspace), realPath(path))) {
    throw new UserError(
      `Input 'output' is ${shown(text)}, which leads outside the workspace: give the file cdk diff's output was written to, relative to the workspace.`,
    );
  }
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    throw new UserError(
      `Input 'output' names ${shown(text)}, which is not a file: write cdk diff's output there first (cdk diff … > diff.txt 2>&1).`,
    );
  }
  if (size > MAX_OUTPUT_BYTES) {
    throw new UserError(
      `Input 'output' names a file of ${size} bytes: a cdk diff output of over ${MAX_OUTPUT_BYTES} bytes is not a diff to read in a comment.`,
    );
  }
  return readFileSync(path, 'utf8');
}
