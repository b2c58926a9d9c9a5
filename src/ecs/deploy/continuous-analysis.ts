// The canary analysis while the new revision takes production traffic: which target group is
// the canary and which the baseline, their metrics over the same window, and the verdict.
import {
  type AnalysisConfig,
  type AnalysisResult,
  type InconclusivePolicy,
  type TargetGroupWindow,
  type TargetHealthSnapshot,
  binomialTestGreater,
  judge,
} from '../../canary/analysis/index.ts';
import { UserError } from '../../lib/errors.ts';
import type { DeploymentSnapshot, MetricsPort } from './ports.ts';
import type { RevisionLookup } from './revisions.ts';

export interface AnalysisSettings {
  config: AnalysisConfig;
  policy: InconclusivePolicy;
  /** How often the canary is judged while it takes production traffic. */
  intervalMs: number;
  /** CloudWatch period of the metrics: ALB publishes 60 s data points. */
  periodSeconds: number;
}

export interface TargetGroups {
  canary: string;
  baseline: string;
}

/**
 * The target groups swap roles on every deployment: the revisions say which one serves which.
 * `pair` (the service's two groups, from preflight) fills in when only one side is known.
 */
export async function resolveTargetGroups(
  snapshot: DeploymentSnapshot,
  revisions: RevisionLookup,
  pair: { targetGroupArn: string; alternateTargetGroupArn: string } | undefined,
  signal?: AbortSignal,
): Promise<TargetGroups> {
  const target = snapshot.target?.arn;
  const sources = snapshot.sources.map((s) => s.arn);
  const details = await revisions([...(target ? [target] : []), ...sources], signal);
  let canary = target === undefined ? undefined : details.get(target)?.productionTargetGroupArn;
  // The source that serves production now, when there are leftovers from an earlier deployment.
  const servingFirst = [...snapshot.sources].sort(
    (a, b) => (b.requestedProductionTrafficWeight ?? 0) - (a.requestedProductionTrafficWeight ?? 0),
  );
  let baseline = servingFirst
    .map((s) => details.get(s.arn)?.productionTargetGroupArn)
    .find((tg) => tg !== undefined && tg !== canary);
  const other = (tg: string | undefined) =>
    pair === undefined || tg === undefined
      ? undefined
      : tg === pair.targetGroupArn
        ? pair.alternateTargetGroupArn
        : tg === pair.alternateTargetGroupArn
          ? pair.targetGroupArn
          : undefined;
  canary ??= other(baseline);
  baseline ??= other(canary);
  if (canary === undefined || baseline === undefined || canary === baseline) {
    throw new UserError(
      `Cannot tell which target group serves the canary of deployment ${snapshot.arn}: DescribeServiceRevisions named ${canary ?? 'none'} for the new revision and ${baseline ?? 'none'} for the old one.`,
    );
  }
  return { canary, baseline };
}

/** The start of the metric period that contains `ms`. */
export function periodStart(ms: number, periodSeconds: number): number {
  const period = periodSeconds * 1000;
  return Math.floor(ms / period) * period;
}

export interface Judgement {
  result: AnalysisResult;
  start: number;
  end: number;
  canary: TargetGroupWindow;
  baseline: TargetGroupWindow;
}

/**
 * Fetches both groups' metrics over [start, end] and judges them. `withTargetHealth` adds the
 * load balancer's current view of both groups (the fastest health signal) for decisions at gates;
 * if that call fails the metrics judge alone.
 */
export async function judgeWindow(
  request: {
    groups: TargetGroups;
    start: number;
    end: number;
    settings: AnalysisSettings;
    withTargetHealth: boolean;
    /**
     * This look's share of the deployment's false-rollback budget (analysis-schedule.ts), given
     * the windows read; none: one fixed-horizon judgement at 1 − confidence.
     */
    alphaFor?: (canary: TargetGroupWindow, baseline: TargetGroupWindow) => number;
    /**
     * false at full traffic between gates: the baseline's traffic in the window is from before
     * the last shift, already compared; only its hosts' health is kept beside the canary's.
     */
    compare?: boolean;
    /**
     * The new revision took all production traffic in one shift (blue/green): the baseline
     * served beside it only in that minute, so the comparisons only fail (`judge`'s
     * `baselineAtShiftOnly`). Only with `alphaFor`, for a deployment's looks.
     */
    baselineAtShiftOnly?: boolean;
  },
  metrics: MetricsPort,
  signal?: AbortSignal,
): Promise<Judgement> {
  const { groups, settings } = request;
  const start = periodStart(request.start, settings.periodSeconds);
  const health = request.withTargetHealth
    ? Promise.all([
        metrics.targetHealth(groups.canary, signal),
        metrics.targetHealth(groups.baseline, signal),
      ]).catch(() => undefined)
    : Promise.resolve(undefined);
  const [windows, healths] = await Promise.all([
    metrics.windows(
      {
        canaryTargetGroup: groups.canary,
        baselineTargetGroup: groups.baseline,
        start: new Date(start),
        end: new Date(request.end),
        periodSeconds: settings.periodSeconds,
      },
      signal,
    ),
    health,
  ]);
  const withHealth = (window: TargetGroupWindow, snapshot: TargetHealthSnapshot | undefined) =>
    snapshot === undefined ? window : { ...window, targetHealth: snapshot };
  const canary = withHealth(windows.canary, healths?.[0]);
  const baseline = withHealth(
    request.compare === false ? hostsOnly(windows.baseline) : windows.baseline,
    healths?.[1],
  );
  const result = judge(
    canary,
    baseline,
    settings.config,
    request.alphaFor === undefined
      ? undefined
      : {
          alpha: request.alphaFor(canary, baseline),
          ...(request.baselineAtShiftOnly === true ? { baselineAtShiftOnly: true } : {}),
        },
  );
  return { result, start, end: request.end, canary, baseline };
}

/** A window with its traffic taken out: the health of its hosts only. */
function hostsOnly(window: TargetGroupWindow): TargetGroupWindow {
  return {
    ...window,
    samples: window.samples.map((s) => ({
      timestamp: s.timestamp,
      requests: 0,
      target5xx: 0,
      connectionErrors: 0,
      unhealthyHosts: s.unhealthyHosts,
      healthyHosts: s.healthyHosts,
    })),
  };
}

/** How many periods from `periodStartMs` on the window holds in which the group served requests. */
export function periodsServedSince(window: TargetGroupWindow, periodStartMs: number): number {
  return window.samples.filter((s) => s.timestamp.getTime() >= periodStartMs && s.requests > 0)
    .length;
}

/** The start of the latest period in which either group served: the newest published data. */
export function latestServed(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): number | undefined {
  let latest: number | undefined;
  for (const s of [...canary.samples, ...baseline.samples]) {
    const t = s.timestamp.getTime();
    if (s.requests > 0 && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

/**
 * What a judgement reads, in a few numbers: two reads with the same key judge the same data (no
 * period was published in between), so the second need not spend any of the budget.
 */
export function dataKey(
  start: number,
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
): string {
  const totals = (window: TargetGroupWindow) => {
    let requests = 0;
    let errors = 0;
    let latencies = 0;
    let unhealthy = 0;
    for (const s of window.samples) {
      requests += s.requests;
      errors += s.target5xx * 1_000_003 + s.connectionErrors;
      if (s.p95Seconds !== undefined || s.p99Seconds !== undefined) latencies++;
      unhealthy += s.unhealthyHosts;
    }
    return `${requests}/${errors}/${latencies}/${unhealthy}`;
  };
  return `${start} ${totals(canary)} ${totals(baseline)}`;
}

/**
 * The canary's latest period alone is worse than the baseline allows, beyond chance (p < 0.05),
 * though the whole window does not show it yet: a regression has just begun. Worth a look sooner
 * than the next interval; never a reason to roll back by itself.
 */
export function recentlyWorse(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  tolerance: number,
): boolean {
  const last = canary.samples.at(-1);
  if (last === undefined || last.requests === 0)
    return last !== undefined && last.unhealthyHosts > 0;
  if (last.unhealthyHosts > 0) return true;
  let requests = 0;
  let errors = 0;
  for (const s of baseline.samples) {
    requests += s.requests;
    errors += s.target5xx + s.connectionErrors;
  }
  // A floor, so a baseline without errors does not make every canary error look significant.
  const allowed = Math.max(0.001, (requests === 0 ? 0 : errors / requests) * (1 + tolerance));
  const events = Math.min(last.requests, last.target5xx + last.connectionErrors);
  return events > 0 && binomialTestGreater({ events, trials: last.requests }, allowed) < 0.05;
}
