// A local stand-in for GitHub's Actions OIDC service: the job-side token endpoint
// (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN) and the issuer side STS reads (discovery + JWKS).
import {
  generateKeyPair,
  randomBytes,
  randomUUID,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import {
  jobWorkflowRefOf,
  refTypeOf,
  repositoryOf,
  resolveContext,
  subjectOf,
  workflowRefOf,
  type GitHubContext,
  type GitHubContextOverrides,
} from './github-context.ts';
import { rsaJwkThumbprint, signJwt } from './jwt.ts';

export type EndpointMode = 'ok' | 'error-500' | 'hang';
/** A mode, or a failure mode for the next `times` requests only (then 'ok'). */
export type EndpointBehaviour = EndpointMode | { mode: 'error-500' | 'hang'; times: number };

export interface IssuerBehaviour {
  tokenEndpoint?: EndpointBehaviour;
  /** `/.well-known/openid-configuration`; also the JWKS unless `jwks` is set. */
  discovery?: EndpointBehaviour;
  jwks?: EndpointBehaviour;
}

export interface OidcIssuerOptions {
  context?: GitHubContextOverrides;
  /** Raw claim overrides applied last; an `undefined` value removes the claim. */
  claims?: Record<string, unknown>;
  /** Token lifetime; a negative value issues tokens that are already expired. Default 300. */
  ttlSeconds?: number;
  /** The value the job must send as `Authorization: Bearer …`. Random by default. */
  requestToken?: string;
  behaviour?: IssuerBehaviour;
  /** Clock in epoch milliseconds, for deterministic iat/nbf/exp. */
  now?: () => number;
  port?: number;
}

export interface IssuedToken {
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The `audience` query parameter as requested, `undefined` when none was sent. */
  requestedAudience: string | undefined;
  source: 'endpoint' | 'mint';
}

export interface MintOptions {
  header?: Record<string, unknown>;
  /** Sign with another key (e.g. to test signature rejection); `kid` stays the issuer's. */
  signingKey?: KeyObject;
}

export interface RequestCounts {
  token: number;
  unauthorized: number;
  discovery: number;
  jwks: number;
}

export interface OidcIssuer {
  /** Base URL, also the `iss` claim. */
  readonly url: string;
  readonly requestUrl: string;
  readonly requestToken: string;
  readonly discoveryUrl: string;
  readonly jwksUri: string;
  readonly kid: string;
  readonly publicJwk: JsonWebKey;
  readonly context: GitHubContext;
  readonly issued: readonly IssuedToken[];
  readonly requestCounts: Readonly<RequestCounts>;
  setContext(overrides: GitHubContextOverrides): void;
  setClaims(claims: Record<string, unknown>): void;
  setTtlSeconds(ttlSeconds: number): void;
  setBehaviour(behaviour: IssuerBehaviour): void;
  /** The claims a token requested now with this audience would carry. */
  claimsFor(audience?: string): Record<string, unknown>;
  mintToken(claimsOverrides?: Record<string, unknown>, options?: MintOptions): string;
  close(): Promise<void>;
}

const TOKEN_PATH_SUFFIX = '/idtoken';
const NOT_BEFORE_SKEW_SECONDS = 300;
const CLAIMS_SUPPORTED = [
  'sub',
  'aud',
  'exp',
  'iat',
  'iss',
  'jti',
  'nbf',
  'ref',
  'sha',
  'repository',
  'repository_id',
  'repository_owner',
  'repository_owner_id',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'actor_id',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'head_ref',
  'base_ref',
  'event_name',
  'ref_type',
  'ref_protected',
  'environment',
  'job_workflow_ref',
  'job_workflow_sha',
  'repository_visibility',
  'runner_environment',
];

export async function startOidcIssuer(options: OidcIssuerOptions = {}): Promise<OidcIssuer> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
  });
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (n === undefined || e === undefined) throw new Error('RSA public key export lacks n or e');
  const kid = rsaJwkThumbprint({ kty: 'RSA', n, e });
  const publicJwk: JsonWebKey = { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' };

  const now = options.now ?? Date.now;
  const requestToken = options.requestToken ?? `harness-request-${randomBytes(16).toString('hex')}`;
  let context = resolveContext(options.context ?? {});
  let rawClaims: Record<string, unknown> = { ...options.claims };
  let ttlSeconds = options.ttlSeconds ?? 300;
  const behaviour: Required<IssuerBehaviour> = { tokenEndpoint: 'ok', discovery: 'ok', jwks: 'ok' };
  const issued: IssuedToken[] = [];
  const requestCounts: RequestCounts = { token: 0, unauthorized: 0, discovery: 0, jwks: 0 };
  let jwksFollowsDiscovery = true;
  let closing: Promise<void> | undefined;

  const applyBehaviour = (next: IssuerBehaviour): void => {
    if (next.tokenEndpoint !== undefined)
      behaviour.tokenEndpoint = cloneBehaviour(next.tokenEndpoint);
    if (next.jwks !== undefined) {
      behaviour.jwks = cloneBehaviour(next.jwks);
      jwksFollowsDiscovery = false;
    }
    if (next.discovery !== undefined) {
      behaviour.discovery = cloneBehaviour(next.discovery);
      if (jwksFollowsDiscovery) behaviour.jwks = cloneBehaviour(next.discovery);
    }
  };
  if (options.behaviour) applyBehaviour(options.behaviour);

  const server = createServer((req, res) => {
    route(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const discoveryUrl = `${url}/.well-known/openid-configuration`;
  const jwksUri = `${url}/.well-known/jwks`;
  const requestUrl =
    `${url}/_apis/distributedtask/hubs/Actions/plans/${randomUUID()}/jobs/${randomUUID()}` +
    `${TOKEN_PATH_SUFFIX}?api-version=2.0`;

  function claimsFor(audience?: string): Record<string, unknown> {
    const iat = Math.floor(now() / 1000);
    const workflowRef = workflowRefOf(context);
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      sub: '',
      aud: audience ?? `https://github.com/${context.owner}`,
      ref: context.ref,
      sha: context.sha,
      repository: repositoryOf(context),
      repository_owner: context.owner,
      repository_owner_id: context.ownerId,
      run_id: context.runId,
      run_number: context.runNumber,
      run_attempt: context.runAttempt,
      repository_visibility: context.repositoryVisibility,
      repository_id: context.repositoryId,
      actor_id: context.actorId,
      actor: context.actor,
      workflow: context.workflow,
      head_ref: context.headRef,
      base_ref: context.baseRef,
      event_name: context.eventName,
      ref_protected: 'false',
      ref_type: refTypeOf(context.ref),
      workflow_ref: workflowRef,
      workflow_sha: context.sha,
      job_workflow_ref: jobWorkflowRefOf(context),
      job_workflow_sha: context.sha,
      runner_environment: context.runnerEnvironment,
      ...(context.environment === undefined ? {} : { environment: context.environment }),
      iss: url,
      nbf: iat - NOT_BEFORE_SKEW_SECONDS,
      exp: iat + ttlSeconds,
      iat,
    };
    claims['sub'] = subjectOf(context, claims);
    for (const [name, value] of Object.entries(rawClaims)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    return claims;
  }

  function sign(
    claims: Record<string, unknown>,
    requestedAudience: string | undefined,
    source: IssuedToken['source'],
    mint: MintOptions = {},
  ): string {
    const header = { typ: 'JWT', alg: 'RS256', kid, ...mint.header };
    const token = signJwt(header, claims, mint.signingKey ?? privateKey);
    issued.push({ token, header, claims, requestedAudience, source });
    return token;
  }

  // Returns true when the request was answered (or deliberately left hanging) here.
  function misbehave(key: keyof IssuerBehaviour, res: ServerResponse): boolean {
    const current = behaviour[key];
    const mode = typeof current === 'string' ? current : current.mode;
    if (typeof current !== 'string') {
      current.times -= 1;
      if (current.times <= 0) behaviour[key] = 'ok';
    }
    if (mode === 'ok') return false;
    if (mode === 'error-500') sendJson(res, 500, { message: 'Internal Server Error' });
    return true;
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const requestUrlParsed = new URL(req.url ?? '/', url);
    const path = requestUrlParsed.pathname;
    if (path === '/.well-known/openid-configuration' && req.method === 'GET') {
      requestCounts.discovery += 1;
      if (misbehave('discovery', res)) return;
      sendJson(res, 200, {
        issuer: url,
        jwks_uri: jwksUri,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: CLAIMS_SUPPORTED,
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
      });
      return;
    }
    if (path === '/.well-known/jwks' && req.method === 'GET') {
      requestCounts.jwks += 1;
      if (misbehave('jwks', res)) return;
      sendJson(res, 200, { keys: [publicJwk] });
      return;
    }
    if (path.endsWith(TOKEN_PATH_SUFFIX) && (req.method === 'GET' || req.method === 'POST')) {
      requestCounts.token += 1;
      if (misbehave('tokenEndpoint', res)) return;
      const authorization = req.headers.authorization ?? '';
      const match = /^bearer\s+(.+)$/i.exec(authorization);
      if (!match || match[1] !== requestToken) {
        requestCounts.unauthorized += 1;
        sendJson(res, 401, { message: 'Unauthorized' });
        return;
      }
      const audience = requestUrlParsed.searchParams.get('audience') ?? undefined;
      const token = sign(claimsFor(audience), audience, 'endpoint');
      sendJson(res, 200, { value: token });
      return;
    }
    sendJson(res, 404, { message: 'Not Found' });
  }

  return {
    url,
    requestUrl,
    requestToken,
    discoveryUrl,
    jwksUri,
    kid,
    publicJwk,
    get context() {
      return context;
    },
    issued,
    requestCounts,
    setContext(overrides) {
      context = resolveContext(context, overrides);
    },
    setClaims(claims) {
      rawClaims = { ...claims };
    },
    setTtlSeconds(seconds) {
      ttlSeconds = seconds;
    },
    setBehaviour: applyBehaviour,
    claimsFor,
    mintToken(claimsOverrides = {}, mint = {}) {
      const claims = claimsFor(
        typeof claimsOverrides['aud'] === 'string' ? claimsOverrides['aud'] : undefined,
      );
      for (const [name, value] of Object.entries(claimsOverrides)) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      return sign(claims, undefined, 'mint', mint);
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests would otherwise keep the server, and jest, alive.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function cloneBehaviour(value: EndpointBehaviour): EndpointBehaviour {
  return typeof value === 'string' ? value : { ...value };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
