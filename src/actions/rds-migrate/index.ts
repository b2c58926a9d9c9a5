import { useProxyFromEnv } from '../../lib/proxy.ts';
import { relaunchedWith } from '../../runner/relaunch.ts';
import { PARSER_V8_FLAGS } from '../../migrate/parser-flags.ts';

if (!(await relaunchedWith(PARSER_V8_FLAGS))) {
  useProxyFromEnv(process.env);
  const { run } = await import('./main.ts');
  await run();
}
