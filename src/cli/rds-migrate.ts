// rds-migrate as a command line: the action's adapter and engine, run from a terminal, another
// CI, or the app's image (mode ecs-task). See rds-migrate-command.ts.
import { useProxyFromEnv } from '../lib/proxy.ts';
import { PARSER_V8_FLAGS } from '../migrate/parser-flags.ts';
import { relaunchedWith } from '../runner/relaunch.ts';

const argv = process.argv.slice(2);
// --help and a call without a command print the usage and parse no SQL: they run here, without a
// child node, so they start as fast as node itself (bench/README.md, "rds-migrate memory").
const runsACommand =
  argv.some((arg) => !arg.startsWith('-')) && !argv.some((arg) => arg === '--help' || arg === '-h');

if (!runsACommand || !(await relaunchedWith(PARSER_V8_FLAGS))) {
  useProxyFromEnv(process.env);
  const { main } = await import('./rds-migrate-command.ts');
  await main(argv);
}
