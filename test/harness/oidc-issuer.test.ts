import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { decodeJwt } from './jwt.ts';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer.ts';

async function requestToken(
  issuer: OidcIssuer,
  audience?: string,
  bearer: string | null = issuer.requestToken,
): Promise<Response> {
  const url = audience
    ? `${issuer.requestUrl}&audience=${encodeURIComponent(audience)}`
    : issuer.requestUrl;
  return fetch(url, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
}

async function tokenClaims(
  issuer: OidcIssuer,
  audience?: string,
): Promise<Record<string, unknown>> {
  const response = await requestToken(issuer, audience);
  expect(response.status).toBe(200);
  const { value } = (await response.json()) as { value: string };
  return decodeJwt(value).claims;
}

async function verifyWithJwks(token: string, jwksUri: string): Promise<boolean> {
  const { header, signature, signingInput } = decodeJwt(token);
  const { keys } = (await (await fetch(jwksUri)).json()) as { keys: JsonWebKey[] };
  const jwk = keys.find((key) => key.kid === header['kid']);
  if (!jwk) return false;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return verify('sha256', Buffer.from(signingInput), key, signature);
}

describe('startOidcIssuer', () => {
  let issuer: OidcIssuer;
  const now = Date.UTC(2025, 0, 15, 12, 0, 0);

  beforeEach(async () => {
    issuer = await startOidcIssuer({ now: () => now });
  });
  afterEach(async () => {
    await issuer.close();
  });

  it('gives a request URL that already has a query string and a bearer token', () => {
    expect(issuer.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\/idtoken\?api-version=2\.0$/);
    expect(issuer.requestToken.length).toBeGreaterThan(20);
  });

  it('issues a token with GitHub claims for the default context', async () => {
    const claims = await tokenClaims(issuer, 'sts.amazonaws.com');
    expect(claims).toMatchObject({
      iss: issuer.url,
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-app:environment:staging',
      repository: 'octo-org/octo-app',
      repository_owner: 'octo-org',
      ref: 'refs/heads/main',
      ref_type: 'branch',
      environment: 'staging',
      event_name: 'push',
      workflow_ref: 'octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main',
      job_workflow_ref: 'octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main',
      runner_environment: 'github-hosted',
      iat: now / 1000,
      exp: now / 1000 + 300,
    });
    for (const name of [
      'repository_id',
      'repository_owner_id',
      'run_id',
      'run_number',
      'run_attempt',
      'actor',
      'actor_id',
      'sha',
      'workflow',
      'jti',
      'nbf',
    ]) {
      expect(claims).toHaveProperty(name);
    }
    expect(claims['nbf']).toBeLessThanOrEqual(now / 1000);
  });

  it('defaults the audience to the owner URL, like GitHub', async () => {
    expect((await tokenClaims(issuer))['aud']).toBe('https://github.com/octo-org');
  });

  it('computes the subject from environment, then pull_request, then ref', async () => {
    issuer.setContext({ environment: undefined, ref: 'refs/tags/v1.2.0' });
    const tagClaims = await tokenClaims(issuer);
    expect(tagClaims['sub']).toBe('repo:octo-org/octo-app:ref:refs/tags/v1.2.0');
    expect(tagClaims['ref_type']).toBe('tag');
    expect(tagClaims).not.toHaveProperty('environment');

    issuer.setContext({ eventName: 'pull_request', ref: 'refs/pull/7/merge' });
    expect((await tokenClaims(issuer))['sub']).toBe('repo:octo-org/octo-app:pull_request');

    issuer.setContext({ environment: 'production' });
    expect((await tokenClaims(issuer))['sub']).toBe(
      'repo:octo-org/octo-app:environment:production',
    );
  });

  it('supports customised subjects and reusable workflow refs', async () => {
    issuer.setContext({
      jobWorkflowRef: 'octo-org/ship/.github/workflows/deploy.yml@refs/tags/v1',
      subjectClaimKeys: ['repo', 'context', 'job_workflow_ref'],
    });
    expect((await tokenClaims(issuer))['sub']).toBe(
      'repo:octo-org/octo-app:environment:staging:job_workflow_ref:octo-org/ship/.github/workflows/deploy.yml@refs/tags/v1',
    );
  });

  it('applies raw claim overrides last, and removes claims set to undefined', async () => {
    issuer.setClaims({ sub: 'forged', environment: undefined });
    const claims = await tokenClaims(issuer);
    expect(claims['sub']).toBe('forged');
    expect(claims).not.toHaveProperty('environment');
    issuer.setClaims({});
    expect((await tokenClaims(issuer))['sub']).toMatch(/^repo:/);
  });

  it('issues already-expired tokens for a negative ttl', async () => {
    issuer.setTtlSeconds(-60);
    const claims = await tokenClaims(issuer);
    expect(claims['exp']).toBe(now / 1000 - 60);
    expect(claims['nbf'] as number).toBeLessThan(claims['exp'] as number);
  });

  it('refuses a missing or wrong request token with 401', async () => {
    expect((await requestToken(issuer, 'sts.amazonaws.com', 'wrong')).status).toBe(401);
    expect((await requestToken(issuer, 'sts.amazonaws.com', null)).status).toBe(401);
    expect(issuer.requestCounts).toMatchObject({ token: 2, unauthorized: 2 });
    expect(issuer.issued).toHaveLength(0);
  });

  it('records every issued token, each with a fresh jti', async () => {
    await tokenClaims(issuer, 'a');
    await tokenClaims(issuer, 'b');
    expect(issuer.issued.map((t) => t.requestedAudience)).toEqual(['a', 'b']);
    expect(issuer.issued[0]?.claims['jti']).not.toBe(issuer.issued[1]?.claims['jti']);
    expect(issuer.issued[0]?.token).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/);
  });

  it('publishes discovery and a JWKS that verifies its RS256 signatures', async () => {
    const discovery = (await (await fetch(issuer.discoveryUrl)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: issuer.url,
      jwks_uri: issuer.jwksUri,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
    });
    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: JsonWebKey[] };
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', kid: issuer.kid, alg: 'RS256', use: 'sig' }),
    ]);

    const response = await requestToken(issuer, 'sts.amazonaws.com');
    const { value } = (await response.json()) as { value: string };
    expect(decodeJwt(value).header).toEqual({ typ: 'JWT', alg: 'RS256', kid: issuer.kid });
    expect(await verifyWithJwks(value, issuer.jwksUri)).toBe(true);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = issuer.mintToken({}, { signingKey: privateKey });
    expect(await verifyWithJwks(forged, issuer.jwksUri)).toBe(false);
  });

  it('mints tokens directly, with overrides', () => {
    const token = issuer.mintToken({ aud: 'sts.amazonaws.com', repository: 'evil/repo' });
    const { claims } = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: 'sts.amazonaws.com',
      repository: 'evil/repo',
      iss: issuer.url,
    });
    expect(issuer.issued.at(-1)).toMatchObject({ token, source: 'mint' });
  });

  it('fails endpoints with 500 on request, once or until told otherwise', async () => {
    issuer.setBehaviour({ tokenEndpoint: { mode: 'error-500', times: 1 } });
    expect((await requestToken(issuer)).status).toBe(500);
    expect((await requestToken(issuer)).status).toBe(200);

    issuer.setBehaviour({ discovery: 'error-500' });
    expect((await fetch(issuer.discoveryUrl)).status).toBe(500);
    expect((await fetch(issuer.jwksUri)).status).toBe(500);
    issuer.setBehaviour({ jwks: 'ok' });
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
    expect((await fetch(issuer.discoveryUrl)).status).toBe(500);
    issuer.setBehaviour({ discovery: 'ok' });
    expect((await fetch(issuer.discoveryUrl)).status).toBe(200);
  });

  it('hangs on request, and close() still returns', async () => {
    issuer.setBehaviour({ tokenEndpoint: 'hang', discovery: 'hang' });
    await expect(
      fetch(issuer.requestUrl, {
        headers: { authorization: `Bearer ${issuer.requestToken}` },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    const pending = fetch(issuer.discoveryUrl).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await issuer.close();
    expect(await pending).toMatch(/fetch failed/);
    await issuer.close(); // idempotent, as afterEach calls it again
  });
});
