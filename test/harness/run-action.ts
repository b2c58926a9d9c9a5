// Runs a node24 action (pre, main, post) the way the GitHub Actions runner does, and reports
// what the runner would have recorded: outputs, exported env, state, masks, annotations, logs.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter } from 'node:path';
import { loadActionManifest, type ActionManifest } from './action-manifest.ts';
import { evaluateStatusCondition, interpolate, type JobStatus } from './expressions.ts';
import { parseKeyValueFile, parsePathFile } from './file-commands.ts';
import { resolveContext, type GitHubContextOverrides } from './github-context.ts';
import type { OidcIssuer } from './oidc-issuer.ts';
import {
  createRunDirectories,
  createStepFiles,
  hostEnv,
  inputEnvName,
  runnerContextEnv,
  writeEventPayload,
} from './runner-env.ts';
import { spawnNodeStep, type StepProcess } from './step-process.ts';
import { WorkflowCommandProcessor, type Annotation } from './workflow-commands.ts';

export interface RunActionOptions {
  /** Path to the action's `action.yml`. */
  action: string;
  /** The step's `with:`; declared defaults fill the rest. */
  inputs?: Record<string, string>;
  /** The step's `env:`. Overrides the runner's defaults; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Grants `permissions: id-token: write`; without it the OIDC variables are not set. */
  oidc?: OidcIssuer;
  /** Run facts for GITHUB_*; defaults to the issuer's context when `oidc` is given. */
  context?: GitHubContextOverrides;
  /** Webhook payload written to GITHUB_EVENT_PATH; a minimal one for the event by default. */
  event?: Record<string, unknown>;
  /** `github.token`, for input defaults such as `${{ github.token }}`. Random by default. */
  githubToken?: string;
  /** Run the post step when the action has one (honouring `post-if`). Default true. */
  post?: boolean;
  /** Per-step limit; a step still running is killed and the run rejects with its log. */
  timeoutMs?: number;
  /** Working directory and GITHUB_WORKSPACE. A fresh temp directory by default. */
  cwd?: string;
  /** GITHUB_ACTION. */
  stepId?: string;
  /** Sets RUNNER_DEBUG=1, as re-running with debug logging does. */
  debug?: boolean;
}

export type StepName = 'pre' | 'main' | 'post';
export type StepOutcome = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRun {
  step: StepName;
  outcome: StepOutcome;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From GITHUB_OUTPUT (and deprecated `::set-output`); always empty for pre and post. */
  outputs: Record<string, string>;
  /** From GITHUB_ENV (and `::set-env` when allowed): what later steps see. */
  exportedEnv: Record<string, string>;
  /** GITHUB_PATH lines written by this step, in file order. */
  paths: string[];
  /** From GITHUB_STATE (and deprecated `::save-state`). */
  state: Record<string, string>;
  masks: string[];
  annotations: Annotation[];
  debug: string[];
  groups: string[];
  summary: string;
  /** stdout and stderr lines interleaved in arrival order, unmasked. */
  log: string;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The environment the step's process received. */
  env: Record<string, string>;
  runnerTemp: string;
  home: string;
  workspace: string;
}

export interface ActionRun extends StepRun {
  step: 'main';
  pre?: StepRun;
  post?: StepRun;
  /** Why the post step did not run, when the action has one. */
  postSkipped?: string;
  /** The `github.token` the job had; include it in leak scans. */
  githubToken: string;
  /** Removes the run's temp directories (not a caller-provided `cwd`). */
  cleanup(): Promise<void>;
}

export interface CancelOptions {
  /** The runner waits 7.5 s after SIGINT, then 2.5 s after SIGTERM, then kills. */
  sigintTimeoutMs?: number;
  sigtermTimeoutMs?: number;
}

export interface RunningAction {
  /** The process of the step running now (pre, main or post). */
  readonly child: ChildProcess;
  readonly result: Promise<ActionRun>;
  /** Resolves once the log so far (all steps) matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal to the running step and marks the job cancelled. */
  kill(signal?: NodeJS.Signals): boolean;
  /** Cancels like the runner: SIGINT, then SIGTERM, then SIGKILL. */
  cancel(options?: CancelOptions): Promise<ActionRun>;
}

export class ActionTimeoutError extends Error {
  readonly step: StepName;
  readonly log: string;

  constructor(step: StepName, timeoutMs: number, log: string) {
    super(`${step} step did not finish within ${timeoutMs} ms and was killed. Log:\n${log}`);
    this.name = 'ActionTimeoutError';
    this.step = step;
    this.log = log;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const SUMMARY_LIMIT_BYTES = 1024 * 1024;
const liveRoots = new Set<string>();

export function runAction(options: RunActionOptions): Promise<ActionRun> {
  try {
    return startAction(options).result;
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

export function startAction(options: RunActionOptions): RunningAction {
  const manifest = loadActionManifest(options.action);
  const context = resolveContext(options.oidc?.context ?? {}, options.context ?? {});
  const directories = createRunDirectories(options.cwd);
  liveRoots.add(directories.root);
  writeEventPayload(directories, context, options.event);

  const githubToken = options.githubToken ?? `ghs_${randomBytes(18).toString('hex')}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const contextEnv: Record<string, string> = {
    ...runnerContextEnv(context, directories, {
      directory: manifest.directory,
      stepId: options.stepId ?? '__self',
    }),
    ...(options.debug ? { RUNNER_DEBUG: '1' } : {}),
    ...(options.oidc
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: options.oidc.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: options.oidc.requestToken,
        }
      : {}),
  };
  const stepEnv = definedEntries(options.env ?? {});
  const inputs = resolveInputs(manifest, options.inputs ?? {}, {
    github: { ...lowerCasedWithPrefix(contextEnv, 'GITHUB_'), token: githubToken },
    runner: lowerCasedWithPrefix(contextEnv, 'RUNNER_'),
    env: stepEnv,
  });

  const job = {
    status: 'success' as JobStatus,
    cancelRequested: false,
    exportedEnv: {} as Record<string, string>,
    prependPath: [] as string[],
    state: {} as Record<string, string>,
  };
  const lines: string[] = [];
  const lineListeners = new Set<() => void>();
  let current: StepProcess | undefined;
  let settled = false;
  const settledListeners = new Set<() => void>();

  const runStep = async (step: StepName, script: string): Promise<StepRun> => {
    const files = createStepFiles(directories);
    const env: Record<string, string> = {
      ...hostEnv(directories),
      ...job.exportedEnv,
      ...contextEnv,
      ...files,
    };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    for (const [name, value] of Object.entries(job.state)) env[`STATE_${name}`] = value;
    for (const [name, value] of Object.entries(inputs.values)) env[inputEnvName(name)] = value;
    if (job.prependPath.length) {
      env['PATH'] = [...job.prependPath]
        .reverse()
        .concat(env['PATH'] ?? [])
        .join(delimiter);
    }

    const commands = new WorkflowCommandProcessor({
      allowUnsecureCommands: env['ACTIONS_ALLOW_UNSECURE_COMMANDS'] === 'true',
    });
    if (step === 'main') {
      for (const message of inputs.warnings) commands.runnerIssue('warning', message);
    }
    const stepLines: string[] = [];
    const cancelledBefore = job.cancelRequested;
    current = spawnNodeStep(script, {
      env,
      cwd: directories.workspace,
      timeoutMs,
      onLine: (line) => {
        stepLines.push(line);
        lines.push(line);
        commands.processLine(line);
        for (const listener of lineListeners) listener();
      },
    });
    const processResult = await current.done;
    if (processResult.timedOut) throw new ActionTimeoutError(step, timeoutMs, lines.join('\n'));

    // Like the runner, a file the action deleted counts as empty.
    const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    let fileCommandFailed = false;
    const parseFile = (path: string, name: string): Record<string, string> => {
      const parsed = parseKeyValueFile(read(path));
      if (parsed.error !== undefined) {
        commands.runnerIssue('error', `Unable to process file command '${name}' successfully.`);
        commands.runnerIssue('error', parsed.error);
        fileCommandFailed = true;
      }
      return parsed.values;
    };
    const exportedEnv = { ...commands.env, ...parseFile(files.GITHUB_ENV, 'env') };
    for (const name of Object.keys(exportedEnv)) {
      if (name.toUpperCase() === 'NODE_OPTIONS') {
        delete exportedEnv[name];
        commands.runnerIssue(
          'error',
          "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
        );
      }
    }
    const outputs = { ...commands.outputs, ...parseFile(files.GITHUB_OUTPUT, 'output') };
    const state = { ...commands.state, ...parseFile(files.GITHUB_STATE, 'state') };
    const paths = [...commands.paths, ...parsePathFile(read(files.GITHUB_PATH))];
    const summary = read(files.GITHUB_STEP_SUMMARY);
    const summaryBytes = Buffer.byteLength(summary);
    if (summaryBytes > SUMMARY_LIMIT_BYTES) {
      commands.runnerIssue(
        'error',
        `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ` +
          `${SUMMARY_LIMIT_BYTES / 1024}k, got ${Math.floor(summaryBytes / 1024)}k.`,
      );
    }

    Object.assign(job.exportedEnv, exportedEnv);
    Object.assign(job.state, state);
    for (const path of paths) {
      job.prependPath = job.prependPath.filter((existing) => existing !== path);
      job.prependPath.push(path);
    }

    const outcome: StepOutcome =
      job.cancelRequested && !cancelledBefore
        ? 'cancelled'
        : processResult.exitCode !== 0 || commands.failed || fileCommandFailed
          ? 'failure'
          : 'success';
    if (outcome === 'failure' && job.status === 'success') job.status = 'failure';
    if (job.cancelRequested) job.status = 'cancelled';

    return {
      step,
      outcome,
      exitCode: processResult.exitCode,
      signal: processResult.signal,
      outputs: step === 'main' ? outputs : {},
      exportedEnv,
      paths,
      state,
      masks: commands.masks,
      annotations: commands.annotations,
      debug: commands.debug,
      groups: commands.groups,
      summary,
      log: stepLines.join('\n'),
      stdout: processResult.stdout,
      stderr: processResult.stderr,
      durationMs: processResult.durationMs,
      env,
      runnerTemp: directories.runnerTemp,
      home: directories.home,
      workspace: directories.workspace,
    };
  };

  const skipped = (step: StepName): StepRun => ({
    step,
    outcome: 'skipped',
    exitCode: null,
    signal: null,
    outputs: {},
    exportedEnv: {},
    paths: [],
    state: {},
    masks: [],
    annotations: [],
    debug: [],
    groups: [],
    summary: '',
    log: '',
    stdout: '',
    stderr: '',
    durationMs: 0,
    env: {},
    runnerTemp: directories.runnerTemp,
    home: directories.home,
    workspace: directories.workspace,
  });

  const runAll = async (hasPre: boolean, first: Promise<StepRun>): Promise<ActionRun> => {
    const pre = hasPre ? await first : undefined;
    // A step's own `if:` defaults to success(): a failed or cancelled pre skips main and post.
    let main: StepRun;
    if (!hasPre) main = await first;
    else if (job.status === 'success') main = await runStep('main', manifest.main);
    else main = skipped('main');

    let post: StepRun | undefined;
    let postSkipped: string | undefined;
    if (manifest.post !== undefined) {
      if (options.post === false) postSkipped = 'post: false was passed to the harness';
      else if (main.outcome === 'skipped') postSkipped = 'the main step did not run';
      else if (!evaluateStatusCondition(manifest.postIf, job.status)) {
        postSkipped = `post-if '${manifest.postIf}' is false for job status '${job.status}'`;
      } else post = await runStep('post', manifest.post);
    }
    const root = directories.root;
    return {
      ...main,
      step: 'main',
      ...(pre ? { pre } : {}),
      ...(post ? { post } : {}),
      ...(postSkipped === undefined ? {} : { postSkipped }),
      githubToken,
      cleanup: async () => {
        liveRoots.delete(root);
        await rm(root, { recursive: true, force: true });
      },
    };
  };

  // The first step is spawned before returning, so `child` exists at once.
  const hasPre = manifest.pre !== undefined && evaluateStatusCondition(manifest.preIf, job.status);
  const first = runStep(
    hasPre ? 'pre' : 'main',
    (hasPre ? manifest.pre : undefined) ?? manifest.main,
  );
  const result = runAll(hasPre, first).finally(() => {
    settled = true;
    for (const listener of settledListeners) listener();
  });

  const kill = (signal: NodeJS.Signals = 'SIGTERM'): boolean => {
    if (!current || current.child.exitCode !== null || current.child.signalCode !== null) {
      return false;
    }
    job.cancelRequested = true;
    return current.child.kill(signal);
  };

  return {
    get child() {
      if (!current) throw new Error('no step process has been started');
      return current.child;
    },
    result,
    waitForOutput(pattern, waitMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const matches = (): boolean => {
          pattern.lastIndex = 0;
          return pattern.test(lines.join('\n'));
        };
        if (matches()) return resolve();
        const stop = (): void => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
          settledListeners.delete(onSettled);
        };
        const onLine = (): void => {
          if (matches()) {
            stop();
            resolve();
          }
        };
        const onSettled = (): void => {
          stop();
          reject(
            new Error(
              `action finished without output matching ${pattern}. Log:\n${lines.join('\n')}`,
            ),
          );
        };
        const timer = setTimeout(() => {
          stop();
          reject(
            new Error(
              `no output matching ${pattern} within ${waitMs} ms. Log:\n${lines.join('\n')}`,
            ),
          );
        }, waitMs);
        if (settled) return onSettled();
        lineListeners.add(onLine);
        settledListeners.add(onSettled);
      });
    },
    kill,
    async cancel(cancelOptions = {}) {
      const escalate = async (): Promise<void> => {
        const steps: [NodeJS.Signals, number][] = [
          ['SIGINT', cancelOptions.sigintTimeoutMs ?? 7500],
          ['SIGTERM', cancelOptions.sigtermTimeoutMs ?? 2500],
        ];
        const target = current;
        for (const [signal, waitMs] of steps) {
          if (!target || target.child.exitCode !== null || target.child.signalCode !== null) return;
          job.cancelRequested = true;
          target.child.kill(signal);
          let timer: NodeJS.Timeout | undefined;
          const exited = await Promise.race([
            target.done.then(
              () => true,
              () => true,
            ),
            new Promise<boolean>((resolve) => {
              timer = setTimeout(() => resolve(false), waitMs);
            }),
          ]);
          clearTimeout(timer);
          if (exited) return;
        }
        target?.child.kill('SIGKILL');
      };
      await escalate();
      return result;
    },
  };
}

/** Removes the temp directories of every run this module started; for `afterAll`. */
export async function cleanupActionRuns(): Promise<void> {
  const roots = [...liveRoots];
  liveRoots.clear();
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
}

interface ResolvedInputs {
  values: Record<string, string>;
  warnings: string[];
}

function resolveInputs(
  manifest: ActionManifest,
  given: Record<string, string>,
  contexts: Record<string, Record<string, string>>,
): ResolvedInputs {
  const declared = Object.keys(manifest.inputs);
  const byLowerName = new Map(declared.map((name) => [name.toLowerCase(), name]));
  const values: Record<string, string> = {};
  const warnings: string[] = [];
  const unexpected: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    const declaredName = byLowerName.get(name.toLowerCase());
    if (declaredName === undefined) unexpected.push(name);
    const deprecation = declaredName
      ? manifest.inputs[declaredName]?.deprecationMessage
      : undefined;
    if (deprecation !== undefined) {
      warnings.push(`Input '${declaredName}' has been deprecated with message: ${deprecation}`);
    }
    values[declaredName ?? name] = value;
  }
  for (const [name, input] of Object.entries(manifest.inputs)) {
    if (name in values) continue;
    values[name] = input.default === undefined ? '' : interpolate(input.default, contexts);
  }
  if (unexpected.length) {
    warnings.unshift(
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`,
    );
  }
  return { values, warnings };
}

function definedEntries(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function lowerCasedWithPrefix(env: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, value]) => [name.slice(prefix.length).toLowerCase(), value]),
  );
}
