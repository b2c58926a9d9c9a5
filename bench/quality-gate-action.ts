// The whole quality gate on 200 MB of reports, as a job runs it: the committed bundle
// (dist/quality-gate/index.js, started the way the runner starts it) judging an lcov tracefile,
// a JUnit XML file and a SARIF log of about a third of the size each, against a bare parse of the
// same three files in one process (JSON.parse of the SARIF, a saxes parse of the XML with no
// handlers, the lcov split into lines and fields): the least any gate must do with those bytes.
// Both are timed from spawn to exit, peak RSS from /usr/bin/time; medians of the rounds, order
// alternating, after an uncounted warm-up round that fills the file cache.
//   node_modules/.bin/node bench/quality-gate-action.ts [--mb 200] [--rounds 5]
// Prints a table and writes bench/results/quality-gate-action.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SaxesParser } from 'saxes';
import { readChunks } from '../src/quality/report-file.ts';
import { XML_PIECE } from '../src/quality/xml-report.ts';
import { junitSuites, lcovRecords, writeReport, writeSarif } from './quality-reports.ts';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    bare: { type: 'string' },
  },
});

/** The bare variant, in its own process: the three files parsed, nothing built. */
async function bare(dir: string): Promise<void> {
  const log = JSON.parse(readFileSync(join(dir, 'findings.sarif'), 'utf8')) as {
    runs: { results: unknown[] }[];
  };
  let results = 0;
  for (const run of log.runs) results += run.results.length;
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder();
  for await (const chunk of readChunks(join(dir, 'junit.xml'))) {
    for (let from = 0; from < chunk.length; from += XML_PIECE) {
      parser.write(decoder.decode(chunk.subarray(from, from + XML_PIECE), { stream: true }));
    }
  }
  parser.close();
  let fields = 0;
  let rest = '';
  const lines = new TextDecoder();
  for await (const chunk of readChunks(join(dir, 'lcov.info'))) {
    const text = rest + lines.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      fields += text.slice(text.indexOf(':', start) + 1, end).split(',').length;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  process.stdout.write(`${JSON.stringify({ results, fields })}\n`);
}

interface Sample {
  readonly ms: number;
  readonly peakMb: number;
}

/** Runs a command under /usr/bin/time: wall time from spawn to exit, and its peak RSS. */
function timed(command: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', ...command], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const kib = Number(stderr.trim().split('\n').pop());
      if (code !== 0 || !Number.isFinite(kib)) {
        reject(new Error(`${command.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      } else resolve({ ms, peakMb: kib / 1024 });
    });
  });
}

/** The environment the runner gives the step: inputs as INPUT_*, the workspace, the files. */
function stepEnv(workspace: string, files: string): NodeJS.ProcessEnv {
  for (const name of ['output', 'summary', 'env', 'state', 'path']) {
    writeFileSync(join(files, name), '');
  }
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_STEP_SUMMARY: join(files, 'summary'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_STATE: join(files, 'state'),
    GITHUB_PATH: join(files, 'path'),
    RUNNER_TEMP: files,
    INPUT_COVERAGE: 'lcov.info',
    'INPUT_COVERAGE-FORMAT': 'auto',
    INPUT_TESTS: 'junit.xml',
    INPUT_FINDINGS: 'findings.sarif',
    'INPUT_MIN-COVERAGE': '80',
    'INPUT_MAX-FAILED-TESTS': '0',
    'INPUT_ALLOW-SKIPPED': 'true',
    'INPUT_FAIL-ON': 'critical',
    'INPUT_MAX-P95-LATENCY': '2s',
    'INPUT_MAX-COVERAGE-DROP': '0',
    'INPUT_MAX-P95-REGRESSION': '10%',
    INPUT_MODE: 'report',
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const mb = Number(args.mb);
  const rounds = Number(args.rounds);
  const dir = mkdtempSync(join(tmpdir(), 'bench-quality-gate-'));
  try {
    const workspace = join(dir, 'workspace');
    const files = join(dir, 'runner');
    mkdirSync(workspace);
    mkdirSync(files);
    const third = (mb * 1024 * 1024) / 3;
    await writeReport(join(workspace, 'lcov.info'), () => lcovRecords(third));
    await writeReport(join(workspace, 'junit.xml'), () => junitSuites(third));
    await writeSarif(join(workspace, 'findings.sarif'), third / 1e6);
    const sizes = ['lcov.info', 'junit.xml', 'findings.sarif'].map(
      (name) => statSync(join(workspace, name)).size / 1024 / 1024,
    );
    const totalMb = sizes.reduce((a, b) => a + b, 0);
    process.stderr.write(
      `${totalMb.toFixed(0)} MB of reports (${sizes.map((s) => s.toFixed(0)).join(' + ')})\n`,
    );
    const variants = {
      bare: () =>
        timed(
          [process.execPath, new URL(import.meta.url).pathname, '--bare', workspace],
          process.env,
        ),
      action: () =>
        timed(
          [process.execPath, join(root, 'dist/quality-gate/index.js')],
          stepEnv(workspace, files),
        ),
    };
    const samples: Record<keyof typeof variants, Sample[]> = { bare: [], action: [] };
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 ? (['action', 'bare'] as const) : (['bare', 'action'] as const);
      for (const variant of order) {
        const sample = await variants[variant]();
        if (round > 0) samples[variant].push(sample);
      }
      process.stderr.write(`round ${round}/${rounds} (load ${loadavg()[0]!.toFixed(1)})\n`);
    }
    const summary = readFileSync(join(files, 'summary'), 'utf8');
    if (!summary.includes('min-coverage')) throw new Error(`the gate judged nothing:\n${summary}`);
    const row = (variant: keyof typeof variants) => ({
      medianMs: Math.round(median(samples[variant].map((s) => s.ms))),
      peakMb: Math.round(Math.max(...samples[variant].map((s) => s.peakMb))),
      samplesMs: samples[variant].map((s) => Math.round(s.ms)),
    });
    const result = { bare: row('bare'), action: row('action') };
    const ratio = Math.round((result.action.medianMs / result.bare.medianMs) * 100) / 100;
    console.log(
      `\n${totalMb.toFixed(0)} MB of reports, medians of ${rounds} rounds, ${process.version}, ${cpus().length} CPUs, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    );
    console.log('| variant | time | × bare | peak RSS |\n| --- | ---: | ---: | ---: |');
    console.log(`| bare parse | ${result.bare.medianMs} ms | 1.00× | ${result.bare.peakMb} MB |`);
    console.log(
      `| quality-gate bundle | ${result.action.medianMs} ms | ${ratio.toFixed(2)}× | ${result.action.peakMb} MB |`,
    );
    const goals = { within2xOfBare: ratio <= 2, peakUnder256Mb: result.action.peakMb < 256 };
    console.log(
      `\ngoals: within 2× the bare parse: ${goals.within2xOfBare}; peak RSS under 256 MB: ${goals.peakUnder256Mb}`,
    );
    writeFileSync(
      join(root, 'bench/results/quality-gate-action.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          command: `node_modules/.bin/node bench/quality-gate-action.ts --mb ${mb} --rounds ${rounds}`,
          machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg() },
          node: process.version,
          reportsMb: sizes.map((s) => Math.round(s * 10) / 10),
          ...result,
          ratio,
          goals,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.bare) await bare(args.bare);
else await main();
