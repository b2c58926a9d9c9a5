// A minimal OpenID Connect issuer for emulator tests: serves discovery and JWKS over HTTP and
// signs RS256 tokens by hand. (The full GitHub-like token server lives in test/harness.)
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';

export interface TestingIssuer {
  /** Issuer URL: the `iss` to register with the emulator. */
  readonly url: string;
  readonly kid: string;
  /** Signs claims; `iss` defaults to this issuer. Pass another key to forge a bad signature. */
  token(
    claims: Record<string, unknown>,
    options?: { kid?: string; privateKey?: KeyObject },
  ): string;
  /** Answer discovery/JWKS requests with this HTTP status (undefined restores normal service). */
  failWith(status: number | undefined): void;
  /** Discovery and JWKS requests served so far. */
  readonly requests: number;
  close(): Promise<void>;
}

export function signJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  privateKey: KeyObject,
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export const newRsaKey = (): KeyObject =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export async function startTestingIssuer(): Promise<TestingIssuer> {
  const privateKey = newRsaKey();
  const kid = 'test-key-1';
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e, kid, use: 'sig', alg: 'RS256' };
  let failure: number | undefined;
  let requests = 0;
  let url = '';

  const server = createServer((req, res) => {
    requests += 1;
    const respond = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (failure !== undefined) return respond(failure, { error: 'unavailable' });
    if (req.url === '/.well-known/openid-configuration') {
      return respond(200, {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === '/.well-known/jwks') return respond(200, { keys: [publicJwk] });
    respond(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('issuer has no TCP address');
  url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    kid,
    token(claims, options = {}) {
      return signJwt(
        { alg: 'RS256', typ: 'JWT', kid: options.kid ?? kid },
        { iss: url, ...claims },
        options.privateKey ?? privateKey,
      );
    },
    failWith(status) {
      failure = status;
    },
    get requests() {
      return requests;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
