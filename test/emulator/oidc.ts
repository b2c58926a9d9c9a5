// OpenID Connect ID-token checks STS performs: JWT decoding, discovery of the issuer's
// JWKS over HTTP, and RS256 signature verification.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { ServiceError } from './errors.ts';

export type JwtClaims = { readonly [claim: string]: unknown };

export interface DecodedJwt {
  readonly header: {
    readonly alg?: unknown;
    readonly kid?: unknown;
    readonly [key: string]: unknown;
  };
  readonly claims: JwtClaims;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const GENERIC_INVALID =
  'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.';

export const invalidIdentityToken = (message = GENERIC_INVALID) =>
  new ServiceError('InvalidIdentityToken', 400, message);

const idpCommunicationError = () =>
  new ServiceError(
    'IDPCommunicationError',
    400,
    'The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached. This is often a transient error caused by network conditions. Retry the request a limited number of times and wait between attempts to be more likely to succeed.',
  );

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw invalidIdentityToken();
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw invalidIdentityToken();
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (
    parts.length !== 3 ||
    headerPart === undefined ||
    payloadPart === undefined ||
    signaturePart === undefined
  ) {
    throw invalidIdentityToken();
  }
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(payloadPart);
  if (!isObject(header) || !isObject(claims) || !/^[A-Za-z0-9_-]+$/.test(signaturePart)) {
    throw invalidIdentityToken();
  }
  return {
    header,
    claims,
    signingInput: `${headerPart}.${payloadPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

export function verifyRs256(jwt: DecodedJwt, jwk: JsonWebKey): boolean {
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return verify('RSA-SHA256', Buffer.from(jwt.signingInput), key, jwt.signature);
  } catch {
    return false;
  }
}

export interface IssuerKeysOptions {
  /** How long a fetched JWKS is reused (ms). */
  readonly cacheMs: number;
  /** Per-request timeout for discovery and JWKS fetches (ms). */
  readonly timeoutMs: number;
  /** Aborts outstanding fetches when the emulator closes. */
  readonly signal: AbortSignal;
}

interface CachedKeys {
  readonly keys: readonly JsonWebKey[];
  readonly fetchedAt: number;
}

/** Fetches `<iss>/.well-known/openid-configuration`, then its `jwks_uri`, and caches the keys. */
export class IssuerKeys {
  readonly #options: IssuerKeysOptions;
  readonly #cache = new Map<string, CachedKeys>();

  constructor(options: IssuerKeysOptions) {
    this.#options = options;
  }

  /** The key with this kid; a cached set without it is refetched once (key rotation). */
  async find(issuer: string, kid: string | undefined): Promise<JsonWebKey | undefined> {
    const cached = this.#cache.get(issuer);
    const fresh =
      cached !== undefined && performance.now() - cached.fetchedAt < this.#options.cacheMs;
    const hit = fresh ? pick(cached.keys, kid) : undefined;
    if (hit !== undefined) return hit;
    const keys = await this.#fetchKeys(issuer);
    this.#cache.set(issuer, { keys, fetchedAt: performance.now() });
    return pick(keys, kid);
  }

  clear(): void {
    this.#cache.clear();
  }

  async #fetchKeys(issuer: string): Promise<JsonWebKey[]> {
    const discovery = await this.#getJson(
      `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    );
    const jwksUri = isObject(discovery) ? discovery['jwks_uri'] : undefined;
    if (typeof jwksUri !== 'string') throw idpCommunicationError();
    const jwks = await this.#getJson(jwksUri);
    const keys = isObject(jwks) ? jwks['keys'] : undefined;
    if (!Array.isArray(keys)) throw idpCommunicationError();
    return keys.filter(isObject) as JsonWebKey[];
  }

  async #getJson(url: string): Promise<unknown> {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.any([
          this.#options.signal,
          AbortSignal.timeout(this.#options.timeoutMs),
        ]),
      });
      if (!response.ok) throw idpCommunicationError();
      return await response.json();
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      throw idpCommunicationError();
    }
  }
}

function pick(keys: readonly JsonWebKey[], kid: string | undefined): JsonWebKey | undefined {
  const signing = keys.filter(
    (key) => key.kty === 'RSA' && (key.use === undefined || key.use === 'sig'),
  );
  if (kid === undefined) return signing.length === 1 ? signing[0] : undefined;
  return signing.find((key) => key.kid === kid);
}
