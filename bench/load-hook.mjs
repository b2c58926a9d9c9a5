// Logs what a step loads from the bundles: `NODE_OPTIONS=--import=<this file>` and LOAD_HOOK_LOG=<file>
// in the step's env. Each process appends one line when it exits:
//   <bytes> <main|post> <files, comma-separated>
// counting every file under dist/ it loaded (index.js and the chunks). bench/README.md sums them.
import { appendFileSync, statSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const log = process.env.LOAD_HOOK_LOG;
if (log) {
  const loaded = new Map();
  registerHooks({
    load(url, context, nextLoad) {
      if (url.startsWith('file:')) {
        const path = fileURLToPath(url);
        if (path.includes('/dist/')) loaded.set(path, statSync(path).size);
      }
      return nextLoad(url, context);
    },
  });
  // The runner gives a post step the state main saved (STATE_*); main gets none.
  const step = Object.keys(process.env).some((name) => name.startsWith('STATE_')) ? 'post' : 'main';
  process.on('exit', () => {
    let bytes = 0;
    for (const size of loaded.values()) bytes += size;
    const files = [...loaded.keys()].map((path) => basename(path)).join(',');
    appendFileSync(log, `${bytes} ${step} ${files}\n`);
  });
}
