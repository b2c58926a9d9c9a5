import { useProxyFromEnv } from '../../lib/proxy.ts';
import { run } from './main.ts';

useProxyFromEnv(process.env);
await run();
