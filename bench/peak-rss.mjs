// Preloaded with --import into a step's node: prints the process's peak resident set at exit.
// VmHWM, not resourceUsage().maxRSS: on Linux the latter keeps the parent's peak across fork+exec.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  const kib = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  process.stderr.write(`peak-rss-kib=${kib}\n`);
});
