import { setFlagsFromString } from 'node:v8';
import { useProxyFromEnv } from '../../lib/proxy.ts';
import { run } from './main.ts';

// Keeps V8's young generation at its first size: thousands of uploads otherwise grow it to about
// 90 MB, mostly garbage (bench/README.md, spa-deploy). Set after the bundle's modules are loaded;
// unlike --max-semi-space-size, this flag is read when the heap grows, so it works from here.
setFlagsFromString('--semi-space-growth-factor=1');
useProxyFromEnv(process.env);
await run();
