import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  refNameOf,
  refTypeOf,
  repositoryOf,
  workflowRefOf,
  type GitHubContext,
} from './github-context.ts';

export interface RunDirectories {
  root: string;
  home: string;
  workspace: string;
  runnerTemp: string;
  toolCache: string;
  fileCommands: string;
  eventPath: string;
}

export interface StepFiles {
  GITHUB_OUTPUT: string;
  GITHUB_ENV: string;
  GITHUB_STATE: string;
  GITHUB_STEP_SUMMARY: string;
  GITHUB_PATH: string;
}

/** A job's directories under one fresh temp root; `workspace` may be the caller's directory. */
export function createRunDirectories(workspace: string | undefined): RunDirectories {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'));
  const runnerTemp = join(root, 'temp');
  const directories: RunDirectories = {
    root,
    home: join(root, 'home'),
    workspace: workspace ?? join(root, 'workspace'),
    runnerTemp,
    toolCache: join(root, 'tool-cache'),
    // Where the runner keeps them: RUNNER_TEMP/_runner_file_commands.
    fileCommands: join(runnerTemp, '_runner_file_commands'),
    eventPath: join(runnerTemp, '_github_workflow', 'event.json'),
  };
  for (const directory of [
    directories.home,
    directories.workspace,
    directories.toolCache,
    directories.fileCommands,
    dirname(directories.eventPath),
  ]) {
    mkdirSync(directory, { recursive: true });
  }
  return directories;
}

/** Fresh, empty file-command files for one step, as the runner creates before each step. */
export function createStepFiles(directories: RunDirectories): StepFiles {
  const suffix = randomUUID();
  const file = (prefix: string): string => {
    const path = join(directories.fileCommands, `${prefix}${suffix}`);
    writeFileSync(path, '');
    return path;
  };
  return {
    GITHUB_OUTPUT: file('set_output_'),
    GITHUB_ENV: file('set_env_'),
    GITHUB_STATE: file('save_state_'),
    GITHUB_STEP_SUMMARY: file('step_summary_'),
    GITHUB_PATH: file('add_path_'),
  };
}

export function writeEventPayload(
  directories: RunDirectories,
  context: GitHubContext,
  payload: Record<string, unknown> | undefined,
): void {
  writeFileSync(
    directories.eventPath,
    JSON.stringify(payload ?? defaultEventPayload(context), null, 2),
  );
}

export function defaultEventPayload(context: GitHubContext): Record<string, unknown> {
  const repository = {
    id: Number(context.repositoryId),
    name: context.repo,
    full_name: repositoryOf(context),
    private: context.repositoryVisibility !== 'public',
    owner: { login: context.owner, id: Number(context.ownerId), type: 'Organization' },
    default_branch: 'main',
    html_url: `https://github.com/${repositoryOf(context)}`,
  };
  const sender = { login: context.actor, id: Number(context.actorId), type: 'User' };
  switch (context.eventName) {
    case 'push':
      return {
        ref: context.ref,
        before: '0000000000000000000000000000000000000000',
        after: context.sha,
        head_commit: { id: context.sha, message: 'Harness commit' },
        repository,
        sender,
      };
    case 'pull_request':
    case 'pull_request_target': {
      const number = Number(/^refs\/pull\/(\d+)\//.exec(context.ref)?.[1] ?? 1);
      return {
        action: 'synchronize',
        number,
        pull_request: {
          number,
          head: { ref: context.headRef, sha: context.sha },
          base: { ref: context.baseRef },
        },
        repository,
        sender,
      };
    }
    case 'workflow_dispatch':
      return { inputs: {}, ref: context.ref, repository, sender, workflow: context.workflowPath };
    default:
      return { repository, sender };
  }
}

/**
 * The variables the runner derives from its github and runner contexts. The runner applies
 * them after the job's environment, so GITHUB_ENV cannot overwrite them.
 */
export function runnerContextEnv(
  context: GitHubContext,
  directories: RunDirectories,
  action: { directory: string; stepId: string },
): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: action.stepId,
    GITHUB_ACTION_PATH: action.directory,
    GITHUB_ACTOR: context.actor,
    GITHUB_ACTOR_ID: context.actorId,
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_BASE_REF: context.baseRef,
    GITHUB_EVENT_NAME: context.eventName,
    GITHUB_EVENT_PATH: directories.eventPath,
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_HEAD_REF: context.headRef,
    GITHUB_JOB: context.job,
    GITHUB_REF: context.ref,
    GITHUB_REF_NAME: refNameOf(context.ref),
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REF_TYPE: refTypeOf(context.ref),
    GITHUB_REPOSITORY: repositoryOf(context),
    GITHUB_REPOSITORY_ID: context.repositoryId,
    GITHUB_REPOSITORY_OWNER: context.owner,
    GITHUB_REPOSITORY_OWNER_ID: context.ownerId,
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: context.runAttempt,
    GITHUB_RUN_ID: context.runId,
    GITHUB_RUN_NUMBER: context.runNumber,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: context.sha,
    GITHUB_TRIGGERING_ACTOR: context.actor,
    GITHUB_WORKFLOW: context.workflow,
    GITHUB_WORKFLOW_REF: workflowRefOf(context),
    GITHUB_WORKFLOW_SHA: context.sha,
    GITHUB_WORKSPACE: directories.workspace,
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: context.runnerEnvironment,
    RUNNER_NAME: 'GitHub Actions 1000000001',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: directories.runnerTemp,
    RUNNER_TOOL_CACHE: directories.toolCache,
    RUNNER_WORKSPACE: dirname(directories.workspace),
  };
}

/**
 * What the step inherits from this machine: PATH (with this Node first, so a `node` the action
 * spawns is the runtime under test) and a temporary HOME. Nothing else: no AWS_*, no tokens.
 */
export function hostEnv(directories: RunDirectories): Record<string, string> {
  const path = [dirname(process.execPath), process.env['PATH'] ?? '/usr/bin:/bin']
    .filter((entry) => entry !== '')
    .join(delimiter);
  return { PATH: path, HOME: directories.home };
}

/** `INPUT_<NAME>`: upper-cased, spaces to underscores, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replaceAll(' ', '_').toUpperCase()}`;
}
