// rds-migrate as a command line: the action's adapter and engine, run from a terminal, another
// CI, or the app's image (mode ecs-task). See rds-migrate-command.ts.
import { useProxyFromEnv } from '../lib/proxy.ts';

useProxyFromEnv(process.env);
const { main } = await import('./rds-migrate-command.ts');
await main(process.argv.slice(2));
