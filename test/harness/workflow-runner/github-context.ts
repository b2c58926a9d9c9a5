// The `github` context of a run, from the same facts the harness derives GITHUB_* and the OIDC
// claims from, so expressions, variables and tokens agree.
import {
  refNameOf,
  refTypeOf,
  repositoryOf,
  workflowRefOf,
  type GitHubContext,
} from '../github-context.ts';

export function githubContextObject(
  context: GitHubContext,
  event: Record<string, unknown>,
  job: { id: string; token: string; workspace: string; apiUrl: string },
): Record<string, unknown> {
  return {
    action: '',
    action_path: '',
    actor: context.actor,
    actor_id: context.actorId,
    api_url: job.apiUrl,
    base_ref: context.baseRef,
    event,
    event_name: context.eventName,
    graphql_url: `${job.apiUrl}/graphql`,
    head_ref: context.headRef,
    job: job.id,
    ref: context.ref,
    ref_name: refNameOf(context.ref),
    ref_protected: false,
    ref_type: refTypeOf(context.ref),
    repository: repositoryOf(context),
    repository_id: context.repositoryId,
    repository_owner: context.owner,
    repository_owner_id: context.ownerId,
    retention_days: '90',
    run_attempt: context.runAttempt,
    run_id: context.runId,
    run_number: context.runNumber,
    server_url: 'https://github.com',
    sha: context.sha,
    token: job.token,
    triggering_actor: context.actor,
    workflow: context.workflow,
    workflow_ref: workflowRefOf(context),
    workflow_sha: context.sha,
    workspace: job.workspace,
  };
}
