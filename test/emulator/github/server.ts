// A GitHub REST API on 127.0.0.1 for tests: GitHub's paths, JSON shapes, errors, pagination,
// rate-limit headers and the permission checks GitHub applies to a GITHUB_TOKEN. Separate from
// the AWS emulator (test/emulator/server.ts): a client points `apiUrl` / GITHUB_API_URL at it.
// New endpoints are a list of `Route`s added to ROUTES (see test/emulator/README.md).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Accounts, GITHUB_ACTIONS_BOT, type Account } from './accounts.ts';
import { badCredentials, GitHubError } from './errors.ts';
import { GitHubFaults, type GitHubFaultKind, type GitHubFaultSpec } from './faults.ts';
import { checkRoutes, statusRoutes } from './checks.ts';
import { collaboratorRoutes } from './collaborators.ts';
import { deploymentRoutes } from './deployments.ts';
import { gitRoutes } from './git.ts';
import { issueCommentRoutes } from './issue-comments.ts';
import { reactionRoutes } from './reactions.ts';
import { pullRoutes } from './pulls.ts';
import type { Route, RouteResult } from './route.ts';
import { Store } from './store.ts';
import { tokenFromHeader, type Token, type TokenSpec } from './tokens.ts';
import { userRoutes } from './users.ts';

const ROUTES: readonly Route[] = [
  ...userRoutes,
  ...pullRoutes,
  ...issueCommentRoutes,
  ...reactionRoutes,
  ...collaboratorRoutes,
  ...checkRoutes,
  ...statusRoutes,
  ...deploymentRoutes,
  ...gitRoutes,
];

/** The API version the emulator answers as (`X-GitHub-Api-Version`). */
export const API_VERSION = '2022-11-28';

export interface GitHubEmulatorOptions {
  readonly port?: number;
  /** Time source for timestamps and rate-limit windows; the real clock by default. */
  readonly clock?: () => Date;
  /** Serve under a path as GitHub Enterprise Server does (`/api/v3`); none by default. */
  readonly pathPrefix?: string;
  /** Requests per hour for anonymous callers (GitHub: 60 per IP). */
  readonly anonymousRateLimit?: number;
}

/** One request as the call log keeps it: never a token or a body. */
export interface GitHubCall {
  readonly method: string;
  /** The path without the query, after `/repositories/{id}` was resolved. */
  readonly path: string;
  /** The REST operation ('issues/list-comments', …), or '' when no route matched. */
  readonly operation: string;
  readonly status: number;
  /** Who called: the token's login, or undefined when anonymous or refused. */
  readonly login?: string;
  readonly fault?: GitHubFaultKind;
}

export interface GitHubEmulator {
  /** The API root for clients: http://127.0.0.1:PORT[/api/v3]. */
  readonly url: string;
  readonly calls: GitHubCall[];
  readonly faults: GitHubFaults;
  readonly store: Store;
  readonly accounts: Accounts;
  /** Registers a token; see `TokenSpec`. Returns the account it writes as. */
  addToken(spec: TokenSpec): Account;
  close(): Promise<void>;
}

export async function startGitHubEmulator(
  options: GitHubEmulatorOptions = {},
): Promise<GitHubEmulator> {
  const clock = options.clock ?? (() => new Date());
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const accounts = new Accounts();
  const store = new Store(clock);
  const faults = new GitHubFaults();
  const tokens = new Map<string, Token>();
  const anonymous = window(options.anonymousRateLimit ?? 60);
  const calls: GitHubCall[] = [];
  const compiled = ROUTES.map((route) => ({ route, pattern: compile(route.path) }));
  let apiUrl = '';

  function handle(
    req: IncomingMessage,
    rawBody: Buffer,
  ): {
    call: Omit<GitHubCall, 'status' | 'fault'> & { fault?: GitHubFaultKind };
    result: RouteResult;
  } {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    let path = url.pathname;
    const call = { method, path, operation: '' } as {
      method: string;
      path: string;
      operation: string;
      login?: string;
      fault?: GitHubFaultKind;
    };
    const result = (): RouteResult => {
      if (prefix !== '' && !path.startsWith(`${prefix}/`)) throw new GitHubError(404, 'Not Found');
      path = path.slice(prefix.length);
      // https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
      if (!req.headers['user-agent']) {
        throw new GitHubError(
          403,
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).',
        );
      }
      path = resolveRepositoryId(path, store);
      call.path = path;
      const token = authenticate(req.headers.authorization);
      if (token !== undefined) call.login = token.account.login;
      const limits = token ?? anonymous;
      countRequest(limits, clock());
      const headers = rateLimitHeaders(limits);
      if (limits.used > limits.rateLimit) {
        // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
        throw new GitHubError(
          403,
          `API rate limit exceeded for ${token?.account.login ?? 'this address'}.`,
          {
            documentationUrl:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
            headers,
          },
        );
      }
      const match = findRoute(method, path);
      if (match === undefined) throw new GitHubError(404, 'Not Found', { headers });
      call.operation = match.route.operation;
      const fault = faults.take(match.route.operation);
      if (fault !== undefined) {
        call.fault = fault.kind;
        throw faultError(fault, headers);
      }
      const outcome = match.route.handle({
        params: match.params,
        query: url.searchParams,
        body: parseBody(rawBody, headers),
        token,
        apiUrl,
        store,
        accounts,
        clock,
      });
      return { ...outcome, headers: { ...headers, ...outcome.headers } };
    };
    try {
      return { call, result: result() };
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      return {
        call,
        result: { status: error.status, body: error.toJSON(), headers: error.headers },
      };
    }
  }

  function authenticate(header: string | undefined): Token | undefined {
    if (header === undefined) return undefined;
    const value = tokenFromHeader(header);
    const token = value === undefined ? undefined : tokens.get(value);
    if (token === undefined) throw badCredentials();
    return token;
  }

  function findRoute(method: string, path: string) {
    for (const { route, pattern } of compiled) {
      if (route.method !== method) continue;
      const match = pattern.exec(path);
      if (match !== null) {
        const params = Object.fromEntries(
          Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodePathPart(v)]),
        );
        return { route, params };
      }
    }
    return undefined;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      try {
        const { call, result } = handle(req, Buffer.concat(chunks));
        send(res, result);
        calls.push({ ...call, status: result.status });
      } catch (error) {
        console.error('github emulator: unexpected error', error);
        send(res, { status: 500, body: { message: 'Server Error' } });
      }
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
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  apiUrl = `http://127.0.0.1:${address.port}${prefix}`;

  let closing: Promise<void> | undefined;
  return {
    url: apiUrl,
    calls,
    faults,
    store,
    accounts,
    addToken(spec) {
      const kind = spec.kind ?? 'installation';
      if (kind === 'user' && spec.login === undefined)
        throw new TypeError('a user token needs a login');
      const account = spec.login === undefined ? GITHUB_ACTIONS_BOT : accounts.get(spec.login);
      const limit = spec.rateLimit ?? (kind === 'installation' ? 1000 : 5000);
      tokens.set(spec.token, {
        kind,
        account,
        permissions: { ...spec.permissions },
        repositories:
          spec.repositories === undefined
            ? undefined
            : new Set(spec.repositories.map((r) => r.toLowerCase())),
        ...window(limit),
      });
      return account;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface RateWindow {
  rateLimit: number;
  used: number;
  resetAt: number;
}

function window(rateLimit: number): RateWindow {
  return { rateLimit, used: 0, resetAt: 0 };
}

/** An hour-long window that starts with the first request after the last one ended. */
function countRequest(limits: RateWindow, now: Date): void {
  const seconds = Math.floor(now.getTime() / 1000);
  if (seconds >= limits.resetAt) {
    limits.used = 0;
    limits.resetAt = seconds + 3600;
  }
  limits.used += 1;
}

// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
function rateLimitHeaders(limits: RateWindow): Record<string, string> {
  return {
    'x-ratelimit-limit': String(limits.rateLimit),
    'x-ratelimit-remaining': String(Math.max(0, limits.rateLimit - limits.used)),
    'x-ratelimit-used': String(Math.min(limits.used, limits.rateLimit)),
    'x-ratelimit-reset': String(limits.resetAt),
    'x-ratelimit-resource': 'core',
  };
}

function faultError(fault: GitHubFaultSpec, headers: Record<string, string>): GitHubError {
  if (fault.kind === 'server-error') {
    return new GitHubError(fault.status ?? 500, 'Server Error', { headers });
  }
  return new GitHubError(
    fault.status ?? 403,
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${randomUUID().slice(0, 18).toUpperCase()}.`,
    {
      documentationUrl:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      headers: {
        ...headers,
        ...(fault.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(fault.retryAfterSeconds) }),
      },
    },
  );
}

function parseBody(raw: Buffer, headers: Record<string, string>): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new GitHubError(400, 'Problems parsing JSON', { headers });
  }
}

/** `/repositories/{id}/rest` (the form GitHub's Link headers use) as `/repos/{owner}/{name}/rest`. */
function resolveRepositoryId(path: string, store: Store): string {
  const match = /^\/repositories\/([0-9]+)(\/.*)?$/.exec(path);
  if (match === null) return path;
  const repository = store.repositoryById(Number(match[1]));
  if (repository === undefined) throw new GitHubError(404, 'Not Found');
  return `/repos/${repository.fullName}${match[2] ?? ''}`;
}

function decodePathPart(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new GitHubError(404, 'Not Found');
  }
}

function compile(template: string): RegExp {
  const source = template
    .split(/(\{[a-z_]+\*?\})/)
    .map((part) =>
      part.startsWith('{')
        ? // `{name*}` spans several segments (a git ref such as heads/main)
          part.endsWith('*}')
          ? `(?<${part.slice(1, -2)}>.+)`
          : `(?<${part.slice(1, -1)}>[^/]+)`
        : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}/?$`);
}

function send(res: ServerResponse, result: RouteResult): void {
  const text = result.body === undefined ? '' : JSON.stringify(result.body);
  res.writeHead(result.status, {
    ...result.headers,
    'content-type': 'application/json; charset=utf-8',
    'x-github-api-version-selected': API_VERSION,
    'x-github-request-id': randomUUID().toUpperCase(),
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
