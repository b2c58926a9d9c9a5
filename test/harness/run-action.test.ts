import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer.ts';
import {
  ActionTimeoutError,
  cleanupActionRuns,
  runAction,
  startAction,
  type ActionRun,
} from './run-action.ts';

const fixture = (name: string): string =>
  new URL(`./fixtures/${name}/action.yml`, import.meta.url).pathname;

afterAll(cleanupActionRuns);

describe('runAction with the file-commands fixture', () => {
  let run: ActionRun;

  beforeAll(async () => {
    run = await runAction({
      action: fixture('file-commands'),
      inputs: { 'role-to-assume': 'arn:aws:iam::123456789012:role/deploy' },
      env: { AWS_REGION: 'eu-west-1' },
      githubToken: 'ghs_fixturetoken',
    });
  });

  it('succeeds', () => {
    expect(run.outcome).toBe('success');
    expect(run.exitCode).toBe(0);
    expect(run.signal).toBeNull();
  });

  it('reads single-line and heredoc outputs', () => {
    expect(run.outputs).toEqual({
      single: 'arn:aws:iam::123456789012:role/deploy',
      multi: 'line one\nline two',
      greeting: 'hello',
      token: 'ghs_fixturetoken',
    });
  });

  it('sets INPUT_ variables with hyphens kept and defaults applied', () => {
    expect(run.env['INPUT_ROLE-TO-ASSUME']).toBe('arn:aws:iam::123456789012:role/deploy');
    expect(run.env['INPUT_GREETING']).toBe('hello');
    expect(run.env['INPUT_OLD-NAME']).toBe('');
  });

  it('gives the step a runner-like environment and nothing from this machine', () => {
    expect(run.env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_OS: 'Linux',
      GITHUB_REPOSITORY: 'octo-org/octo-app',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
      HOME: run.home,
      RUNNER_TEMP: run.runnerTemp,
      GITHUB_WORKSPACE: run.workspace,
      AWS_REGION: 'eu-west-1',
    });
    const names = Object.keys(run.env);
    expect(names.filter((name) => name.startsWith('AWS_'))).toEqual(['AWS_REGION']);
    expect(names).not.toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
    expect(names).not.toContain('USER');
    const event = JSON.parse(readFileSync(run.env['GITHUB_EVENT_PATH'] ?? '', 'utf8')) as {
      repository: { full_name: string };
    };
    expect(event.repository.full_name).toBe('octo-org/octo-app');
  });

  it('collects exported env, state, paths and the summary', () => {
    expect(run.exportedEnv).toEqual({ FIXTURE_EXPORTED: 'from-main', FIXTURE_MULTI: 'a\nb' });
    expect(run.state).toEqual({ 'cleanup-id': 'abc-123' });
    expect(run.paths).toEqual([join(run.runnerTemp, 'fixture-bin')]);
    expect(run.summary).toBe('### Fixture summary\n\n| a | b |\n');
  });

  it('parses masks, annotations, debug messages and groups, honouring stop-commands', () => {
    expect(run.masks).toEqual(['s3cr3t-value']);
    expect(run.debug).toEqual(['debug detail']);
    expect(run.groups).toEqual(['Details']);
    expect(run.annotations.filter((a) => a.source === 'action')).toEqual([
      {
        level: 'error',
        message: 'Something broke\non two lines',
        properties: { file: 'src/app.ts', line: '12', col: '5', title: 'Bad, very bad: yes' },
        source: 'action',
      },
      { level: 'warning', message: 'careful: 100% sure', properties: {}, source: 'action' },
      {
        level: 'notice',
        message: 'just so you know',
        properties: { title: 'FYI' },
        source: 'action',
      },
    ]);
  });

  it('interleaves stdout and stderr into the log', () => {
    expect(run.log).toContain('inside the group');
    expect(run.log).toContain('a line on stderr');
    expect(run.stderr).toBe('a line on stderr\n');
    expect(run.stdout).not.toContain('a line on stderr');
  });

  it('runs the post step with state, exported env, inputs and the added path', () => {
    const post = run.post;
    expect(post?.outcome).toBe('success');
    expect(post?.log).toContain('post sees state: abc-123');
    expect(post?.log).toContain('post sees exported: from-main');
    expect(post?.log).toContain('post sees input: arn:aws:iam::123456789012:role/deploy');
    expect(post?.log).toContain(`post PATH starts with: ${join(run.runnerTemp, 'fixture-bin')}`);
    expect(post?.outputs).toEqual({});
    expect(post?.exportedEnv).toEqual({ FROM_POST: '1' });
    expect(post?.summary).toBe('post summary\n');
  });
});

describe('runAction: runner checks and failures', () => {
  const base = { action: fixture('file-commands'), inputs: { 'role-to-assume': 'r' } };

  it('warns about unexpected and deprecated inputs like the runner', async () => {
    const run = await runAction({
      ...base,
      inputs: { ...base.inputs, 'old-name': 'x', typo: 'y' },
    });
    const runnerWarnings = run.annotations
      .filter((a) => a.source === 'runner')
      .map((a) => a.message);
    expect(runnerWarnings).toEqual([
      "Unexpected input(s) 'typo', valid inputs are ['greeting', 'role-to-assume', 'github-token', 'old-name', 'mode']",
      "Input 'old-name' has been deprecated with message: Use greeting instead.",
    ]);
    expect(run.env['INPUT_TYPO']).toBe('y');
  });

  it('reports a failing step and still runs an always() post', async () => {
    const run = await runAction({ ...base, inputs: { ...base.inputs, mode: 'fail' } });
    expect(run.outcome).toBe('failure');
    expect(run.exitCode).toBe(1);
    expect(run.post?.outcome).toBe('success');
  });

  it('fails the step on a malformed file command, keeping earlier entries', async () => {
    const run = await runAction({ ...base, inputs: { ...base.inputs, mode: 'malformed' } });
    expect(run.exitCode).toBe(0);
    expect(run.outcome).toBe('failure');
    expect(run.outputs['single']).toBe('r');
    expect(run.annotations.filter((a) => a.source === 'runner').map((a) => a.message)).toEqual([
      "Unable to process file command 'output' successfully.",
      "Invalid value. Matching delimiter not found 'NEVER'",
    ]);
  });

  it('applies deprecated stdout commands with warnings and refuses set-env', async () => {
    const legacy = await runAction({ ...base, inputs: { ...base.inputs, mode: 'legacy' } });
    expect(legacy.outputs['legacy']).toBe('old-style');
    expect(legacy.state['legacy-state']).toBe('kept');
    expect(legacy.outcome).toBe('success');

    const unsecure = await runAction({ ...base, inputs: { ...base.inputs, mode: 'unsecure' } });
    expect(unsecure.outcome).toBe('failure');
    expect(unsecure.exportedEnv).not.toHaveProperty('SNEAKY');
  });

  it('refuses NODE_OPTIONS from GITHUB_ENV', async () => {
    const run = await runAction({ ...base, inputs: { ...base.inputs, mode: 'node-options' } });
    expect(run.exportedEnv).not.toHaveProperty('NODE_OPTIONS');
    expect(run.post?.env).not.toHaveProperty('NODE_OPTIONS');
    expect(run.annotations.some((a) => a.message.includes("Can't store NODE_OPTIONS"))).toBe(true);
  });

  it('skips the post step on request', async () => {
    const run = await runAction({ ...base, post: false });
    expect(run.post).toBeUndefined();
    expect(run.postSkipped).toMatch(/post: false/);
  });

  it('refuses actions that are not node24', async () => {
    await expect(runAction({ action: fixture('node20') })).rejects.toThrow(
      /runs.using is 'node20', the harness runs node24 actions/,
    );
    await expect(runAction({ action: fixture('no-such-fixture') })).rejects.toThrow(/ENOENT/);
  });

  it('cleans up a run on request', async () => {
    const run = await runAction({ ...base, post: false });
    expect(existsSync(run.runnerTemp)).toBe(true);
    await run.cleanup();
    expect(existsSync(run.runnerTemp)).toBe(false);
  });
});

describe('runAction: pre and post-if', () => {
  it('runs pre, passes its state on, and runs a success() post after success', async () => {
    const run = await runAction({ action: fixture('lifecycle') });
    expect(run.pre?.log).toBe('pre ran');
    expect(run.log).toBe('main sees pre state: yes');
    expect(run.post?.log).toBe('post ran');
  });

  it('skips a success() post after a failure', async () => {
    const run = await runAction({ action: fixture('lifecycle'), inputs: { fail: 'true' } });
    expect(run.outcome).toBe('failure');
    expect(run.post).toBeUndefined();
    expect(run.postSkipped).toBe("post-if 'success()' is false for job status 'failure'");
  });
});

describe('runAction with an OIDC issuer', () => {
  let issuer: OidcIssuer;

  beforeAll(async () => {
    issuer = await startOidcIssuer({ context: { environment: 'production' } });
  });
  afterAll(async () => {
    await issuer.close();
  });

  it('lets the action fetch a token, and the job agrees with the token', async () => {
    const run = await runAction({
      action: fixture('oidc-token'),
      oidc: issuer,
      inputs: { audience: 'sts.amazonaws.com' },
    });
    expect(run.outcome).toBe('success');
    const claims = JSON.parse(run.outputs['claims'] ?? '{}') as Record<string, unknown>;
    expect(claims).toMatchObject({
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-app:environment:production',
    });
    expect(run.env['GITHUB_REPOSITORY']).toBe(claims['repository']);
    expect(run.masks).toEqual([issuer.issued.at(-1)?.token]);
  });

  it('gets a fresh token on every run', async () => {
    const before = issuer.issued.length;
    await runAction({ action: fixture('oidc-token'), oidc: issuer });
    await runAction({ action: fixture('oidc-token'), oidc: issuer });
    const [first, second] = issuer.issued.slice(before);
    expect(first?.token).toBeDefined();
    expect(first?.token).not.toBe(second?.token);
  });

  it('leaves the OIDC variables unset without id-token permission', async () => {
    const run = await runAction({ action: fixture('oidc-token') });
    expect(run.outcome).toBe('failure');
    expect(run.annotations[0]?.message).toBe(
      'Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable',
    );
  });

  it('surfaces a hanging token endpoint as the action sees it', async () => {
    issuer.setBehaviour({ tokenEndpoint: 'hang' });
    try {
      const run = await runAction({
        action: fixture('oidc-token'),
        oidc: issuer,
        inputs: { 'timeout-ms': '200' },
      });
      expect(run.outcome).toBe('failure');
      expect(run.annotations[0]?.message).toBe('token request failed: TimeoutError');
    } finally {
      issuer.setBehaviour({ tokenEndpoint: 'ok' });
    }
  });
});

describe('startAction: cancellation and timeouts', () => {
  it('kills a running step and still runs an always() post', async () => {
    const running = startAction({ action: fixture('long-running') });
    await running.waitForOutput(/ready/, 5000);
    expect(running.kill('SIGKILL')).toBe(true);
    const run = await running.result;
    expect(run.outcome).toBe('cancelled');
    expect(run.signal).toBe('SIGKILL');
    expect(run.post?.log).toBe('post ran; interrupted=no');
  });

  it('lets an action clean up on SIGINT, like a cancelled job', async () => {
    const running = startAction({
      action: fixture('long-running'),
      inputs: { 'on-signal': 'exit' },
    });
    await running.waitForOutput(/ready/, 5000);
    const run = await running.cancel();
    expect(run.outcome).toBe('cancelled');
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('received SIGINT, cleaning up');
    expect(run.outputs['stopped-by']).toBe('SIGINT');
    expect(run.post?.log).toBe('post ran; interrupted=SIGINT');
  });

  it('escalates to SIGTERM and SIGKILL when the action ignores signals', async () => {
    const running = startAction({
      action: fixture('long-running'),
      inputs: { 'on-signal': 'ignore' },
    });
    await running.waitForOutput(/ready/, 5000);
    const run = await running.cancel({ sigintTimeoutMs: 100, sigtermTimeoutMs: 100 });
    expect(run.log).toContain('ignoring SIGINT');
    expect(run.log).toContain('ignoring SIGTERM');
    expect(run.signal).toBe('SIGKILL');
  });

  it('rejects with the log when a step exceeds its timeout', async () => {
    const error = await runAction({ action: fixture('long-running'), timeoutMs: 300 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ActionTimeoutError);
    expect((error as ActionTimeoutError).log).toBe('ready');
    expect((error as ActionTimeoutError).message).toMatch(/main step did not finish within 300 ms/);
  });

  it('rejects waitForOutput when the run ends without a match', async () => {
    const running = startAction({ action: fixture('lifecycle') });
    await expect(running.waitForOutput(/never printed/, 5000)).rejects.toThrow(
      /finished without output matching/,
    );
  });
});
