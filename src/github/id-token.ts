// Fetches a GitHub Actions OIDC token the way the runner hands it out: a GET to
// ACTIONS_ID_TOKEN_REQUEST_URL (&audience=…) with ACTIONS_ID_TOKEN_REQUEST_TOKEN as a bearer token.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UserError } from '../lib/errors.ts';
import { type FetchIdToken, IdTokenRequestError } from '../oidc/ports.ts';

export interface IdTokenRequestEnv {
  ACTIONS_ID_TOKEN_REQUEST_URL?: string | undefined;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN?: string | undefined;
}

export const MISSING_ID_TOKEN_PERMISSION =
  "This job cannot request a GitHub OIDC token: add 'permissions: id-token: write' to the job (or the workflow) that runs this step. Pull requests from forks never get one.";

/** Throws the permission error at once when the job has no token endpoint. */
export function idTokenFetcher(env: IdTokenRequestEnv, attemptTimeoutMs = 10_000): FetchIdToken {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) throw new UserError(MISSING_ID_TOKEN_PERMISSION);

  return async (audience, signal) => {
    const url = new URL(requestUrl);
    url.searchParams.set('audience', audience);
    // One signal for the whole attempt, body included: a stalled answer is a timeout too.
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(attemptTimeoutMs)]);
    let response: { status: number; body: string };
    try {
      response = await httpGet(url, { authorization: `Bearer ${requestToken}` }, attempt);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const why = attempt.aborted
        ? `did not answer within ${attemptTimeoutMs} ms`
        : 'could not be reached';
      throw new IdTokenRequestError(`GitHub's OIDC token endpoint ${why}`, true, error);
    }
    const { status } = response;
    if (status < 200 || status > 299) {
      const refused = status === 401 || status === 403;
      throw new IdTokenRequestError(
        `GitHub's OIDC token endpoint answered HTTP ${status}${refused ? ': the job token was refused; re-run the job' : ''}`,
        status >= 500 || status === 429,
      );
    }
    const value = parseTokenBody(response.body);
    if (value === undefined) {
      throw new IdTokenRequestError(`GitHub's OIDC token endpoint returned no token`, true);
    }
    return value;
  };
}

function parseTokenBody(body: string): string | undefined {
  try {
    const { value } = JSON.parse(body) as { value?: unknown };
    return typeof value === 'string' && value.split('.').length === 3 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A GET with node:http(s), not the global fetch: fetch loads Node's bundled undici on first use,
 * about 20 ms of start-up in a step that runs in every job (bench/README.md).
 */
function httpGet(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { headers: { ...headers, accept: 'application/json' }, signal },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
