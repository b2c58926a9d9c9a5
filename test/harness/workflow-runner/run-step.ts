// One step of a job as the runner runs it: its env (before its condition), its if:, then its
// script in bash/sh or its action (a suite action through runAction, or a stand-in), and how an
// expression error fails it.
import { join } from 'node:path';
import type { Step } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { resolveContext, type GitHubContext } from '../github-context.ts';
import { runAction } from '../run-action.ts';
import { hostEnv, runnerContextEnv, type RunDirectories } from '../runner-env.ts';
import { asString, isTruthy, type Contexts } from './expressions.ts';
import { WorkflowError } from './load-workflow.ts';
import { resolveAction } from './references.ts';
import type { JobCall } from './run-job.ts';
import { runShellStep } from './shell-step.ts';
import { runStandIn } from './stand-ins.ts';
import { child, evaluateStringMap, evaluateToken, literal, TemplateError } from './tokens.ts';
import type { JobRun, StepRun } from './types.ts';

export interface StepCall {
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
  /** The scopes the job's token holds (a stand-in's `actions: read` check). */
  permissions: JobRun['permissions'];
}

export async function runStep(stepCall: StepCall): Promise<StepRun> {
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
        runId: stepCall.context.runId,
        repository: `${stepCall.context.owner}/${stepCall.context.repo}`,
        permissions: stepCall.permissions,
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
