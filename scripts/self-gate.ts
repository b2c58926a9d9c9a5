// The suite's own CI judged by its own quality gate: the committed quality-gate bundle run the way
// the runner runs it, on the reports `./dev test` wrote with QUALITY_REPORTS set (.ci/run does).
//   node scripts/self-gate.ts <reports dir>
import { appendFileSync, existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { runAction, runnerView } from '../test/harness/index.ts';

const root = resolve(import.meta.dirname, '..');
const reports = resolve(process.argv[2] ?? 'reports');
if (!existsSync(reports)) {
  console.error(
    `self-gate: no reports in ${reports}: run the tests with QUALITY_REPORTS=${reports}`,
  );
  process.exitCode = 1;
} else {
  await judge();
}

async function judge(): Promise<void> {
  const inWorkspace = (path: string) => relative(root, resolve(reports, path));
  const run = await runAction({
    action: resolve(root, 'actions/quality-gate/action.yml'),
    cwd: root,
    inputs: {
      coverage: inWorkspace('coverage/lcov.info'),
      tests: inWorkspace('junit.xml'),
      policy: '.github/quality-gate.yml',
    },
    post: false,
  });
  console.log('── quality gate on the suite itself');
  for (const line of runnerView(run)) console.log(`   ${line}`);
  // The log already shows every rule; the summary table goes where the runner shows it, if anywhere.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, run.summary);
  await run.cleanup();
  process.exitCode = run.exitCode === 0 ? 0 : 1;
}
