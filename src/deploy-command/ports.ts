// What the deploy-command engine needs from the world. src/github/ implements these on GitHub's
// REST API; the unit tests give plain objects.

/** The legacy `permission` of GitHub's collaborator permission API: maintain reads as write, triage as read. */
export type PermissionLevel = 'admin' | 'write' | 'read' | 'none';

export interface Collaborator {
  readonly permission: PermissionLevel;
  /** GitHub's finer role (admin, maintain, write, triage, read, or a custom role), for messages. */
  readonly roleName: string;
}

export interface PullRequestState {
  readonly number: number;
  readonly state: 'open' | 'closed';
  /** The head commit's full SHA, as GitHub answers it now. */
  readonly headSha: string;
  /** The head branch lives in another repository. */
  readonly fromFork: boolean;
}

export type CheckOutcome = 'success' | 'neutral' | 'skipped' | 'pending' | 'failure';

/** One check run or commit status on a commit. */
export interface Check {
  readonly name: string;
  readonly outcome: CheckOutcome;
}

/** A sticky lock on an environment: who, why, since when, for which pull request. */
export interface EnvironmentLock {
  readonly environment: string;
  readonly holder: string;
  readonly reason: string;
  /** ISO 8601. */
  readonly since: string;
  readonly pullRequest: number;
}

export interface Locks {
  get(environment: string): Promise<EnvironmentLock | undefined>;
  /** Atomic: exactly one of two racing claims wins; the loser learns who holds it. */
  claim(
    lock: EnvironmentLock,
  ): Promise<{ claimed: true } | { claimed: false; held: EnvironmentLock }>;
  /** False when there was no lock. */
  release(environment: string): Promise<boolean>;
}

/** The shapes of what the facts name: inputs are checked against them, GitHub's payload read with them. */
export const MIGRATION_VERSION = /^[A-Za-z0-9._-]{1,128}$/;
export const SITE_RELEASE = /^[A-Za-z0-9._-]{1,100}$/;
/** What the suite names site artifacts with: a subset of the names upload-artifact accepts. */
export const SITE_ARTIFACT_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** Where a deploy's single-page app build came from: an artifact (actions/upload-artifact) of a run. */
export interface SiteArtifact {
  readonly name: string;
  /** The workflow run that holds it (github.run_id). */
  readonly runId: number;
}

/** The facts a deployment carries in its payload. */
export interface DeploymentFacts {
  readonly imageDigest?: string;
  readonly taskDefinition?: string;
  readonly migrationVersions?: readonly string[];
  /**
   * The contract migrations this deploy applies (rds-migrate's contract phase): once applied, no
   * release deployed before it may run again, so a rollback across it is refused.
   */
  readonly contractMigrations?: readonly string[];
  /** The single-page app's release (spa-deploy) this deploy makes live. */
  readonly siteRelease?: string;
  /** The site build that release was made from, so a promotion can ship the same bytes. */
  readonly siteArtifact?: SiteArtifact;
  /** Who asked for it. */
  readonly actor: string;
  readonly pullRequest?: number;
  readonly command?: string;
}

export type DeploymentState =
  'queued' | 'pending' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface DeploymentRecord {
  readonly id: number;
  readonly environment: string;
  readonly sha: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The newest status's state; undefined before any status. */
  readonly state: DeploymentState | undefined;
  /** Ever marked success (an earlier success later made inactive counts). */
  readonly succeeded: boolean;
  readonly facts: DeploymentFacts;
}

export interface DeploymentHistory {
  /** What runs in the environment now: the newest deployment whose state is success. */
  current(environment: string): Promise<DeploymentRecord | undefined>;
  /** The newest successful deployment before the current one, at another commit or image. */
  previousSuccessful(environment: string): Promise<DeploymentRecord | undefined>;
  /** Newest first, at most `limit`. */
  recent(environment: string, limit: number): Promise<DeploymentRecord[]>;
}

export type Reaction = 'eyes' | 'rocket' | '+1' | '-1' | 'confused';

/** The conversation the command came from. */
export interface Conversation {
  react(reaction: Reaction): Promise<void>;
  reply(markdown: string): Promise<void>;
}

export interface CommandPorts {
  readonly conversation: Conversation;
  collaborator(login: string): Promise<Collaborator>;
  pullRequest(number: number): Promise<PullRequestState>;
  checks(sha: string): Promise<Check[]>;
  readonly locks: Locks;
  readonly deployments: DeploymentHistory;
  /** Epoch milliseconds. */
  now(): number;
}

export interface NewDeployment {
  readonly environment: string;
  /** The full commit SHA, passed as the deployment's ref so GitHub resolves nothing else. */
  readonly sha: string;
  readonly facts: DeploymentFacts;
  readonly description: string;
  /** GitHub's production_environment flag (auto-inactivation skips such deployments). */
  readonly production: boolean;
}

export interface DeploymentWriter {
  /** Creates the record; it answers with GitHub's own view of it. */
  create(deployment: NewDeployment): Promise<{ id: number; sha: string }>;
  setStatus(
    id: number,
    state: DeploymentState,
    details: { logUrl?: string; environmentUrl?: string; description?: string },
  ): Promise<void>;
}
