// Amazon CloudFront (REST-XML, API 2020-05-31): invalidations of a distribution a test creates.
// An invalidation is InProgress until `completionMs` of the emulator's clock have passed, then
// Completed; a CallerReference sent again with the same paths returns the same invalidation, with
// other paths InvalidationBatchAlreadyExists. Errors in CloudFront's `<ErrorResponse>` shape.
import { randomBytes } from 'node:crypto';
import { ServiceError } from './errors.ts';
import type { ActionCall, EmulatorResponse, Protocol, Service } from './service.ts';
import { escapeXml, isoSeconds } from './xml.ts';

const VERSION = '2020-05-31';
const NS = `http://cloudfront.amazonaws.com/doc/${VERSION}/`;

export interface Invalidation {
  readonly id: string;
  readonly distributionId: string;
  readonly paths: readonly string[];
  readonly callerReference: string;
  readonly createdAt: Date;
}

export interface Distribution {
  readonly id: string;
  /** The S3 bucket the distribution serves (its origin path is the bucket's root). */
  readonly bucket: string;
  readonly invalidations: Invalidation[];
}

export interface CloudFrontInput {
  readonly distributionId: string;
  readonly invalidationId: string | undefined;
  readonly body: string;
}

export interface CloudFrontDependencies {
  readonly clock: () => Date;
}

const noSuchDistribution = () =>
  new ServiceError('NoSuchDistribution', 404, 'The specified distribution does not exist.');

export class CloudFront implements Service<CloudFrontInput> {
  readonly name = 'cloudfront';
  readonly signingName = 'cloudfront';
  readonly protocol: Protocol<CloudFrontInput> = cloudFrontProtocol();
  readonly actions: ReadonlySet<string> = new Set([
    'CreateInvalidation',
    'GetInvalidation',
    'ListInvalidations',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  /** How long an invalidation stays InProgress, in ms of the emulator's clock. */
  completionMs = 2000;
  readonly #clock: () => Date;
  readonly #distributions = new Map<string, Distribution>();
  readonly #completed = new Set<string>();
  readonly #listeners: ((invalidation: Invalidation) => void)[] = [];

  constructor(dependencies: CloudFrontDependencies) {
    this.#clock = dependencies.clock;
  }

  createDistribution(bucket: string): Distribution {
    const id = `E${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`;
    const distribution: Distribution = { id, bucket, invalidations: [] };
    this.#distributions.set(id, distribution);
    return distribution;
  }

  distribution(id: string): Distribution | undefined {
    return this.#distributions.get(id);
  }

  /** Called once per invalidation when it completes (the edge cache drops its paths then). */
  onCompleted(listener: (invalidation: Invalidation) => void): void {
    this.#listeners.push(listener);
  }

  status(invalidation: Invalidation): 'InProgress' | 'Completed' {
    const done = this.#clock().getTime() - invalidation.createdAt.getTime() >= this.completionMs;
    if (done && !this.#completed.has(invalidation.id)) {
      this.#completed.add(invalidation.id);
      for (const listener of this.#listeners) listener(invalidation);
    }
    return done ? 'Completed' : 'InProgress';
  }

  async handle(call: ActionCall<CloudFrontInput>): Promise<string> {
    const distribution = this.#distributions.get(call.input.distributionId);
    if (distribution === undefined) throw noSuchDistribution();
    if (call.action === 'ListInvalidations') {
      const items = distribution.invalidations
        .slice(-100)
        .reverse()
        .map(
          (i) =>
            `<InvalidationSummary><Id>${i.id}</Id><CreateTime>${isoSeconds(i.createdAt)}</CreateTime><Status>${this.status(i)}</Status></InvalidationSummary>`,
        )
        .join('');
      const count = Math.min(distribution.invalidations.length, 100);
      return `<InvalidationList xmlns="${NS}"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>${count}</Quantity>${count > 0 ? `<Items>${items}</Items>` : ''}</InvalidationList>`;
    }
    if (call.action === 'GetInvalidation') {
      const invalidation = distribution.invalidations.find(
        (i) => i.id === call.input.invalidationId,
      );
      if (invalidation === undefined) {
        throw new ServiceError(
          'NoSuchInvalidation',
          404,
          'The specified invalidation does not exist.',
        );
      }
      return this.#xml(invalidation);
    }
    const batch = parseBatch(call.input.body);
    const existing = distribution.invalidations.find(
      (i) => i.callerReference === batch.callerReference,
    );
    if (existing !== undefined) {
      if (existing.paths.join('\n') !== batch.paths.join('\n')) {
        throw new ServiceError(
          'InvalidationBatchAlreadyExists',
          409,
          'The CallerReference you attempted to create the invalidation with is already in use.',
        );
      }
      return this.#xml(existing);
    }
    const invalidation: Invalidation = {
      id: `I${randomBytes(13).toString('hex').toUpperCase().slice(0, 25)}`,
      distributionId: distribution.id,
      paths: batch.paths,
      callerReference: batch.callerReference,
      createdAt: this.#clock(),
    };
    distribution.invalidations.push(invalidation);
    return this.#xml(invalidation);
  }

  #xml(i: Invalidation): string {
    const items = i.paths.map((p) => `<Path>${escapeXml(p)}</Path>`).join('');
    return `<Invalidation xmlns="${NS}"><Id>${i.id}</Id><Status>${this.status(i)}</Status><CreateTime>${isoSeconds(i.createdAt)}</CreateTime><InvalidationBatch><Paths><Quantity>${i.paths.length}</Quantity><Items>${items}</Items></Paths><CallerReference>${escapeXml(i.callerReference)}</CallerReference></InvalidationBatch></Invalidation>`;
  }
}

function parseBatch(body: string): { paths: string[]; callerReference: string } {
  const text = (pattern: RegExp) => pattern.exec(body)?.[1];
  const paths = [...body.matchAll(/<Path>([\s\S]*?)<\/Path>/g)].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>'),
  );
  const quantity = Number(text(/<Quantity>(\d+)<\/Quantity>/));
  const callerReference = text(/<CallerReference>([\s\S]*?)<\/CallerReference>/) ?? '';
  if (callerReference === '' || quantity !== paths.length || paths.length === 0) {
    throw new ServiceError(
      'InvalidArgument',
      400,
      'Your request contains one or more invalid invalidation paths, or the Quantity does not match the number of paths.',
    );
  }
  const bad = paths.find((p) => !p.startsWith('/') || (p.includes('*') && !p.endsWith('*')));
  if (bad !== undefined) {
    throw new ServiceError(
      'InvalidArgument',
      400,
      `Your request contains one or more invalid invalidation paths: ${bad}`,
    );
  }
  if (paths.length > 3000) {
    throw new ServiceError(
      'TooManyInvalidationsInProgress',
      400,
      'Processing your request will cause you to exceed the maximum number of in-progress invalidation paths.',
    );
  }
  return { paths, callerReference };
}

function cloudFrontProtocol(): Protocol<CloudFrontInput> {
  const respond = (
    status: number,
    body: string,
    requestId: string,
    extra = {},
  ): EmulatorResponse => ({
    status,
    headers: { 'x-amz-request-id': requestId, 'Content-Type': 'text/xml', ...extra },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  });
  return {
    name: 'rest-xml',
    throttlingCode: 'Throttling',
    parse(request) {
      const path = request.rawUrl.split('?')[0] ?? '';
      const match = new RegExp(`^/${VERSION}/distribution/([^/]+)/invalidation(?:/([^/]+))?$`).exec(
        path,
      );
      if (match === null) {
        throw new ServiceError(
          'InvalidAction',
          400,
          `No CloudFront operation at ${request.method} ${path}`,
        );
      }
      const input = {
        distributionId: decodeURIComponent(match[1] ?? ''),
        invalidationId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
        body: request.body.toString('utf8'),
      };
      if (request.method === 'POST' && input.invalidationId === undefined)
        return { action: 'CreateInvalidation', input };
      if (request.method === 'GET')
        return {
          action: input.invalidationId === undefined ? 'ListInvalidations' : 'GetInvalidation',
          input,
        };
      throw new ServiceError(
        'InvalidAction',
        400,
        `No CloudFront operation at ${request.method} ${path}`,
      );
    },
    success(action, output, requestId) {
      const xml = String(output);
      if (action !== 'CreateInvalidation') return respond(200, xml, requestId);
      const id = /<Id>([^<]+)<\/Id>/.exec(xml)?.[1] ?? '';
      return respond(201, xml, requestId, {
        Location: `https://cloudfront.amazonaws.com/${VERSION}/distribution/invalidation/${id}`,
      });
    },
    failure(error, requestId) {
      return respond(
        error.status,
        `<ErrorResponse xmlns="${NS}"><Error><Type>${error.faultType}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        requestId,
      );
    },
  };
}
