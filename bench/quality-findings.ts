// quality-gate's findings parser on a large SARIF log against a bare JSON.parse of the same bytes
// (issue 13: within 2× its time, peak RSS under 256 MB), each variant in its own child process:
//   json-parse   readFileSync + JSON.parse, then count the results (what "slurp it" costs)
//   ours         readFindingsFile (src/quality/findings): every result becomes a finding,
//                counted by severity, 1,000 kept
//   stream-json  stream-json's tokenizer, pick of runs.N.results.M and streamValues: each result
//                assembled, nothing else done (a floor for a parser built on it)
//   node bench/quality-findings.ts [--mb 200] [--rounds 3]
// Prints a table and writes bench/results/quality-findings.json. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSarif } from './quality-reports.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
    file: { type: 'string' },
  },
});

type Variant = 'json-parse' | 'ours' | 'stream-json';
const VARIANTS: Variant[] = ['json-parse', 'ours', 'stream-json'];

interface ChildResult {
  ms: number;
  maxRssMb: number;
  results: number;
}

/** In the child: one variant over the file, its time (after imports) and peak RSS. */
async function child(variant: Variant, file: string): Promise<ChildResult> {
  let results = 0;
  let started: number;
  if (variant === 'json-parse') {
    started = performance.now();
    const log = JSON.parse(readFileSync(file, 'utf8')) as { runs: { results: unknown[] }[] };
    for (const run of log.runs) results += run.results.length;
  } else if (variant === 'ours') {
    const { readFindingsFile } = await import('../src/quality/findings/index.ts');
    started = performance.now();
    const report = await readFindingsFile(file);
    results = Object.values(report.counts).reduce((a, b) => a + b, 0) + report.suppressed;
  } else {
    const { default: chain } = await import('stream-chain');
    const { parser } = await import('stream-json');
    const { pick } = await import('stream-json/filters/pick.js');
    const { streamValues } = await import('stream-json/streamers/stream-values.js');
    const { createReadStream } = await import('node:fs');
    started = performance.now();
    const pipeline = chain([
      createReadStream(file),
      parser({ streamValues: false }),
      pick({ filter: /^runs\.\d+\.results\.\d+$/ }),
      streamValues(),
    ]);
    for await (const value of pipeline) if (value !== undefined) results++;
  }
  return {
    ms: performance.now() - started,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    results,
  };
}

const MB = Number(args.mb);
const ROUNDS = Number(args.rounds);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function parent(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-findings-'));
  try {
    const file = join(dir, 'large.sarif');
    const expected = await writeSarif(file, MB);
    const bytes = statSync(file).size;
    process.stderr.write(`${(bytes / 1e6).toFixed(0)} MB, ${expected} results\n`);
    const samples = new Map<Variant, ChildResult[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round <= ROUNDS; round++) {
      // Round 0 warms the file cache and is not counted; the order rotates so load hits all alike.
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      for (const variant of order) {
        const run = spawnSync(
          process.execPath,
          [new URL(import.meta.url).pathname, '--child', variant, '--file', file],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        if (run.status !== 0) throw new Error(`${variant} exited ${run.status}: ${run.stderr}`);
        const result = JSON.parse(run.stdout) as ChildResult;
        if (result.results !== expected) {
          throw new Error(`${variant} counted ${result.results} results, expected ${expected}`);
        }
        if (round > 0) samples.get(variant)!.push(result);
      }
      if (round > 0)
        process.stderr.write(`round ${round}/${ROUNDS} (load ${loadavg()[0]!.toFixed(1)})\n`);
    }
    const rows = VARIANTS.map((variant) => {
      const list = samples.get(variant)!;
      return {
        variant,
        ms: Math.round(median(list.map((s) => s.ms))),
        maxRssMb: Math.round(median(list.map((s) => s.maxRssMb))),
        samples: list.map((s) => ({ ms: Math.round(s.ms), maxRssMb: Math.round(s.maxRssMb) })),
      };
    });
    const base = rows.find((r) => r.variant === 'json-parse')!.ms;
    const ours = rows.find((r) => r.variant === 'ours')!;
    console.log(
      `\n${(bytes / 1e6).toFixed(0)} MB SARIF, ${expected} results, medians of ${ROUNDS} rounds, node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
    console.log('| variant | time | × JSON.parse | peak RSS |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(
        `| ${r.variant} | ${r.ms} ms | ${(r.ms / base).toFixed(2)}× | ${r.maxRssMb} MB |`,
      );
    }
    const goals = {
      withinTwiceJsonParse: ours.ms <= 2 * base,
      ratio: Math.round((ours.ms / base) * 100) / 100,
      peakUnder256Mb: ours.maxRssMb < 256,
    };
    console.log(
      `\ngoals: within 2× JSON.parse: ${goals.withinTwiceJsonParse} (${goals.ratio}×); peak RSS under 256 MB: ${goals.peakUnder256Mb} (${ours.maxRssMb} MB)`,
    );
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(
      join(root, 'bench/results/quality-findings.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          command: `node bench/quality-findings.ts --mb ${MB} --rounds ${ROUNDS}`,
          machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
          node: process.version,
          file: { bytes, results: expected },
          goals,
          results: rows,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.child) {
  const result = await child(args.child as Variant, args.file!);
  process.stdout.write(JSON.stringify(result));
} else {
  await parent();
}
