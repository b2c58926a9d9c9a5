// Local stand-ins for the third-party actions the suite's workflows declare. They do what the
// workflows rely on, in-process, and nothing else:
// - actions/checkout clones `workspaceRepository` (a git repository) or copies `workspaceSource`
//   into the workspace and, unless
//   `persist-credentials: false`, leaves the token in .git/config as the real action does
//   (an `http.https://github.com/.extraheader`), so a leak scan can see the difference;
// - actions/upload-artifact and actions/download-artifact keep artifacts per run, by name,
//   with v4's rules (a name is uploaded once; a missing name fails the download). download also
//   reads an earlier run's artifacts, as v4 does with `run-id` and `github-token`: only with the
//   job's GITHUB_TOKEN holding `actions: read`, in the run's own repository; an artifact that
//   is gone (its run cleaned up, as an expired one) is not found.
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { StandInName } from './references.ts';

export interface StandInCall {
  inputs: Record<string, string>;
  workspace: string;
  token: string;
  artifactsDir: string;
  workspaceSource: string | undefined;
  workspaceRepository?: string | undefined;
  /** The run's commit, what checkout checks out without a `ref`. */
  sha?: string;
  /** The run's id and `owner/repo`: where its artifacts are found by a later run. */
  runId?: string;
  repository?: string;
  /** What the job's GITHUB_TOKEN may do (`actions: read` reads other runs' artifacts). */
  permissions?: Readonly<Record<string, string>>;
}

/** `owner/repo#runId` → that run's artifacts directory, for downloads from later runs. */
const runArtifacts = new Map<string, string>();
const runKey = (repository: string, runId: string) => `${repository.toLowerCase()}#${runId}`;

export interface StandInResult {
  outcome: 'success' | 'failure';
  outputs: Record<string, string>;
  log: string[];
}

export function runStandIn(name: StandInName, call: StandInCall): StandInResult {
  switch (name) {
    case 'actions/checkout':
      return checkout(call);
    case 'actions/upload-artifact':
      return upload(call);
    case 'actions/download-artifact':
      return download(call);
  }
}

function checkout(call: StandInCall): StandInResult {
  if (call.workspaceRepository !== undefined) return clone(call, call.workspaceRepository);
  const { inputs, workspace, token, workspaceSource } = call;
  const target = join(workspace, inputs['path'] ?? '');
  mkdirSync(target, { recursive: true });
  if (workspaceSource !== undefined) {
    cpSync(workspaceSource, target, {
      recursive: true,
      filter: (source) =>
        !/\/(node_modules|\.git)(\/|$)/.test(source.slice(workspaceSource.length)),
    });
  }
  mkdirSync(join(target, '.git'), { recursive: true });
  const persist = (inputs['persist-credentials'] ?? 'true') !== 'false';
  const header = Buffer.from(`x-access-token:${inputs['token'] || token}`).toString('base64');
  writeFileSync(
    join(target, '.git', 'config'),
    '[core]\n\trepositoryformatversion = 0\n' +
      (persist
        ? `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${header}\n`
        : ''),
  );
  return {
    outcome: 'success',
    outputs: {},
    log: [
      `Checked out into ${target}` + (persist ? ' (credentials persisted in .git/config)' : ''),
    ],
  };
}

function clone({ inputs, workspace, token, sha }: StandInCall, repository: string): StandInResult {
  const target = join(workspace, inputs['path'] ?? '');
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: target, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ref = inputs['ref'] || sha || 'HEAD';
  try {
    mkdirSync(target, { recursive: true });
    git('clone', '--quiet', '--no-checkout', repository, '.');
    git('checkout', '--quiet', '--detach', ref);
    if ((inputs['fetch-depth'] ?? '1') !== '0') {
      for (const tag of git('tag', '--list').split('\n').filter(Boolean)) git('tag', '-d', tag);
    }
  } catch (error) {
    return failed(`git clone of ${repository} at ${ref} failed: ${String(error).split('\n')[0]}`);
  }
  const persist = (inputs['persist-credentials'] ?? 'true') !== 'false';
  if (persist) {
    const header = Buffer.from(`x-access-token:${inputs['token'] || token}`).toString('base64');
    // Into the file, as actions/checkout does, not on git's command line.
    appendFileSync(
      join(target, '.git', 'config'),
      `[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${header}\n`,
    );
  }
  return {
    outcome: 'success',
    outputs: {},
    log: [
      `Cloned ${repository} at ${ref} into ${target}` +
        (persist ? ' (credentials persisted in .git/config)' : ''),
    ],
  };
}

function upload({
  inputs,
  workspace,
  artifactsDir,
  runId,
  repository,
}: StandInCall): StandInResult {
  if (runId !== undefined && repository !== undefined) {
    runArtifacts.set(runKey(repository, runId), artifactsDir);
  }
  const name = inputs['name'] || 'artifact';
  const destination = join(artifactsDir, name);
  if (existsSync(destination)) {
    return failed(
      `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run`,
    );
  }
  const paths = (inputs['path'] ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('!'));
  const found = paths
    .map((path) => (isAbsolute(path) ? path : join(workspace, path)))
    .filter(existsSync);
  if (found.length === 0) {
    const message = `No files were found with the provided path: ${paths.join(', ')}. No artifacts will be uploaded.`;
    const mode = inputs['if-no-files-found'] || 'warn';
    if (mode === 'error') return failed(message);
    return {
      outcome: 'success',
      outputs: {},
      log: mode === 'ignore' ? [] : [`Warning: ${message}`],
    };
  }
  mkdirSync(destination, { recursive: true });
  for (const path of found) {
    // One folder: its contents at the artifact's root; a file keeps its name (as v4 does).
    const root = found.length === 1 && statSync(path).isDirectory();
    cpSync(path, root ? destination : join(destination, basename(path)), {
      recursive: true,
    });
  }
  return {
    outcome: 'success',
    outputs: { 'artifact-id': String(found.length), 'artifact-digest': '' },
    log: [`Artifact ${name} has been successfully uploaded!`],
  };
}

function download(call: StandInCall): StandInResult {
  const { inputs, workspace } = call;
  const name = inputs['name'] ?? '';
  if (name === '') return failed('The local runner downloads artifacts by name only.');
  const from = runOf(call);
  if (typeof from !== 'string') return from;
  const source = join(from, name);
  if (!existsSync(source)) {
    return failed(`Unable to download artifact(s): Artifact not found for name: ${name}`);
  }
  const path = inputs['path'] ?? '';
  const target = path === '' ? workspace : isAbsolute(path) ? path : join(workspace, path);
  mkdirSync(target, { recursive: true });
  cpSync(source, target, { recursive: true });
  return {
    outcome: 'success',
    outputs: { 'download-path': target },
    log: [`Artifact download completed successfully.`],
  };
}

/**
 * The artifacts directory a download reads. Without `github-token`, v4 ignores `run-id` and
 * `repository` and reads the current run; with it, it asks the REST API for that run's artifacts,
 * which needs `actions: read` and reaches only the token's repository.
 */
function runOf(call: StandInCall): string | StandInResult {
  const { inputs } = call;
  const token = inputs['github-token'] ?? '';
  if (token === '') return call.artifactsDir;
  if (token !== call.token) {
    return failed(
      "The local runner knows only the job's GITHUB_TOKEN: pass github-token: ${{ github.token }}.",
    );
  }
  const repository = inputs['repository'] || call.repository || '';
  if (call.repository !== undefined && repository.toLowerCase() !== call.repository.toLowerCase()) {
    return failed('Unable to download artifact(s): Not Found');
  }
  if (!['read', 'write'].includes(call.permissions?.['actions'] ?? 'none')) {
    return failed('Unable to download artifact(s): Resource not accessible by integration');
  }
  const runId = inputs['run-id'] || call.runId || '';
  if (runId === call.runId) return call.artifactsDir;
  const directory = runArtifacts.get(runKey(repository, runId));
  // A run that uploaded nothing, or whose artifacts are gone, lists no artifact of that name.
  if (directory === undefined || !existsSync(directory)) {
    return failed(`Unable to download artifact(s): Artifact not found for name: ${inputs['name']}`);
  }
  return directory;
}

function failed(message: string): StandInResult {
  return { outcome: 'failure', outputs: {}, log: [`Error: ${message}`] };
}
