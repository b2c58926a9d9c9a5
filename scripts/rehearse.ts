// A rehearsal of the workflow files an app repository runs: the pipeline caller template
// (workflows-templates/aws-ship-suite-pipeline.yml → pipeline.yml → deploy.yml), the pull-request
// comment caller (→ pr-command.yml → deploy.yml) and the promote and rollback templates, run end to
// end by the local workflow runner (test/harness/workflow-runner/) with the committed bundles, in
// the world built from the CDK app's synthesized templates (test/flow/world.ts). The scenarios are
// test/flow/scenarios.ts, which test/e2e/flow-rehearsal.test.ts also runs as jest assertions;
// this prints them: every job's log as GitHub groups it, one verdict line per expectation, a
// closing table. Every log is scanned for every secret handed out; any scenario off its
// expectation or any leak exits 1.
//
//   ./dev rehearse            (or: npm run build && npm run rehearse)
import { playScenario, SCENARIOS, startFlow } from '../test/flow/scenarios.ts';
import { type FlowWorld, startFlowWorld } from '../test/flow/world.ts';

const started = performance.now();
const log = (line: string) => console.log(line);
let world: FlowWorld | undefined;

try {
  world = await startFlowWorld({ log });
  const flow = startFlow(world, log);
  for (const scenario of SCENARIOS) await playScenario(flow, scenario);

  const secrets = world.secrets();
  const leaks = world.leaks();
  console.log('\nscenario | expected | got | time');
  for (const v of flow.verdicts) {
    console.log(
      `${v.ok ? '✓' : '✗'} ${v.scenario} | ${v.expected} | ${v.got} | ${(v.ms / 1000).toFixed(1)} s`,
    );
  }
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  const runs = world.runs;
  console.log(
    `\nWorkflow runs: ${runs.length}, jobs: ${runs.reduce((n, r) => n + r.jobs.length, 0)}; AWS calls: ${world.emulator.calls.length}; secrets scanned in every log: ${secrets.length}, leaks: ${leaks.length}; wall time ${wall} s`,
  );
  const off = flow.verdicts.filter((v) => !v.ok).length;
  if (leaks.length > 0 || off > 0) {
    for (const leak of leaks) console.log(`leak: ${JSON.stringify(leak)}`);
    console.log(`Rehearsal FAILED: ${off} scenario(s) off, ${leaks.length} leak(s).`);
    process.exitCode = 1;
  } else {
    console.log('Rehearsal passed: every scenario ended as expected, no secret in any log.');
  }
} catch (error) {
  console.log(`Rehearsal FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await world?.close();
}
