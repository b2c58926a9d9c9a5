// Promotion: an image that exists, by digest, gets more tags or goes to another repository,
// account or region, through the registry API and without a rebuild, so production runs the
// bytes staging ran. Blobs the target lacks are copied (each checked against its digest on the
// way), manifests are pushed by digest, tags added with PutImage, and the digest is read back
// from the target before the step reports success.
import { UserError } from '../lib/errors.ts';
import { type PublishEvent, type PublishResult, publish } from './publish.ts';
import type { EcrPort, RegistryPort, RepositoryFacts } from './ports.ts';
import { readRemoteImage } from './remote-image.ts';

export interface PromoteRequest {
  source: { repository: string; digest: string };
  target: RepositoryFacts;
  tags: readonly string[];
}

export interface PromotePorts {
  /** The source registry; the same client as `targetRegistry` when both are one registry. */
  sourceRegistry: RegistryPort;
  targetRegistry: RegistryPort;
  targetEcr: EcrPort;
  onEvent?: (event: PublishEvent) => void;
  signal?: AbortSignal;
}

export interface PromoteResult extends PublishResult {
  source: string;
  copied: boolean;
}

export async function promote(
  request: PromoteRequest,
  ports: PromotePorts,
): Promise<PromoteResult> {
  const { source, target } = request;
  const layout = await readRemoteImage(ports.sourceRegistry, source.repository, source.digest);
  const copied =
    ports.sourceRegistry.host !== ports.targetRegistry.host || source.repository !== target.name;
  const result = await publish(
    {
      repository: target,
      tags: request.tags,
      layout,
      readBlob: (digest) => ports.sourceRegistry.getBlob(source.repository, digest),
    },
    {
      ecr: ports.targetEcr,
      registry: ports.targetRegistry,
      ...(ports.onEvent ? { onEvent: ports.onEvent } : {}),
      ...(ports.signal ? { signal: ports.signal } : {}),
    },
  );
  await verifyArrival(request, ports);
  return {
    ...result,
    source: `${ports.sourceRegistry.host}/${source.repository}@${source.digest}`,
    copied,
  };
}

/** The target serves the source digest's exact bytes, and every tag names that digest. */
async function verifyArrival(request: PromoteRequest, ports: PromotePorts): Promise<void> {
  const { source, target } = request;
  const arrived = await ports.targetRegistry.getManifest(target.name, source.digest);
  if (arrived?.digest !== source.digest) {
    throw new UserError(
      `After the copy, ${target.name}@${source.digest} is ${arrived ? `served with digest ${arrived.digest}` : 'missing'} in ${ports.targetRegistry.host}: the promotion did not arrive intact; run it again.`,
    );
  }
  const tags = await ports.targetEcr.tagDigests(
    target.name,
    target.registryId,
    request.tags,
    ports.signal,
  );
  const wrong = request.tags.filter(
    (tag) => tags.find((t) => t.tag === tag)?.digest !== source.digest,
  );
  if (wrong.length > 0) {
    throw new UserError(
      `After the promotion, tag${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')} of ${target.name} do${wrong.length > 1 ? '' : 'es'} not name ${source.digest}: another push moved ${wrong.length > 1 ? 'them' : 'it'}; run the promotion again.`,
    );
  }
}
