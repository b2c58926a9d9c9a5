// One job of a workflow: its permissions and token, the environment's reviewers, its env, its
// steps in order with their `if:`, and its outputs.
import { randomBytes } from 'node:crypto';
import type { Job } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { PermissionName } from '../../emulator/github/tokens.ts';
import type { GitHubContext } from '../github-context.ts';
import { createRunDirectories } from '../runner-env.ts';
import { runnerView } from '../runner-view.ts';
import { asString, isTruthy, type Contexts } from './expressions.ts';
import { githubContextObject } from './github-context.ts';
import { evaluateJobField, JobFieldError } from './job-fields.ts';
import { WorkflowError } from './load-workflow.ts';
import {
  checkWithinCeiling,
  defaultPermissions,
  granted,
  parsePermissions,
  type PermissionSet,
} from './permissions.ts';
import type { WorkflowScope } from './scope.ts';
import { runStep } from './run-step.ts';
import { at, child, evaluateStringMap, evaluateToken, items, TemplateError } from './tokens.ts';
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
      permissions: jobRun.permissions,
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
