// The deploy document's one SSM call, cold: src/aws/ssm.ts (a signed AWS JSON 1.1 POST) beside
// @aws-sdk/client-ssm with the same configuration, each in a fresh process against a local
// server that answers GetParameter; `node -e 0` for the floor. From sources (node_modules), not
// the bundles: bench/README.md's load tables give the bundle bytes. 20 timed rounds after 3
// warm-ups, variants interleaved.
//   node_modules/.bin/node bench/ssm-get-parameter.ts
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const probe = new URL('./probes/ssm-get-parameter.ts', import.meta.url).pathname;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'r' });
    res.end(
      JSON.stringify({ Parameter: { Name: '/aws-ship-suite/deploy', Value: '{"version":1}' } }),
    );
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const env = {
  PATH: process.env.PATH ?? '',
  BENCH_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
};

const variants: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['src/aws/ssm.ts (signed JSON call)', [probe, 'suite']],
  ['@aws-sdk/client-ssm', [probe, 'client-ssm']],
];
const spawnMs = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const callMs = new Map<string, number[]>();
const rss = new Map<string, number[]>();
for (let round = 0; round < 23; round++) {
  for (let i = 0; i < variants.length; i++) {
    const [name, args] = variants[(i + round) % variants.length]!;
    const started = performance.now();
    const { stdout } = await run(process.execPath, args, { env });
    const ms = performance.now() - started;
    if (round < 3) continue;
    spawnMs.get(name)!.push(ms);
    if (stdout.trim()) {
      const [call, peak] = stdout.trim().split(' ').map(Number) as [number, number];
      callMs.set(name, [...(callMs.get(name) ?? []), call]);
      rss.set(name, [...(rss.get(name) ?? []), peak]);
    }
  }
}
server.close();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log(
  '| variant | spawn to exit, median ms | first import to the value, median ms | peak RSS, median MB |',
);
console.log('| --- | ---: | ---: | ---: |');
for (const [name] of variants) {
  const call = callMs.get(name);
  const peak = rss.get(name);
  console.log(
    `| ${name} | ${median(spawnMs.get(name)!).toFixed(1)} | ${call ? median(call).toFixed(1) : '—'} | ${peak ? (median(peak) / 2 ** 20).toFixed(1) : '—'} |`,
  );
}
