// Whether the database serves traffic. Lint findings can only hurt a live database, so only there do
// the findings of pending migrations block plan and apply; a database with no history and no tables
// of its own takes a whole history as it is, its findings reported.
import { UserError } from '../lib/errors.ts';
import { type Version, formatVersion } from './version.ts';

export const DATABASE_STATES = ['auto', 'live', 'new'] as const;
/** What the user says: `auto` lets the facts decide. */
export type DeclaredState = (typeof DATABASE_STATES)[number];

/** What the database holds, read before anything is applied. */
export interface DatabaseFacts {
  /** Rows of the history table; 0 when it does not exist. */
  historyRows: number;
  /**
   * The user's own tables, views, materialized views, foreign tables and free-standing sequences,
   * outside the system schemas; not the history table, nothing an extension created (PostGIS's
   * spatial_ref_sys, pg_buffercache's view), not a sequence owned by a column. The first few names.
   */
  objects: string[];
  objectCount: number;
}

export interface DatabaseState {
  state: 'live' | 'new';
  /** Why, as the log and the summary say it. */
  reason: string;
}

const BLOCK = 'treated as live, findings of pending migrations block';
const REPORT = 'treated as new, findings reported, none blocking';

function holdings(facts: DatabaseFacts): string {
  const parts: string[] = [];
  if (facts.historyRows > 0) {
    parts.push(
      `a migration history (${facts.historyRows} row${facts.historyRows === 1 ? '' : 's'})`,
    );
  }
  if (facts.objectCount > 0) {
    const more = facts.objectCount > facts.objects.length ? ', …' : '';
    parts.push(
      `${facts.objectCount} table${facts.objectCount === 1 ? '' : 's'} or view${facts.objectCount === 1 ? '' : 's'} of its own (${facts.objects.join(', ')}${more})`,
    );
  }
  return parts.join(' and ');
}

/**
 * Live or new. `new` is a claim the facts must bear out, so it can never skip the lint of a
 * database that holds data; a baseline version says a schema is already there, so it means live.
 */
export function decideDatabaseState(
  declared: DeclaredState,
  facts: DatabaseFacts,
  baselineVersion: Version | undefined,
): DatabaseState {
  const held = holdings(facts);
  if (declared === 'new') {
    if (held) {
      throw new UserError(
        `The database is declared new but has ${held}: only a database with no tables and no history is new, so its findings cannot be waved through; declare it live or leave it to auto.`,
      );
    }
    if (baselineVersion) {
      throw new UserError(
        `The database is declared new but a baseline version (${formatVersion(baselineVersion)}) says it already holds a schema: drop one of the two.`,
      );
    }
    return {
      state: 'new',
      reason:
        'database declared new, and it has no tables and no history: findings reported, none blocking',
    };
  }
  if (declared === 'live') {
    return {
      state: 'live',
      reason: 'database declared live: findings of pending migrations block',
    };
  }
  if (held) return { state: 'live', reason: `database has ${held}: ${BLOCK}` };
  if (baselineVersion) {
    return {
      state: 'live',
      reason: `baseline version ${formatVersion(baselineVersion)} adopts an existing schema: ${BLOCK}`,
    };
  }
  return { state: 'new', reason: `database has no tables and no history: ${REPORT}` };
}
