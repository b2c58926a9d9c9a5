// quality-gate's report parsers on big reports: each parser against a bare parse of the same
// bytes (the least any reader must do), wall time and peak resident memory, each run in its own
// child process so one run's heap never counts in another's.
//   reports: ~200 MB each, generated into a temp dir (deleted at the end):
//     lcov    jest-shaped records (TN, SF, FN/FNDA, BRDA, DA, LF/LH, BRF/BRH) over many files
//     junit   jest-junit-shaped suites of test cases, 2 % failing with a stack trace
//   variants per report:
//     ours    the parser the action uses (readCoverage / readTestResults), model built
//     bare    lcov: chunks decoded, split into lines, each line split at ':' and ','
//             junit: a saxes parse of the same pieces with no handlers (builds nothing)
//   measured: wall time and CPU time (user + system) of the work in the child, median of the
//   rounds, and the child's peak RSS (process.resourceUsage().maxRSS), the largest of the rounds.
//   node bench/quality-parsers.ts [--rounds 3] [--mb 200] [--only lcov,junit]
// Prints a table and writes bench/results/quality-parsers.json. See bench/README.md.
//
// To add a report kind, add an entry to KINDS: how to generate it, and its two variants.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SaxesParser } from 'saxes';
import { readCoverage } from '../src/quality/coverage/read-coverage.ts';
import { overallLines } from '../src/quality/coverage/model.ts';
import { readChunks } from '../src/quality/report-file.ts';
import { readTestResults } from '../src/quality/tests/read-test-results.ts';
import { XML_PIECE } from '../src/quality/xml-report.ts';
import { junitSuites, lcovRecords, writeReport } from './quality-reports.ts';

interface Kind {
  readonly description: string;
  /** Writes about `bytes` of report to `file`. */
  readonly generate: (file: string, bytes: number) => Promise<void>;
  /** What each variant does to the file; the returned value is printed to show work was done. */
  readonly variants: Readonly<Record<'ours' | 'bare', (file: string) => Promise<unknown>>>;
}

const KINDS: Record<string, Kind> = {
  lcov: {
    description: 'lcov tracefile (jest-shaped records)',
    generate: (file, bytes) => writeReport(file, () => lcovRecords(bytes)),
    variants: {
      ours: async (file) => {
        const coverage = await readCoverage([file], { workspace: '/home/runner/work/shop/shop' });
        return { files: coverage.files.size, lines: overallLines(coverage) };
      },
      bare: async (file) => {
        const decoder = new TextDecoder();
        let rest = '';
        let fields = 0;
        for await (const chunk of readChunks(file)) {
          const text = rest + decoder.decode(chunk, { stream: true });
          let start = 0;
          for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
            const line = text.slice(start, end);
            const colon = line.indexOf(':');
            fields += line.slice(colon + 1).split(',').length;
            start = end + 1;
          }
          rest = text.slice(start);
        }
        return { fields };
      },
    },
  },
  junit: {
    description: 'JUnit XML (jest-junit-shaped, 2 % failing with a stack trace)',
    generate: (file, bytes) => writeReport(file, () => junitSuites(bytes)),
    variants: {
      ours: async (file) => {
        const results = await readTestResults([file]);
        return results.counts;
      },
      bare: async (file) => {
        const parser = new SaxesParser({ position: true });
        const decoder = new TextDecoder();
        // Fed as readXml feeds it (XML_PIECE bytes at a time), so only the handlers differ.
        for await (const chunk of readChunks(file)) {
          for (let from = 0; from < chunk.length; from += XML_PIECE) {
            parser.write(decoder.decode(chunk.subarray(from, from + XML_PIECE), { stream: true }));
          }
        }
        parser.close();
        return { parsed: true };
      },
    },
  },
};

interface Sample {
  readonly ms: number;
  /** The child's CPU time (user + system) for the same work: steadier than wall time on a shared machine. */
  readonly cpuMs: number;
  /** Peak RSS before the work: node, its type stripping of these sources, the modules loaded. */
  readonly startMb: number;
  readonly peakMb: number;
  readonly result: unknown;
}

/** Child mode: run one variant on one file and print its time, peak RSS and result as JSON. */
async function child(kind: string, variant: 'ours' | 'bare', file: string): Promise<void> {
  const startMb = process.resourceUsage().maxRSS / 1024; // node, type stripping, the modules
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await KINDS[kind]!.variants[variant](file);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, startMb, peakMb, result })}\n`);
}

function runChild(kind: string, variant: string, file: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [new URL(import.meta.url).pathname, '--child', kind, variant, file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (data: Buffer) => (out += data.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`${kind}/${variant} exited ${code}`));
      else resolve(JSON.parse(out) as Sample);
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      mb: { type: 'string', default: '200' },
      only: { type: 'string', default: Object.keys(KINDS).join(',') },
    },
  });
  const rounds = Number(args.rounds);
  const bytes = Number(args.mb) * 1024 * 1024;
  const kinds = args.only.split(',').filter((kind) => kind in KINDS);
  const dir = mkdtempSync(join(tmpdir(), 'quality-bench-'));
  const results: Record<string, unknown> = {};
  const rows: string[] = [];
  try {
    for (const kind of kinds) {
      const file = join(dir, `report.${kind}`);
      await KINDS[kind]!.generate(file, bytes);
      const size = statSync(file).size;
      const samples: Record<string, Sample[]> = { ours: [], bare: [] };
      for (let round = 0; round < rounds; round += 1) {
        // Alternate which goes first so a warm page cache or a busy neighbour hits both alike.
        const order = round % 2 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const);
        for (const variant of order) samples[variant]!.push(await runChild(kind, variant, file));
      }
      const summary = (variant: string) => ({
        medianMs: Math.round(median(samples[variant]!.map((sample) => sample.ms))),
        medianCpuMs: Math.round(median(samples[variant]!.map((sample) => sample.cpuMs))),
        peakMb: Math.round(Math.max(...samples[variant]!.map((sample) => sample.peakMb))),
        samplesMs: samples[variant]!.map((sample) => Math.round(sample.ms)),
        samplesCpuMs: samples[variant]!.map((sample) => Math.round(sample.cpuMs)),
        samplesPeakMb: samples[variant]!.map((sample) => Math.round(sample.peakMb)),
        startMb: Math.round(Math.max(...samples[variant]!.map((sample) => sample.startMb))),
        result: samples[variant]![0]!.result,
      });
      const ours = summary('ours');
      const bare = summary('bare');
      const ratio = Math.round((ours.medianMs / bare.medianMs) * 100) / 100;
      const cpuRatio = Math.round((ours.medianCpuMs / bare.medianCpuMs) * 100) / 100;
      results[kind] = {
        description: KINDS[kind]!.description,
        reportMb: Math.round((size / 1024 / 1024) * 10) / 10,
        ours,
        bare,
        ratio,
        cpuRatio,
        goals: {
          within2xOfBareWall: ratio <= 2,
          within2xOfBareCpu: cpuRatio <= 2,
          peakUnder256Mb: ours.peakMb < 256,
        },
      };
      rows.push(
        `| ${kind.padEnd(6)} | ${String(Math.round(size / 1024 / 1024)).padStart(6)} | ${String(ours.medianMs).padStart(8)} | ${String(bare.medianMs).padStart(8)} | ${ratio.toFixed(2).padStart(5)}× | ${String(ours.medianCpuMs).padStart(8)} | ${String(bare.medianCpuMs).padStart(8)} | ${cpuRatio.toFixed(2).padStart(5)}× | ${String(ours.peakMb).padStart(8)} | ${String(bare.peakMb).padStart(8)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    '| report | MB     | ours ms  | bare ms  | ratio  | ours CPU | bare CPU | ratio  | ours MB  | bare MB  |',
  );
  console.log(
    '| ------ | ------ | -------- | -------- | ------ | -------- | -------- | ------ | -------- | -------- |',
  );
  for (const row of rows) console.log(row);
  const command = `node bench/quality-parsers.ts --rounds ${rounds} --mb ${args.mb}${args.only === Object.keys(KINDS).join(',') ? '' : ` --only ${args.only}`}`;
  writeFileSync(
    new URL('results/quality-parsers.json', import.meta.url),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        command,
        machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
        node: process.version,
        rounds,
        kinds: results,
      },
      null,
      2,
    )}\n`,
  );
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4] as 'ours' | 'bare', process.argv[5]!);
} else {
  await main();
}
