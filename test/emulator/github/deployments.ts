// Deployments and their statuses. Creating either needs `deployments: write`, reading
// `deployments: read`. A deployment's ref (branch or SHA) is resolved to a commit, unknown refs
// are 422; without `required_contexts`, every commit status context must be success (409
// otherwise). A success status with `auto_inactive` (the default) adds an inactive status to the
// earlier successful deployments of the same environment, unless transient or production.
// https://docs.github.com/en/rest/deployments/deployments
// https://docs.github.com/en/rest/deployments/statuses
import { simpleUser } from './accounts.ts';
import { latestStatuses } from './checks.ts';
import { GitHubError, notFound, validationFailed } from './errors.ts';
import { paginate } from './pagination.ts';
import {
  accessRepository,
  integerParam,
  objectBody,
  type Route,
  type RouteContext,
} from './route.ts';
import type { Deployment, DeploymentStatus, Repository } from './store.ts';

const DOCS = 'https://docs.github.com/rest/deployments/deployments';
const STATUS_DOCS = 'https://docs.github.com/rest/deployments/statuses';
const STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;

export const deploymentRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments',
    operation: 'repos/create-deployment',
    handle(context) {
      const repository = accessRepository(
        context,
        'write',
        ['deployments'],
        `${DOCS}#create-a-deployment`,
      );
      const body = objectBody(context);
      const ref = body.ref;
      if (typeof ref !== 'string' || ref === '') {
        throw new GitHubError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.', {
          documentationUrl: DOCS,
        });
      }
      const sha = resolveRef(repository, ref);
      if (sha === undefined) {
        throw validationFailed(
          [
            {
              resource: 'Deployment',
              code: 'custom',
              field: 'ref',
              message: `No ref found for: ${ref}`,
            },
          ],
          DOCS,
        );
      }
      if (body.required_contexts === undefined) {
        const red = latestStatuses(repository.checks.get(sha)?.statuses ?? []).filter(
          (s) => s.state !== 'success',
        );
        if (red.length > 0) {
          throw new GitHubError(409, `Conflict: Commit status checks failed for ${ref}.`, {
            documentationUrl: DOCS,
            errors: [{ resource: 'Deployment', code: 'invalid', field: 'required_contexts' }],
          });
        }
      }
      let payload: unknown = body.payload ?? {};
      if (typeof payload === 'string') {
        try {
          payload = JSON.parse(payload) as unknown;
        } catch {
          // a string payload that is not JSON stays a string
        }
      }
      const environment = typeof body.environment === 'string' ? body.environment : 'production';
      const deployment: Deployment = {
        id: context.store.nextId(),
        sha,
        ref,
        task: typeof body.task === 'string' ? body.task : 'deploy',
        environment,
        payload,
        description: typeof body.description === 'string' ? body.description : null,
        creator: context.token!.account,
        createdAt: context.clock(),
        transientEnvironment: body.transient_environment === true,
        productionEnvironment:
          typeof body.production_environment === 'boolean'
            ? body.production_environment
            : environment === 'production',
        statuses: [],
      };
      repository.deployments.push(deployment);
      return { status: 201, body: deploymentJson(context, repository, deployment) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments',
    operation: 'repos/list-deployments',
    handle(context) {
      const repository = accessRepository(
        context,
        'read',
        ['deployments'],
        `${DOCS}#list-deployments`,
      );
      const { query } = context;
      const matching = repository.deployments
        .filter((d) =>
          (['sha', 'ref', 'task', 'environment'] as const).every((field) => {
            const wanted = query.get(field);
            return wanted === null || d[field] === wanted;
          }),
        )
        .sort((a, b) => b.id - a.id);
      const page = paginate(
        matching,
        query,
        `${context.apiUrl}/repositories/${repository.id}/deployments`,
      );
      return {
        status: 200,
        body: page.items.map((d) => deploymentJson(context, repository, d)),
        ...(page.link === undefined ? {} : { headers: { link: page.link } }),
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}',
    operation: 'repos/get-deployment',
    handle(context) {
      const repository = accessRepository(context, 'read', ['deployments'], DOCS);
      return {
        status: 200,
        body: deploymentJson(context, repository, findDeployment(context, repository, DOCS)),
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    operation: 'repos/create-deployment-status',
    handle(context) {
      const readable = accessRepository(context, 'read', ['deployments'], STATUS_DOCS);
      const deployment = findDeployment(context, readable, STATUS_DOCS);
      const repository = accessRepository(context, 'write', ['deployments'], STATUS_DOCS);
      const body = objectBody(context);
      const state = body.state;
      if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) {
        throw new GitHubError(
          422,
          `Invalid request.\n\nFor 'properties/state', ${JSON.stringify(state ?? null)} is not one of ${JSON.stringify(STATES)}.`,
          { documentationUrl: STATUS_DOCS },
        );
      }
      const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
      if ([...text('description')].length > 140) {
        throw validationFailed(
          [
            {
              resource: 'DeploymentStatus',
              code: 'custom',
              field: 'description',
              message: 'description is too long (maximum is 140 characters)',
            },
          ],
          STATUS_DOCS,
        );
      }
      const status = addStatus(context, deployment, state as DeploymentStatus['state'], {
        description: text('description'),
        logUrl: text('log_url') || text('target_url'),
        environmentUrl: text('environment_url'),
      });
      if (state === 'success' && body.auto_inactive !== false) {
        for (const earlier of repository.deployments) {
          if (earlier === deployment || earlier.environment !== deployment.environment) continue;
          if (earlier.transientEnvironment || earlier.productionEnvironment) continue;
          const latest = earlier.statuses.at(-1);
          if (latest?.state === 'success') {
            addStatus(context, earlier, 'inactive', {
              description: '',
              logUrl: latest.logUrl,
              environmentUrl: '',
            });
          }
        }
      }
      return { status: 201, body: statusJson(context, repository, deployment, status) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    operation: 'repos/list-deployment-statuses',
    handle(context) {
      const repository = accessRepository(context, 'read', ['deployments'], STATUS_DOCS);
      const deployment = findDeployment(context, repository, STATUS_DOCS);
      const newestFirst = [...deployment.statuses].reverse();
      const page = paginate(
        newestFirst,
        context.query,
        `${context.apiUrl}/repositories/${repository.id}/deployments/${deployment.id}/statuses`,
      );
      return {
        status: 200,
        body: page.items.map((s) => statusJson(context, repository, deployment, s)),
        ...(page.link === undefined ? {} : { headers: { link: page.link } }),
      };
    },
  },
];

function addStatus(
  context: RouteContext,
  deployment: Deployment,
  state: DeploymentStatus['state'],
  details: { description: string; logUrl: string; environmentUrl: string },
): DeploymentStatus {
  const status: DeploymentStatus = {
    id: context.store.nextId(),
    state,
    creator: context.token!.account,
    createdAt: context.clock(),
    ...details,
  };
  deployment.statuses.push(status);
  return status;
}

function resolveRef(repository: Repository, ref: string): string | undefined {
  if (repository.commits.has(ref)) return ref;
  const branch = ref.replace(/^refs\/heads\//, '');
  if (branch === repository.defaultBranch) return repository.defaultBranchSha;
  for (const issue of repository.issues.values()) {
    if (issue.pull?.headRef === branch && issue.pull.headRepository === repository.fullName) {
      return issue.pull.headSha;
    }
  }
  return undefined;
}

function findDeployment(context: RouteContext, repository: Repository, docs: string): Deployment {
  const id = integerParam(context, 'deployment_id', docs);
  const deployment = repository.deployments.find((d) => d.id === id);
  if (deployment === undefined) throw notFound(docs);
  return deployment;
}

function deploymentJson(context: RouteContext, repository: Repository, d: Deployment) {
  const url = `${context.apiUrl}/repos/${repository.fullName}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: Buffer.from(`010:Deployment${d.id}`).toString('base64'),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: simpleUser(d.creator, context.apiUrl),
    created_at: d.createdAt.toISOString(),
    updated_at: (d.statuses.at(-1)?.createdAt ?? d.createdAt).toISOString(),
    statuses_url: `${url}/statuses`,
    repository_url: `${context.apiUrl}/repos/${repository.fullName}`,
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
  };
}

function statusJson(
  context: RouteContext,
  repository: Repository,
  d: Deployment,
  s: DeploymentStatus,
) {
  const deploymentUrl = `${context.apiUrl}/repos/${repository.fullName}/deployments/${d.id}`;
  return {
    url: `${deploymentUrl}/statuses/${s.id}`,
    id: s.id,
    node_id: Buffer.from(`016:DeploymentStatus${s.id}`).toString('base64'),
    state: s.state,
    creator: simpleUser(s.creator, context.apiUrl),
    description: s.description,
    environment: d.environment,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.createdAt.toISOString(),
    updated_at: s.createdAt.toISOString(),
    deployment_url: deploymentUrl,
    repository_url: `${context.apiUrl}/repos/${repository.fullName}`,
  };
}
