// Local stand-ins for the third-party actions the suite's workflows declare. They do what the
// workflows rely on, in-process, and nothing else:
// - actions/checkout clones `workspaceRepository` (a git repository) or copies `workspaceSource`
//   into the workspace and, unless
//   `persist-credentials: false`, leaves the token in .git/config as the real action does
//   (an `http.https://github.com/.extraheader`), so a leak scan can see the difference;
// - actions/upload-artifact and actions/download-artifact keep artifacts per run, by name,
//   with v4's rules (a name is uploaded once; a missing name fails the download).
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
}

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

function upload({ inputs, workspace, artifactsDir }: StandInCall): StandInResult {
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

function download({ inputs, workspace, artifactsDir }: StandInCall): StandInResult {
  const name = inputs['name'] ?? '';
  if (name === '') return failed('The local runner downloads artifacts by name only.');
  const source = join(artifactsDir, name);
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

function failed(message: string): StandInResult {
  return { outcome: 'failure', outputs: {}, log: [`Error: ${message}`] };
}
