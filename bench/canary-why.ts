// Why a bad release's rollback comes when it does: for each run of a bad scenario, the look that
// rolled back, what it read and at what level, against when the periods it read were published.
//
//   node_modules/.bin/node bench/canary-why.ts --only 5xx-spike,absolute-latency-breach [--seeds 100]
import { parseArgs } from 'node:util';
import { SCENARIOS, explainRun } from '../test/scenarios/canary-scenarios.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, seeds: { type: 'string', default: '100' } },
});
const names = values.only?.split(',');
for (const spec of SCENARIOS) {
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
