// What a deployment came to, as plain data: the `result` output (versioned JSON) and the job
// summary are rendered from it. Times are ISO strings so the whole result survives JSON.
import type {
  AnalysisResult,
  ErrorControl,
  InconclusiveCause,
  MetricJudgement,
  TrafficSummary,
  Verdict,
} from '../../canary/analysis/index.ts';
import type { DeploymentSnapshot, DeploymentStatus } from './ports.ts';
import type { TroubleReport } from './trouble-report.ts';

import { RESULT_VERSION } from '../../lib/version.ts';

export { RESULT_VERSION };

/** Who decided that the deployment goes back. */
export type DecidedBy =
  'analysis' | 'smoke-check' | 'alarm' | 'circuit-breaker' | 'cancelled' | 'timeout' | 'ecs';

export type DeployOutcome =
  | { outcome: 'succeeded' }
  | { outcome: 'rolled-back'; reason: string; decidedBy: DecidedBy }
  | { outcome: 'failed'; reason: string };

export interface TimelineEntry {
  at: string;
  status: DeploymentStatus;
  stage?: string;
}

export interface TrafficStep {
  at: string;
  /** Production traffic on the new revision, in percent. */
  production: number;
  test: number;
}

export interface HookRecord {
  at: string;
  hookId: string;
  stage: string;
  action: 'CONTINUE' | 'ROLLBACK' | 'hold';
  reason: string;
  /** For a hold: when the engine looks again. */
  until?: string;
}

export interface AnalysisRecord {
  at: string;
  /** `gate`: at a PAUSE hook, where the verdict decides; `continuous`: between hooks, where only a fail acts. */
  kind: 'gate' | 'continuous';
  stage?: string;
  /** Production traffic on the canary when judged, in percent. */
  productionWeight: number;
  window: { start: string; end: string };
  canaryTargetGroup: string;
  baselineTargetGroup: string;
  verdict: Verdict;
  cause?: InconclusiveCause;
  reasons: readonly string[];
  traffic: TrafficSummary;
  /** Every check's figures; kept for gates and for the analysis that rolled back. */
  metrics?: readonly MetricJudgement[];
  /** This look's share of the deployment's false-rollback budget and how it was used. */
  errorControl?: ErrorControl;
  /** What the engine did with it. */
  decision: { action: 'continue' | 'rollback' | 'extend' | 'none'; reason: string };
}

export interface DeployReport {
  resultVersion: typeof RESULT_VERSION;
  serviceDeploymentArn?: string;
  /** A run that found the same task definition already deploying watched that deployment. */
  attached: boolean;
  status?: DeploymentStatus;
  /** The verdict of the analysis that decided, else of the last analysis. */
  verdict?: Verdict;
  /** ECS's rollback reason (or status reason when there was no rollback). */
  rollbackReason?: string;
  triggeredAlarms: string[];
  timeline: TimelineEntry[];
  trafficSteps: TrafficStep[];
  hooks: HookRecord[];
  analyses: AnalysisRecord[];
  trouble?: TroubleReport;
  startedAt: string;
  finishedAt: string;
}

export type DeployResult = DeployOutcome & DeployReport;

/** What the engine itself decided, before ECS reports the outcome. */
export interface EngineDecision {
  decidedBy: Extract<DecidedBy, 'analysis' | 'smoke-check' | 'cancelled' | 'timeout'>;
  reason: string;
  at: number;
}

export function analysisRecord(
  result: AnalysisResult,
  facts: Omit<
    AnalysisRecord,
    'verdict' | 'cause' | 'reasons' | 'traffic' | 'metrics' | 'errorControl'
  >,
  keepMetrics: boolean,
): AnalysisRecord {
  return {
    ...facts,
    verdict: result.verdict,
    ...(result.verdict === 'inconclusive' ? { cause: result.cause } : {}),
    reasons: result.reasons,
    traffic: result.traffic,
    ...(keepMetrics ? { metrics: result.metrics } : {}),
    ...(result.errorControl === undefined ? {} : { errorControl: result.errorControl }),
  };
}

/**
 * The verdict a result reports: of the analysis that decided the rollback, else of the last gate
 * (continuous looks at 100 % often have no baseline to compare), else of the last look.
 */
export function reportedVerdict(
  analyses: readonly AnalysisRecord[],
  decidedBy: DecidedBy | undefined,
): Verdict | undefined {
  const deciding =
    decidedBy === 'analysis'
      ? analyses.findLast((a) => a.decision.action === 'rollback')
      : undefined;
  return (deciding ?? analyses.findLast((a) => a.kind === 'gate') ?? analyses.at(-1))?.verdict;
}

/** Which of ECS's monitors rolled the deployment back, from what it reports. */
export function ecsDecider(
  snapshot: DeploymentSnapshot,
): Extract<DecidedBy, 'alarm' | 'circuit-breaker' | 'ecs'> {
  if (
    snapshot.alarms?.status === 'TRIGGERED' ||
    (snapshot.alarms?.triggeredAlarmNames ?? []).length > 0
  ) {
    return 'alarm';
  }
  if (snapshot.circuitBreaker?.status === 'TRIGGERED') return 'circuit-breaker';
  return 'ecs';
}

function ecsReason(snapshot: DeploymentSnapshot): string {
  return snapshot.rollback?.reason ?? snapshot.statusReason ?? 'no reason given';
}

function ecsRollbackReason(
  by: Extract<DecidedBy, 'alarm' | 'circuit-breaker' | 'ecs'>,
  s: DeploymentSnapshot,
): string {
  switch (by) {
    case 'alarm': {
      const names = s.alarms?.triggeredAlarmNames ?? [];
      return `CloudWatch alarm${names.length === 1 ? '' : 's'} ${names.length > 0 ? names.join(', ') : '(unnamed)'} went into ALARM and ECS rolled the deployment back: ${ecsReason(s)}`;
    }
    case 'circuit-breaker': {
      const cb = s.circuitBreaker;
      const count =
        cb?.failureCount === undefined
          ? ''
          : ` after ${cb.failureCount} failed task${cb.failureCount === 1 ? '' : 's'}${cb.threshold === undefined ? '' : ` (threshold ${cb.threshold})`}`;
      return `The ECS circuit breaker stopped the deployment${count} and ECS rolled it back: ${ecsReason(s)}`;
    }
    case 'ecs':
      return `ECS rolled the deployment back: ${ecsReason(s)}`;
  }
}

/**
 * The outcome of a deployment that reached a final status. Only SUCCESSFUL succeeds; a rollback
 * that ECS completed is `rolled-back` (never success), a rollback that failed or a deployment
 * stopped without one is `failed`.
 */
export function finalOutcome(
  snapshot: DeploymentSnapshot,
  decision: EngineDecision | undefined,
): DeployOutcome {
  switch (snapshot.status) {
    case 'SUCCESSFUL':
      // The engine asked for a rollback, but ECS had already committed to the new revision.
      if (decision !== undefined) {
        return {
          outcome: 'failed',
          reason: `The deployment completed before the rollback took effect, so the new revision serves all traffic although ${decision.reason}`,
        };
      }
      return { outcome: 'succeeded' };
    case 'ROLLBACK_SUCCESSFUL': {
      if (decision !== undefined) {
        return { outcome: 'rolled-back', reason: decision.reason, decidedBy: decision.decidedBy };
      }
      const by = ecsDecider(snapshot);
      return { outcome: 'rolled-back', reason: ecsRollbackReason(by, snapshot), decidedBy: by };
    }
    case 'ROLLBACK_FAILED': {
      const why = decision?.reason ?? ecsRollbackReason(ecsDecider(snapshot), snapshot);
      return {
        outcome: 'failed',
        reason: `The rollback failed: ${snapshot.statusReason ?? 'no reason given'}. Check the service, it may run tasks of both revisions. What started the rollback: ${why}`,
      };
    }
    case 'STOPPED':
      return {
        outcome: 'failed',
        reason: `ECS stopped the deployment without a rollback: ${snapshot.statusReason ?? 'no reason given'}`,
      };
    default:
      throw new RangeError(`${snapshot.status} is not a final status`);
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();
