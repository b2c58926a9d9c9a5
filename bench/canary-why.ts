// Why a bad release's rollback comes when it does: for each run of a bad scenario, the look that
// rolled back, what it read and at what level, against when the periods it read were published.
//
// With --healthy: for each healthy run, every gate that said inconclusive, what it read and the
// check that could neither pass nor fail.
//
//   node_modules/.bin/node bench/canary-why.ts --only 5xx-spike,absolute-latency-breach [--seeds 100]
//   node_modules/.bin/node bench/canary-why.ts --healthy --only heavy-tail,noisy [--seeds 500]
import { parseArgs } from 'node:util';
import { SCENARIOS, explainInconclusive, explainRun } from '../test/scenarios/canary-scenarios.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    seeds: { type: 'string', default: '100' },
    healthy: { type: 'boolean', default: false },
  },
});
const names = values.only?.split(',');
for (const spec of SCENARIOS) {
  if (values.healthy) {
    if (spec.bad || (names !== undefined && !names.includes(spec.name))) continue;
    for (let seed = 1; seed <= Number(values.seeds); seed++) {
      for (const g of await explainInconclusive(spec, seed)) {
        console.log(
          [spec.name, seed, g.gate, g.canaryRequests, g.canaryPeriods, g.checks].join('\t'),
        );
      }
    }
    continue;
  }
  if (!spec.bad || (names !== undefined && !names.includes(spec.name))) continue;
  const rows: string[] = [];
  for (let seed = 1; seed <= Number(values.seeds); seed++) {
    const x = await explainRun(spec, seed);
    rows.push(
      [
        spec.name,
        seed,
        x.evidenceToRollbackS,
        x.looksBefore,
        x.lastPublishedToRollbackS,
        x.evidenceToLastPublishedS,
        x.canaryRequests,
        x.canaryPeriods,
        x.failed,
        x.perCheckAlpha?.toExponential(1),
        x.previous,
      ].join('\t'),
    );
  }
  console.log(rows.join('\n'));
}
