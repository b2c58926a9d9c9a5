// The one thing the engine needs from a PostgreSQL connection; a `pg` Client fits it.
import { literal } from './history.ts';

export interface SqlSession {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** A session the engine opened itself, and ends when it is done (or cancelled). */
export interface DatabaseSession extends SqlSession {
  end(): Promise<void>;
}

/** PostgreSQL's SQLSTATE of an error from `pg`, if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const LOCK_NOT_AVAILABLE = '55P03';
export const QUERY_CANCELED = '57014';

/** What the configuring round trip learns besides setting the timeouts. */
export interface SessionFacts {
  serverVersion: number | undefined;
  /**
   * Whether the history table asked about exists, learnt in the same round trip; undefined when
   * none was asked about, or when the session was configured already (the answer may have changed
   * since: ask historyExists).
   */
  historyExists?: boolean;
}

/** The sessions configured so far, with the timeouts they got. */
const configured = new WeakMap<
  SqlSession,
  { timeouts: string; done: Promise<{ serverVersion: number | undefined }> }
>();

/**
 * Sets the session's timeouts; a killed client is noticed within a second where supported
 * (PostgreSQL 14+: a backend busy in a long statement checks that its client is still there, so a
 * runner killed mid-migration rolls back and frees the lock at once, not when the statement
 * ends). One round trip: set_config is SET as a function, and CASE runs it only on 14+. A session
 * already given the same timeouts (a plan, then the apply on the same session) is not asked again.
 * `history`: also asks whether that table exists (to_regclass takes no lock: it cannot wait).
 */
export async function configureSession(
  session: SqlSession,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
  history?: { qualified: string },
): Promise<SessionFacts> {
  const timeouts = `${Math.round(options.lockTimeoutMs)} ${Math.round(options.statementTimeoutMs)}`;
  const known = configured.get(session);
  if (known?.timeouts === timeouts) return { serverVersion: (await known.done).serverVersion };
  const asked = setTimeouts(session, options, history);
  const done = asked.then(({ serverVersion }) => ({ serverVersion }));
  configured.set(session, { timeouts, done });
  done.catch(() => configured.delete(session));
  return asked;
}

async function setTimeouts(
  session: SqlSession,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
  history: { qualified: string } | undefined,
): Promise<SessionFacts> {
  const { rows } = await session.query(
    `SELECT set_config('lock_timeout', '${Math.round(options.lockTimeoutMs)}', false),
            set_config('statement_timeout', '${Math.round(options.statementTimeoutMs)}', false),
            CASE WHEN current_setting('server_version_num')::int >= 140000
              THEN set_config('client_connection_check_interval', '1s', false) END,
            current_setting('server_version_num')::int AS server_version${
              history
                ? `,\n            to_regclass(${literal(history.qualified)}) IS NOT NULL AS exists`
                : ''
            }`,
  );
  const version = Number(rows[0]?.server_version);
  return {
    serverVersion: Number.isInteger(version) && version > 0 ? version : undefined,
    ...(history ? { historyExists: rows[0]?.exists === true } : {}),
  };
}
