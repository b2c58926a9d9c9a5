// actions/download-artifact's stand-in reading an earlier run's artifacts, as v4 does with
// run-id and github-token: only with the job's GITHUB_TOKEN holding actions: read, in the run's
// own repository; otherwise refused the way GitHub answers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runStandIn, type StandInCall } from './stand-ins.ts';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A job of run `runId` in octo-org/app: its own workspace and artifacts directory. */
function job(runId: string, permissions: Record<string, string> = {}): StandInCall {
  const root = mkdtempSync(join(tmpdir(), 'stand-ins-'));
  roots.push(root);
  mkdirSync(join(root, 'workspace'));
  mkdirSync(join(root, 'artifacts'));
  return {
    inputs: {},
    workspace: join(root, 'workspace'),
    artifactsDir: join(root, 'artifacts'),
    token: `ghs_${runId}`,
    workspaceSource: undefined,
    runId,
    repository: 'octo-org/app',
    permissions,
  };
}

/** Run 8001 uploads `site` holding index.html. */
function uploaded(): StandInCall {
  const builder = job('8001');
  mkdirSync(join(builder.workspace, 'dist'));
  writeFileSync(join(builder.workspace, 'dist/index.html'), '<h1>8001</h1>');
  const result = runStandIn('actions/upload-artifact', {
    ...builder,
    inputs: { name: 'site', path: 'dist' },
  });
  expect(result.outcome).toBe('success');
  return builder;
}

const download = (call: StandInCall, inputs: Record<string, string>) =>
  runStandIn('actions/download-artifact', {
    ...call,
    inputs: { name: 'site', path: 'got', ...inputs },
  });

describe('download-artifact from an earlier run', () => {
  it('with run-id and a token holding actions: read: that run’s files', () => {
    const builder = uploaded();
    const promoter = job('8002', { actions: 'read' });
    const result = download(promoter, { 'run-id': '8001', 'github-token': promoter.token });
    expect(result.outcome).toBe('success');
    expect(readFileSync(join(promoter.workspace, 'got/index.html'), 'utf8')).toBe('<h1>8001</h1>');
    // Its artifacts gone (expired): not found.
    rmSync(builder.artifactsDir, { recursive: true, force: true });
    expect(download(promoter, { 'run-id': '8001', 'github-token': promoter.token }).log).toEqual([
      'Error: Unable to download artifact(s): Artifact not found for name: site',
    ]);
  });

  it.each([
    [
      'without github-token (v4 then reads the current run)',
      { actions: 'read' },
      () => ({ 'run-id': '8001' }),
      'Error: Unable to download artifact(s): Artifact not found for name: site',
    ],
    [
      'with a token lacking actions: read',
      { contents: 'read' },
      (call: StandInCall) => ({ 'run-id': '8001', 'github-token': call.token }),
      'Error: Unable to download artifact(s): Resource not accessible by integration',
    ],
    [
      'from another repository',
      { actions: 'read' },
      (call: StandInCall) => ({
        'run-id': '8001',
        'github-token': call.token,
        repository: 'other/app',
      }),
      'Error: Unable to download artifact(s): Not Found',
    ],
    [
      'of a run that uploaded nothing',
      { actions: 'read' },
      (call: StandInCall) => ({ 'run-id': '9999', 'github-token': call.token }),
      'Error: Unable to download artifact(s): Artifact not found for name: site',
    ],
  ])('%s: refused, nothing downloaded', (_, permissions, inputsOf, line) => {
    uploaded();
    const promoter = job('8002', permissions);
    const result = download(promoter, inputsOf(promoter));
    expect(result).toMatchObject({ outcome: 'failure', log: [line] });
    expect(existsSync(join(promoter.workspace, 'got'))).toBe(false);
  });
});
