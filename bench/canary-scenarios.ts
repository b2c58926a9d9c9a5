// Canary scenarios: how often the analysis rolls back a healthy release, ends inconclusive or
// promotes a bad one, and how long after the data shows a problem it sends the rollback. The real
// engine in virtual time over seeded traffic (test/scenarios/). Deterministic for given seeds;
// writes bench/results/canary-scenarios.json (or --out FILE).
//
//   node_modules/.bin/node bench/canary-scenarios.ts [--seeds 200] [--bad-seeds 50] [--out FILE]
//     [--only NAME,...] [--linear]   (--linear: every scenario as a linear rollout, 20 % steps of
//     3 minutes and a 10-minute final bake, unless the scenario sets its own strategy)
import { writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Strategy } from '../src/ecs/deploy/strategy.ts';
import {
  type Distribution,
  SCENARIOS,
  type ScenarioSummary,
  runMany,
} from '../test/scenarios/canary-scenarios.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '200' },
    'bad-seeds': { type: 'string', default: '50' },
    out: { type: 'string' },
    only: { type: 'string' },
    linear: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const LINEAR: Strategy = { kind: 'linear', stepPercent: 20, stepBakeMinutes: 3, bakeMinutes: 10 };
const USAGE =
  'node_modules/.bin/node bench/canary-scenarios.ts [--seeds 200] [--bad-seeds 50] [--out FILE] [--only NAME,...] [--linear]';

if (values.help) console.log(USAGE);
else await main();

async function main(): Promise<void> {
  const healthySeeds = Number(values.seeds);
  const badSeeds = Number(values['bad-seeds']);
  const out = values.out ?? join(import.meta.dirname, 'results', 'canary-scenarios.json');

  const started = performance.now();
  const summaries: ScenarioSummary[] = [];
  for (const spec of SCENARIOS) {
    if (values.only !== undefined && !values.only.split(',').includes(spec.name)) continue;
    const count = spec.bad ? badSeeds : healthySeeds;
    const seeds = Array.from({ length: count }, (_, i) => i + 1);
    const run = values.linear ? { ...spec, strategy: spec.strategy ?? LINEAR } : spec;
    const { summary } = await runMany(run, seeds);
    summaries.push(summary);
    process.stderr.write(`${spec.name}: ${count} runs\n`);
  }
  const elapsedS = (performance.now() - started) / 1000;

  const m = (x: Distribution | undefined) => (x === undefined ? '—' : `${x.median}`);
  const d = (x: Distribution | undefined) =>
    x === undefined ? '—' : `${x.min} / ${x.median} / ${x.p90} / ${x.max}`;
  const rows = summaries.map((s) =>
    s.bad
      ? `| ${s.scenario} | bad | ${s.runs} | ${s.rolledBack} | **${s.promoted}** | ${s.inconclusiveGate} | ${d(s.evidenceToRollbackS)} | ${d(s.onsetToRollbackS)} | ${m(s.looks)} / ${m(s.reads)} |`
      : `| ${s.scenario} | healthy | ${s.runs} | **${s.rolledBack}** | ${s.promoted} (${s.promotedInconclusive} inconclusive) | **${s.inconclusiveGate}** | — | — | ${m(s.looks)} / ${m(s.reads)} |`,
  );
  const table = [
    '| scenario | release | runs | rolled back | promoted | a gate inconclusive | evidence → rollback s (min/median/p90/max) | onset → rollback s | analyses / reads per run (median) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  console.log(table);
  console.log(
    `\n${summaries.reduce((n, s) => n + s.runs, 0)} deployments in ${elapsedS.toFixed(1)} s`,
  );

  const argv = process.argv.slice(2).join(' ');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        command: `node_modules/.bin/node bench/canary-scenarios.ts${argv ? ` ${argv}` : ''}`,
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, os: release(), node: process.version },
        method: {
          engine:
            'deploy() from src/ecs/deploy with FakeEcs (test/unit/ecs/deploy) and SeededMetrics (test/scenarios) in virtual time',
          deployment: values.linear
            ? 'linear: 20 % steps of 3 minutes, then a 10-minute bake at 100 %; default analysis inputs (min-requests 300, tolerance 0.25, confidence 0.98, on-inconclusive continue, analysis interval 60 s)'
            : 'canary 10 % with a 10-minute canary bake, then 100 % with a 10-minute bake; default analysis inputs (min-requests 300, tolerance 0.25, confidence 0.98, on-inconclusive continue, analysis interval 60 s)',
          traffic:
            'per second: Poisson requests split by the production weight, binomial 5xx, a latency drawn per request (5xx fast), nearest-rank p95/p99 per 60 s period',
          publication: 'a period is readable 60–90 s (seeded) after it ends; before that, no data',
          evidence:
            "evidenceAt = when the first period holding any of the problem's traffic became readable (its end + the publication delay); onsetAt = when the problem began",
          inconclusiveGate:
            'a gate (step or final) said inconclusive: with on-inconclusive rollback that deployment would have been rolled back',
        },
        seeds: { healthy: healthySeeds, bad: badSeeds },
        elapsedSeconds: Math.round(elapsedS * 10) / 10,
        scenarios: summaries,
        table,
      },
      null,
      2,
    )}\n`,
  );
}
