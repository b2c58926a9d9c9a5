import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialStore } from './credentials.ts';
import { internalFailure, ServiceError, serviceUnavailable } from './errors.ts';
import { Faults, type FaultKind, type FaultSpec } from './faults.ts';
import { ServiceRegistry, type RouteKeys } from './registry.ts';
import type { EmulatorRequest, EmulatorResponse, Service } from './service.ts';
import { authenticate } from './sigv4.ts';
import { Sts, type StsSetup } from './sts.ts';
import { element } from './xml.ts';
import { CloudWatch } from './cloudwatch.ts';
import { Ecs, type EcsOptions } from './ecs/service.ts';
import { startDockerRegistry, type DockerRegistry } from './ecr/docker-registry.ts';
import { RegistryClient } from './ecr/registry-client.ts';
import { RegistryFront } from './ecr/registry-front.ts';
import { Ecr, type EcrOptions } from './ecr/service.ts';
import { Elbv2 } from './elbv2.ts';
import { CloudWatchLogs } from './logs.ts';
import { SecretsManager } from './secrets-manager.ts';
import { Sns } from './sns.ts';
import { Ssm } from './ssm.ts';
import { S3 } from './s3.ts';
import { CloudFront } from './cloudfront.ts';
import { CloudFormation, s3ObjectOfUrl } from './cloudformation.ts';
import { MetricStore } from './metrics.ts';
import { TrafficModel, type TrafficOptions } from './traffic.ts';
import { Scenario, timeScale } from './world.ts';

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * The emulator's one time source: credential and token expiry, SigV4 clock-skew checks, target
   * health, the traffic model's minutes and the services' timestamps. The real clock by default.
   */
  readonly clock?: () => Date;
  readonly sts?: StsSetup;
  /** The test's script for the world; a new empty one by default (`emulator.scenario`). */
  readonly scenario?: Scenario;
  /** Durations in AWS units run this many times faster; traffic counts `factor` s per real s. */
  readonly timeScale?: number;
  /** Seed of the traffic model's pseudo-random numbers (default 1). */
  readonly seed?: number;
  /** Traffic-model timer period in real ms (default 1000). */
  readonly trafficTickMs?: TrafficOptions['tickMs'];
  /** ECS: region, account, pacing; `world` swaps in stand-ins for ELBv2, CloudWatch or Logs. */
  readonly ecs?: EcsOptions;
  /** ECR: region, account, and `registry: true` to start a docker-registry behind it. */
  readonly ecr?: EcrOptions;
  /** Secrets Manager: the region and account its ARNs name (a world built from a stack's template). */
  readonly secretsManager?: { readonly region?: string; readonly accountId?: string };
}

/** One request, as the call log keeps it. Never holds tokens, keys or other parameters. */
export interface CallRecord {
  /** Service name ('sts', …) or 'unknown' when the request could not be routed. */
  readonly service: string;
  /** Action name, or '' when it could not be read. */
  readonly action: string;
  readonly at: Date;
  /** HTTP status sent; 0 when a hang or reset fault sent nothing. */
  readonly status: number;
  /** The error code returned, for non-2xx responses. */
  readonly errorCode?: string;
  /** The injected fault that disturbed this call, if any. */
  readonly fault?: FaultKind;
}

export interface Emulator {
  /** e.g. http://127.0.0.1:40123, for `endpoint` or AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly port: number;
  /** Every request in arrival order (entries are appended when the outcome is known). */
  readonly calls: CallRecord[];
  readonly faults: Faults;
  readonly sts: Sts;
  readonly scenario: Scenario;
  readonly elbv2: Elbv2;
  readonly cloudwatch: CloudWatch;
  readonly logs: CloudWatchLogs;
  readonly traffic: TrafficModel;
  readonly ecs: Ecs;
  readonly ecr: Ecr;
  /** The /v2 registry endpoint in front of docker-registry; undefined without `ecr.registry`. */
  readonly registry: RegistryFront | undefined;
  readonly secretsManager: SecretsManager;
  /** SNS Publish to topics a test creates; `published` records what was sent. */
  readonly sns: Sns;
  /** Parameter Store: GetParameter/GetParameters of String parameters. */
  readonly ssm: Ssm;
  readonly s3: S3;
  readonly cloudfront: CloudFront;
  readonly cloudformation: CloudFormation;
  /** Stops listening and destroys every connection, including hung and keep-alive ones. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = options.clock ?? (() => new Date());
  const lifetime = new AbortController();
  const credentials = new CredentialStore();
  const sts = new Sts({ credentials, clock, signal: lifetime.signal }, options.sts);
  const scenario = options.scenario ?? new Scenario();
  const scale = timeScale(options.timeScale);
  const metrics = new MetricStore();
  const elbv2 = new Elbv2({ clock, scenario, timeScale: scale });
  const cloudwatch = new CloudWatch({ clock, metrics });
  const logs = new CloudWatchLogs({ clock });
  const traffic = new TrafficModel(
    { elbv2, metrics, scenario, clock, timeScale: scale },
    {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.trafficTickMs === undefined ? {} : { tickMs: options.trafficTickMs }),
    },
  );
  elbv2.onBeforeChange(() => traffic.advance());
  cloudwatch.onBeforeRead(() => traffic.advance());
  traffic.onTick(() => cloudwatch.evaluateAlarms());
  lifetime.signal.addEventListener('abort', () => traffic.stop());
  const ecs = new Ecs(
    {
      clock,
      timeScale: scale,
      signal: lifetime.signal,
      scenario,
      world: {
        loadBalancing: elbv2,
        alarms: cloudwatch,
        logs,
        // The traffic model only sees the real ELBv2's targets.
        ...(options.ecs?.world?.loadBalancing === undefined ? { traffic } : {}),
        ...options.ecs?.world,
      },
    },
    options.ecs,
  );
  const ecr = new Ecr({ clock }, options.ecr);
  const secretsManager = new SecretsManager({ clock, ...options.secretsManager });
  const sns = new Sns({ clock });
  const ssm = new Ssm({ clock });
  const s3 = new S3({ clock });
  const cloudfront = new CloudFront({ clock });
  const cloudformation = new CloudFormation({
    clock,
    readTemplateUrl: (url) => {
      const object = s3ObjectOfUrl(url);
      return object && s3.bucket(object.bucket)?.objects.get(object.key)?.body;
    },
  });
  const registry = new ServiceRegistry([
    sts,
    elbv2,
    cloudwatch,
    logs,
    ecs,
    ecr,
    secretsManager,
    sns,
    ssm,
    s3,
    cloudfront,
    cloudformation,
  ]);
  const faults = new Faults();
  let dockerRegistry: DockerRegistry | undefined;
  let registryFront: RegistryFront | undefined;
  const calls: CallRecord[] = [];

  const log = (entry: Omit<CallRecord, 'at'>, at: Date) => calls.push({ ...entry, at });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = clock();
    const requestId = randomUUID();
    const body = await readBody(req);
    if (body === undefined) return;
    if (registryFront && /^\/v2(\/|$)/.test(req.url ?? '')) {
      return registryFront.handle(req, res, body);
    }
    const request: EmulatorRequest = {
      method: req.method ?? 'GET',
      rawUrl: req.url ?? '/',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
    };
    const keys = registry.routeKeys(request);
    const service = registry.route(keys);
    if (service === undefined) {
      const { error, response } = unroutable(keys, requestId);
      send(res, response);
      const action = keys.queryAction ?? '';
      log({ service: 'unknown', action, status: error.status, errorCode: error.code }, at);
      return;
    }

    let action = '';
    let fault: FaultSpec | undefined;
    let failure: ServiceError | undefined;
    let response: EmulatorResponse;
    try {
      const parsed = service.protocol.parse(request, service.actions);
      action = parsed.action;
      fault = faults.take(service.name, action);
      if (fault !== undefined) {
        const proceed = await applyFault(fault, service, res);
        if (!proceed) {
          log({ service: service.name, action, status: 0, fault: fault.kind }, at);
          return;
        }
      }
      const caller = service.unsignedActions.has(action)
        ? undefined
        : authenticate(request, credentials, clock(), service.signingRules);
      const output = await service.handle({ action, input: parsed.input, caller, requestId });
      response = service.protocol.success(action, output, requestId);
    } catch (error) {
      if (!(error instanceof ServiceError)) console.error('emulator: unexpected error', error);
      failure = error instanceof ServiceError ? error : internalFailure();
      response = service.protocol.failure(failure, requestId, request);
    }
    send(res, response);
    log(
      {
        service: service.name,
        action,
        status: response.status,
        ...(failure === undefined ? {} : { errorCode: failure.code }),
        ...(fault === undefined ? {} : { fault: fault.kind }),
      },
      at,
    );
  }

  /** Resolves true when the call should go on to be handled normally. */
  async function applyFault(
    fault: FaultSpec,
    service: Service,
    res: ServerResponse,
  ): Promise<boolean> {
    switch (fault.kind) {
      case 'throttle':
        throw new ServiceError(
          service.protocol.throttlingCode,
          service.protocol.throttlingStatus ?? 400,
          'Rate exceeded',
        );
      case 'server-error':
        throw fault.status === 503 ? serviceUnavailable() : internalFailure();
      case 'delay':
        try {
          await sleep(fault.delayMs ?? 0, undefined, { signal: lifetime.signal });
          return true;
        } catch {
          return false;
        }
      case 'hang':
        return false;
      case 'reset':
        res.socket?.destroy();
        return false;
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error('emulator: request failed', error);
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('emulator has no TCP address');

  traffic.start();
  const url = `http://127.0.0.1:${address.port}`;
  if (options.ecr?.registry) {
    try {
      dockerRegistry = await startDockerRegistry(ecr.password);
    } catch (error) {
      lifetime.abort();
      server.close();
      throw error;
    }
    registryFront = new RegistryFront(ecr, faults, dockerRegistry.url);
    ecr.attachRegistry(new RegistryClient(dockerRegistry.url, 'AWS', ecr.password), url);
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    calls,
    faults,
    sts,
    scenario,
    elbv2,
    cloudwatch,
    logs,
    traffic,
    ecs,
    ecr,
    registry: registryFront,
    secretsManager,
    sns,
    ssm,
    s3,
    cloudfront,
    cloudformation,
    close() {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => dockerRegistry?.close());
      return closing;
    },
  };
}

/** The request body, or undefined when the client went away first. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  if (res.destroyed || res.headersSent) return;
  const body = response.binary ?? response.body;
  res.writeHead(response.status, {
    'Content-Length': String(Buffer.byteLength(body)),
    // A HEAD response says the length of what a GET would send.
    ...response.headers,
  });
  res.end(body);
}

/** A request no registered service claims, answered in the shape its client expects. */
function unroutable(
  keys: RouteKeys,
  requestId: string,
): { error: ServiceError; response: EmulatorResponse } {
  const message = `The emulator does not implement this request (signing service: ${keys.signingName ?? 'none'}, X-Amz-Target: ${keys.target ?? 'none'}, Action: ${keys.queryAction ?? 'none'}).`;
  if (keys.target !== undefined) {
    const error = new ServiceError('UnknownOperationException', 400, message);
    const body = JSON.stringify({ __type: error.code, message });
    const headers = {
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': error.code,
      'Content-Type': 'application/x-amz-json-1.1',
    };
    return { error, response: { status: error.status, headers, body } };
  }
  const error = new ServiceError('InvalidAction', 400, message);
  const body = element('ErrorResponse', {
    Error: { Type: error.faultType, Code: error.code, Message: message },
    RequestId: requestId,
  });
  const headers = { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml' };
  return { error, response: { status: error.status, headers, body } };
}
