// A small GitHub REST caller on node:http (http-send.ts): GitHub's headers, a time limit per request, the
// rate-limit retries GitHub asks for, and `Link: rel="next"` pagination. It never puts the token
// in an error or a log line. Issue comments use it today; deployments and reactions can.
import { type Sleep, sleep as wallClockSleep } from '../lib/clock.ts';
import { shown, UserError } from '../lib/errors.ts';
import { SUITE_NAME, SUITE_VERSION } from '../lib/version.ts';
import { type SentResponse, send } from './http-send.ts';

export interface GitHubRestOptions {
  readonly token: string;
  /** GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  readonly apiUrl: string;
  readonly userAgent?: string;
  readonly sleep?: Sleep;
  /** Epoch milliseconds, for `x-ratelimit-reset`. */
  readonly now?: () => number;
  readonly requestTimeoutMs?: number;
  /** The longest single wait a rate limit may impose before the call gives up. */
  readonly maxRateLimitWaitMs?: number;
  /** Attempts per request, the first included. */
  readonly maxAttempts?: number;
  /** Lines for people (retries); never holds the token. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** A response GitHub sent with a status other than 2xx. */
export class GitHubApiError extends Error {
  readonly status: number;
  /** GitHub's own `message`, cut to one short line. */
  readonly githubMessage: string;
  /** The `errors[].message` of a 422 Validation Failed. */
  readonly details: readonly string[];
  readonly method: string;
  readonly path: string;

  constructor(
    method: string,
    path: string,
    status: number,
    githubMessage: string,
    details: string[],
  ) {
    super(`GitHub answered ${status} to ${method} ${path}: ${githubMessage}`);
    this.name = 'GitHubApiError';
    this.status = status;
    this.githubMessage = githubMessage;
    this.details = details;
    this.method = method;
    this.path = path;
  }
}

/** GitHub could not be reached, or did not answer in time, on every attempt. */
export class GitHubUnreachableError extends Error {
  readonly method: string;
  constructor(method: string, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'GitHubUnreachableError';
    this.method = method;
  }
}

/** A rate limit that would take longer than the caller is willing to wait. */
export class GitHubRateLimitError extends Error {
  readonly waitMs: number;
  constructor(message: string, waitMs: number) {
    super(message);
    this.name = 'GitHubRateLimitError';
    this.waitMs = waitMs;
  }
}

export interface GitHubResponse<T> {
  readonly status: number;
  readonly data: T;
  readonly headers: { get(name: string): string | null };
}

export interface GitHubRest {
  /** `path` starts with `/` and is relative to the API root; `url` (absolute) is used as given. */
  request<T>(method: string, pathOrUrl: string, body?: unknown): Promise<GitHubResponse<T>>;
  /** Every page of a list, following `Link: rel="next"` (same origin as the API only). */
  pages<T>(path: string): AsyncGenerator<T[]>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
const MAX_PAGES = 1000;

export function gitHubRest(options: GitHubRestOptions): GitHubRest {
  const root = parseApiUrl(options.apiUrl);
  const token = options.token.trim();
  // fetch would name an invalid header value, token and all, in its error.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UserError(
      'The GitHub token has characters no token has (a space, a line break, a non-ASCII letter): pass the token alone.',
    );
  }
  /** Belt and braces for messages that come from elsewhere. */
  const redact = (text: string) => text.split(token).join('***');
  const sleep = options.sleep ?? wallClockSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxWaitMs = options.maxRateLimitWaitMs ?? 5 * 60_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const log = options.log ?? (() => {});
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${token}`,
    'user-agent': options.userAgent ?? `${SUITE_NAME}/${SUITE_VERSION}`,
    'x-github-api-version': '2022-11-28',
  };

  async function request<T>(method: string, pathOrUrl: string, body?: unknown) {
    const url = pathOrUrl.startsWith('/') ? `${root.href}${pathOrUrl}` : pathOrUrl;
    const shownPath = displayPath(url, root);
    for (let attempt = 1; ; attempt++) {
      const signal = options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs);
      let response: SentResponse;
      try {
        response = await send(url, {
          method,
          headers:
            body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal,
        });
      } catch (error) {
        options.signal?.throwIfAborted();
        const why = signal.aborted
          ? `did not answer within ${timeoutMs} ms`
          : `could not be reached (${redact(networkReason(error))})`;
        // A POST that may have reached GitHub is not repeated here: the caller decides.
        if (!IDEMPOTENT.has(method) || attempt >= maxAttempts) {
          throw new GitHubUnreachableError(method, `GitHub's API at ${root.host} ${why}`, error);
        }
        await backOff(attempt, `GitHub's API ${why}`);
        continue;
      }
      const { text } = response;
      if (response.ok) {
        const data = parseJson(text);
        if (data === NOT_JSON) {
          throw new UserError(
            `${root.href} answered ${method} ${shownPath} with something other than JSON: it is not GitHub's REST API; check GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).`,
          );
        }
        return { status: response.status, data: data as T, headers: response.headers };
      }
      const error = apiError(method, shownPath, response.status, text);
      const wait = rateLimitWait(response, error, attempt, now());
      if (wait !== undefined && attempt < maxAttempts) {
        if (wait > maxWaitMs) {
          throw new GitHubRateLimitError(
            `GitHub's rate limit for this token allows the next request in ${Math.ceil(wait / 1000)} s, longer than the ${Math.round(maxWaitMs / 1000)} s this step waits: re-run the job later`,
            wait,
          );
        }
        log(
          `GitHub's rate limit (${response.status}) on ${method} ${shownPath}: waiting ${Math.ceil(wait / 1000)} s before attempt ${attempt + 1} of ${maxAttempts}.`,
        );
        await sleep(wait, options.signal);
        continue;
      }
      const transient = response.status >= 500 && IDEMPOTENT.has(method);
      if (transient && attempt < maxAttempts) {
        await backOff(attempt, `GitHub answered ${response.status} to ${method} ${shownPath}`);
        continue;
      }
      throw error;
    }
  }

  async function backOff(attempt: number, what: string): Promise<void> {
    const delay = 1000 * 2 ** (attempt - 1);
    log(`${what}: retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${maxAttempts}).`);
    await sleep(delay, options.signal);
  }

  async function* pages<T>(path: string): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    for (let page = 1; next !== undefined; page++) {
      if (page > MAX_PAGES)
        throw new UserError(`GitHub's list at ${path} has more than ${MAX_PAGES} pages`);
      const response: GitHubResponse<T[]> = await request<T[]>('GET', next);
      if (!Array.isArray(response.data))
        throw new UserError(`GitHub's list at ${path} is not a list: check GITHUB_API_URL.`);
      yield response.data;
      next = nextLink(response.headers.get('link'));
      if (next !== undefined && new URL(next).origin !== root.origin) {
        // The token goes only to the API it was given for.
        throw new UserError(
          `GitHub's next page is on another host (${new URL(next).host}); not followed`,
        );
      }
    }
  }

  return { request, pages };
}

function parseApiUrl(apiUrl: string): {
  href: string;
  origin: string;
  host: string;
  pathname: string;
} {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UserError(`GITHUB_API_URL is not a URL: ${shown(apiUrl)}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`GITHUB_API_URL must be an http(s) URL: ${shown(apiUrl)}.`);
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  return { href: `${url.origin}${pathname}`, origin: url.origin, host: url.host, pathname };
}

/** The request's path below the API root, query left out (it can be long; it never holds secrets). */
function displayPath(url: string, root: { origin: string; pathname: string }): string {
  const { origin, pathname } = new URL(url);
  const below =
    origin === root.origin && pathname.startsWith(root.pathname)
      ? pathname.slice(root.pathname.length)
      : pathname;
  return below || '/';
}

function apiError(method: string, path: string, status: number, text: string): GitHubApiError {
  let message = '';
  let details: string[] = [];
  try {
    const json = JSON.parse(text) as { message?: unknown; errors?: unknown };
    if (typeof json.message === 'string') message = json.message;
    if (Array.isArray(json.errors)) {
      details = json.errors
        .map((e: unknown) =>
          typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : '',
        )
        .filter((m) => m !== '');
    }
  } catch {
    // an HTML error page from a proxy or a load balancer: the status says enough
  }
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const cut = oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
  return new GitHubApiError(method, path, status, cut || `HTTP ${status}`, details);
}

/**
 * GitHub's rules for a limited request: `retry-after` seconds when sent; else, with
 * `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`; else, for a secondary limit, at least a
 * minute, doubling on each retry.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
 */
function rateLimitWait(
  response: SentResponse,
  error: GitHubApiError,
  attempt: number,
  nowMs: number,
): number | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter !== null && /^[0-9]+$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const reset = response.headers.get('x-ratelimit-reset');
  if (
    response.headers.get('x-ratelimit-remaining') === '0' &&
    reset !== null &&
    /^[0-9]+$/.test(reset)
  ) {
    return Math.max(1000, Number(reset) * 1000 - nowMs + 1000);
  }
  if (/rate limit/i.test(error.githubMessage) || response.status === 429) {
    return 60_000 * 2 ** (attempt - 1);
  }
  return undefined;
}

function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (match !== null && /\brel="?next"?/.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/** The socket's error code (ECONNREFUSED, …), on the error or its cause; duck-typed, since
 * errors from node's network code can come from another realm (jest's VM). */
function networkReason(error: unknown): string {
  const own = (error as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return String((error as { message?: unknown } | null)?.message ?? error);
}
