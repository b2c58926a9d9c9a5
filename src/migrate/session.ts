// The one thing the engine needs from a PostgreSQL connection; a `pg` Client fits it.
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
 */
export function configureSession(
  session: SqlSession,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
): Promise<{ serverVersion: number | undefined }> {
  const timeouts = `${Math.round(options.lockTimeoutMs)} ${Math.round(options.statementTimeoutMs)}`;
  const known = configured.get(session);
  if (known?.timeouts === timeouts) return known.done;
  const done = setTimeouts(session, options);
  configured.set(session, { timeouts, done });
  done.catch(() => configured.delete(session));
  return done;
}

async function setTimeouts(
  session: SqlSession,
  options: { lockTimeoutMs: number; statementTimeoutMs: number },
): Promise<{ serverVersion: number | undefined }> {
  const { rows } = await session.query(
    `SELECT set_config('lock_timeout', '${Math.round(options.lockTimeoutMs)}', false),
            set_config('statement_timeout', '${Math.round(options.statementTimeoutMs)}', false),
            CASE WHEN current_setting('server_version_num')::int >= 140000
              THEN set_config('client_connection_check_interval', '1s', false) END,
            current_setting('server_version_num')::int AS server_version`,
  );
  const version = Number(rows[0]?.server_version);
  return { serverVersion: Number.isInteger(version) && version > 0 ? version : undefined };
}
