// AWS Signature Version 4 verification for header-signed requests
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CredentialStore, Identity } from './credentials.ts';
import { ServiceError } from './errors.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 5 * 60 * 1000;

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export interface AuthorizationHeader {
  readonly scope: CredentialScope;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** The parts of a request that SigV4 covers. */
export interface SignableRequest {
  readonly method: string;
  readonly rawUrl: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

const incomplete = (message: string) => new ServiceError('IncompleteSignature', 400, message);
const signatureMismatch = (message: string) =>
  new ServiceError('SignatureDoesNotMatch', 403, message);
const invalidToken = () =>
  new ServiceError(
    'InvalidClientTokenId',
    403,
    'The security token included in the request is invalid.',
  );

/** The credential scope's service name, used for routing; undefined when not SigV4-signed. */
export function signingServiceOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization)?.[1];
}

export function parseAuthorization(header: string): AuthorizationHeader {
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw incomplete(`Unsupported AWS 'algorithm': '${header.split(' ')[0] ?? ''}'`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) {
      throw incomplete(
        `'${part.trim()}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`,
      );
    }
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.has(name));
  if (missing.length > 0) {
    const required = missing.map((name) => `Authorization header requires '${name}' parameter.`);
    throw incomplete(`${required.join(' ')} Authorization=${header}`);
  }
  const [accessKeyId, date, region, service, terminator, ...rest] = (
    fields.get('Credential') ?? ''
  ).split('/');
  if (
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    terminator !== 'aws4_request' ||
    rest.length > 0
  ) {
    throw incomplete(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator ?? ''}'.`,
    );
  }
  return {
    scope: { accessKeyId, date, region, service },
    signedHeaders: (fields.get('SignedHeaders') ?? '').split(';'),
    signature: fields.get('Signature') ?? '',
  };
}

/** RFC 3986 encoding as SigV4 requires: everything but A-Z a-z 0-9 - _ . ~ */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const leading = rawPath.startsWith('/') ? '/' : '';
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  // Non-S3 services sign the already-encoded path encoded once more.
  return uriEncode(`${leading}${segments.join('/')}${trailing}`).replaceAll('%2F', '/');
}

function canonicalQuery(rawQuery: string): string {
  const pairs = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      return [uriEncode(safeDecode(key)), uriEncode(safeDecode(value))] as const;
    });
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) {
      values.push((rawHeaders[i + 1] ?? '').trim().replace(/\s+/g, ' '));
    }
  }
  return values;
}

function header(request: SignableRequest, name: string): string | undefined {
  const values = headerValues(request.rawHeaders, name.toLowerCase());
  return values.length === 0 ? undefined : values.join(',');
}

/** S3 signs the path as sent (encoded once, not normalised) and the payload hash it declares. */
export interface SigningRules {
  readonly s3?: boolean;
}

export function canonicalRequest(
  request: SignableRequest,
  signedHeaders: readonly string[],
  rules: SigningRules = {},
): string {
  const q = request.rawUrl.indexOf('?');
  const path = q === -1 ? request.rawUrl : request.rawUrl.slice(0, q);
  const query = q === -1 ? '' : request.rawUrl.slice(q + 1);
  const headers = signedHeaders
    .map((name) => `${name}:${headerValues(request.rawHeaders, name).join(',')}\n`)
    .join('');
  return [
    request.method,
    rules.s3 ? path || '/' : canonicalPath(path),
    canonicalQuery(query),
    headers,
    signedHeaders.join(';'),
    rules.s3 ? s3PayloadHash(request) : sha256Hex(request.body),
  ].join('\n');
}

function s3PayloadHash(request: SignableRequest): string {
  const declared = header(request, 'x-amz-content-sha256');
  if (declared === undefined) {
    throw new ServiceError(
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  if (declared === 'UNSIGNED-PAYLOAD') return declared;
  if (declared !== sha256Hex(request.body)) {
    throw new ServiceError(
      'XAmzContentSHA256Mismatch',
      400,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return declared;
}

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  return [ALGORITHM, amzDate, scopeText, sha256Hex(canonical)].join('\n');
}

export function signingKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  return hmac(serviceKey, 'aws4_request');
}

export function computeSignature(
  request: SignableRequest,
  authorization: AuthorizationHeader,
  amzDate: string,
  secretAccessKey: string,
  rules: SigningRules = {},
): string {
  const canonical = canonicalRequest(request, authorization.signedHeaders, rules);
  const key = signingKey(secretAccessKey, authorization.scope);
  return hmac(key, stringToSign(amzDate, authorization.scope, canonical)).toString('hex');
}

/**
 * Checks a header-signed request against the credentials the emulator knows and returns the
 * signer's identity. Order: key id, session token, expiry, date, signature, clock skew.
 */
export function authenticate(
  request: SignableRequest,
  store: CredentialStore,
  now: Date,
  rules: SigningRules = {},
): Identity {
  const authorizationHeader = header(request, 'authorization');
  if (authorizationHeader === undefined) {
    throw new ServiceError(
      'MissingAuthenticationToken',
      403,
      'Request is missing Authentication Token',
    );
  }
  const authorization = parseAuthorization(authorizationHeader);
  const credentials = store.get(authorization.scope.accessKeyId);
  if (credentials === undefined) throw invalidToken();
  if (header(request, 'x-amz-security-token') !== credentials.sessionToken) throw invalidToken();
  if (credentials.expiration !== undefined && now.getTime() >= credentials.expiration.getTime()) {
    throw new ServiceError(
      'ExpiredToken',
      400,
      'The security token included in the request is expired',
    );
  }

  const amzDate = requestTimestamp(request, authorizationHeader);
  if (amzDate.slice(0, 8) !== authorization.scope.date) {
    throw signatureMismatch(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${authorization.scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const expected = Buffer.from(
    computeSignature(request, authorization, amzDate, credentials.secretAccessKey, rules),
  );
  const given = Buffer.from(authorization.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw signatureMismatch(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  checkSkew(amzDate, now);
  return credentials.identity;
}

/** X-Amz-Date, or the Date header in ISO 8601 basic format. */
function requestTimestamp(request: SignableRequest, authorizationHeader: string): string {
  const amzDate = header(request, 'x-amz-date');
  if (amzDate !== undefined) {
    if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
      throw incomplete(
        `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
    return amzDate;
  }
  const date = header(request, 'date');
  const parsed = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(parsed)) {
    throw incomplete(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorizationHeader}`,
    );
  }
  return basicIso(new Date(parsed));
}

function checkSkew(amzDate: string, now: Date): void {
  const signedAt = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  const nowText = basicIso(now);
  if (signedAt < now.getTime() - MAX_SKEW_MS) {
    const limit = basicIso(new Date(now.getTime() - MAX_SKEW_MS));
    throw signatureMismatch(
      `Signature expired: ${amzDate} is now earlier than ${limit} (${nowText} - 5 min.)`,
    );
  }
  if (signedAt > now.getTime() + MAX_SKEW_MS) {
    const limit = basicIso(new Date(now.getTime() + MAX_SKEW_MS));
    throw signatureMismatch(
      `Signature not yet current: ${amzDate} is still later than ${limit} (${nowText} + 5 min.)`,
    );
  }
}

function basicIso(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
