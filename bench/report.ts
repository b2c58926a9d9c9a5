// Turns the timed runs into the printed tables, the goal verdicts and bench/results/cold-start.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import {
  formatTable,
  summarize,
  type SpawnSpec,
  type Summary,
  type TimedRun,
} from './cold-start.ts';

export const COMMAND = 'npm run build && npm run bench';
const SIZE_GOAL_BYTES = 1_000_000;
const RATIO_GOAL = 2;

export type Kind = 'bundle' | 'candidate' | 'conventional' | 'bare-request' | 'bare-exit' | 'probe';

export interface Variant {
  label: string;
  kind: Kind;
  /** For probes: what the probe loads. */
  detail?: string;
  bundle?: { path: string; bytes: number };
  spec: SpawnSpec;
  /** File-command files emptied before every run, as the runner gives each step fresh ones. */
  stepFiles: string[];
  /** Why a run does not count (the bench stops), or undefined when it went as it should. */
  check(run: TimedRun): string | undefined;
  samples: TimedRun[];
}

/** A bundle in dist/ whose cold start is not measured (no scenario), with its size. */
export interface NotRun {
  label: string;
  bytes: number;
  why: string;
}

export interface ReportInput {
  root: string;
  variants: Variant[];
  notRun: NotRun[];
  runs: number;
  warmupRuns: number;
  elapsedS: number;
  /** 1-minute load average just before the runs (the bench's own work included). */
  loadBefore: number;
  argv: string;
  /** Write bench/results/cold-start.json (not for runs with candidates). */
  write: boolean;
}

/** Time to the first AWS request, or to exit for `node -e 0` and the probes. */
function coldStartOf(variant: Variant, run: TimedRun): number {
  if (variant.kind === 'bare-exit' || variant.kind === 'probe') return run.exitMs;
  if (run.firstAwsRequestMs === undefined) throw new Error(`${variant.label}: no AWS request`);
  return run.firstAwsRequestMs;
}

export function report(input: ReportInput): void {
  const { variants, notRun, runs } = input;
  const bare = variants.find((v) => v.kind === 'bare-request');
  if (bare === undefined) throw new Error('the bare node baseline is missing');
  const bareMedian = summarize(bare.samples.map((run) => coldStartOf(bare, run))).median;

  const results = variants.map((variant) => {
    const cold = variant.samples.map((run) => coldStartOf(variant, run));
    const token = variant.samples.flatMap((run) =>
      run.tokenRequestMs === undefined ? [] : [run.tokenRequestMs],
    );
    const exit = variant.samples.map((run) => run.exitMs);
    const summary = summarize(cold);
    return {
      label: variant.label,
      kind: variant.kind,
      ...(variant.detail === undefined ? {} : { loads: variant.detail }),
      timed: timedOf(variant.kind),
      bundleBytes: variant.bundle?.bytes ?? null,
      coldStartMs: summary,
      ratioToBareNode: summary.median / bareMedian,
      tokenRequestMs: token.length > 0 ? summarize(token) : null,
      exitMs: summarize(exit),
      samples: { coldStartMs: cold, tokenRequestMs: token, exitMs: exit },
    };
  });
  type Result = (typeof results)[number];
  const actions = results.filter(
    (r) => r.kind === 'bundle' || r.kind === 'candidate' || r.kind === 'conventional',
  );
  const probes = results.filter((r) => r.kind === 'probe');

  const cpuList = cpus();
  const machine = {
    cores: cpuList.length,
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverage1m: { beforeRuns: round2(input.loadBefore), afterRuns: round2(loadavg()[0] ?? 0) },
  };
  const date = new Date().toISOString();
  const ms = (value: number): string => value.toFixed(1);
  const size = (bytes: number | null): [string, string] =>
    bytes === null ? ['-', '-'] : [bytes.toLocaleString('en-US'), (bytes / 1024).toFixed(0)];

  const table = formatTable(
    ['variant', 'timed', 'bytes', 'KiB', 'median ms', 'p90 ms', 'min ms', '× bare node'],
    [
      ...results
        .filter((r) => r.kind !== 'probe')
        .map((r) => [
          r.label,
          r.timed,
          ...size(r.bundleBytes),
          ms(r.coldStartMs.median),
          ms(r.coldStartMs.p90),
          ms(r.coldStartMs.min),
          `${r.ratioToBareNode.toFixed(2)}×`,
        ]),
      ...notRun.map((s) => [s.label, `not run: ${s.why}`, ...size(s.bytes), '-', '-', '-', '-']),
    ],
    2,
  );
  const breakdown = formatTable(
    ['variant', 'OIDC token request', 'first AWS request', 'exit'],
    actions.map((r) => [
      r.label,
      r.tokenRequestMs ? ms(r.tokenRequestMs.median) : '-',
      ms(r.coldStartMs.median),
      ms(r.exitMs.median),
    ]),
  );
  const floor = probes.find((r) => r.label === 'probe: empty')?.coldStartMs.median;
  const probeTable = formatTable(
    ['probe', 'loads', 'bytes', 'median ms', 'p90 ms', '+ over empty'],
    probes.map((r) => [
      r.label.replace('probe: ', ''),
      r.loads ?? '',
      size(r.bundleBytes)[0],
      ms(r.coldStartMs.median),
      ms(r.coldStartMs.p90),
      floor === undefined
        ? '-'
        : `${r.coldStartMs.median - floor >= 0 ? '+' : ''}${ms(r.coldStartMs.median - floor)}`,
    ]),
    2,
  );

  const goals = actions.map((r: Result) => {
    const bytes = r.bundleBytes ?? 0;
    const small = bytes < SIZE_GOAL_BYTES;
    const quick = r.ratioToBareNode <= RATIO_GOAL;
    return {
      variant: r.label,
      bundleBytes: bytes,
      bundleUnder1MB: small,
      medianMs: round2(r.coldStartMs.median),
      ratioToBareNode: round2(r.ratioToBareNode),
      medianWithin2xOfBareNode: quick,
      line:
        `${r.label}: size ${small ? 'met' : 'NOT met'} (${bytes.toLocaleString('en-US')} B), ` +
        `start-up ${quick ? 'met' : 'NOT met'} (${ms(r.coldStartMs.median)} ms = ` +
        `${r.ratioToBareNode.toFixed(2)}× bare node's ${ms(bareMedian)} ms)`,
    };
  });

  console.log(
    [
      '',
      `Cold start, ${runs} runs per variant after ${input.warmupRuns} warm-ups, interleaved run by run`,
      `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}, load ${machine.loadAverage1m.beforeRuns} before runs, ${machine.loadAverage1m.afterRuns} after`,
      `Date: ${date}   Command: ${COMMAND}   (${input.argv}; ${input.elapsedS.toFixed(0)} s of runs)`,
      '',
      'Spawn of `node <bundle>` in the runner environment to the first AWS request at the endpoint:',
      '',
      table,
      '',
      'Medians in ms after spawn, for the actions:',
      '',
      breakdown,
      '',
      'What the parts cost: ncc-bundled one-line probes, spawn to exit (the empty probe is the floor):',
      '',
      probeTable,
      '',
      `Goals: bundle under 1 MB (1,000,000 bytes); median within ${RATIO_GOAL}× of bare node's one POST:`,
      ...goals.map((goal) => `  ${goal.line}`),
      '',
      'The conventional stand-in is bench/conventional/oidc-assume.ts bundled with ncc: the same',
      'flow written with @actions/core and @aws-sdk/client-sts defaults. It is a stand-in, NOT',
      'aws-actions/configure-aws-credentials, which is not on npm and cannot be run here.',
    ].join('\n'),
  );

  if (!input.write) {
    console.log('\nNot written to bench/results/: this run timed candidates.');
    return;
  }
  const resultsPath = join(input.root, 'bench/results/cold-start.json');
  const json = {
    benchmark: 'cold-start',
    command: COMMAND,
    argv: input.argv,
    date,
    machine,
    runs,
    warmupRuns: input.warmupRuns,
    method:
      "Each run spawns process.execPath on the file with the environment the runner harness gives oidc-assume's main step (INPUT_*, GITHUB_* files, ACTIONS_ID_TOKEN_REQUEST_*), with AWS_ENDPOINT_URL pointing at a recording proxy in front of the AWS emulator and the token URL at another in front of the OIDC issuer. Cold start = performance.now() when the first request arrives at the AWS proxy minus performance.now() just before spawn; `node -e 0` and the probes are timed to exit. Variants are interleaved run by run.",
    conventionalStandIn:
      'bench/conventional/oidc-assume.ts (@actions/core + @aws-sdk/client-sts with default config) bundled with ncc: a stand-in, not aws-actions/configure-aws-credentials',
    bareNodeMedianMs: round2(bareMedian),
    goals: goals.map(({ line: _line, ...goal }) => goal),
    variants: results.map((r) => ({
      ...r,
      coldStartMs: roundSummary(r.coldStartMs),
      ratioToBareNode: round2(r.ratioToBareNode),
      tokenRequestMs: r.tokenRequestMs && roundSummary(r.tokenRequestMs),
      exitMs: roundSummary(r.exitMs),
      samples: {
        coldStartMs: r.samples.coldStartMs.map(round2),
        tokenRequestMs: r.samples.tokenRequestMs.map(round2),
        exitMs: r.samples.exitMs.map(round2),
      },
    })),
    notRun,
    tables: { coldStart: table, medians: breakdown, probes: probeTable },
  };
  mkdirSync(join(input.root, 'bench/results'), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nWrote ${relative(input.root, resultsPath)}`);
}

function timedOf(kind: Kind): string {
  return kind === 'bare-exit' || kind === 'probe' ? 'to exit' : 'to 1st AWS request';
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function roundSummary(summary: Summary): Summary {
  return {
    median: round2(summary.median),
    p90: round2(summary.p90),
    min: round2(summary.min),
    max: round2(summary.max),
  };
}
