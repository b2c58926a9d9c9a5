// What the engine reports while it works; the adapter and the command line render these.
import type { ConnectionTarget } from './connection.ts';
import type { TaskEvent } from './ecs-task.ts';
import type { DatabaseState } from './database-state.ts';
import type { Finding } from './lint/lint.ts';
import type { LintScope } from './lint-scope.ts';

export type MigrateEvent =
  | { type: 'lock-waiting'; holderPid: number | undefined }
  | { type: 'lock-acquired'; waitedMs: number }
  | { type: 'baselined'; version: string }
  | { type: 'missing-locally'; migrations: string[] }
  | { type: 'migration-started'; script: string; parts: number; resumeFromPart: number }
  | {
      type: 'part-started';
      script: string;
      part: number;
      transactional: boolean;
      statements: number;
      reason?: string;
    }
  | {
      type: 'retrying';
      script: string;
      line: number;
      attempt: number;
      delayMs: number;
      reason: string;
    }
  | { type: 'invalid-index-dropped'; script: string; line: number; index: string }
  /** Several migrations sent in one message, each in its own transaction, in this order. */
  | { type: 'batch-started'; scripts: string[]; statements: number }
  | { type: 'migration-applied'; script: string; executionMs: number };

/** Everything a run reports: the engine's events, the steps around them, an ECS task's. */
export type RunEvent =
  | MigrateEvent
  | TaskEvent
  | { type: 'loaded'; migrations: number; dir: string }
  /** `advisory`: the database is new, so no finding blocks: errors are shown as warnings. */
  | { type: 'linted'; findings: Finding[]; advisory: boolean }
  | { type: 'lint-scope'; scope: LintScope }
  | ({ type: 'database-state' } & DatabaseState)
  | { type: 'reading-secret'; secretId: string; region: string }
  | { type: 'connecting'; target: ConnectionTarget }
  | { type: 'validating'; on: { shadow: ConnectionTarget } | { binDir: string } }
  | { type: 'validated'; server: string }
  | { type: 'task-running'; cluster: string; command: string[] };
