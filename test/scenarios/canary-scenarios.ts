// Canary scenarios in virtual time: the real engine (`deploy` from src/ecs/deploy) on the unit
// tests' fake ECS, with metrics from a seeded traffic model that CloudWatch publishes late
// (seeded-metrics.ts). A canary at 10 % for a 10-minute bake, then 100 % for a 10-minute bake,
// the action's default analysis inputs (min-requests 300, tolerance 0.25, confidence 0.98,
// on-inconclusive continue, a look every 60 s), 50 requests per second. Each run records what a
// user would see: promoted or rolled back, what each gate said, and when the rollback was sent
// against when the problem began and when the data first showed it.
import type { DeployRequest } from '../../src/ecs/deploy/deploy.ts';
import type { DeployResult } from '../../src/ecs/deploy/result.ts';
import type { Strategy } from '../../src/ecs/deploy/strategy.ts';
import { Random } from '../emulator/traffic.ts';
import { setUp } from '../unit/ecs/deploy/harness.ts';
import { MINUTE, SECOND, START } from '../unit/ecs/deploy/virtual-time.ts';
import { type Behaviour, type Latency, SeededMetrics, type TrafficSpec } from './seeded-metrics.ts';

export const STRATEGY = {
  kind: 'canary',
  canaryPercent: 10,
  canaryBakeMinutes: 10,
  bakeMinutes: 10,
} as const satisfies Strategy;

const PERIOD_MS = 60_000;

/** The action's defaults (inputs.ts): min-requests 300, tolerance 0.25, on-inconclusive continue. */
export const DEFAULT_ANALYSIS: NonNullable<DeployRequest['analysis']> = {
  config: { minRequests: 300 },
  onInconclusive: { onInconclusive: 'continue' },
};

const FAST: Latency = { kind: 'lognormal', median: 0.08, sigma: 0.6 };
const HEAVY: Latency = {
  kind: 'mixture',
  parts: [
    { weight: 0.95, latency: { kind: 'lognormal', median: 0.08, sigma: 0.5 } },
    { weight: 0.05, latency: { kind: 'pareto', min: 0.25, alpha: 1.3 } },
  ],
};
const BIMODAL: Latency = {
  kind: 'mixture',
  parts: [
    { weight: 0.7, latency: { kind: 'lognormal', median: 0.03, sigma: 0.3 } },
    { weight: 0.3, latency: { kind: 'lognormal', median: 0.4, sigma: 0.3 } },
  ],
};
/** p95 ≈ 1.9 s: below max-p95-latency 2 s. */
const SLOW: Latency = { kind: 'lognormal', median: 0.85, sigma: 0.5 };
/** p95 ≈ 2.5 s: above it. */
const TOO_SLOW: Latency = { kind: 'lognormal', median: 1.1, sigma: 0.5 };

const ERRORS = 0.001;

export interface ScenarioSpec {
  name: string;
  /** A bad release: it must be rolled back. */
  bad: boolean;
  /** After the first production shift, when the canary turns bad (bad releases). */
  onsetAfterShiftMs?: number;
  rps: number;
  analysis?: DeployRequest['analysis'];
  /** Default: canary 10 % for 10 minutes, then 100 % for 10. */
  strategy?: Strategy;
  /** `bad(t)`: whether the canary's problem has begun at t (set by the runner). */
  traffic: (bad: (t: number) => boolean) => Omit<TrafficSpec, 'rps'>;
  describe: string;
}

const same = (behaviour: Behaviour) => () => behaviour;
const healthy = (latency: Latency, errorRate = ERRORS): Omit<TrafficSpec, 'rps'> => ({
  canary: same({ errorRate, latency }),
  baseline: same({ errorRate, latency }),
});
const regressed =
  (good: Behaviour, worse: Behaviour) =>
  (bad: (t: number) => boolean): Omit<TrafficSpec, 'rps'> => ({
    canary: (t) => (bad(t) ? worse : good),
    baseline: same(good),
  });

const normal: Behaviour = { errorRate: ERRORS, latency: FAST };

/**
 * Blue/green has a baseline only in the minute of its one shift: the READMEs advise an absolute
 * limit, which judges every minute after it.
 */
const BLUE_GREEN_ANALYSIS: NonNullable<DeployRequest['analysis']> = {
  ...DEFAULT_ANALYSIS,
  config: { ...DEFAULT_ANALYSIS.config, maxErrorRate: 0.01 },
};

export const SCENARIOS: readonly ScenarioSpec[] = [
  {
    name: 'healthy',
    bad: false,
    rps: 50,
    traffic: () => healthy(FAST),
    describe: 'both 0.1 % 5xx, log-normal latency (median 80 ms, p95 ≈ 215 ms)',
  },
  {
    name: 'heavy-tail',
    bad: false,
    rps: 50,
    traffic: () => healthy(HEAVY),
    describe: '95 % log-normal + 5 % Pareto tail (from 250 ms, shape 1.3: infinite variance)',
  },
  {
    name: 'bimodal',
    bad: false,
    rps: 50,
    traffic: () => healthy(BIMODAL),
    describe: '70 % cache hits (30 ms) + 30 % misses (400 ms)',
  },
  {
    name: 'noisy',
    bad: false,
    rps: 50,
    traffic: () => ({
      ...healthy(FAST, 0.002),
      noise: { errorSigma: 0.8, latencySigma: 0.15 },
    }),
    describe:
      'per-minute overdispersion in each group: 5xx rate × e^N(0,0.8), latency × e^N(0,0.15)',
  },
  {
    name: 'low-traffic',
    bad: false,
    rps: 5,
    traffic: () => healthy(FAST),
    describe: 'healthy at 5 req/s (the canary serves 30 a minute)',
  },
  {
    name: '5xx-spike',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    traffic: regressed(normal, { ...normal, errorRate: 0.1 }),
    describe: 'canary 10 % 5xx from its first request',
  },
  {
    name: 'small-regression',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    traffic: regressed(normal, { ...normal, errorRate: ERRORS + 0.02 }),
    describe: 'canary 2.1 % 5xx against 0.1 %',
  },
  {
    name: 'latency-regression',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    traffic: regressed(normal, { ...normal, latencyFactor: 1.5 }),
    describe: 'canary latency × 1.5 (p95 +50 %)',
  },
  {
    name: 'absolute-latency-breach',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    analysis: {
      ...DEFAULT_ANALYSIS,
      config: { ...DEFAULT_ANALYSIS.config, maxP95LatencySeconds: 2 },
    },
    traffic: regressed(
      { errorRate: ERRORS, latency: SLOW },
      { errorRate: ERRORS, latency: TOO_SLOW },
    ),
    describe: 'canary p95 ≈ 2.5 s, baseline ≈ 1.9 s, max-p95-latency 2s',
  },
  {
    name: 'healthy-near-limit',
    bad: false,
    rps: 50,
    analysis: {
      ...DEFAULT_ANALYSIS,
      config: { ...DEFAULT_ANALYSIS.config, maxP95LatencySeconds: 2 },
    },
    traffic: () => healthy(SLOW),
    describe: 'both p95 ≈ 1.9 s (4.4 % of requests slower than 2 s), max-p95-latency 2s',
  },
  {
    name: 'linear-latency-regression',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    strategy: { kind: 'linear', stepPercent: 20, stepBakeMinutes: 3, bakeMinutes: 10 },
    traffic: regressed(normal, { ...normal, latencyFactor: 1.5 }),
    describe: 'linear, 20 % steps of 3 minutes: canary latency × 1.5',
  },
  {
    name: 'blue-green',
    bad: false,
    rps: 50,
    strategy: { kind: 'blue-green', bakeMinutes: 10 },
    analysis: BLUE_GREEN_ANALYSIS,
    traffic: () => healthy(FAST),
    describe: 'blue/green, healthy: one shift to 100 %, then a 10-minute bake; max-error-rate 1 %',
  },
  {
    name: 'blue-green-5xx-spike',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 0,
    strategy: { kind: 'blue-green', bakeMinutes: 10 },
    analysis: BLUE_GREEN_ANALYSIS,
    traffic: regressed(normal, { ...normal, errorRate: 0.1 }),
    describe: 'blue/green: the new revision at 10 % 5xx from its first request; max-error-rate 1 %',
  },
  {
    name: 'late-failure',
    bad: true,
    rps: 50,
    onsetAfterShiftMs: 5 * MINUTE,
    traffic: regressed(normal, { ...normal, errorRate: 0.2 }),
    describe: 'canary healthy, then 20 % 5xx from 5 minutes after it took traffic',
  },
];

export interface RunRecord {
  scenario: string;
  seed: number;
  outcome: DeployResult['outcome'];
  decidedBy?: string;
  /** A gate said inconclusive somewhere (on-inconclusive: rollback would have rolled back). */
  inconclusiveGate: boolean;
  /** Why: the checks that were inconclusive at those gates (or too-few-requests). */
  inconclusiveChecks: string[];
  /** The verdict the result reports (the deciding analysis, else the last gate). */
  verdict: string | undefined;
  /** Canary requests in the longest window judged. */
  canaryRequests: number;
  /** First shift to 10 %. */
  shiftAt: number;
  rollbackAt?: number;
  onsetAt?: number;
  /** When the first period that holds any of the problem's traffic was published (readable). */
  evidenceAt?: number;
  reason?: string;
  looks: number;
  /** Metric reads, each a GetMetricData call of the real adapter. */
  reads: number;
  /** The shortest time between two looks' reads after the first shift (a look may read twice at once). */
  shortestReadGapMs: number;
  /** The most production traffic the new revision took. */
  maxWeight: number;
  /** When the engine last answered a PAUSE hook (CONTINUE or ROLLBACK): ECS moves on then. */
  lastAnswerAt?: number;
  /** Calls to the fake ECS (describes, hook answers, the rollback). */
  ecsCalls: number;
}

/** When the new revision first took production traffic. */
function firstShift(ecs: ReturnType<typeof setUp>['ecs']): number | undefined {
  return ecs.ours.weights.find((w) => w.production > 0)?.at;
}

/** Runs one deployment of `spec` with `seed`; the start moves by up to a minute with the seed. */
export async function runScenario(spec: ScenarioSpec, seed: number): Promise<RunRecord> {
  return (await deployOnce(spec, seed)).record;
}

/** One deployment of `spec` with `seed`: the record, the engine's result and its metrics. */
export async function deployOnce(
  spec: ScenarioSpec,
  seed: number,
): Promise<{ record: RunRecord; result: DeployResult; metrics: SeededMetrics }> {
  const h = setUp({
    strategy: spec.strategy ?? STRATEGY,
    request: { alarms: [], analysis: spec.analysis ?? DEFAULT_ANALYSIS },
  });
  // Vary where in the minute things happen.
  h.time.now = START + Math.floor(new Random(seed * 7919 + 17).next() * 60) * SECOND;
  let shift: number | undefined;
  const bad = (t: number): boolean => {
    if (!spec.bad) return false;
    shift ??= firstShift(h.ecs);
    return shift !== undefined && t >= shift + (spec.onsetAfterShiftMs ?? 0);
  };
  const metrics = new SeededMetrics(
    h.time,
    h.ecs,
    { rps: spec.rps, ...spec.traffic(bad) },
    { seed: seed * 1000 + hash(spec.name) },
  );
  h.deps.metrics = metrics;
  const result = await h.run();
  const shiftAt = firstShift(h.ecs) ?? Number.NaN;
  const rollback = h.ecs.calls.find(
    (c) => c.name === 'rollBack' || (c.name === 'resolveHook' && /ROLLBACK/.test(c.detail ?? '')),
  );
  const gates = result.analyses.filter((a) => a.kind === 'gate');
  const record: RunRecord = {
    scenario: spec.name,
    seed,
    outcome: result.outcome,
    ...(result.outcome === 'rolled-back' ? { decidedBy: result.decidedBy } : {}),
    inconclusiveGate: gates.some((g) => g.verdict === 'inconclusive'),
    inconclusiveChecks: [
      ...new Set(
        gates
          .filter((g) => g.verdict === 'inconclusive')
          .flatMap((g) =>
            g.cause === 'too-few-requests'
              ? ['too-few-requests']
              : (g.metrics ?? []).filter((m) => m.outcome === 'inconclusive').map((m) => m.name),
          ),
      ),
    ],
    verdict: result.verdict,
    canaryRequests: Math.max(0, ...result.analyses.map((a) => a.traffic.canaryRequests)),
    shiftAt,
    looks: result.analyses.length,
    reads: metrics.readCalls,
    shortestReadGapMs: shortestGap([...new Set(metrics.readTimes.filter((t) => t > shiftAt))]),
    maxWeight: Math.max(...h.ecs.ours.weights.map((w) => w.production)),
    ecsCalls: h.ecs.calls.length,
    ...(result.outcome === 'succeeded' ? {} : { reason: result.reason }),
  };
  if (rollback !== undefined) record.rollbackAt = rollback.at;
  const answered = h.ecs.calls.filter((c) => c.name === 'resolveHook').at(-1);
  if (answered !== undefined) record.lastAnswerAt = answered.at;
  if (spec.bad) {
    const onsetAt = shiftAt + (spec.onsetAfterShiftMs ?? 0);
    record.onsetAt = onsetAt;
    record.evidenceAt = metrics.publishedAt(Math.floor(onsetAt / PERIOD_MS) * PERIOD_MS);
  }
  return { record, result, metrics };
}

/** Why a bad release's rollback came when it did (bench/canary-why.ts). */
export interface RollbackExplained {
  evidenceToRollbackS: number | undefined;
  /** Looks (between gates and at gates) before the one that rolled back. */
  looksBefore: number;
  /** From the publication of the latest period the deciding look read to the rollback. */
  lastPublishedToRollbackS: number | undefined;
  /** From the evidence to the publication of that period: the data the decision needed. */
  evidenceToLastPublishedS: number | undefined;
  canaryRequests: number | undefined;
  canaryPeriods: number | undefined;
  /** The checks that failed, with their p-values. */
  failed: string;
  perCheckAlpha: number | undefined;
  /** The look before: its canary requests, verdict and per-check level. */
  previous: string;
}

export async function explainRun(spec: ScenarioSpec, seed: number): Promise<RollbackExplained> {
  const { record, result, metrics } = await deployOnce(spec, seed);
  const looks = result.analyses;
  const deciding = looks.findIndex((a) => a.decision.action === 'rollback');
  const look = looks[deciding];
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / SECOND);
  const at = look === undefined ? undefined : Date.parse(look.at);
  let lastPublished: number | undefined;
  if (look !== undefined && at !== undefined) {
    for (
      let p = Math.floor(Date.parse(look.window.start) / PERIOD_MS) * PERIOD_MS;
      p < at;
      p += PERIOD_MS
    ) {
      const published = metrics.publishedAt(p);
      if (published <= at) lastPublished = published;
    }
  }
  const before = deciding > 0 ? looks[deciding - 1] : undefined;
  return {
    evidenceToRollbackS:
      record.rollbackAt !== undefined && record.evidenceAt !== undefined
        ? seconds(record.rollbackAt - record.evidenceAt)
        : undefined,
    looksBefore: Math.max(0, deciding),
    lastPublishedToRollbackS:
      at !== undefined && lastPublished !== undefined ? seconds(at - lastPublished) : undefined,
    evidenceToLastPublishedS:
      lastPublished !== undefined && record.evidenceAt !== undefined
        ? seconds(lastPublished - record.evidenceAt)
        : undefined,
    canaryRequests: look?.traffic.canaryRequests,
    canaryPeriods: look?.traffic.canaryPeriods,
    failed: (look?.metrics ?? [])
      .filter((m) => m.outcome === 'fail')
      .map((m) => `${m.name} p=${m.test.p?.toExponential(1) ?? '?'}`)
      .join(', '),
    perCheckAlpha: look?.errorControl?.perCheckAlpha,
    previous:
      before === undefined
        ? '-'
        : `${seconds(Date.parse(look!.at) - Date.parse(before.at))}s before: ${before.traffic.canaryRequests} req ${before.verdict} a=${before.errorControl?.perCheckAlpha.toExponential(1)} ${before.reasons.join(' / ').slice(0, 160)}`,
  };
}

/** One gate that said inconclusive in a healthy run (bench/canary-why.ts --healthy). */
export interface InconclusiveGate {
  /** The gate's place: its stage and the production weight it judged at. */
  gate: string;
  canaryRequests: number;
  canaryPeriods: number;
  /** The checks that were inconclusive (or too-few-requests), with their figures. */
  checks: string;
}

/** Why a healthy run had an inconclusive gate: each such gate, what it read and which check. */
export async function explainInconclusive(
  spec: ScenarioSpec,
  seed: number,
): Promise<InconclusiveGate[]> {
  const { result } = await deployOnce(spec, seed);
  return result.analyses
    .filter((a) => a.kind === 'gate' && a.verdict === 'inconclusive')
    .map((a) => ({
      gate: `${a.stage ?? '?'}@${a.productionWeight}%`,
      canaryRequests: a.traffic.canaryRequests,
      canaryPeriods: a.traffic.canaryPeriods,
      checks:
        a.cause === 'too-few-requests'
          ? 'too-few-requests'
          : (a.metrics ?? [])
              .filter((m) => m.outcome === 'inconclusive')
              .map((m) => `${m.name}: ${m.why}`)
              .join(' | '),
    }));
}

function shortestGap(times: readonly number[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i]! - times[i - 1]!);
  return gap;
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h % 1000;
}

export interface Distribution {
  n: number;
  min: number;
  median: number;
  p90: number;
  max: number;
}

function distribution(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, min: sorted[0]!, median: at(0.5), p90: at(0.9), max: sorted.at(-1)! };
}

export interface ScenarioSummary {
  scenario: string;
  bad: boolean;
  runs: number;
  rolledBack: number;
  promoted: number;
  /** Healthy runs: at least one gate inconclusive. */
  inconclusiveGate: number;
  /** Healthy runs with an inconclusive gate, by the check that was inconclusive. */
  inconclusiveBy: Record<string, number>;
  /** Promoted with an inconclusive reported verdict. */
  promotedInconclusive: number;
  /** Seconds, bad releases only. */
  evidenceToRollbackS?: Distribution | undefined;
  onsetToRollbackS?: Distribution | undefined;
  /** Bad releases: how far they got (most production traffic before the rollback), by run count. */
  reachedWeight?: Record<string, number>;
  /** Analyses recorded per deployment (looks between gates and gate judgements). */
  looks: Distribution | undefined;
  /** Metric reads (GetMetricData calls of the real adapter) per deployment. */
  reads: Distribution | undefined;
  /** Calls to ECS per deployment. */
  ecsCalls: Distribution | undefined;
  /** From the first production shift to the engine's last hook answer, seconds (holds count). */
  shiftToLastAnswerS: Distribution | undefined;
  /** A few reasons of unexpected outcomes (false rollbacks, bad releases promoted). */
  examples: string[];
}

export function summarise(spec: ScenarioSpec, runs: readonly RunRecord[]): ScenarioSummary {
  const rolledBack = runs.filter((r) => r.outcome === 'rolled-back');
  const promoted = runs.filter((r) => r.outcome === 'succeeded');
  const timed = rolledBack.filter((r) => r.rollbackAt !== undefined && r.evidenceAt !== undefined);
  const unexpected = spec.bad ? promoted : rolledBack;
  return {
    scenario: spec.name,
    bad: spec.bad,
    runs: runs.length,
    rolledBack: rolledBack.length,
    promoted: promoted.length,
    inconclusiveGate: runs.filter((r) => r.inconclusiveGate).length,
    inconclusiveBy: Object.fromEntries(
      [...new Set(runs.flatMap((r) => r.inconclusiveChecks))]
        .sort()
        .map((name) => [name, runs.filter((r) => r.inconclusiveChecks.includes(name)).length]),
    ),
    promotedInconclusive: promoted.filter((r) => r.verdict === 'inconclusive').length,
    ...(spec.bad
      ? {
          evidenceToRollbackS: distribution(
            timed.map((r) => (r.rollbackAt! - r.evidenceAt!) / SECOND),
          ),
          onsetToRollbackS: distribution(timed.map((r) => (r.rollbackAt! - r.onsetAt!) / SECOND)),
        }
      : {}),
    ...(spec.bad
      ? {
          reachedWeight: Object.fromEntries(
            [...new Set(runs.map((r) => r.maxWeight))]
              .sort((a, b) => a - b)
              .map((w) => [`${w} %`, runs.filter((r) => r.maxWeight === w).length]),
          ),
        }
      : {}),
    looks: distribution(runs.map((r) => r.looks)),
    reads: distribution(runs.map((r) => r.reads)),
    ecsCalls: distribution(runs.map((r) => r.ecsCalls)),
    shiftToLastAnswerS: distribution(
      runs.flatMap((r) =>
        r.lastAnswerAt === undefined ? [] : [(r.lastAnswerAt - r.shiftAt) / SECOND],
      ),
    ),
    examples: unexpected
      .slice(0, 3)
      .map((r) => `seed ${r.seed}: ${r.outcome}${r.reason ? `: ${r.reason}` : ''}`),
  };
}

export async function runMany(
  spec: ScenarioSpec,
  seeds: readonly number[],
): Promise<{ runs: RunRecord[]; summary: ScenarioSummary }> {
  const runs: RunRecord[] = [];
  for (const seed of seeds) runs.push(await runScenario(spec, seed));
  return { runs, summary: summarise(spec, runs) };
}
