// What a run shares between its jobs, and what one workflow file shares between its jobs.
import type { GitHubContext } from '../github-context.ts';
import type { LoadedWorkflow } from './load-workflow.ts';
import type { PermissionSet } from './permissions.ts';
import type { ReferenceScope } from './references.ts';
import type { JobRun, WorkflowRunOptions } from './types.ts';

export interface RunScope {
  readonly options: WorkflowRunOptions;
  readonly context: GitHubContext;
  readonly event: Record<string, unknown>;
  /** The run's temp root: artifacts and job directories live under it. */
  readonly root: string;
  readonly artifactsDir: string;
  readonly references: ReferenceScope;
  readonly apiUrl: string;
  /** Every token and secret handed out, for leak scans. */
  readonly secrets: Set<string>;
  readonly jobs: JobRun[];
  readonly directories: string[];
}

export interface WorkflowScope {
  readonly run: RunScope;
  readonly workflow: LoadedWorkflow;
  /** `''` at the top, `caller / ` inside a called workflow. */
  readonly prefix: string;
  readonly inputs: Record<string, unknown>;
  readonly secrets: Record<string, string>;
  /** The permissions of the calling job: the most a called workflow's jobs may hold. */
  readonly ceiling: PermissionSet | undefined;
  /** `owner/repo/.github/workflows/x.yml@ref`: the OIDC job_workflow_ref of its jobs. */
  readonly jobWorkflowRef: string;
  readonly depth: number;
}
