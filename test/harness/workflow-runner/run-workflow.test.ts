import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/server.ts';
import { cleanupActionRuns } from '../run-action.ts';
import { startOidcIssuer, type OidcIssuer } from '../oidc-issuer.ts';
import { findLeakedSecretsInRun } from './leaks.ts';
import { formatRunLog } from './run-log.ts';
import { runWorkflow } from './run-workflow.ts';
import type { ReviewRequest, WorkflowRun, WorkflowRunOptions } from './types.ts';

const checkout = new URL('../../fixtures/workflows', import.meta.url).pathname;
const runs: WorkflowRun[] = [];

async function run(
  workflow: string,
  options: Partial<WorkflowRunOptions> = {},
): Promise<WorkflowRun> {
  const result = await runWorkflow({
    checkout,
    workflow: `.github/workflows/${workflow}`,
    event: { name: 'push' },
    suiteRepository: 'octo-org/aws-ship-suite',
    ...options,
  });
  runs.push(result);
  return result;
}

afterAll(async () => {
  await Promise.all(runs.map((result) => result.cleanup()));
  await cleanupActionRuns();
});

describe('the job graph', () => {
  let graph: WorkflowRun;
  beforeAll(async () => {
    graph = await run('graph.yml');
  });

  it('passes outputs from steps to jobs to the jobs that need them', () => {
    expect(graph.job('build').outputs).toEqual({ version: '1.2.3' });
    expect(graph.job('report').outputs).toEqual({ echoed: 'v1.2.3', exported: 'v1.2.3' });
    expect(graph.job('check').steps[0]?.log).toContain('checking 1.2.3');
  });

  it('gives run steps the workflow env and the runner variables', () => {
    expect(graph.job('build').steps[1]?.log).toEqual(['stage=graph ref=refs/heads/main']);
    // A step's env passes GITHUB_TOKEN, but cannot change what the runner sets.
    expect(graph.job('build').steps[2]?.log).toEqual(['token=ghs_ ref=refs/heads/main']);
  });

  it('skips a job whose if: is false, and says so', () => {
    expect(graph.job('pr-only')).toMatchObject({
      result: 'skipped',
      reason: "if: success() && (github.event_name == 'pull_request') was false",
    });
  });

  it('skips steps by their if:, and continue-on-error keeps the job going', () => {
    const report = graph.job('report');
    expect(report.result).toBe('success');
    expect(report.steps.map((step) => [step.id, step.outcome, step.conclusion])).toEqual([
      ['echo', 'success', 'success'],
      ['after', 'success', 'success'],
      ['skipped-step', 'skipped', 'skipped'],
      ['soft-fail', 'failure', 'success'],
      ['__run', 'success', 'success'],
    ]);
    expect(report.steps[4]?.log).toEqual(['soft-fail failure success']);
  });

  it('expands a matrix into one job per combination, include extending a match', () => {
    expect(graph.jobs.filter((job) => job.id.startsWith('matrix')).map((job) => job.id)).toEqual([
      'matrix (linux, 1)',
      'matrix (mac, 1, yes)',
    ]);
    expect(graph.job('matrix (mac, 1, yes)').outputs).toEqual({ last: 'mac-1-yes' });
  });

  it('succeeds as a whole', () => {
    expect(graph.conclusion).toBe('success');
    expect(graph.job('publish').result).toBe('success');
  });

  it('on a failure, skips the jobs that need the failed one unless their if: says always()', async () => {
    const broken = await run('graph.yml', { vars: { BREAK: 'yes' } });
    expect(broken.conclusion).toBe('failure');
    expect(broken.job('check')).toMatchObject({
      result: 'failure',
      reason: "step 'Check the version' failed",
    });
    expect(broken.job('check').steps[0]?.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'Process completed with exit code 3.' }),
    );
    expect(broken.job('publish')).toMatchObject({
      result: 'skipped',
      reason: 'needs check, which ended in failure',
    });
    expect(broken.job('cleanup').result).toBe('success');
    expect(broken.job('cleanup').steps[0]?.log).toEqual(['check ended in failure']);
  });

  it('runs the pull_request-only job on a pull_request', async () => {
    const pr = await run('graph.yml', {
      event: { name: 'pull_request' },
      context: { ref: 'refs/pull/7/merge', headRef: 'feature', baseRef: 'main' },
    });
    expect(pr.job('pr-only').result).toBe('success');
  });
});

describe('reusable workflows', () => {
  let caller: WorkflowRun;
  beforeAll(async () => {
    caller = await run('caller.yml', { secrets: { API_KEY: 'key-0123456789' } });
  });

  it('passes typed inputs with defaults, and the outputs back through on.workflow_call.outputs', () => {
    expect(caller.conclusion).toBe('success');
    expect(caller.job('local').outputs).toEqual({ message: 'hello x2 loud=true' });
    expect(caller.job('remote').outputs).toEqual({
      message: 'again hello x2 loud=true x5 loud=false',
    });
    expect(caller.job('after').steps[0]?.log).toEqual([
      'remote said again hello x2 loud=true x5 loud=false',
    ]);
  });

  it("names a called workflow's jobs after the calling job, and records what it called", () => {
    expect(caller.jobs.map((job) => job.id)).toEqual([
      'local / say',
      'local / after-say',
      'local',
      'remote / say',
      'remote / after-say',
      'remote',
      'after',
    ]);
    expect(caller.job('remote').calls).toBe('.github/workflows/called.yml');
  });

  it("passes secrets explicitly: the callee sees the caller's secret under its own name", () => {
    expect(caller.job('local / say').steps[1]?.log).toEqual(['has a key of 14 characters']);
  });

  it("caps a called workflow's jobs at the calling job's permissions", () => {
    expect(caller.job('local').permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(caller.job('local / say').permissions).toEqual({ contents: 'read' });
    // called.yml's own `permissions: {}` applies to its jobs that name none.
    expect(caller.job('local / after-say').permissions).toEqual({});
  });

  it('refuses a called job asking for more than its caller holds, before anything runs', async () => {
    await expect(run('over-ceiling.yml')).rejects.toThrow(
      "The nested job 'call / say' is requesting 'contents: read', but is only allowed 'contents: none'.",
    );
  });

  it('refuses a missing required input or secret, and an undeclared input', async () => {
    await expect(run('called.yml', { inputs: {}, secrets: { 'api-key': 'x' } })).rejects.toThrow(
      'Input greeting is required, but not provided while calling.',
    );
    await expect(run('called.yml', { inputs: { greeting: 'hi' } })).rejects.toThrow(
      'Secret api-key is required, but not provided while calling.',
    );
    await expect(
      run('called.yml', { inputs: { greeting: 'hi', colour: 'red' }, secrets: { 'api-key': 'x' } }),
    ).rejects.toThrow('Invalid input, colour is not defined in the referenced workflow.');
    await expect(
      run('called.yml', { inputs: { greeting: 'hi', count: 'many' }, secrets: { 'api-key': 'x' } }),
    ).rejects.toThrow("input count expects a number, got 'many'");
  });

  it('never prints a secret it handed out', () => {
    expect(caller.secrets).toContain('key-0123456789');
    expect(findLeakedSecretsInRun(caller)).toEqual([]);
  });
});

describe('workflow_dispatch', () => {
  it('binds typed inputs with their defaults', async () => {
    const result = await run('dispatch.yml', {
      event: { name: 'workflow_dispatch' },
      inputs: { environment: 'production' },
    });
    expect(result.job('show').outputs).toEqual({ line: 'production dry-run=true' });
    expect(result.job('show').permissions).toEqual({});
  });

  it('refuses a value outside the choices, and a missing required input', async () => {
    await expect(
      run('dispatch.yml', { event: { name: 'workflow_dispatch' }, inputs: { environment: 'qa' } }),
    ).rejects.toThrow(
      ".github/workflows/dispatch.yml: input environment must be one of staging, production, got 'qa'",
    );
    await expect(run('dispatch.yml', { event: { name: 'workflow_dispatch' } })).rejects.toThrow(
      'Input environment is required, but not provided while calling.',
    );
  });
});

describe('refusals', () => {
  it('refuses an action with no stand-in by name, before any job runs', async () => {
    await expect(run('refused.yml')).rejects.toThrow(
      '.github/workflows/refused.yml: job second: uses: some-org/some-action@v1 is refused: the local runner has no stand-in for some-org/some-action',
    );
  });

  it('refuses a workflow file that is not there', async () => {
    await expect(run('none.yml')).rejects.toThrow(
      `.github/workflows/none.yml: no such workflow in ${checkout}`,
    );
  });

  it('refuses a workflow that does not run on the event', async () => {
    await expect(run('caller.yml', { event: { name: 'pull_request' } })).rejects.toThrow(
      '.github/workflows/caller.yml does not run on pull_request (on: push)',
    );
  });
});

describe('environments and tokens', () => {
  let github: GitHubEmulator;
  let issuer: OidcIssuer;
  beforeAll(async () => {
    github = await startGitHubEmulator();
    const repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
    github.store.addIssue(repository, { author: github.accounts.get('octocat') });
    issuer = await startOidcIssuer();
  });
  afterAll(async () => {
    await github.close();
    await issuer.close();
  });

  it("registers each job's token with exactly its permissions", async () => {
    const result = await run('permissions.yml', { github, oidc: issuer });
    expect(result.job('writer').outputs).toEqual({ status: '201' });
    expect(result.job('reader').outputs).toEqual({ status: '403' });
    expect(result.job('writer').permissions).toEqual({ issues: 'write' });
    expect(result.job('reader').permissions).toEqual({ contents: 'read' });
  });

  it('gives an OIDC token only to jobs with id-token: write, with the environment subject', async () => {
    const result = await run('permissions.yml', { github, oidc: issuer });
    expect(result.job('oidc').outputs).toEqual({
      'has-url': 'yes',
      claims:
        'repo:octo-org/octo-app:environment:staging octo-org/octo-app/.github/workflows/permissions.yml@refs/heads/main',
    });
    expect(result.job('no-oidc').outputs).toEqual({ 'has-url': '' });
    expect(result.job('no-oidc').idToken).toBe(false);
  });

  it('pauses at an environment with reviewers until approved, then hands out its secrets', async () => {
    const requests: ReviewRequest[] = [];
    const result = await run('approval.yml', {
      oidc: issuer,
      vars: { REGION: 'eu-west-1' },
      environments: {
        production: { reviewers: ['release-managers'], secrets: { DB_PASSWORD: 'pw-5ecret' } },
      },
      review: async (request) => {
        requests.push(request);
        return { decision: 'approve', reviewer: 'alice' };
      },
    });
    expect(requests).toEqual([
      { job: 'production', environment: 'production', reviewers: ['release-managers'] },
    ]);
    expect(result.conclusion).toBe('success');
    expect(result.job('staging')).toMatchObject({ environment: 'staging', result: 'success' });
    expect(result.job('staging').approval).toBeUndefined();
    expect(result.job('production')).toMatchObject({
      environment: 'production',
      environmentUrl: 'https://released.shop.example.com',
      approval: { decision: 'approve', reviewer: 'alice' },
    });
    // Jobs pointed the issuer at themselves; the test's issuer has its own context back.
    expect(issuer.context.environment).toBe('staging');
    expect(issuer.context.job).toBe('deploy');
    // The step's raw log keeps what it printed; what GitHub shows masks it.
    expect(result.job('production').steps[0]?.log).toEqual([
      'production has its password',
      '::add-mask::pw-5ecret',
      'masked: pw-5ecret',
    ]);
    expect(result.job('production').log).toContain('Approved by alice');
    const shown = formatRunLog(result);
    expect(shown).toContain('● production: success (environment production)');
    expect(shown).toContain('    production has its password');
    expect(shown).toContain('    masked: ***');
    expect(shown.join('\n')).not.toContain('pw-5ecret');
    expect(shown.at(-1)).toBe('Run success.');
  });

  it('fails a rejected job and skips what needs it', async () => {
    const result = await run('approval.yml', {
      oidc: issuer,
      environments: { production: { reviewers: ['release-managers'] } },
      review: async () => ({ decision: 'reject', reviewer: 'bob' }),
    });
    expect(result.conclusion).toBe('failure');
    expect(result.job('production')).toMatchObject({
      result: 'failure',
      reason: 'the deployment to production was rejected by bob',
      steps: [],
    });
    expect(result.job('announce')).toMatchObject({
      result: 'skipped',
      reason: 'needs production, which ended in failure',
    });
    expect(formatRunLog(result)).toEqual(
      expect.arrayContaining([
        '● production: failure: the deployment to production was rejected by bob (environment production)',
        '● announce: skipped: needs production, which ended in failure',
      ]),
    );
  });
});

describe('stand-ins', () => {
  it('checks out, uploads and downloads artifacts by name', async () => {
    const result = await run('artifacts.yml', { workspaceSource: checkout });
    expect(result.conclusion).toBe('success');
    expect(result.job('use').outputs).toEqual({ note: 'built' });
  });

  it('persists the token in .git/config unless persist-credentials: false', async () => {
    const result = await run('artifacts.yml', { workspaceSource: checkout });
    expect(result.job('persisted').outputs).toEqual({ persisted: '1' });
    expect(result.job('make').outputs).toEqual({ persisted: '0' });
    expect(findLeakedSecretsInRun(result)).toEqual([]);
  });
});

describe('expressions that fail to evaluate', () => {
  let result: WorkflowRun;
  beforeAll(async () => {
    result = await run('expression-errors.yml');
  });
  const file = '.github/workflows/expression-errors.yml';
  // fromJSON('') as the runner words it (Newtonsoft's JToken.ReadFrom, actions/runner#1722).
  const empty = "Error reading JToken from JsonReader. Path '', line 0, position 0.";

  it('fail their step with the runner message; continue-on-error covers only script and with:', () => {
    const steps = result.job('steps').steps;
    expect(steps.map((step) => [step.name, step.outcome, step.conclusion])).toEqual([
      ['Run echo "value=1" >> "$GITHUB_OUTPUT"', 'success', 'success'],
      ['Soft script', 'failure', 'success'],
      ['Soft with', 'failure', 'success'],
      ['Bad env, even with a false if', 'failure', 'failure'],
      ['Bad if', 'failure', 'failure'],
      ['After', 'success', 'success'],
    ]);
    expect(steps[1]?.reason).toBe(
      `The template is not valid. ${file} (Line: 16, Col: 14): ${empty}`,
    );
    expect(steps[2]?.log).toEqual([
      `Error: The template is not valid. ${file} (Line: 21, Col: 17): ${empty}`,
    ]);
    // Every failing expression of the template at once, joined as the runner joins them.
    expect(steps[3]?.annotations.map((annotation) => annotation.message)).toEqual([
      `The template is not valid. ${file} (Line: 25, Col: 14): ${empty},${file} (Line: 26, Col: 14): The following format string is invalid: {0`,
    ]);
    // The runner rebuilds a step's condition from its text: no file, no position.
    expect(steps[4]?.reason).toBe(`The template is not valid. ${empty}`);
    expect(steps[5]?.log).toEqual(['after 1']);
    expect(result.job('steps')).toMatchObject({
      result: 'failure',
      reason: "step 'Bad env, even with a false if' failed",
    });
  });

  it('fail a job whose outputs fail, after its steps, with none of its outputs set', () => {
    expect(result.job('outputs')).toMatchObject({
      result: 'failure',
      outputs: {},
      reason: `Fail to evaluate job outputs: The template is not valid. ${file} (Line: 39, Col: 12): ${empty}`,
    });
    expect(result.job('outputs').steps[0]?.outcome).toBe('success');
  });

  it('fail a job whose if: fails, skip what needs it, and run the failure() jobs', () => {
    expect(result.job('bad-if')).toMatchObject({
      result: 'failure',
      reason: `Error when evaluating 'if' for job 'bad-if'. ${file} (Line: 45, Col: 9): ${empty}`,
      steps: [],
    });
    expect(result.job('after-bad-if')).toMatchObject({
      result: 'skipped',
      reason: 'needs bad-if, which ended in failure',
    });
    expect(result.job('on-failure').steps[0]?.log).toEqual([
      'outputs ended in failure, bad-if in failure',
    ]);
  });

  it("fail a job on its env: before its steps, and on its environment with the server's words", () => {
    expect(result.job('bad-job-env')).toMatchObject({
      result: 'failure',
      reason: `The template is not valid. ${file} (Line: 89, Col: 10): ${empty}`,
      steps: [],
    });
    expect(result.job('bad-environment')).toMatchObject({
      result: 'failure',
      reason: `Error when evaluating 'environment' for job 'bad-environment'. ${file} (Line: 95, Col: 18): ${empty}`,
      steps: [],
    });
  });

  it('fail a job whose strategy fails, and the run, without throwing', () => {
    expect(result.job('bad-strategy')).toMatchObject({
      result: 'failure',
      reason: `Error when evaluating 'strategy' for job 'bad-strategy'. ${file} (Line: 66, Col: 15): ${empty}`,
    });
    expect(result.conclusion).toBe('failure');
  });
});

describe('expressions in scalars that span lines', () => {
  let result: WorkflowRun;
  beforeAll(async () => {
    result = await run('block-scalars.yml');
  });

  it('runs a run: | script as its YAML value: no indentation added, quotes and braces kept', () => {
    expect(result.job('scalars').steps[0]?.log).toEqual([
      'start octo',
      '  indented push',
      '{ braces }|octo|',
    ]);
  });

  it('folds >-, strips |- and joins a plain scalar before templating', () => {
    expect(result.job('scalars').outputs).toEqual({
      folded: 'octo and push\nnew paragraph',
      literal: 'first octo\n  indented',
      plain: 'one octo two',
      alone: 'octo-x',
    });
    expect(result.job('scalars').steps[1]?.outputs).toEqual({ echoed: 'octo said: it is push' });
  });
});

describe('event filters', () => {
  it('runs a push to a branch the filters take', async () => {
    const result = await run('filters.yml', {
      context: { ref: 'refs/heads/release/2' },
      event: { name: 'push', payload: { commits: [{ modified: ['src/app.ts', 'docs/a.md'] }] } },
    });
    expect(result.conclusion).toBe('success');
    expect(result.notTriggered).toBeUndefined();
    expect(result.job('run').steps[0]?.log).toEqual(['ran on push']);
  });

  it('reports "not triggered: why" without running any job', async () => {
    const feature = await run('filters.yml', { context: { ref: 'refs/heads/feature' } });
    expect(feature).toMatchObject({
      conclusion: 'not triggered',
      notTriggered:
        'not triggered: push to branch feature matches none of on.push.branches (main, release/**, !release/**-rc)',
      jobs: [],
    });
    expect(formatRunLog(feature)).toEqual([
      'Run not triggered: push to branch feature matches none of on.push.branches (main, release/**, !release/**-rc).',
    ]);
    const candidate = await run('filters.yml', { context: { ref: 'refs/heads/release/2-rc' } });
    expect(candidate.notTriggered).toMatch(
      /^not triggered: push to branch release\/2-rc matches none/,
    );
    const docs = await run('filters.yml', {
      event: { name: 'push', changedFiles: ['docs/a.md', 'docs/b/c.md'] },
    });
    expect(docs.notTriggered).toBe(
      'not triggered: push to branch main changes only files matching on.push.paths-ignore (docs/**)',
    );
    const edited = await run('filters.yml', {
      event: { name: 'issue_comment', payload: { action: 'edited' } },
    });
    expect(edited.notTriggered).toBe(
      'not triggered: issue_comment of type edited is not one of on.issue_comment.types (created)',
    );
  });
});

describe('defaults.run', () => {
  it("gives run steps the job's shell and working-directory over the workflow's, a step's own over both", async () => {
    const result = await run('defaults.yml');
    expect(result.conclusion).toBe('success');
    expect(result.job('workflow-level').steps[1]?.log).toEqual(['from-workflow ']);
    // shell: bash is bash --noprofile --norc -eo pipefail.
    expect(result.job('job-level').steps[1]?.log).toEqual(['inner bash 1']);
    expect(result.job('job-level').steps[2]?.log).toEqual(['from-job ']);
  });
});

describe('expressions that fail to evaluate around called workflows and matrices', () => {
  it('fail a calling job on its with:, and a job whose matrix is not a mapping', async () => {
    const result = await run('expression-errors.yml');
    const file = '.github/workflows/expression-errors.yml';
    expect(result.job('bad-call')).toMatchObject({
      result: 'failure',
      reason: `The template is not valid. ${file} (Line: 75, Col: 17): Error reading JToken from JsonReader. Path '', line 0, position 0.`,
      calls: './.github/workflows/called.yml',
    });
    expect(result.jobs.filter((job) => job.id.startsWith('bad-call /'))).toEqual([]);
    expect(result.job('not-a-matrix')).toMatchObject({
      result: 'failure',
      reason: `Error when evaluating 'strategy' for job 'not-a-matrix'. ${file}: strategy.matrix must be a mapping`,
    });
  });
});
