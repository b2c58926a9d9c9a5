// What the engine reports while it works; the adapter and the command line render these.

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
  | { type: 'migration-applied'; script: string; executionMs: number };
