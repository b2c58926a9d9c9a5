// The watch's mutable state, in one object its pieces share. Each group is written by the job
// named beside it and read by the others.
import type { TargetGroups } from './continuous-analysis.ts';
import type { DeployEvent, WatchErrorKind } from './events.ts';
import type { DeploymentSnapshot, DeploymentStatus } from './ports.ts';
import type {
  AnalysisRecord,
  EngineDecision,
  HookRecord,
  TimelineEntry,
  TrafficStep,
} from './result.ts';
import type { TroubleReport } from './trouble-report.ts';
import type { WatchDeps, WatchRequest } from './watch.ts';

export interface Failure {
  error: unknown;
  kind: WatchErrorKind;
  call: string;
}

export interface WatchState {
  /** What ECS reported (deployment-progress.ts), as estimates of the earliest each change can have happened. */
  seen: {
    snapshot: DeploymentSnapshot | undefined;
    /** When the previous DescribeServiceDeployments answered: a change seen now happened after it. */
    lastPollAt: number | undefined;
    status: DeploymentStatus | undefined;
    stage: string | undefined;
    stageSince: number | undefined;
    /** Production and test traffic on the new revision, in percent. */
    weight: number;
    testWeight: number;
    weightSince: number | undefined;
    /** When the new revision first took production traffic. */
    exposureSince: number | undefined;
    tasksKey: string;
    monitorsKey: string;
  };
  /** Failed calls and the backoff they impose (watch-calls.ts). */
  calls: {
    consecutiveErrors: number;
    credentialErrors: number;
    backoffMs: number;
    /** When the next DescribeServiceDeployments is due; a look due earlier goes without one. */
    pollDueAt: number;
    /** The watch's own calls failed for good: it cannot see the deployment any more. */
    lost: Failure | undefined;
  };
  /** PAUSE hooks answered or held (hook-answers.ts). */
  hooks: {
    answered: Map<string, number>;
    hold: { hookId: string; until: number } | undefined;
    extensionsUsed: number;
  };
  /** Looks at the canary's metrics (analysis-looks.ts, analysis-schedule.ts). */
  looks: {
    /** Regular looks stay on a grid from the last shift, so late wake-ups do not add up. */
    gridAt: number | undefined;
    /** An earlier look: after a suspicious verdict or a failed metrics call. */
    soonAt: number | undefined;
    groups: TargetGroups | undefined;
    errors: number;
    /** The false-rollback budget the looks so far have spent (sequential.ts). */
    alphaSpent: number;
    /** What the last look that spent read (continuous-analysis.ts `dataKey`). */
    lastDataKey: string | undefined;
    /** The start of the latest period a look has read data of (what CloudWatch has published). */
    readThrough: number | undefined;
    /** Since when the looks wait for a new period: the last look that read one, or the last shift. */
    waitingSince: number | undefined;
  };
  /** The engine's own rollback (rollback-request.ts); `actedAt` also when it answered a hook. */
  steering: {
    decision: EngineDecision | undefined;
    rollbackPending: boolean;
    actedAt: number | undefined;
  };
  /** What the deployment did, for the result (result-assembly.ts). */
  report: {
    timeline: TimelineEntry[];
    traffic: TrafficStep[];
    hooks: HookRecord[];
    analyses: AnalysisRecord[];
    trouble: TroubleReport | undefined;
    troubleGathered: boolean;
  };
}

/** What every piece of the watch works with. */
export interface Watch {
  readonly request: WatchRequest;
  readonly deps: WatchDeps;
  readonly state: WatchState;
}

export function newWatch(request: WatchRequest, deps: WatchDeps): Watch {
  return {
    request,
    deps,
    state: {
      seen: {
        snapshot: undefined,
        lastPollAt: undefined,
        status: undefined,
        stage: undefined,
        stageSince: undefined,
        weight: 0,
        testWeight: 0,
        weightSince: undefined,
        exposureSince: undefined,
        tasksKey: '',
        monitorsKey: '',
      },
      calls: {
        consecutiveErrors: 0,
        credentialErrors: 0,
        backoffMs: 0,
        pollDueAt: 0,
        lost: undefined,
      },
      hooks: { answered: new Map(), hold: undefined, extensionsUsed: 0 },
      looks: {
        gridAt: undefined,
        soonAt: undefined,
        groups: undefined,
        errors: 0,
        alphaSpent: 0,
        lastDataKey: undefined,
        readThrough: undefined,
        waitingSince: undefined,
      },
      steering: { decision: undefined, rollbackPending: false, actedAt: undefined },
      report: {
        timeline: [],
        traffic: [],
        hooks: [],
        analyses: [],
        trouble: undefined,
        troubleGathered: false,
      },
    },
  };
}

export function now(w: Watch): number {
  return w.deps.clock.now();
}

export function emit(w: Watch, event: DeployEvent): void {
  w.deps.onEvent?.(event);
}
