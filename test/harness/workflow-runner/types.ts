// The runner's options and what a run reports.
import type { GitHubEmulator } from '../../emulator/github/server.ts';
import type { GitHubContextOverrides } from '../github-context.ts';
import type { OidcIssuer } from '../oidc-issuer.ts';
import type { Annotation } from '../workflow-commands.ts';
import type { Access, Scope } from './permissions.ts';

export interface EnvironmentSettings {
  /** Required reviewers: the job waits for `review` to approve or reject. */
  reviewers?: readonly string[];
  /** Environment secrets and variables, given only to jobs that reference the environment. */
  secrets?: Readonly<Record<string, string>>;
  vars?: Readonly<Record<string, string>>;
}

export interface ReviewRequest {
  /** The job's path, e.g. `release / production`. */
  job: string;
  environment: string;
  reviewers: readonly string[];
}

export type ReviewDecision =
  'approve' | 'reject' | { decision: 'approve' | 'reject'; reviewer?: string; comment?: string };

export interface WorkflowRunOptions {
  /** The repository checkout: `.github/workflows/`, `actions/`, the dist bundles. */
  checkout: string;
  /** The workflow to run, relative to the checkout. */
  workflow: string;
  /**
   * The triggering event: its name and webhook payload (`github.event`), and for `paths` filters
   * the files it changed (a push payload's commits' added/removed/modified otherwise).
   */
  event: { name: string; payload?: Record<string, unknown>; changedFiles?: readonly string[] };
  /** Run facts (repository, ref, sha, actor, run id…); the harness defaults fill the rest. */
  context?: GitHubContextOverrides;
  /** `workflow_dispatch` inputs, or the inputs of a `workflow_call` workflow run directly. */
  inputs?: Readonly<Record<string, string | boolean | number>>;
  /** Repository secrets (`secrets.*`); GITHUB_TOKEN is added per job. */
  secrets?: Readonly<Record<string, string>>;
  /** Repository variables (`vars.*`). */
  vars?: Readonly<Record<string, string>>;
  /** `owner/repo` of the suite: its `…/.github/workflows/x.yml@ref` and `…/actions/x@ref` resolve to the checkout. */
  suiteRepository?: string;
  /** Each job's GITHUB_TOKEN is registered here with exactly its permissions; GITHUB_API_URL points here. */
  github?: GitHubEmulator;
  /** Jobs granted `id-token: write` get tokens from this issuer, with the job's claims. */
  oidc?: OidcIssuer;
  environments?: Readonly<Record<string, EnvironmentSettings>>;
  /** Called when a job reaches an environment with required reviewers. */
  review?: (request: ReviewRequest) => Promise<ReviewDecision>;
  /** The machine's environment every step sees (e.g. AWS_ENDPOINT_URL for the emulator). */
  machineEnv?: Readonly<Record<string, string>>;
  /** The repository default for jobs without `permissions:`. Default `restricted`. */
  defaultPermissions?: 'restricted' | 'permissive';
  /** What the actions/checkout stand-in copies into the workspace; nothing by default. */
  workspaceSource?: string;
  /**
   * A git repository (such as a bare remote) the actions/checkout stand-in clones instead, as the
   * real action does: `ref` or the run's sha checked out detached, `origin` set to it, tags kept
   * only with `fetch-depth: 0` (the history is not shortened otherwise).
   */
  workspaceRepository?: string;
  /** Per-step limit. Default 60 s. */
  stepTimeoutMs?: number;
}

export type JobResult = 'success' | 'failure' | 'cancelled' | 'skipped';
export type StepOutcome = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRun {
  id: string;
  name: string;
  /** `run` or the `uses:` value. */
  kind: 'run' | 'uses';
  uses?: string;
  outcome: StepOutcome;
  /** The outcome after `continue-on-error`. */
  conclusion: StepOutcome;
  outputs: Record<string, string>;
  annotations: Annotation[];
  /** The step's output lines, raw (tests scan them for secrets). */
  log: string[];
  summary: string;
  /** Wall-clock time the step took. */
  durationMs: number;
  /** Why a step failed without running, or why it was skipped. */
  reason?: string;
}

export interface JobRun {
  /** Job id path: `deploy`, or `release / canary` inside a called workflow, `test (a, 1)` in a matrix. */
  id: string;
  name: string;
  /** The workflow file the job is written in. */
  workflow: string;
  result: JobResult;
  /** Why the job was skipped or failed before or between steps. */
  reason?: string;
  outputs: Record<string, string>;
  /** Only the scopes granted. */
  permissions: Partial<Record<Scope, Access>>;
  /** Whether the job could request an OIDC token. */
  idToken: boolean;
  environment?: string;
  /** `environment.url`, evaluated after the steps. */
  environmentUrl?: string;
  approval?: { decision: 'approve' | 'reject'; reviewer?: string; comment?: string };
  concurrency?: { group: string; cancelInProgress: boolean };
  /** For a job that calls a workflow: the workflow it called. */
  calls?: string;
  /** The job's GITHUB_TOKEN (empty for skipped and calling jobs): include it in leak scans. */
  token: string;
  steps: StepRun[];
  /** What GitHub shows: step headers, output, annotations; masks applied. */
  log: string[];
}

export interface WorkflowRun {
  /** `not triggered` when the filters under `on:` keep the event from starting the workflow. */
  conclusion: 'success' | 'failure' | 'cancelled' | 'not triggered';
  /** `not triggered: <why>`: no job ran. */
  notTriggered?: string;
  /** Every job in the order it finished (or was skipped); called workflows' jobs included. */
  jobs: JobRun[];
  /** `on.workflow_call.outputs` when the workflow was run as a called workflow. */
  outputs: Record<string, string>;
  /** The job with this id path; throws when there is none. */
  job(id: string): JobRun;
  /** Every secret the run handed out (tokens, secrets) for leak scans. */
  secrets: string[];
  /** Removes the run's temp directories. */
  cleanup(): Promise<void>;
}
