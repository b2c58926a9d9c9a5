// GitHub Deployments as the suite's audit trail: every deploy, from a comment, a push or a
// workflow_dispatch, is a deployment for a full SHA whose payload says what it shipped (image
// digest, task definition, migration versions) and who asked, with statuses in_progress, then
// success, failure or inactive, each linking the run. And the lookups on that history: what runs
// in an environment now, the previous successful deployment, the recent ones.
// https://docs.github.com/en/rest/deployments/deployments
// https://docs.github.com/en/rest/deployments/statuses
import {
  type DeploymentFacts,
  type DeploymentHistory,
  type DeploymentRecord,
  type DeploymentState,
  type DeploymentWriter,
  MIGRATION_VERSION,
  SITE_ARTIFACT_NAME,
  SITE_RELEASE,
  type SiteArtifact,
} from '../deploy-command/ports.ts';
import { explained } from './api-errors.ts';
import type { GitHubRest } from './rest.ts';

/** The payload's marker and version: records other tools made are read with care. */
export const PAYLOAD_SCHEMA = 'aws-ship-suite/deployment@1';
/** How many deployments of an environment a lookup reads at most (newest first). */
export const HISTORY_LIMIT = 30;

interface ApiDeployment {
  readonly id: number;
  readonly sha: string;
  readonly environment: string;
  readonly created_at: string;
  readonly payload: unknown;
  readonly creator?: { readonly login?: string } | null;
}

interface ApiStatus {
  readonly state: DeploymentState;
}

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
}

export function gitHubDeployments(
  rest: GitHubRest,
  repository: RepositoryRef,
): DeploymentWriter & DeploymentHistory {
  const base = `/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`;
  const read = <T>(what: string, call: () => Promise<T>) =>
    explained(what, 'deployments: read', call);

  async function records(environment: string, limit: number): Promise<DeploymentRecord[]> {
    const out: DeploymentRecord[] = [];
    const path = `${base}/deployments?environment=${encodeURIComponent(environment)}&per_page=${Math.min(limit, 100)}`;
    for await (const page of rest.pages<ApiDeployment>(path)) {
      for (const d of page) {
        if (out.length >= limit) return out;
        const { data: statuses } = await rest.request<ApiStatus[]>(
          'GET',
          `${base}/deployments/${d.id}/statuses?per_page=100`,
        );
        out.push(toRecord(d, statuses));
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  const history: DeploymentHistory = {
    current: (environment) =>
      read(`read ${environment}'s deployments`, async () =>
        (await records(environment, HISTORY_LIMIT)).find((d) => d.state === 'success'),
      ),
    previousSuccessful: (environment) =>
      read(`read ${environment}'s deployments`, async () => {
        const list = await records(environment, HISTORY_LIMIT);
        const at = list.findIndex((d) => d.state === 'success');
        const current = at >= 0 ? list[at] : undefined;
        return list
          .slice(at + 1)
          .find(
            (d) =>
              d.succeeded &&
              (current === undefined ||
                d.sha !== current.sha ||
                d.facts.imageDigest !== current.facts.imageDigest),
          );
      }),
    recent: (environment, limit) =>
      read(`read ${environment}'s deployments`, () => records(environment, limit)),
  };

  return {
    ...history,
    create: (deployment) =>
      explained(
        `create a deployment in ${deployment.environment}`,
        'deployments: write',
        async () => {
          const { data } = await rest.request<ApiDeployment>('POST', `${base}/deployments`, {
            ref: deployment.sha,
            environment: deployment.environment,
            description: deployment.description,
            // The suite checked what had to be green; GitHub would merge or re-check otherwise.
            auto_merge: false,
            required_contexts: [],
            production_environment: deployment.production,
            transient_environment: false,
            payload: toPayload(deployment.facts),
          });
          return { id: data.id, sha: data.sha };
        },
      ),
    setStatus: (id, state, details) =>
      explained(`set deployment ${id}'s status`, 'deployments: write', async () => {
        await rest.request('POST', `${base}/deployments/${id}/statuses`, {
          state,
          ...(details.logUrl ? { log_url: details.logUrl } : {}),
          ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
          ...(details.description ? { description: details.description.slice(0, 140) } : {}),
        });
      }),
  };
}

function toPayload(facts: DeploymentFacts): Record<string, unknown> {
  return {
    schema: PAYLOAD_SCHEMA,
    actor: facts.actor,
    imageDigest: facts.imageDigest ?? null,
    taskDefinition: facts.taskDefinition ?? null,
    migrationVersions: facts.migrationVersions ?? [],
    contractMigrations: facts.contractMigrations ?? [],
    siteRelease: facts.siteRelease ?? null,
    siteArtifact: facts.siteArtifact
      ? { name: facts.siteArtifact.name, runId: facts.siteArtifact.runId }
      : null,
    pullRequest: facts.pullRequest ?? null,
    command: facts.command ?? null,
  };
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TASK_DEFINITION =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition\/[A-Za-z0-9_-]{1,255}:[0-9]+$/;

/** A record from GitHub's JSON; payload fields that are not what the suite writes are dropped. */
export function toRecord(
  d: ApiDeployment,
  statusesNewestFirst: readonly ApiStatus[],
): DeploymentRecord {
  const p = (typeof d.payload === 'object' && d.payload !== null ? d.payload : {}) as Record<
    string,
    unknown
  >;
  const str = (value: unknown, shape: RegExp) =>
    typeof value === 'string' && shape.test(value) ? value : undefined;
  const actor = str(p.actor, LOGIN) ?? str(d.creator?.login, LOGIN) ?? 'unknown';
  const imageDigest = str(p.imageDigest, DIGEST);
  const taskDefinition = str(p.taskDefinition, TASK_DEFINITION);
  const versions = (list: unknown) =>
    Array.isArray(list)
      ? list.filter((m): m is string => typeof m === 'string' && MIGRATION_VERSION.test(m))
      : [];
  const migrations = versions(p.migrationVersions);
  const contracts = versions(p.contractMigrations);
  const pullRequest =
    typeof p.pullRequest === 'number' && Number.isSafeInteger(p.pullRequest) && p.pullRequest > 0
      ? p.pullRequest
      : undefined;
  const command = str(p.command, /^[a-z-]{1,20}$/);
  const siteRelease = str(p.siteRelease, SITE_RELEASE);
  const siteArtifact = artifactOf(p.siteArtifact);
  return {
    id: d.id,
    environment: d.environment,
    sha: d.sha,
    createdAt: d.created_at,
    state: statusesNewestFirst[0]?.state,
    succeeded: statusesNewestFirst.some((s) => s.state === 'success'),
    facts: {
      actor,
      ...(imageDigest ? { imageDigest } : {}),
      ...(taskDefinition ? { taskDefinition } : {}),
      ...(migrations.length > 0 ? { migrationVersions: migrations } : {}),
      ...(contracts.length > 0 ? { contractMigrations: contracts } : {}),
      ...(siteRelease ? { siteRelease } : {}),
      ...(siteArtifact ? { siteArtifact } : {}),
      ...(pullRequest ? { pullRequest } : {}),
      ...(command ? { command } : {}),
    },
  };
}

/** `{ name, runId }` when both are what the suite writes; anything else is no artifact. */
function artifactOf(value: unknown): SiteArtifact | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, runId } = value as Record<string, unknown>;
  return typeof name === 'string' &&
    SITE_ARTIFACT_NAME.test(name) &&
    typeof runId === 'number' &&
    Number.isSafeInteger(runId) &&
    runId > 0
    ? { name, runId }
    : undefined;
}
