// One job of a workflow: its permissions and token, the environment's reviewers, its env, its
// steps in order with their `if:`, and its outputs.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Job, Step } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { PermissionName } from '../../emulator/github/tokens.ts';
import { resolveContext, type GitHubContext } from '../github-context.ts';
import { runAction } from '../run-action.ts';
import {
  createRunDirectories,
  hostEnv,
  runnerContextEnv,
  type RunDirectories,
} from '../runner-env.ts';
import { runnerView } from '../runner-view.ts';
import { asString, isTruthy, type Contexts, type StatusFacts } from './expressions.ts';
import { githubContextObject } from './github-context.ts';
import { WorkflowError } from './load-workflow.ts';
import {
  checkWithinCeiling,
  defaultPermissions,
  granted,
  parsePermissions,
  type PermissionSet,
} from './permissions.ts';
import { resolveAction } from './references.ts';
import type { WorkflowScope } from './scope.ts';
import { runShellStep } from './shell-step.ts';
import { runStandIn } from './stand-ins.ts';
import {
  at,
  child,
  evaluateStringMap,
  evaluateToken,
  items,
  literal,
  TemplateError,
} from './tokens.ts';
import type { JobRun, StepRun } from './types.ts';

const EMULATED_SCOPES: readonly PermissionName[] = [
  'actions',
  'checks',
  'contents',
  'deployments',
  'issues',
  'pull-requests',
  'statuses',
];

export interface JobCall {
  scope: WorkflowScope;
  job: Job;
  raw: TemplateToken | undefined;
  id: string;
  needs: Record<string, { result: string; outputs: Record<string, string> }>;
  matrix: Record<string, unknown> | undefined;
}

/** The permissions a job holds: its own, else its workflow's, else the caller's or the default. */
export function jobPermissions(scope: WorkflowScope, raw: TemplateToken | undefined, id: string) {
  const where = `${scope.workflow.path}: job ${id}`;
  const own =
    parsePermissions(child(raw, 'permissions'), where) ??
    parsePermissions(child(scope.workflow.root, 'permissions'), scope.workflow.path);
  if (scope.ceiling === undefined) {
    return own ?? defaultPermissions(scope.run.options.defaultPermissions ?? 'restricted');
  }
  return own === undefined ? scope.ceiling : checkWithinCeiling(own, scope.ceiling, id);
}

export async function runJob(call: JobCall): Promise<JobRun> {
  const { scope, job, raw } = call;
  const { run } = scope;
  const id = `${scope.prefix}${call.id}`;
  const permissions: PermissionSet = jobPermissions(scope, raw, id);
  const idToken = permissions['id-token'] === 'write';
  const token = `ghs_${randomBytes(18).toString('hex')}`;
  run.secrets.add(token);

  const directories = createRunDirectories(undefined);
  run.directories.push(directories.root);
  const baseContexts = (): Contexts => ({
    github: githubContextObject(run.context, run.event, {
      id: call.id,
      token,
      workspace: directories.workspace,
      apiUrl: run.apiUrl,
    }),
    inputs: scope.inputs,
    vars: { ...run.options.vars },
    needs: call.needs,
    matrix: call.matrix ?? {},
    strategy: {},
  });

  const jobRun: JobRun = {
    id,
    name: call.id,
    workflow: scope.workflow.path,
    result: 'success',
    outputs: {},
    permissions: granted(permissions),
    idToken,
    token,
    steps: [],
    log: [],
  };
  // What the server evaluates before the job starts: an error fails the job with its message.
  const fail = (reason: string): JobRun => {
    jobRun.result = 'failure';
    jobRun.reason = reason;
    return jobRun;
  };
  const path = scope.workflow.path;
  const jobId = job.id.value;
  let environment: string | undefined;
  try {
    jobRun.name =
      asString(evaluateJobField('name', jobId, path, job.name, baseContexts())) || call.id;
    environment = environmentName(
      evaluateJobField(
        'environment',
        jobId,
        path,
        child(job.environment, 'name') ?? job.environment,
        baseContexts(),
      ),
    );
    if (environment !== undefined) jobRun.environment = environment;
    const concurrency = evaluateJobField(
      'concurrency',
      jobId,
      path,
      job.concurrency,
      baseContexts(),
    );
    if (concurrency !== undefined) jobRun.concurrency = concurrencyOf(concurrency);
  } catch (error) {
    if (error instanceof JobFieldError) return fail(error.message);
    throw error;
  }

  const settings = environment === undefined ? undefined : run.options.environments?.[environment];
  if (environment !== undefined && settings?.reviewers?.length) {
    if (run.options.review === undefined) {
      throw new WorkflowError(
        `job ${id} waits for the reviewers of environment ${environment}: pass review to the runner`,
      );
    }
    jobRun.log.push(
      `Waiting for a review of environment ${environment} (${settings.reviewers.join(', ')})`,
    );
    const answer = await run.options.review({
      job: id,
      environment,
      reviewers: settings.reviewers,
    });
    const approval = typeof answer === 'string' ? { decision: answer } : answer;
    jobRun.approval = approval;
    if (approval.decision === 'reject') {
      jobRun.result = 'failure';
      jobRun.reason = `the deployment to ${environment} was rejected${approval.reviewer ? ` by ${approval.reviewer}` : ''}`;
      jobRun.log.push(`Rejected: ${jobRun.reason}`);
      return jobRun;
    }
    jobRun.log.push(`Approved${approval.reviewer ? ` by ${approval.reviewer}` : ''}`);
  }

  if (run.options.github !== undefined) {
    run.options.github.addToken({
      token,
      permissions: Object.fromEntries(EMULATED_SCOPES.map((scope) => [scope, permissions[scope]])),
      repositories: [`${run.context.owner}/${run.context.repo}`],
    });
  }
  const secrets: Record<string, string> = {
    ...scope.secrets,
    ...settings?.secrets,
    GITHUB_TOKEN: token,
  };
  for (const value of Object.values(secrets)) if (value !== '') run.secrets.add(value);
  const vars = { ...run.options.vars, ...settings?.vars };

  const context: GitHubContext = {
    ...run.context,
    job: call.id,
    environment,
    jobWorkflowRef: scope.jobWorkflowRef,
  };
  if (idToken) {
    if (run.options.oidc === undefined) {
      throw new WorkflowError(`job ${id} has id-token: write: pass an oidc issuer to the runner`);
    }
    run.options.oidc.setContext(context);
  }

  const state = {
    directories,
    exportedEnv: {} as Record<string, string>,
    paths: [] as string[],
    status: 'success' as 'success' | 'failure' | 'cancelled',
    steps: {} as Record<
      string,
      { outputs: Record<string, string>; outcome: string; conclusion: string }
    >,
    masks: Object.values(secrets).filter((value) => value !== ''),
  };
  const contextsFor = (env: Record<string, string>): Contexts => ({
    ...baseContexts(),
    vars,
    secrets,
    env,
    steps: state.steps,
    job: { status: state.status, container: {}, services: {} },
    runner: {
      os: 'Linux',
      arch: 'X64',
      name: 'GitHub Actions 1000000001',
      environment: 'github-hosted',
      temp: directories.runnerTemp,
      tool_cache: directories.toolCache,
    },
  });

  let jobEnv: Record<string, string>;
  let runDefaults: Record<string, string>;
  try {
    const workflowEnv = evaluateStringMap(child(scope.workflow.root, 'env'), contextsFor({}));
    jobEnv = { ...workflowEnv, ...evaluateStringMap(job.env, contextsFor(workflowEnv)) };
    // `defaults.run` (shell, working-directory) of the job, else of the workflow, for run steps.
    runDefaults = {
      ...evaluateStringMap(at(scope.workflow.root, 'defaults', 'run'), contextsFor(jobEnv)),
      ...evaluateStringMap(at(raw, 'defaults', 'run'), contextsFor(jobEnv)),
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return fail(error.describe(path));
  }
  const rawSteps = child(raw, 'steps');

  for (const [index, step] of job.steps.entries()) {
    const rawStep = items(rawSteps)[index];
    const stepRun = await runStep({
      step,
      rawStep,
      state,
      jobEnv,
      runDefaults,
      contextsFor,
      context,
      call,
      token,
      idToken,
    });
    jobRun.steps.push(stepRun);
    state.steps[step.id] = {
      outputs: stepRun.outputs,
      outcome: stepRun.outcome,
      conclusion: stepRun.conclusion,
    };
    if (stepRun.conclusion === 'failure' && state.status === 'success') state.status = 'failure';
    jobRun.log.push(...logOf(stepRun, state.masks));
  }

  jobRun.result = state.status;
  if (state.status === 'failure') {
    const failed = jobRun.steps.find((step) => step.conclusion === 'failure');
    jobRun.reason = `step '${failed?.name ?? '?'}' failed`;
  }
  const finalContexts = contextsFor({ ...jobEnv, ...state.exportedEnv });
  // As the runner's JobExtension finishes a job: an error in the outputs or environment.url
  // fails the job (its outputs stay unset) after its steps ran.
  try {
    jobRun.outputs = evaluateStringMap(job.outputs, finalContexts);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    finishFailed(jobRun, 'Fail to evaluate job outputs', error.describe(path));
  }
  // environment.url may use the steps' outputs, so it is read once they ran.
  try {
    const url = asString(evaluateToken(child(job.environment, 'url'), finalContexts));
    if (url !== '') jobRun.environmentUrl = url;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    finishFailed(jobRun, 'Failed to evaluate environment url', error.describe(path));
  }
  return jobRun;
}

/** Fails a job after its steps; the headline says why, or the log when a step already failed it. */
function finishFailed(jobRun: JobRun, what: string, message: string): void {
  jobRun.result = 'failure';
  if (jobRun.reason === undefined) jobRun.reason = `${what}: ${message}`;
  else jobRun.log.push(`Error: ${what}`, `Error: ${message}`);
}

/** A job-level value the server evaluates, its errors worded as the server words them. */
export class JobFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFieldError';
  }
}

/**
 * Evaluates a job's `if`, `name`, `strategy`, `environment` or `concurrency`; an error becomes
 * "Error when evaluating '<field>' for job '<id>'. <file> (Line: L, Col: C): <message>"
 * (WorkflowTemplateEvaluator in actions/runner src/Sdk/WorkflowParser).
 */
export function evaluateJobField(
  field: string,
  jobId: string,
  file: string,
  token: TemplateToken | undefined,
  contexts: Contexts,
  status?: StatusFacts,
): unknown {
  try {
    return evaluateToken(token, contexts, status);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new JobFieldError(
      error.describe(file, `Error when evaluating '${field}' for job '${jobId}'.`),
    );
  }
}

interface StepCall {
  step: Step;
  rawStep: TemplateToken | undefined;
  state: {
    directories: RunDirectories;
    exportedEnv: Record<string, string>;
    paths: string[];
    status: 'success' | 'failure' | 'cancelled';
    masks: string[];
  };
  jobEnv: Record<string, string>;
  /** `defaults.run` of the job over the workflow's: `shell`, `working-directory`. */
  runDefaults: Record<string, string>;
  contextsFor: (env: Record<string, string>) => Contexts;
  context: GitHubContext;
  call: JobCall;
  token: string;
  idToken: boolean;
}

async function runStep(stepCall: StepCall): Promise<StepRun> {
  const { step, rawStep, state, call } = stepCall;
  const { run } = call.scope;
  const envBefore = { ...stepCall.jobEnv, ...state.exportedEnv };
  const contexts = stepCall.contextsFor(envBefore);
  const uses = 'uses' in step ? step.uses.value : undefined;
  const script = 'run' in step ? step.run : undefined;
  const name = stepName(step.name, uses, script, contexts);
  const stepRun: StepRun = {
    id: step.id,
    name,
    kind: uses === undefined ? 'run' : 'uses',
    ...(uses === undefined ? {} : { uses }),
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    annotations: [],
    log: [],
    summary: '',
    durationMs: 0,
  };
  const status = {
    success: state.status === 'success',
    failure: state.status === 'failure',
    cancelled: state.status === 'cancelled',
  };
  const path = call.scope.workflow.path;
  // The runner's StepsRunner evaluates a step's env before its condition, and an error in
  // either fails the step whatever continue-on-error says (a step whose if: is false still
  // fails on its env: actions/runner#1722).
  let stepEnv: Record<string, string>;
  try {
    stepEnv = {
      ...envBefore,
      ...evaluateStringMap('env' in step ? step.env : undefined, contexts),
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return failedBeforeRunning(stepRun, error.describe(path));
  }
  const condition = 'if' in step ? step.if : undefined;
  if (condition !== undefined) {
    let conditionResult: unknown;
    try {
      conditionResult = evaluateToken(condition, contexts, status);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      // The runner rebuilds the condition from its text, so the message has no file or line.
      return failedBeforeRunning(stepRun, withoutPosition(error));
    }
    if (!isTruthy(conditionResult)) {
      stepRun.reason = `if: ${condition.expression} was false`;
      return stepRun;
    }
  }
  let continueOnError = false;
  try {
    continueOnError = isTruthy(
      'continue-on-error' in step && step['continue-on-error'] !== undefined
        ? typeof step['continue-on-error'] === 'boolean'
          ? step['continue-on-error']
          : evaluateToken(step['continue-on-error'], contexts)
        : false,
    );
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return failedBeforeRunning(
      stepRun,
      'The step failed and an error occurred when attempting to determine whether to continue on error.',
      withoutPosition(error),
    );
  }
  // Inside the step (its script, its with:) an error fails the step as the step's own failure,
  // so continue-on-error applies (StepsRunner.RunStepAsync).
  const failedInside = (error: TemplateError): StepRun => {
    failedBeforeRunning(stepRun, error.describe(path));
    stepRun.conclusion = continueOnError ? 'success' : 'failure';
    return stepRun;
  };
  const timeoutMs = run.options.stepTimeoutMs ?? 60_000;
  const workspace = state.directories.workspace;
  const apiUrl = run.options.github?.url;
  const oidcEnv =
    stepCall.idToken && run.options.oidc
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: run.options.oidc.requestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: run.options.oidc.requestToken,
        }
      : {};

  const started = performance.now();
  let outcome: 'success' | 'failure';
  if (script !== undefined) {
    const defaults = stepCall.runDefaults;
    const shell = asString(literal(child(rawStep, 'shell'))) || (defaults['shell'] ?? '');
    let workingDirectory: string;
    try {
      workingDirectory =
        asString(evaluateToken(child(rawStep, 'working-directory'), contexts)) ||
        (defaults['working-directory'] ?? '');
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return failedInside(error);
    }
    const contextEnv = runnerContextEnv(stepCall.context, state.directories, {
      directory: '',
      stepId: step.id,
    });
    delete contextEnv['GITHUB_ACTION_PATH'];
    const env: Record<string, string> = {
      ...hostEnv(state.directories),
      ...run.options.machineEnv,
      ...stepEnv,
      ...contextEnv,
      ...(apiUrl === undefined
        ? {}
        : { GITHUB_API_URL: apiUrl, GITHUB_GRAPHQL_URL: `${apiUrl}/graphql` }),
      ...oidcEnv,
    };
    env['PATH'] = [...state.paths]
      .reverse()
      .concat(env['PATH'] ?? [])
      .join(':');
    let text: string;
    try {
      text = asString(evaluateToken(script, contexts));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return failedInside(error);
    }
    const result = await runShellStep({
      script: text,
      shell,
      directories: state.directories,
      env,
      cwd: workingDirectory === '' ? workspace : join(workspace, workingDirectory),
      timeoutMs,
    });
    outcome = result.outcome;
    stepRun.outputs = result.outputs;
    stepRun.annotations = result.annotations;
    stepRun.log = result.lines;
    stepRun.summary = result.summary;
    state.masks.push(...result.masks);
    Object.assign(state.exportedEnv, withoutRunnerNames(result.exportedEnv));
    state.paths.push(...result.paths);
  } else if (uses !== undefined) {
    const reference = resolveAction(
      uses,
      run.references,
      `${call.scope.workflow.path}: job ${call.id}`,
    );
    let inputs: Record<string, string>;
    try {
      inputs = evaluateStringMap(child(rawStep, 'with'), contexts);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return failedInside(error);
    }
    if (reference.kind === 'stand-in') {
      const result = runStandIn(reference.name, {
        inputs,
        workspace,
        token: stepCall.token,
        artifactsDir: run.artifactsDir,
        workspaceSource: run.options.workspaceSource,
        workspaceRepository: run.options.workspaceRepository,
        sha: stepCall.context.sha,
      });
      outcome = result.outcome;
      stepRun.outputs = result.outputs;
      stepRun.log = result.log;
    } else {
      const actionRun = await runAction({
        action: reference.actionYml,
        inputs,
        env: {
          ...run.options.machineEnv,
          ...withoutRunnerNames(stepEnv),
          ...(apiUrl === undefined
            ? {}
            : { GITHUB_API_URL: apiUrl, GITHUB_GRAPHQL_URL: `${apiUrl}/graphql` }),
          PATH: [...state.paths]
            .reverse()
            .concat(hostEnv(state.directories)['PATH'] ?? [])
            .join(':'),
        },
        ...(stepCall.idToken && run.options.oidc ? { oidc: run.options.oidc } : {}),
        context: stepCall.context,
        event: run.event,
        githubToken: stepCall.token,
        cwd: workspace,
        stepId: step.id,
        timeoutMs,
      });
      outcome = actionRun.outcome === 'success' ? 'success' : 'failure';
      stepRun.outputs = actionRun.outputs;
      stepRun.annotations = actionRun.annotations;
      stepRun.log = [actionRun.pre?.log, actionRun.log, actionRun.post?.log]
        .filter((log): log is string => log !== undefined && log !== '')
        .flatMap((log) => log.split('\n'));
      stepRun.summary = actionRun.summary;
      state.masks.push(...actionRun.masks);
      Object.assign(state.exportedEnv, withoutRunnerNames(actionRun.exportedEnv));
      state.paths.push(...actionRun.paths);
    }
  } else {
    throw new WorkflowError(
      `${call.scope.workflow.path}: job ${call.id}: step ${step.id} is neither run nor uses`,
    );
  }
  stepRun.durationMs = performance.now() - started;
  stepRun.outcome = outcome;
  stepRun.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
  return stepRun;
}

/** A step failed by the runner before it ran: the error is its log and its annotation. */
function failedBeforeRunning(stepRun: StepRun, ...messages: string[]): StepRun {
  stepRun.outcome = 'failure';
  stepRun.conclusion = 'failure';
  stepRun.reason = messages.join(' ');
  stepRun.log.push(...messages.map((message) => `Error: ${message}`));
  stepRun.annotations.push(
    ...messages.map((message) => ({
      level: 'error' as const,
      message,
      properties: {},
      source: 'runner' as const,
    })),
  );
  return stepRun;
}

function withoutPosition(error: TemplateError): string {
  return new TemplateError(
    error.entries.map((entry) => ({ ...entry, line: undefined, column: undefined })),
  ).message;
}

/** The step's name, or the runner's default; a name that fails to evaluate is only a name. */
function stepName(
  name: TemplateToken | undefined,
  uses: string | undefined,
  script: TemplateToken | undefined,
  contexts: Contexts,
): string {
  const attempt = (token: TemplateToken | undefined): string => {
    try {
      return asString(evaluateToken(token, contexts));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return literal(token) === undefined ? '' : asString(literal(token));
    }
  };
  const given = attempt(name);
  if (given !== '') return given;
  return uses !== undefined ? `Run ${uses}` : `Run ${attempt(script).split('\n')[0] ?? ''}`;
}

/**
 * The variables the runner itself sets (GITHUB_SHA, RUNNER_TEMP, …) cannot be overwritten by
 * GITHUB_ENV or a step's env; others, such as GITHUB_TOKEN in a step's env, pass.
 */
const RUNNER_NAMES = new Set(
  Object.keys(
    runnerContextEnv(
      resolveContext(),
      {
        root: '',
        home: '',
        workspace: '',
        runnerTemp: '',
        toolCache: '',
        fileCommands: '',
        eventPath: '',
      },
      { directory: '', stepId: '' },
    ),
  ),
);

function withoutRunnerNames(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !RUNNER_NAMES.has(name)));
}

function environmentName(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const name = (value as Record<string, unknown>)['name'];
    return name === undefined || name === '' ? undefined : asString(name);
  }
  return asString(value);
}

function concurrencyOf(value: unknown): { group: string; cancelInProgress: boolean } {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    return {
      group: asString(record['group']),
      cancelInProgress: isTruthy(record['cancel-in-progress']),
    };
  }
  return { group: asString(value), cancelInProgress: false };
}

export { concurrencyOf };

function logOf(step: StepRun, masks: string[]): string[] {
  if (step.outcome === 'skipped') return [];
  const view = runnerView({ log: step.log.join('\n'), masks });
  return [`▸ ${step.name}`, ...view.map((line) => `  ${line}`)];
}
