// Walks a workflow's job graph as GitHub does: a job starts once every job it needs has
// finished, its `if:` (implicitly `success() &&`) decides whether it runs, a skipped or failed
// job skips the jobs that need it unless their condition says otherwise, and a job that calls a
// reusable workflow runs that workflow's jobs with the inputs, secrets and permissions it passes.
// Jobs run one at a time in a dependency order (file order among jobs that are ready).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Job,
  ReusableWorkflowJob,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { resolveContext, repositoryOf } from '../github-context.ts';
import { defaultEventPayload } from '../runner-env.ts';
import { asString, isTruthy, type Contexts } from './expressions.ts';
import { githubContextObject } from './github-context.ts';
import { notTriggeredBy } from './event-filters.ts';
import { bindInputs, bindSecrets } from './inputs.ts';
import { loadWorkflow, WorkflowError, type LoadedWorkflow } from './load-workflow.ts';
import { combinationLabel, expandMatrix } from './matrix.ts';
import { granted } from './permissions.ts';
import { resolveAction, resolveWorkflow, type ReferenceScope } from './references.ts';
import { evaluateJobField, JobFieldError } from './job-fields.ts';
import { concurrencyOf, jobPermissions, runJob } from './run-job.ts';
import type { RunScope, WorkflowScope } from './scope.ts';
import { at, child, evaluateStringMap, evaluateToken, literal, TemplateError } from './tokens.ts';
import type { JobRun, WorkflowRun, WorkflowRunOptions } from './types.ts';

const MAX_DEPTH = 10;

interface Finished {
  result: JobRun['result'];
  outputs: Record<string, string>;
}

export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRun> {
  const workflow = await loadWorkflow(options.checkout, options.workflow);
  const name = asString(literal(child(workflow.root, 'name'))) || options.workflow;
  const context = resolveContext(options.context ?? {}, {
    eventName: options.event.name,
    workflow: name,
    workflowPath: options.workflow,
  });
  const event = options.event.payload ?? defaultEventPayload(context);
  const references: ReferenceScope = {
    checkout: options.checkout,
    suiteRepository: options.suiteRepository ?? repositoryOf(context),
    repository: repositoryOf(context),
    ref: context.ref,
  };
  const events = eventsOf(workflow.root);
  const called = !events.includes(options.event.name) && events.includes('workflow_call');
  if (!events.includes(options.event.name) && !called) {
    throw new WorkflowError(
      `${options.workflow} does not run on ${options.event.name} (on: ${events.join(', ')})`,
    );
  }
  if (!called) {
    const why = notTriggeredBy(
      literal(child(workflow.root, 'on')),
      {
        name: options.event.name,
        payload: event,
        ref: context.ref,
        baseRef: context.baseRef,
        ...(options.event.changedFiles === undefined
          ? {}
          : { changedFiles: options.event.changedFiles }),
      },
      options.workflow,
    );
    if (why !== undefined) return notTriggeredRun(`not triggered: ${why}`);
  }
  await preflight(workflow, references, 0);

  const root = mkdtempSync(join(tmpdir(), 'workflow-run-'));
  const artifactsDir = join(root, 'artifacts');
  mkdirSync(artifactsDir);
  const run: RunScope = {
    options,
    context,
    event,
    root,
    artifactsDir,
    references,
    apiUrl: options.github?.url ?? 'https://api.github.com',
    secrets: new Set(Object.values(options.secrets ?? {}).filter((value) => value !== '')),
    jobs: [],
    directories: [root],
  };

  const githubOnly: Contexts = {
    github: githubContextObject(context, event, {
      id: '',
      token: '',
      workspace: '',
      apiUrl: run.apiUrl,
    }),
  };
  let inputs: Record<string, unknown> = {};
  let secrets: Record<string, string> = { ...options.secrets };
  if (options.event.name === 'workflow_dispatch' && events.includes('workflow_dispatch')) {
    inputs = bindInputs(
      at(workflow.root, 'on', 'workflow_dispatch', 'inputs'),
      options.inputs ?? {},
      options.workflow,
      githubOnly,
    );
  } else if (called) {
    const call = at(workflow.root, 'on', 'workflow_call');
    inputs = bindInputs(child(call, 'inputs'), options.inputs ?? {}, options.workflow, githubOnly);
    secrets = bindSecrets(child(call, 'secrets'), options.secrets ?? {}, options.workflow, false);
  }

  const scope: WorkflowScope = {
    run,
    workflow,
    prefix: '',
    inputs,
    secrets,
    ceiling: undefined,
    jobWorkflowRef: `${references.repository}/${options.workflow}@${context.ref}`,
    depth: 0,
  };
  // Jobs point the issuer at themselves; the caller's issuer gets its context back afterwards.
  const issuerContext = options.oidc?.context;
  let finished: Map<string, Finished>;
  try {
    finished = await runJobs(scope);
  } finally {
    if (issuerContext !== undefined) options.oidc?.setContext(issuerContext);
  }
  let outputs: Record<string, string> = {};
  let outputsFailed = false;
  try {
    if (called) outputs = workflowOutputs(workflow, scope, finished);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    outputsFailed = true;
  }
  const results = run.jobs.map((job) => job.result);
  return {
    conclusion:
      results.includes('failure') || outputsFailed
        ? 'failure'
        : results.includes('cancelled')
          ? 'cancelled'
          : 'success',
    jobs: run.jobs,
    outputs,
    job(id) {
      const found = run.jobs.find((job) => job.id === id);
      if (found === undefined) {
        throw new Error(`no job '${id}' in the run: ${run.jobs.map((job) => job.id).join(', ')}`);
      }
      return found;
    },
    secrets: [...run.secrets],
    cleanup: async () => {
      await Promise.all(run.directories.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

function notTriggeredRun(reason: string): WorkflowRun {
  return {
    conclusion: 'not triggered',
    notTriggered: reason,
    jobs: [],
    outputs: {},
    job(id) {
      throw new Error(`no job '${id}' in the run: ${reason}`);
    },
    secrets: [],
    cleanup: async () => {},
  };
}

async function runJobs(scope: WorkflowScope): Promise<Map<string, Finished>> {
  const jobs = scope.workflow.template.jobs;
  const finished = new Map<string, Finished>();
  const needsOf = (job: WorkflowJob) => (job.needs ?? []).map((need) => need.value);
  const pending = [...jobs];
  while (pending.length > 0) {
    const index = pending.findIndex((job) => needsOf(job).every((need) => finished.has(need)));
    if (index < 0) throw new WorkflowError(`${scope.workflow.path}: the jobs' needs form a cycle`);
    const [job] = pending.splice(index, 1);
    if (job === undefined) break;
    finished.set(job.id.value, await runOne(scope, job, finished, needsOf));
  }
  return finished;
}

async function runOne(
  scope: WorkflowScope,
  job: WorkflowJob,
  finished: Map<string, Finished>,
  needsOf: (job: WorkflowJob) => string[],
): Promise<Finished> {
  const { run } = scope;
  const id = job.id.value;
  const raw = at(scope.workflow.root, 'jobs', id);
  const needs = Object.fromEntries(
    needsOf(job).map((need) => [need, finished.get(need) ?? { result: 'skipped', outputs: {} }]),
  );
  const ancestors = ancestorsOf(job, scope.workflow.template.jobs, needsOf);
  const ancestorResults = ancestors.map((ancestor) => finished.get(ancestor)?.result);
  const status = {
    success: ancestorResults.every((result) => result === 'success'),
    failure: ancestorResults.includes('failure'),
    cancelled: false,
  };
  const contexts: Contexts = {
    github: githubContextObject(run.context, run.event, {
      id,
      token: '',
      workspace: '',
      apiUrl: run.apiUrl,
    }),
    inputs: scope.inputs,
    vars: { ...run.options.vars },
    needs,
  };
  const path = scope.workflow.path;
  let condition: unknown;
  try {
    condition = evaluateJobField('if', id, path, job.if, contexts, status);
  } catch (error) {
    if (!(error instanceof JobFieldError)) throw error;
    run.jobs.push(failedJob(scope, job, error.message));
    return { result: 'failure', outputs: {} };
  }
  if (!isTruthy(condition)) {
    const blocking = needsOf(job).find((need) => needs[need]?.result !== 'success');
    const reason =
      job.if.expression === 'success()' && blocking !== undefined
        ? `needs ${blocking}, which ${needs[blocking]?.result === 'skipped' ? 'was skipped' : `ended in ${needs[blocking]?.result}`}`
        : `if: ${job.if.expression} was false`;
    run.jobs.push(skippedJob(scope, job, reason));
    return { result: 'skipped', outputs: {} };
  }

  if (job.type === 'reusableWorkflowJob') return runCalled(scope, job, raw, contexts);

  let combinations: Record<string, unknown>[];
  try {
    const strategy = evaluateJobField('strategy', id, path, job.strategy, contexts) as
      Record<string, unknown> | undefined;
    combinations = matrixOf(strategy?.['matrix'], id, path);
  } catch (error) {
    if (!(error instanceof JobFieldError)) throw error;
    run.jobs.push(failedJob(scope, job, error.message));
    return { result: 'failure', outputs: {} };
  }
  if (combinations.length === 0) {
    const jobRun = await runJob({ scope, job, raw, id, needs, matrix: undefined });
    run.jobs.push(jobRun);
    return { result: jobRun.result, outputs: jobRun.outputs };
  }
  const runs: JobRun[] = [];
  for (const matrix of combinations) {
    const jobRun = await runJob({
      scope,
      job: job as Job,
      raw,
      id: `${id} (${combinationLabel(matrix)})`,
      needs,
      matrix,
    });
    run.jobs.push(jobRun);
    runs.push(jobRun);
  }
  // A matrix job's outputs are the last non-empty value any of its jobs set.
  const outputs: Record<string, string> = {};
  for (const jobRun of runs) {
    for (const [key, value] of Object.entries(jobRun.outputs))
      if (value !== '') outputs[key] = value;
  }
  const results = runs.map((jobRun) => jobRun.result);
  return {
    result: results.includes('failure')
      ? 'failure'
      : results.includes('cancelled')
        ? 'cancelled'
        : 'success',
    outputs,
  };
}

async function runCalled(
  scope: WorkflowScope,
  job: ReusableWorkflowJob,
  raw: TemplateToken | undefined,
  contexts: Contexts,
): Promise<Finished> {
  const { run } = scope;
  const id = `${scope.prefix}${job.id.value}`;
  const where = `${scope.workflow.path}: job ${job.id.value}`;
  const reference = resolveWorkflow(job.ref.value, run.references, where);
  const callee = await loadWorkflow(run.references.checkout, reference.path);
  const call = at(callee.root, 'on', 'workflow_call');
  const ceiling = jobPermissions(scope, raw, id);
  const callContexts: Contexts = { ...contexts, secrets: scope.secrets };
  let given: { inputs: Record<string, unknown>; secrets: Record<string, string> };
  try {
    given = {
      inputs: (evaluateToken(job['input-values'], contexts) ?? {}) as Record<string, unknown>,
      secrets: job['inherit-secrets']
        ? scope.secrets
        : evaluateStringMap(job['secret-values'], callContexts),
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    run.jobs.push(failedJob(scope, job, error.describe(scope.workflow.path)));
    return { result: 'failure', outputs: {} };
  }
  let inputs: Record<string, unknown>;
  try {
    inputs = bindInputs(child(call, 'inputs'), given.inputs, where, { github: contexts.github });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    run.jobs.push(failedJob(scope, job, error.describe(callee.path)));
    return { result: 'failure', outputs: {} };
  }
  const secrets = bindSecrets(
    child(call, 'secrets'),
    given.secrets,
    where,
    job['inherit-secrets'] === true,
  );
  const nested: WorkflowScope = {
    run,
    workflow: callee,
    prefix: `${id} / `,
    inputs,
    secrets,
    ceiling,
    jobWorkflowRef: reference.jobWorkflowRef,
    depth: scope.depth + 1,
  };
  const finished = await runJobs(nested);
  const results = [...finished.values()].map((value) => value.result);
  let result: JobRun['result'] = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled')
      ? 'cancelled'
      : 'success';
  const failures: string[] = [];
  let outputs: Record<string, string> = {};
  try {
    outputs = workflowOutputs(callee, nested, finished);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    failures.push(error.describe(callee.path));
  }
  let concurrency: unknown;
  try {
    concurrency =
      evaluateToken(child(callee.root, 'concurrency'), { github: contexts.github, inputs }) ??
      evaluateJobField('concurrency', job.id.value, scope.workflow.path, job.concurrency, contexts);
  } catch (error) {
    // The called workflow's own concurrency, worded as the server words a workflow's.
    if (error instanceof TemplateError) {
      failures.push(error.describe(callee.path, "Error when evaluating 'concurrency'."));
    } else if (error instanceof JobFieldError) failures.push(error.message);
    else throw error;
  }
  const name = calledJobName(job, contexts, scope.workflow.path, failures);
  if (failures.length > 0) result = 'failure';
  const jobRun: JobRun = {
    id,
    name,
    workflow: scope.workflow.path,
    result,
    outputs,
    permissions: granted(ceiling),
    idToken: ceiling['id-token'] === 'write',
    calls: reference.path,
    token: '',
    steps: [],
    log: [],
    ...(concurrency === undefined ? {} : { concurrency: concurrencyOf(concurrency) }),
    ...(result === 'failure'
      ? {
          reason:
            failures.length > 0
              ? failures.join(' ')
              : `called workflow ${reference.path} failed: ${[...finished]
                  .filter(([, value]) => value.result === 'failure')
                  .map(([name]) => name)
                  .join(', ')}`,
        }
      : {}),
  };
  run.jobs.push(jobRun);
  return { result, outputs };
}

function workflowOutputs(
  workflow: LoadedWorkflow,
  scope: WorkflowScope,
  finished: Map<string, Finished>,
): Record<string, string> {
  const definitions = at(workflow.root, 'on', 'workflow_call', 'outputs');
  const contexts: Contexts = {
    github: githubContextObject(scope.run.context, scope.run.event, {
      id: '',
      token: '',
      workspace: '',
      apiUrl: scope.run.apiUrl,
    }),
    inputs: scope.inputs,
    jobs: Object.fromEntries(finished),
  };
  const outputs: Record<string, string> = {};
  for (const name of Object.keys((literal(definitions) ?? {}) as object)) {
    outputs[name] = asString(evaluateToken(at(definitions, name, 'value'), contexts));
  }
  return outputs;
}

/** A matrix that is not one (a sequence, a scalar) fails the job as a strategy error. */
function matrixOf(matrix: unknown, id: string, path: string): Record<string, unknown>[] {
  try {
    return expandMatrix(matrix);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new JobFieldError(
      `Error when evaluating 'strategy' for job '${id}'. ${path}: ${message}`,
    );
  }
}

function calledJobName(
  job: ReusableWorkflowJob,
  contexts: Contexts,
  path: string,
  failures: string[],
): string {
  try {
    return (
      asString(evaluateJobField('name', job.id.value, path, job.name, contexts)) || job.id.value
    );
  } catch (error) {
    if (!(error instanceof JobFieldError)) throw error;
    failures.push(error.message);
    return job.id.value;
  }
}

function failedJob(scope: WorkflowScope, job: WorkflowJob, reason: string): JobRun {
  return { ...skippedJob(scope, job, reason), result: 'failure' };
}

function skippedJob(scope: WorkflowScope, job: WorkflowJob, reason: string): JobRun {
  return {
    id: `${scope.prefix}${job.id.value}`,
    name: job.id.value,
    workflow: scope.workflow.path,
    result: 'skipped',
    reason,
    outputs: {},
    permissions: {},
    idToken: false,
    token: '',
    steps: [],
    log: [],
    ...(job.type === 'reusableWorkflowJob' ? { calls: job.ref.value } : {}),
  };
}

function ancestorsOf(
  job: WorkflowJob,
  jobs: WorkflowJob[],
  needsOf: (job: WorkflowJob) => string[],
): string[] {
  const byId = new Map(jobs.map((candidate) => [candidate.id.value, candidate]));
  const seen = new Set<string>();
  const visit = (current: WorkflowJob) => {
    for (const need of needsOf(current)) {
      if (seen.has(need)) continue;
      seen.add(need);
      const next = byId.get(need);
      if (next !== undefined) visit(next);
    }
  };
  visit(job);
  return [...seen];
}

/** Every `uses:` reachable from the workflow resolved before anything runs. */
async function preflight(
  workflow: LoadedWorkflow,
  references: ReferenceScope,
  depth: number,
): Promise<void> {
  if (depth >= MAX_DEPTH) {
    throw new WorkflowError(
      `${workflow.path}: reusable workflows nest deeper than ${MAX_DEPTH} levels`,
    );
  }
  for (const job of workflow.template.jobs) {
    const where = `${workflow.path}: job ${job.id.value}`;
    if (job.type === 'reusableWorkflowJob') {
      const reference = resolveWorkflow(job.ref.value, references, where);
      const callee = await loadWorkflow(references.checkout, reference.path);
      if (!eventsOf(callee.root).includes('workflow_call')) {
        throw new WorkflowError(`${where}: ${reference.path} has no on: workflow_call`);
      }
      await preflight(callee, references, depth + 1);
      continue;
    }
    for (const step of job.steps) {
      if ('uses' in step) resolveAction(step.uses.value, references, where);
    }
  }
}

function eventsOf(root: TemplateToken): string[] {
  const on = literal(child(root, 'on'));
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(asString);
  if (on !== null && typeof on === 'object') return Object.keys(on);
  return [];
}
