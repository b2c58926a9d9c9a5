import type { AnalysisConfig } from './config.ts';
import type { Draft } from './metric-judgement.ts';
import type { TargetGroupWindow } from './types.ts';

/**
 * Unhealthy canary hosts while the baseline has none: the fastest signal, independent of traffic,
 * so it is judged even below `min-requests`. Periods are matched by timestamp (a baseline period
 * that is missing reported zero), and the latest target-health check, when given, counts as one
 * more observation. Hosts unhealthy in both groups at once point at something they share (a
 * dependency, the network), not at the canary, and do not count against it.
 */
export function judgeHealth(
  canary: TargetGroupWindow,
  baseline: TargetGroupWindow,
  config: AnalysisConfig,
): Draft {
  const baselineUnhealthy = new Map<number, number>();
  for (const sample of baseline.samples) {
    baselineUnhealthy.set(sample.timestamp.getTime(), sample.unhealthyHosts);
  }

  let alone = 0;
  let shared = 0;
  let worst = 0;
  // The worst observation that counts against the canary, for the reason.
  let worstAlone = { unhealthy: 0, of: 0 };
  const observe = (unhealthy: number, healthy: number, baselineCount: number): void => {
    worst = Math.max(worst, unhealthy);
    if (unhealthy === 0) return;
    if (baselineCount > 0) {
      shared++;
      return;
    }
    alone++;
    if (unhealthy > worstAlone.unhealthy) worstAlone = { unhealthy, of: unhealthy + healthy };
  };
  for (const sample of canary.samples) {
    observe(
      sample.unhealthyHosts,
      sample.healthyHosts,
      baselineUnhealthy.get(sample.timestamp.getTime()) ?? 0,
    );
  }
  const snapshot = canary.targetHealth;
  if (snapshot !== undefined) {
    observe(snapshot.unhealthy, snapshot.healthy, baseline.targetHealth?.unhealthy ?? 0);
  }

  const baselineWorst = Math.max(
    0,
    ...baseline.samples.map((sample) => sample.unhealthyHosts),
    baseline.targetHealth?.unhealthy ?? 0,
  );
  const periods = canary.samples.length;
  const observations =
    snapshot === undefined
      ? `${periods} ${periods === 1 ? 'period' : 'periods'}`
      : `${periods + 1} observations (${periods} periods and the latest target-health check)`;
  const base = {
    name: 'unhealthy-hosts',
    against: 'baseline',
    canary: worst,
    baseline: baselineWorst,
    limit: null,
    test: { method: 'period-count', p: null, effect: alone },
  } as const;
  const threshold = `unhealthy-periods-to-fail ${config.unhealthyPeriodsToFail}`;
  const offending = `canary had unhealthy hosts (up to ${worstAlone.unhealthy} of ${worstAlone.of}) while the baseline had none in ${alone} of ${observations}`;

  if (alone >= config.unhealthyPeriodsToFail) {
    return { ...base, outcome: 'fail', figures: `${offending}, ${threshold}` };
  }
  const notes: string[] = [];
  if (alone > 0) notes.push(`${offending}, below ${threshold}`);
  if (shared > 0) {
    notes.push(
      `canary and baseline both had unhealthy hosts in ${shared} of ${observations}, which points at something they share`,
    );
  }
  if (notes.length > 0) return { ...base, outcome: 'pass', figures: notes.join('; ') };
  return { ...base, outcome: 'pass', figures: `no unhealthy canary hosts in ${observations}` };
}
