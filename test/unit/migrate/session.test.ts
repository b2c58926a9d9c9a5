// The session's set-up: timeouts set once per session, the history's lookup in the same round trip.
import { describe, expect, it } from '@jest/globals';
import { configureSession } from '../../../src/migrate/session.ts';

function fakeSession(row: Record<string, unknown>) {
  const queries: string[] = [];
  return {
    queries,
    session: {
      async query(sql: string) {
        queries.push(sql);
        return { rows: [row] };
      },
    },
  };
}

const TIMEOUTS = { lockTimeoutMs: 5000, statementTimeoutMs: 60_000 };
const HISTORY = { qualified: '"public"."rds_migrate_history"' };

describe('configureSession', () => {
  it('sets the timeouts and asks whether the history table exists in one query', async () => {
    const { session, queries } = fakeSession({ server_version: 180001, exists: true });
    expect(await configureSession(session, TIMEOUTS, HISTORY)).toEqual({
      serverVersion: 180001,
      historyExists: true,
    });
    expect(queries).toEqual([
      expect.stringMatching(
        /set_config\('lock_timeout', '5000'.*to_regclass\('"public"\."rds_migrate_history"'\) IS NOT NULL AS exists$/s,
      ),
    ]);
  });

  it('does not ask about a history table unless given one', async () => {
    const { session, queries } = fakeSession({ server_version: 130000 });
    expect(await configureSession(session, TIMEOUTS)).toEqual({ serverVersion: 130000 });
    expect(queries[0]).not.toContain('to_regclass');
  });

  it('asks nothing of a session already given the same timeouts, and leaves the history unknown', async () => {
    const { session, queries } = fakeSession({ server_version: 180001, exists: false });
    await configureSession(session, TIMEOUTS, HISTORY);
    // The table may have been created since: the caller has to ask again.
    expect(await configureSession(session, TIMEOUTS, HISTORY)).toEqual({ serverVersion: 180001 });
    expect(queries).toHaveLength(1);
    await configureSession(session, { ...TIMEOUTS, lockTimeoutMs: 1000 });
    expect(queries).toHaveLength(2);
  });
});
