// One runner at a time: a session-level advisory lock, so it goes when the session goes (a killed
// runner never leaves it behind). Taken with pg_try_advisory_lock in a loop, so the wait has a
// limit and the holder can be named.
import { formatDuration } from '../lib/durations.ts';
import { UserError } from '../lib/errors.ts';
import type { SqlSession } from './session.ts';

/** The lock's first key: 'rdsm'. The second is the hash of the history table's name. */
const LOCK_CLASS = 0x7264736d;

export interface LockOptions {
  /** Names the lock: runners with different history tables do not wait for each other. */
  historyTable: string;
  waitMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  onWaiting?: (holderPid: number | undefined) => void;
}

export interface MigrationLock {
  release(): Promise<void>;
}

async function holder(session: SqlSession, key: string): Promise<number | undefined> {
  const { rows } = await session.query(
    `SELECT l.pid FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid
        AND l.objid = (hashtext($2)::bigint & 4294967295)::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      LIMIT 1`,
    [LOCK_CLASS, key],
  );
  const pid = rows[0]?.pid;
  return pid === undefined ? undefined : Number(pid);
}

export async function acquireLock(
  session: SqlSession,
  options: LockOptions,
): Promise<MigrationLock> {
  const key = options.historyTable;
  const started = options.now();
  let delay = 100;
  let reported = false;
  for (;;) {
    const { rows } = await session.query(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [LOCK_CLASS, key],
    );
    if (rows[0]?.locked === true) break;
    const waited = options.now() - started;
    if (waited >= options.waitMs) {
      const pid = await holder(session, key);
      throw new UserError(
        `Another migration run holds the lock for ${key}${pid ? ` (backend pid ${pid})` : ''}; waited ${formatDuration(waited)} (lock-wait): let it finish, or raise lock-wait.`,
      );
    }
    if (!reported) {
      reported = true;
      options.onWaiting?.(await holder(session, key));
    }
    options.signal?.throwIfAborted();
    await options.sleep(Math.min(delay, options.waitMs - waited), options.signal);
    delay = Math.min(delay * 2, 2000);
  }
  return {
    async release() {
      await session.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, key]);
    },
  };
}
