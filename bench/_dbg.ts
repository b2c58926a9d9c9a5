import { setUp, HEALTHY } from '../test/unit/ecs/deploy/harness.ts';
const h = setUp({
  strategy: { kind: 'linear', stepPercent: 10, stepBakeMinutes: 6, bakeMinutes: 10 },
  request: { analysis: { config: { minRequests: 300 }, onInconclusive: { onInconclusive: 'continue' } } },
  scenario: HEALTHY,
});
const r = await h.run();
const t0 = h.ecs.calls[0]!.at;
const rows = [...h.ecs.calls.map(c => [Math.round((c.at - t0)/1000), c.name]), ...h.metrics.calls.map(c => [Math.round((c.at - t0)/1000), c.name])].sort((a,b)=> (a[0] as number)-(b[0] as number));
console.log(r.outcome, rows.filter(([t]) => (t as number) > 300 && (t as number) < 1100).map(([t,n]) => `${t}:${n}`).join(' '));
