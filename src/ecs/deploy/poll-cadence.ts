// How often the watch asks ECS: fast where a transition is due, slow through long predictable
// waits, backing off while throttled. Fewer calls than a fixed 15 s poll, and the final status is
// seen within one poll interval: ECS always passes through CLEAN_UP or ROLLBACK_IN_PROGRESS
// (target draining takes seconds to minutes) before a final status, and those are polled at the
// normal interval.
import { awsErrorFacts, classifyAwsError } from '../../lib/aws-errors.ts';
import type { WatchErrorKind } from './events.ts';
import type { DeploymentStatus } from './ports.ts';
import { WINDING_DOWN } from './rollback.ts';
import type { Strategy } from './strategy.ts';

export interface PollingSettings {
  /** The normal interval between DescribeServiceDeployments calls. */
  intervalMs: number;
  /** Around an expected transition (a step's bake ending, just after the engine acted). */
  fastIntervalMs: number;
  /** The longest sleep through a predictable wait (a long bake); equal to intervalMs disables it. */
  maxIntervalMs: number;
  /** The longest sleep while AWS throttles. */
  maxBackoffMs: number;
  /** Failed calls in a row (throttling, 5xx, network) before the watch gives up. */
  maxConsecutiveErrors: number;
  /** Credential errors in a row (expired token) before the watch gives up. */
  maxCredentialErrors: number;
  /** A held PAUSE hook is answered at least this long before ECS's timeout fires. */
  hookMarginMs: number;
  /** How long the rollback after a cancel or timeout may take, on its own deadline. */
  rollbackDeadlineMs: number;
}

export const POLLING_DEFAULTS: PollingSettings = {
  intervalMs: 10_000,
  fastIntervalMs: 5_000,
  maxIntervalMs: 60_000,
  maxBackoffMs: 160_000,
  maxConsecutiveErrors: 20,
  maxCredentialErrors: 3,
  hookMarginMs: 60_000,
  rollbackDeadlineMs: 5_000,
};

export function pollingSettings(overrides: Partial<PollingSettings> = {}): PollingSettings {
  const s = { ...POLLING_DEFAULTS, ...overrides };
  return {
    ...s,
    fastIntervalMs: Math.min(s.fastIntervalMs, s.intervalMs),
    maxIntervalMs: Math.max(s.maxIntervalMs, s.intervalMs),
    maxBackoffMs: Math.max(s.maxBackoffMs, s.intervalMs),
  };
}

const CREDENTIAL_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
  'TokenProviderError',
]);

/**
 * Throttling and server or network trouble never end the watch by themselves; credential errors
 * get a few tries (the adapter's clients refresh expiring credentials); anything else is fatal.
 */
export function classifyWatchError(error: unknown): WatchErrorKind {
  if (CREDENTIAL_CODES.has(awsErrorFacts(error).code)) return 'credentials';
  const kind = classifyAwsError(error);
  if (kind === 'throttled') return 'throttled';
  if (kind === 'client') return 'fatal';
  return 'transient';
}

/** Doubles while throttled, up to the cap. */
export function throttledBackoff(previousMs: number, settings: PollingSettings): number {
  return Math.min(settings.maxBackoffMs, Math.max(settings.intervalMs * 2, previousMs * 2));
}

/** Halves after each answered call, so the pace recovers gradually instead of hammering at once. */
export function recoveredBackoff(previousMs: number, settings: PollingSettings): number {
  const half = previousMs / 2;
  return half <= settings.intervalMs ? 0 : half;
}

export interface Progress {
  strategy: Strategy;
  /** Production traffic on the new revision now, and the earliest it can have been shifted there. */
  productionWeight: number;
  weightSince?: number | undefined;
  stage?: string | undefined;
  /** The earliest the current stage can have been entered. */
  stageSince?: number | undefined;
}

/**
 * When the next transition ECS makes on a timer is due: the end of a canary or linear step's bake
 * (then the pre-production hook), or of the final bake (then clean-up). Estimated from the
 * earliest the step can have begun, so it is never later than the real one.
 */
export function expectedTransitionAt(progress: Progress): number | undefined {
  const { strategy } = progress;
  const minute = 60_000;
  if (progress.stage === 'BAKE_TIME' && progress.stageSince !== undefined) {
    const bake = strategy.kind === 'rolling' ? 0 : strategy.bakeMinutes;
    return progress.stageSince + bake * minute;
  }
  const partial = progress.productionWeight > 0 && progress.productionWeight < 100;
  if (partial && progress.weightSince !== undefined) {
    if (strategy.kind === 'canary')
      return progress.weightSince + strategy.canaryBakeMinutes * minute;
    if (strategy.kind === 'linear') return progress.weightSince + strategy.stepBakeMinutes * minute;
  }
  return undefined;
}

export interface CadenceFacts {
  now: number;
  status: DeploymentStatus;
  stage?: string | undefined;
  expectedAt?: number | undefined;
  /** The engine just answered a hook or asked for a rollback: ECS moves on at once. */
  actedAt?: number | undefined;
  /**
   * The engine holds a PAUSE hook: ECS waits for its answer, so nothing moves on a timer. The
   * watch wakes when the hold ends anyway (watch-calls.ts `nextWake`).
   */
  holding?: boolean | undefined;
}

/** Milliseconds until the next DescribeServiceDeployments, before throttling and other wake-ups. */
export function pollDelay(facts: CadenceFacts, settings: PollingSettings): number {
  const { now } = facts;
  const { intervalMs, fastIntervalMs, maxIntervalMs } = settings;
  if (WINDING_DOWN.has(facts.status) || facts.stage === 'CLEAN_UP') return intervalMs;
  if (facts.actedAt !== undefined && now - facts.actedAt < 2 * intervalMs) return fastIntervalMs;
  if (facts.holding === true) return maxIntervalMs;
  if (facts.expectedAt === undefined) return intervalMs;
  const until = facts.expectedAt - now;
  // Far away: sleep long, but wake at the expected time, not past it.
  if (until > 0) return Math.max(fastIntervalMs, Math.min(maxIntervalMs, until));
  // Just due: look often until ECS moves; if it is late, back to the normal pace.
  if (-until < 3 * intervalMs) return fastIntervalMs;
  return intervalMs;
}
