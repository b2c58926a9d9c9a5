// The phases one environment's deploy runs, as the deploy engine sees them. Each is another
// engine's entry (oidc, migrate, ecs/deploy, deploy-command's records) wired by the adapter.

/** The migrations' outcome: the versions applied, or why they stopped. */
export type MigrationOutcome =
  | { readonly ok: true; readonly applied: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly applied: readonly string[] };

/** The canary's outcome, as ecs/deploy reports it. */
export interface CanaryOutcome {
  readonly outcome: 'succeeded' | 'rolled-back' | 'failed';
  /** Why it rolled back or failed; undefined when it succeeded. */
  readonly reason: string | undefined;
  readonly status: string | undefined;
  readonly verdict: string | undefined;
  readonly taskDefinitionArn: string | undefined;
}

export type RecordOutcome = 'success' | 'failure' | 'cancelled';

export interface DeployEnvironmentPorts {
  /** Credentials for every later phase; nothing is recorded or changed before they are in hand. */
  assume(): Promise<void>;
  /**
   * What to deploy, settled once the role is assumed (the adapter reads the stack's deploy document
   * with its credentials when the inputs leave part of the target out), before anything is
   * recorded or changed; whether this deploy has migrations. Without it, it has them when
   * planMigrations is given.
   */
  target?(): Promise<{ readonly migrations: boolean }>;
  /** The migrations of this release: the versions still to apply (a read-only look). */
  planMigrations?(): Promise<readonly string[]>;
  /** Applies them; runs only when planMigrations ran. */
  applyMigrations?(): Promise<MigrationOutcome>;
  canary(): Promise<CanaryOutcome>;
  /** The GitHub Deployment: created in_progress with what ships, its id returned. */
  startRecord(facts: { readonly migrationVersions: readonly string[] }): Promise<number>;
  finishRecord(id: number, outcome: RecordOutcome): Promise<void>;
  /** Aborted when the step is cancelled or runs out of time. */
  readonly signal: AbortSignal;
  onEvent(event: DeployEnvironmentEvent): void;
}

export type DeployEnvironmentEvent =
  | { readonly type: 'phase'; readonly phase: Phase }
  | { readonly type: 'recorded'; readonly deploymentId: number; readonly state: string }
  | { readonly type: 'record-failed'; readonly deploymentId: number; readonly reason: string };

export type Phase = 'assume' | 'target' | 'plan' | 'record' | 'migrate' | 'canary' | 'finish';
