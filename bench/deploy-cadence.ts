// Deploy cadence: AWS calls per deploy, how late the engine exits after the deployment's final
// status, and how late it rolls back after a 5xx spike, with the real engine (`deploy` from
// src/ecs/deploy) driven by the unit tests' fake ECS and fake metrics in virtual time. Side by
// side, the schedule of @aws-sdk/client-ecs's waitUntilServicesStable (as
// aws-actions/amazon-ecs-deploy-task-definition calls it) and a plain 15 s poll, replayed on the
// same timelines. Deterministic; writes bench/results/deploy-cadence.json.
//
//   node_modules/.bin/node bench/deploy-cadence.ts
//   node_modules/.bin/node bench/deploy-cadence.ts --blue-green-bakes 1,3,5   # shorter bakes too
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { judge, validateAnalysisConfig } from '../src/canary/analysis/index.ts';
import { periodStart } from '../src/ecs/deploy/continuous-analysis.ts';
import type { DeployRequest } from '../src/ecs/deploy/deploy.ts';
import type { Strategy } from '../src/ecs/deploy/strategy.ts';
import { BLUE, GREEN, type Pacing } from '../test/unit/ecs/deploy/fake-ecs.ts';
import { HEALTHY, setUp, shiftedAt } from '../test/unit/ecs/deploy/harness.ts';
import { MINUTE, SECOND, START } from '../test/unit/ecs/deploy/virtual-time.ts';
import { formatTable } from './cold-start.ts';

export const COMMAND = 'node_modules/.bin/node bench/deploy-cadence.ts';
const POLL_GOAL_MS = 10 * SECOND;
const ANALYSIS_GOAL_MS = 60 * SECOND;
/** Final-status phases per scenario: the clean-up is lengthened by 0, 0.5, … 9.5 s. */
const EXIT_PHASES = 20;
/** Spike phases across one analysis interval (one a second). */
const SPIKE_PHASES = 60;
const WAITER_SEEDS = 1000;

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  name: string;
  strategy: Strategy;
  tasks: 2 | 10;
  analysis: DeployRequest['analysis'];
  /** Production weight of the first shift, when the spike can be seen. */
  firstWeight: number;
  /** False: no spike runs (the deployment may be over 3 minutes after the shift). */
  spikes?: false;
}

const COMPARATIVE: DeployRequest['analysis'] = {
  config: { minRequests: 300 },
  onInconclusive: { onInconclusive: 'continue' },
};
// At 100 % the baseline has no traffic left to compare with: only an absolute limit can judge.
const ABSOLUTE: DeployRequest['analysis'] = {
  config: { minRequests: 300, maxErrorRate: 0.05 },
  onInconclusive: { onInconclusive: 'continue' },
};

const SCENARIOS: Scenario[] = [
  ...([2, 10] as const).map((tasks): Scenario => ({
    name: `canary 10 %, 10 min + 10 min bake, ${tasks} tasks`,
    strategy: { kind: 'canary', canaryPercent: 10, canaryBakeMinutes: 10, bakeMinutes: 10 },
    tasks,
    analysis: COMPARATIVE,
    firstWeight: 10,
  })),
  {
    name: 'linear 10 % / 6 min, 10 min bake, 2 tasks',
    strategy: { kind: 'linear', stepPercent: 10, stepBakeMinutes: 6, bakeMinutes: 10 },
    tasks: 2,
    analysis: COMPARATIVE,
    firstWeight: 10,
  },
  {
    name: 'blue/green, 10 min bake, 2 tasks',
    strategy: { kind: 'blue-green', bakeMinutes: 10 },
    tasks: 2,
    analysis: ABSOLUTE,
    firstWeight: 100,
  },
];

/** `--blue-green-bakes 1,3,5`: blue/green with those bakes as well (minutes). */
function extraBlueGreen(): Scenario[] | undefined {
  const { values } = parseArgs({ options: { 'blue-green-bakes': { type: 'string' } } });
  const bakes = (values['blue-green-bakes'] ?? '')
    .split(',')
    .filter((x) => x.trim() !== '')
    .map(Number);
  if (bakes.some((b) => !Number.isInteger(b) || b < 0 || b > 60)) {
    console.error('--blue-green-bakes takes whole minutes from 0 to 60, e.g. 1,3,5');
    return undefined;
  }
  return bakes.map((bakeMinutes) => ({
    name: `blue/green, ${bakeMinutes} min bake, 2 tasks`,
    strategy: { kind: 'blue-green', bakeMinutes },
    tasks: 2,
    analysis: ABSOLUTE,
    firstWeight: 100,
    spikes: false,
  }));
}

/**
 * The fake reports 2 requested tasks whatever the service; what 10 tasks change is how long ECS
 * takes to start them and to drain the old ones (an assumption: 2.5 min and 2 min, against the
 * fake's 1 min and 1 min for 2 tasks). The engine's calls do not depend on the count itself.
 */
function pacing(tasks: 2 | 10, extraCleanUpMs = 0): Partial<Pacing> {
  const base =
    tasks === 2
      ? { scaleUpMs: 60 * SECOND, cleanUpMs: 60 * SECOND }
      : { scaleUpMs: 150 * SECOND, cleanUpMs: 120 * SECOND };
  return { ...base, cleanUpMs: base.cleanUpMs + extraCleanUpMs };
}

// ---------------------------------------------------------------------------------------------
// The engine on the fakes

type Harness = ReturnType<typeof setUp>;

/** Port calls → the AWS API calls the SDK adapters (src/aws/) make for them, with their times. */
function awsCallTimes(h: Harness): { api: string; at: number }[] {
  const out: { api: string; at: number }[] = [];
  const add = (api: string, at: number) => out.push({ api, at });
  for (const call of h.ecs.calls) {
    switch (call.name) {
      case 'start':
        add('UpdateService', call.at);
        break;
      // ListServiceDeployments, then DescribeServiceDeployments only when it lists any: before
      // the engine's own UpdateService it lists none.
      case 'unfinished':
        add('ListServiceDeployments', call.at);
        break;
      case 'describe':
        add('DescribeServiceDeployments', call.at);
        break;
      case 'revisions':
        add('DescribeServiceRevisions', call.at);
        break;
      case 'resolveHook':
        add('ContinueServiceDeployment', call.at);
        break;
      case 'rollBack':
        add('StopServiceDeployment', call.at);
        break;
      case 'events':
        add('DescribeServices', call.at);
        break;
      case 'stoppedTasks':
        add('ListTasks', call.at);
        add('DescribeTasks', call.at);
        break;
    }
  }
  // One page per window (12 series of at most ~30 one-minute points), and DescribeTargetGroups
  // once for the load balancer dimension, cached afterwards.
  let firstWindow = true;
  for (const call of h.metrics.calls) {
    if (call.name !== 'windows') {
      add('DescribeTargetHealth', call.at);
      continue;
    }
    if (firstWindow) add('DescribeTargetGroups', call.at);
    firstWindow = false;
    add('GetMetricData', call.at);
  }
  return out;
}

function awsCalls(h: Harness): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { api } of awsCallTimes(h)) counts[api] = (counts[api] ?? 0) + 1;
  return counts;
}

const PHASES = ['to the first shift', 'shifts and gates', 'final bake', 'clean-up'] as const;
type Phase = (typeof PHASES)[number];

interface PhaseCalls {
  phase: Phase;
  ms: number;
  calls: Record<string, number>;
}

/**
 * The calls of one run by phase of the fake's deployment: UpdateService to the first production
 * shift, the shifts and gates to the final BAKE_TIME, the bake, CLEAN_UP to the engine's exit.
 */
function callsByPhase(h: Harness, firstShiftAt: number): PhaseCalls[] {
  const startAt = h.firstCall('start')!.at;
  const stages = h.ecs.ours.stages;
  const bakeAt = stages.find((x) => x.stage === 'BAKE_TIME' && x.at >= firstShiftAt)?.at;
  const cleanAt = stages.find((x) => x.stage === 'CLEAN_UP')?.at;
  const end = h.time.now;
  const bounds = [startAt, firstShiftAt, bakeAt ?? cleanAt ?? end, cleanAt ?? end, end];
  const phases = PHASES.map((phase, i): PhaseCalls => ({
    phase,
    ms: bounds[i + 1]! - bounds[i]!,
    calls: {},
  }));
  for (const { api, at } of awsCallTimes(h)) {
    let i = 0;
    // A call at a boundary belongs to the phase before: the fake moves on at a call, so it is the
    // call that ended the phase (the gate's answer, the poll that first sees clean-up).
    while (i < phases.length - 1 && at > bounds[i + 1]!) i++;
    const { calls } = phases[i]!;
    calls[api] = (calls[api] ?? 0) + 1;
  }
  return phases;
}

function run(s: Scenario, options: { extraCleanUpMs?: number; spikeAt?: number } = {}) {
  const spikeAt = options.spikeAt;
  const h = setUp({
    strategy: s.strategy,
    fake: { pacing: pacing(s.tasks, options.extraCleanUpMs) },
    request: { analysis: s.analysis },
    scenario:
      spikeAt === undefined
        ? HEALTHY
        : {
            rpm: 2000,
            canary: (t) => ({ errorRate: t >= spikeAt ? 0.3 : 0.002 }),
            baseline: () => ({ errorRate: 0.002 }),
          },
  });
  return { h, result: h.run() };
}

interface Healthy {
  /** UpdateService → final status, ms. */
  durationMs: number;
  startAt: number;
  finalAt: number;
  exitDelayMs: number;
  calls: Record<string, number>;
  phases: PhaseCalls[];
  firstShiftAt: number;
}

async function healthy(s: Scenario, extraCleanUpMs: number): Promise<Healthy> {
  const { h, result } = run(s, { extraCleanUpMs });
  const r = await result;
  if (r.outcome !== 'succeeded') throw new Error(`${s.name}: a healthy deploy ended ${r.outcome}`);
  const startAt = h.firstCall('start')!.at;
  const finalAt = h.ecs.ours.finishedAt!;
  const firstShiftAt = shiftedAt(h.ecs, s.firstWeight);
  if (firstShiftAt === undefined) throw new Error(`${s.name}: no shift to ${s.firstWeight} %`);
  return {
    durationMs: finalAt - startAt,
    startAt,
    finalAt,
    exitDelayMs: h.time.now - finalAt,
    calls: awsCalls(h),
    phases: callsByPhase(h, firstShiftAt),
    firstShiftAt,
  };
}

interface Spike {
  spikeAfterShiftMs: number;
  delayMs: number;
  /** From the first second whose metrics (since the shift) judge the canary failing. */
  fromEvidenceMs: number;
  call: string;
  decidedBy: string;
}

/** A 5xx spike (30 % on the canary) `offsetMs` after the first production shift. */
async function spike(s: Scenario, firstShiftAt: number, offsetMs: number): Promise<Spike> {
  const spikeAt = firstShiftAt + offsetMs;
  const { h, result } = run(s, { spikeAt });
  const r = await result;
  const rollbacks = h.ecs.calls.filter(
    (c) => c.name === 'rollBack' || (c.name === 'resolveHook' && /ROLLBACK/.test(c.detail ?? '')),
  );
  const first = rollbacks[0];
  if (first === undefined || r.outcome !== 'rolled-back') {
    throw new Error(
      `${s.name}: a spike at +${offsetMs / SECOND} s was not rolled back (${r.outcome})`,
    );
  }
  const evidenceAt = await firstFailingSecond(h, s, firstShiftAt, spikeAt, first.at);
  return {
    spikeAfterShiftMs: offsetMs,
    delayMs: first.at - spikeAt,
    fromEvidenceMs: first.at - evidenceAt,
    call:
      first.name === 'rollBack' ? 'StopServiceDeployment' : 'ContinueServiceDeployment ROLLBACK',
    decidedBy: r.decidedBy,
  };
}

/**
 * "The data showing it": the first whole second after the spike at which the metrics since the
 * shift (as the fake serves them, 60 s periods, the current one in part) give a failing verdict
 * under the scenario's own analysis settings. Before it, no judge could have rolled back.
 */
async function firstFailingSecond(
  h: ReturnType<typeof setUp>,
  s: Scenario,
  shiftAt: number,
  spikeAt: number,
  rollbackAt: number,
): Promise<number> {
  const config = validateAnalysisConfig(s.analysis!.config);
  for (let t = spikeAt + SECOND; t <= rollbackAt; t += SECOND) {
    const { canary, baseline } = await h.metrics.windows({
      canaryTargetGroup: GREEN,
      baselineTargetGroup: BLUE,
      start: new Date(periodStart(shiftAt, 60)),
      end: new Date(t),
      periodSeconds: 60,
    });
    if (judge(canary, baseline, config).verdict === 'fail') return t;
  }
  return rollbackAt;
}

// ---------------------------------------------------------------------------------------------
// The SDK waiter, replayed

/** mulberry32: a seeded stand-in for Math.random. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * runPolling and exponentialBackoffWithJitter of @smithy/core (client/util-waiter/poller.js,
 * 3.41.0), as waitUntilServicesStable calls them: the first DescribeServices at once, then before
 * attempt n ≥ 1 a delay uniform in [minDelay, min(minDelay·2^(n−1), maxDelay)], or exactly maxDelay
 * once n > log2(maxDelay/minDelay) + 1; near maxWaitTime the delay is cut to what remains − 0.5 s.
 * The service is stable (one deployment, running = desired) from `finalAt` on. Request latency is
 * not modelled.
 */
function waiter(
  startAt: number,
  finalAt: number,
  delays: { minDelay: number; maxDelay: number; maxWaitTime: number },
  rand: () => number,
): { calls: number; lateMs: number } | { timedOut: true; calls: number } {
  const minDelayMs = delays.minDelay * 1000;
  const maxDelayMs = delays.maxDelay * 1000;
  const waitUntil = startAt + delays.maxWaitTime * 1000;
  const ceiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1;
  let now = startAt;
  let calls = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      let delayMs: number;
      if (attempt > ceiling) delayMs = maxDelayMs;
      else {
        const capped = Math.min(minDelayMs * 2 ** (attempt - 1), maxDelayMs);
        delayMs = minDelayMs + rand() * (capped - minDelayMs);
        if (now + delayMs > waitUntil) delayMs = Math.max(0, waitUntil - now - 500);
      }
      if (now + delayMs > waitUntil) return { timedOut: true, calls };
      now += delayMs;
    }
    calls += 1;
    if (now >= finalAt) return { calls, lateMs: now - finalAt };
  }
}

/** A fixed poll every `everyMs`, the first `phaseMs` after UpdateService. */
function fixedPoll(startAt: number, finalAt: number, everyMs: number, phaseMs: number) {
  const first = startAt + phaseMs;
  const k = Math.max(0, Math.ceil((finalAt - first) / everyMs));
  return { calls: k + 1, lateMs: first + k * everyMs - finalAt };
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Spread {
  min: number;
  median: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)! };
}

const s1 = (ms: number) => (ms / SECOND).toFixed(1);
const spreadText = (x: Spread) => `${s1(x.min)} / ${s1(x.median)} / ${s1(x.max)}`;

const WAITERS = [
  {
    label: 'SDK waiter, maxDelay 120 s',
    key: 'waiter120',
    note: 'client-ecs service default before the Smithy migration; what the issue quotes',
    delays: { minDelay: 15, maxDelay: 120, maxWaitTime: 360 * 60 },
  },
  {
    label: 'SDK waiter, maxDelay 600 s',
    key: 'waiter600',
    note: 'the service default of the installed @aws-sdk/client-ecs 3.1162.0',
    delays: { minDelay: 15, maxDelay: 600, maxWaitTime: 360 * 60 },
  },
] as const;

async function main() {
  const wallStart = performance.now();
  const scenarios = [];
  const extra = extraBlueGreen();
  if (extra === undefined) {
    process.exitCode = 1;
    return;
  }
  for (const s of [...SCENARIOS, ...extra]) {
    const t0 = performance.now();
    const runs: Healthy[] = [];
    for (let i = 0; i < EXIT_PHASES; i++) runs.push(await healthy(s, i * 500));
    const base = runs[0]!;
    const spikes: Spike[] = [];
    for (let i = 0; s.spikes !== false && i < SPIKE_PHASES; i++) {
      const offset = 3 * MINUTE + (i * ANALYSIS_GOAL_MS) / SPIKE_PHASES;
      spikes.push(await spike(s, base.firstShiftAt, offset));
    }
    // The comparison polls replay each engine run's own timeline (start → final status).
    const waiters = WAITERS.map((w) => {
      const calls: number[] = [];
      const late: number[] = [];
      let timeouts = 0;
      runs.forEach((r, i) => {
        for (let seed = 0; seed < WAITER_SEEDS / EXIT_PHASES; seed++) {
          const out = waiter(r.startAt, r.finalAt, w.delays, random(i * 1000 + seed + 1));
          if ('timedOut' in out) timeouts += 1;
          else {
            calls.push(out.calls);
            late.push(out.lateMs);
          }
        }
      });
      return { key: w.key, label: w.label, calls: spread(calls), lateMs: spread(late), timeouts };
    });
    const fixedCalls: number[] = [];
    const fixedLate: number[] = [];
    for (const r of runs) {
      for (let phase = 0; phase < 15; phase++) {
        const out = fixedPoll(r.startAt, r.finalAt, 15 * SECOND, phase * SECOND);
        fixedCalls.push(out.calls);
        fixedLate.push(out.lateMs);
      }
    }
    const callTotals = runs.map((r) => Object.values(r.calls).reduce((a, b) => a + b, 0));
    const describes = runs.map((r) => r.calls.DescribeServiceDeployments ?? 0);
    scenarios.push({
      name: s.name,
      strategy: s.strategy,
      tasks: s.tasks,
      pacing: pacing(s.tasks),
      analysis: s.analysis,
      durationMs: base.durationMs,
      calls: base.calls,
      phases: base.phases,
      callsTotal: spread(callTotals),
      describes: spread(describes),
      exitDelayMs: spread(runs.map((r) => r.exitDelayMs)),
      rollbackDelayMs: spikes.length > 0 ? spread(spikes.map((x) => x.delayMs)) : undefined,
      fromEvidenceMs: spikes.length > 0 ? spread(spikes.map((x) => x.fromEvidenceMs)) : undefined,
      spikes,
      waiters,
      fixed15s: { calls: spread(fixedCalls), lateMs: spread(fixedLate) },
      wallMs: performance.now() - t0,
    });
  }

  const main3 = ['DescribeServiceDeployments', 'GetMetricData', 'DescribeTargetHealth'];
  const callHeaders = [...main3, 'others', 'all'];
  /** The three main APIs' counts, the sum of the others, and all calls. */
  const callColumns = (calls: Record<string, number>): string[] => {
    const others = Object.entries(calls)
      .filter(([api]) => !main3.includes(api))
      .reduce((a, [, n]) => a + n, 0);
    const all = Object.values(calls).reduce((a, b) => a + b, 0);
    return [...main3.map((api) => String(calls[api] ?? 0)), String(others), String(all)];
  };
  const callsTable = formatTable(
    ['scenario', 'minutes', ...callHeaders, '15 s poll', 'waiter 120 s', 'waiter 600 s'],
    scenarios.map((x) => [
      x.name,
      (x.durationMs / MINUTE).toFixed(1),
      ...callColumns(x.calls),
      String(x.fixed15s.calls.median),
      String(x.waiters[0]!.calls.median),
      String(x.waiters[1]!.calls.median),
    ]),
  );
  const othersTable = formatTable(
    ['scenario', 'the others'],
    scenarios.map((x) => [
      x.name,
      Object.entries(x.calls)
        .filter(([api]) => !main3.includes(api))
        .map(([api, n]) => `${api} ${n}`)
        .join(', '),
    ]),
    2,
  );
  const phaseTable = formatTable(
    ['scenario', 'phase', 'minutes', ...callHeaders, '15 s poll'],
    scenarios.flatMap((x) =>
      x.phases.map((p) => [
        x.name,
        p.phase,
        (p.ms / MINUTE).toFixed(1),
        ...callColumns(p.calls),
        // A fixed poll spreads its calls evenly: one per 15 s of the phase.
        (p.ms / (15 * SECOND)).toFixed(1),
      ]),
    ),
  );
  const exitTable = formatTable(
    ['scenario', 'engine exit', '15 s poll', 'waiter 120 s', 'waiter 600 s'],
    scenarios.map((x) => [
      x.name,
      spreadText(x.exitDelayMs),
      spreadText(x.fixed15s.lateMs),
      spreadText(x.waiters[0]!.lateMs),
      spreadText(x.waiters[1]!.lateMs),
    ]),
  );
  const spiked = scenarios.filter((x) => x.rollbackDelayMs !== undefined);
  const rollbackTable = formatTable(
    [
      'scenario',
      'spike → rollback call, s (min / median / max)',
      'data showing it → rollback call, s',
      'call',
      'decided by',
    ],
    spiked.map((x) => [
      x.name,
      spreadText(x.rollbackDelayMs!),
      spreadText(x.fromEvidenceMs!),
      [...new Set(x.spikes.map((p) => p.call))].join(', '),
      [...new Set(x.spikes.map((p) => p.decidedBy))].join(', '),
    ]),
  );

  console.log(`AWS calls per healthy deploy (UpdateService → exit); comparison columns: DescribeServices calls,
median over ${EXIT_PHASES} final-status phases × ${15} poll phases (15 s) or × ${WAITER_SEEDS / EXIT_PHASES} jitter seeds (waiter):\n`);
  console.log(callsTable);
  console.log(`\n${othersTable}`);
  console.log(
    `\nThe same calls by phase of the deployment (the first final-status phase; the fixed poll's share is its phase length / 15 s):\n`,
  );
  console.log(phaseTable);
  console.log(
    `\nFinal status → exit (engine) or → the poll that sees it (others), s, min / median / max:\n`,
  );
  console.log(exitTable);
  console.log(
    `\n5xx spike (30 % on the new revision) at ${SPIKE_PHASES} phases across one analysis interval, 3–4 min after the first shift:\n`,
  );
  console.log(rollbackTable);

  const exitMax = Math.max(...scenarios.map((x) => x.exitDelayMs.max));
  const rollbackMax = Math.max(...spiked.map((x) => x.rollbackDelayMs!.max));
  const evidenceMax = Math.max(...spiked.map((x) => x.fromEvidenceMs!.max));
  const fewer = scenarios.filter(
    (x) => Object.values(x.calls).reduce((a, b) => a + b, 0) < x.fixed15s.calls.median,
  );
  const goals = {
    exitWithinPollInterval: { met: exitMax <= POLL_GOAL_MS, worstMs: exitMax },
    rollbackWithinAnalysisIntervalOfEvidence: {
      met: evidenceMax <= ANALYSIS_GOAL_MS,
      worstMs: evidenceMax,
    },
    rollbackWithinAnalysisIntervalOfOnset: {
      met: rollbackMax <= ANALYSIS_GOAL_MS,
      worstMs: rollbackMax,
    },
    fewerCallsThan15sPoll: {
      met: fewer.length === scenarios.length,
      scenarios: scenarios.map((x) => ({
        name: x.name,
        engine: Object.values(x.calls).reduce((a, b) => a + b, 0),
        fixed15s: x.fixed15s.calls.median,
      })),
    },
  };
  console.log(`
Goals:
- exit within one poll interval (10 s) of the final status: ${goals.exitWithinPollInterval.met ? 'met' : 'NOT met'} (worst ${s1(exitMax)} s)
- rollback within one analysis interval (60 s) of the data showing the spike: ${goals.rollbackWithinAnalysisIntervalOfEvidence.met ? 'met' : 'NOT met'} (worst ${s1(evidenceMax)} s)
- (stricter, not the goal) within 60 s of the spike's first second, before any data can show it: ${goals.rollbackWithinAnalysisIntervalOfOnset.met ? 'met' : 'NOT met'} (worst ${s1(rollbackMax)} s; the fakes publish metrics with no delay)
- fewer AWS calls than a 15 s fixed poll: ${goals.fewerCallsThan15sPoll.met ? 'met' : 'NOT met'}, fewer in ${fewer.length} of ${scenarios.length} scenarios; more in: ${
    scenarios
      .filter((x) => !fewer.includes(x))
      .map((x) => x.name)
      .join('; ') || 'none'
  }`);

  const out = join(import.meta.dirname, 'results', 'deploy-cadence.json');
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        command: COMMAND,
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          os: release(),
          node: process.version,
        },
        method: {
          engine:
            'deploy() from src/ecs/deploy with FakeEcs/FakeMetrics (test/unit/ecs/deploy) in virtual time, default polling (10 s) and analysis interval (60 s)',
          exitPhases: `${EXIT_PHASES} runs per scenario, the fake's clean-up lengthened by 0, 0.5, … s`,
          spikes: `${SPIKE_PHASES} runs per scenario, 30 % 5xx on the new revision from firstShift + 3 min + k·${ANALYSIS_GOAL_MS / SPIKE_PHASES / SECOND} s`,
          waiter: `@smithy/core util-waiter runPolling/exponentialBackoffWithJitter replayed on each run's start → final status, minDelay 15 s, ${WAITER_SEEDS} seeded jitter draws per scenario; a model of the waiter's schedule, not the running action`,
          fixed15s: 'one DescribeServices every 15 s, 15 phases per run',
          tasks:
            'the fake always reports 2 tasks; 10 tasks = longer scale-up and clean-up (pacing)',
        },
        startedAt: new Date(START).toISOString(),
        goals,
        scenarios,
        wallMs: performance.now() - wallStart,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nWrote ${out} (${((performance.now() - wallStart) / 1000).toFixed(1)} s)`);
}

await main();
