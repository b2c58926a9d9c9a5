// The repository an image goes to: it must exist, or be created with the settings ECR's own
// best practices name (scan on push, immutable tags, encryption, a lifecycle policy).
import { UserError } from '../lib/errors.ts';
import type { EcrPort, RepositoryFacts } from './ports.ts';

export interface RepositoryRequest {
  name: string;
  registryId: string | undefined;
  create: boolean;
  kmsKey: string | undefined;
  /** Untagged images expire after this many days; tagged ones are kept. */
  untaggedExpiryDays: number;
}

/** Expire untagged images (superseded builds, cache leftovers); never a tagged release. */
export function lifecyclePolicy(untaggedExpiryDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedExpiryDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: untaggedExpiryDays,
        },
        action: { type: 'expire' },
      },
    ],
  });
}

export async function ensureRepository(
  ecr: EcrPort,
  request: RepositoryRequest,
  signal?: AbortSignal,
): Promise<{ repository: RepositoryFacts; created: boolean }> {
  const existing = await ecr.describeRepository(request.name, request.registryId, signal);
  if (existing) return { repository: existing, created: false };
  const where = request.registryId ? ` in registry ${request.registryId}` : '';
  if (!request.create) {
    throw new UserError(
      `ECR repository '${request.name}'${where} does not exist: create it (infrastructure code), or set create-repository: true to have this step create it.`,
    );
  }
  const repository = await ecr.createRepository(
    {
      name: request.name,
      registryId: request.registryId,
      immutable: true,
      scanOnPush: true,
      kmsKey: request.kmsKey,
      lifecyclePolicy: lifecyclePolicy(request.untaggedExpiryDays),
    },
    signal,
  );
  return { repository, created: true };
}

/** The build cache's images are all tagged (by cache key): expire them by age. */
export function cacheLifecyclePolicy(expiryDays: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire build cache images after ${expiryDays} days`,
        selection: {
          tagStatus: 'any',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: expiryDays,
        },
        action: { type: 'expire' },
      },
    ],
  });
}

/**
 * The repository buildah keeps its registry cache in. A missing one is created when the step may
 * create repositories (mutable, no scans, images expire); otherwise the build goes on without the
 * registry cache: it is an optimisation, not worth failing a build for.
 */
export async function ensureCacheRepository(
  ecr: EcrPort,
  request: RepositoryRequest,
  signal?: AbortSignal,
): Promise<'exists' | 'created' | 'missing'> {
  if (await ecr.describeRepository(request.name, request.registryId, signal)) return 'exists';
  if (!request.create) return 'missing';
  await ecr.createRepository(
    {
      name: request.name,
      registryId: request.registryId,
      immutable: false,
      scanOnPush: false,
      kmsKey: request.kmsKey,
      lifecyclePolicy: cacheLifecyclePolicy(request.untaggedExpiryDays),
    },
    signal,
  );
  return 'created';
}
