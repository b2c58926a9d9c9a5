import { useProxyFromEnv } from '../../lib/proxy.ts';

useProxyFromEnv(process.env);
const { run } = await import('./main.ts');
await run();
