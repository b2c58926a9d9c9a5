// Fetches a GitHub Actions OIDC token the way the runner hands it out: a GET to
// ACTIONS_ID_TOKEN_REQUEST_URL (&audience=…) with ACTIONS_ID_TOKEN_REQUEST_TOKEN as a bearer token.
import { UserError } from '../lib/errors.ts';

export interface IdTokenRequestEnv {
  ACTIONS_ID_TOKEN_REQUEST_URL?: string | undefined;
  ACTIONS_ID_TOKEN_REQUEST_TOKEN?: string | undefined;
}

export type FetchIdToken = (audience: string, signal: AbortSignal) => Promise<string>;

export class IdTokenRequestError extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'IdTokenRequestError';
    this.retryable = retryable;
  }
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
    let response: Response;
    let body: { value?: unknown };
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' },
        signal: attempt,
      });
      body = response.ok ? ((await response.json().catch(() => ({}))) as { value?: unknown }) : {};
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const why = attempt.aborted
        ? `did not answer within ${attemptTimeoutMs} ms`
        : 'could not be reached';
      throw new IdTokenRequestError(`GitHub's OIDC token endpoint ${why}`, true, error);
    }
    if (!response.ok) {
      const refused = response.status === 401 || response.status === 403;
      throw new IdTokenRequestError(
        `GitHub's OIDC token endpoint answered HTTP ${response.status}${refused ? ': the job token was refused; re-run the job' : ''}`,
        response.status >= 500 || response.status === 429,
      );
    }
    if (typeof body.value !== 'string' || body.value.split('.').length !== 3) {
      throw new IdTokenRequestError(`GitHub's OIDC token endpoint returned no token`, true);
    }
    return body.value;
  };
}
