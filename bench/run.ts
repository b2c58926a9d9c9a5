// Cold-start benchmark of every bundle in dist/, against bare node and the conventional stack.
//   npm run build && npm run bench            30 timed runs per variant (after 3 warm-ups)
//   node bench/run.ts --runs 10               fewer runs, for a quick look
// Prints the figures and writes them to bench/results/cold-start.json. See bench/README.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator, type Emulator } from '../test/emulator/server.ts';
import { parseKeyValueFile } from '../test/harness/file-commands.ts';
import {
  cleanupActionRuns,
  runAction,
  startOidcIssuer,
  type OidcIssuer,
} from '../test/harness/index.ts';
import { bundleBytes, CONVENTIONAL, outputOf, PROBES } from './build.ts';
import {
  startRecordingProxy,
  timedSpawn,
  type RecordingProxy,
  type TimedRun,
} from './cold-start.ts';
import { report, type NotRun, type Variant } from './report.ts';

const root = new URL('..', import.meta.url).pathname;
const WARMUP_RUNS = 3;
const DEFAULT_RUNS = 30;

const ACCOUNT_ID = '111122223333';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/deploy`;
const REGION = 'us-east-1';

interface Scenario {
  /** The step's `with:`. */
  inputs: Record<string, string>;
  /** A variable a successful run exports through GITHUB_ENV; every timed run is checked for it. */
  exports: string;
}

/** How each bundle is run. A bundle without a scenario gets its size reported only. */
const SCENARIOS: Record<string, Scenario> = {
  'oidc-assume': {
    inputs: { 'role-to-assume': ROLE_ARN, 'aws-region': REGION },
    exports: 'AWS_ACCESS_KEY_ID',
  },
};
/** The stand-in does what oidc-assume does, so it runs in oidc-assume's scenario. */
const SHARED_SCENARIO = 'oidc-assume';

/** The least any tool must do to reach AWS: one POST with node:http, nothing else loaded. */
const BARE_REQUEST_SCRIPT = [
  "const r = require('node:http').request(process.env.AWS_ENDPOINT_URL,",
  "{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },",
  '(res) => res.resume());',
  "r.end('Action=GetCallerIdentity&Version=2011-06-15');",
].join(' ');

interface Bundle {
  path: string;
  bytes: number;
}

interface Options {
  runs: number;
  /** Other builds of oidc-assume to time in the same run, e.g. an experiment. */
  candidates: string[];
}

const USAGE = `Usage: node bench/run.ts [--runs N] [--candidate FILE]...
  --runs N            timed runs per variant, after ${WARMUP_RUNS} warm-ups (default ${DEFAULT_RUNS})
  --candidate FILE    also time another build of oidc-assume (e.g. an experiment bundled with ncc),
                      interleaved with the rest; bench/results/ is then left as it is`;

const args = process.argv.slice(2);
const options = parseOptions(args);
if (options !== undefined) {
  try {
    await main(options);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

function parseOptions(argv: string[]): Options | undefined {
  const usage = (problem: string): undefined => {
    console.error(`bench: ${problem}\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        candidate: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return undefined;
  }
  const runs = Number(parsed.values.runs ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) return usage(`--runs must be a whole number >= 1`);
  const candidates = (parsed.values.candidate ?? []).map((file) => resolve(file));
  const missing = candidates.find((file) => !existsSync(file));
  if (missing !== undefined) return usage(`no such file: ${missing}`);
  return { runs, candidates };
}

async function main({ runs, candidates }: Options): Promise<void> {
  const bundles = await discoverBundles();
  console.log(`bench: ${bundles.length} bundle(s) in dist/; bundling the stand-in and probes…`);
  await buildInChild();
  const conventional = { path: outputOf(CONVENTIONAL), bytes: bundleBytes(CONVENTIONAL) };
  const probes = PROBES.map((probe) => ({
    name: probe.name.replace(/^probe-/, ''),
    loads: probe.loads ?? '',
    path: outputOf(probe),
    bytes: bundleBytes(probe),
  }));

  const issuer = await startOidcIssuer();
  let emulator: Emulator | undefined;
  let awsProxy: RecordingProxy | undefined;
  let tokenProxy: RecordingProxy | undefined;
  try {
    emulator = await startEmulator({
      sts: {
        oidcProviders: [
          { url: issuer.url, clientIds: ['sts.amazonaws.com'], accountId: ACCOUNT_ID },
        ],
        roles: [
          {
            arn: ROLE_ARN,
            trust: {
              webIdentity: {
                issuer: issuer.url,
                audience: 'sts.amazonaws.com',
                subject: 'repo:octo-org/octo-app:*',
              },
            },
          },
        ],
      },
    });
    awsProxy = await startRecordingProxy(emulator.url);
    tokenProxy = await startRecordingProxy(issuer.url);
    const proxies = { aws: awsProxy, token: tokenProxy };

    const { variants, notRun } = await prepareVariants(
      bundles,
      conventional,
      probes,
      candidates,
      issuer,
      proxies,
    );
    console.log(
      `bench: ${variants.length} variants × (${WARMUP_RUNS} warm-up + ${runs} timed) runs, interleaved`,
    );

    const loadBefore = loadavg()[0] ?? 0;
    const started = performance.now();
    for (let round = 0; round < WARMUP_RUNS + runs; round++) {
      // ABCD…, BCD…A, …: every variant runs once per round, and in every position equally often.
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(round + i) % variants.length]!;
        for (const file of variant.stepFiles) writeFileSync(file, '');
        const run = await timedSpawn(variant.spec, proxies);
        const problem = variant.check(run);
        if (problem !== undefined) {
          throw new Error(`${variant.label}: ${problem}\n${run.output.trimEnd()}`);
        }
        if (round >= WARMUP_RUNS) variant.samples.push(run);
      }
    }
    const elapsedS = (performance.now() - started) / 1000;

    report({
      root,
      variants,
      notRun,
      runs,
      warmupRuns: WARMUP_RUNS,
      elapsedS,
      loadBefore,
      argv: `node bench/run.ts${args.length ? ` ${args.join(' ')}` : ''}`,
      // The recorded results are those of the committed bundles, not of experiments.
      write: candidates.length === 0,
    });
  } finally {
    await tokenProxy?.close();
    await awsProxy?.close();
    await emulator?.close();
    await issuer.close();
    await cleanupActionRuns();
  }
}

async function discoverBundles(): Promise<(Bundle & { name: string })[]> {
  const dist = join(root, 'dist');
  const names = existsSync(dist)
    ? (await readdir(dist, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
    : [];
  const bundles = names
    .sort()
    .map((name) => ({ name, path: join(dist, name, 'index.js') }))
    .filter((found) => existsSync(found.path))
    .map((found) => ({ ...found, bytes: statSync(found.path).size }));
  if (bundles.length === 0) {
    throw new Error("no bundles in dist/*/index.js: run 'npm run build' first");
  }
  return bundles;
}

/** Runs bench/build.ts in its own process: ncc's heap and threads stay out of the timing. */
async function buildInChild(): Promise<void> {
  const child = spawn(process.execPath, [join(root, 'bench/build.ts')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  if (code !== 0) throw new Error(`bench/build.ts failed (${code ?? signal})`);
}

interface RunnerEnvironment {
  env: Record<string, string>;
  cwd: string;
  fileDir: string;
  /** Also used to name the timed runs' file-command files. */
  name: string;
  exports: string;
}

async function prepareVariants(
  bundles: (Bundle & { name: string })[],
  conventional: Bundle,
  probes: (Bundle & { name: string; loads: string })[],
  candidates: string[],
  issuer: OidcIssuer,
  proxies: { aws: RecordingProxy; token: RecordingProxy },
): Promise<{ variants: Variant[]; notRun: NotRun[] }> {
  const variants: Variant[] = [];
  const notRun: NotRun[] = [];
  // The runner's environment for oidc-assume, also given to the stand-in and the baselines.
  let shared: RunnerEnvironment | undefined;

  for (const found of bundles) {
    const action = join(root, 'actions', found.name, 'action.yml');
    const scenario = SCENARIOS[found.name];
    const label = `${found.name} (this suite)`;
    if (scenario === undefined || !existsSync(action)) {
      const why =
        scenario === undefined
          ? 'no cold-start scenario in bench/run.ts'
          : `no ${relative(root, action)}`;
      notRun.push({ label, bytes: found.bytes, why });
      continue;
    }
    const template = await runnerEnvironment(action, scenario, issuer, proxies);
    if (found.name === SHARED_SCENARIO) shared = template;
    variants.push(actionVariant(label, 'bundle', found, template));
  }
  if (shared === undefined) {
    throw new Error(
      `dist/${SHARED_SCENARIO}/index.js is needed: the stand-in and the baselines run in its scenario`,
    );
  }
  const env = shared.env;
  const cwd = shared.cwd;
  candidates.forEach((path, index) => {
    const candidate = { path, bytes: statSync(path).size };
    const label = `candidate: ${relative(root, path)}`;
    variants.push(actionVariant(label, 'candidate', candidate, shared, `candidate-${index}`));
  });
  variants.push(
    actionVariant(
      'conventional stand-in (@actions/core + client-sts)',
      'conventional',
      conventional,
      shared,
      'conventional',
    ),
    {
      label: 'bare node: one POST (node -e)',
      kind: 'bare-request',
      spec: { args: ['-e', BARE_REQUEST_SCRIPT], env, cwd },
      stepFiles: [],
      check: (run) => exitedCleanly(run) ?? reachedAws(run),
      samples: [],
    },
    {
      label: 'bare node: node -e 0',
      kind: 'bare-exit',
      spec: { args: ['-e', '0'], env, cwd },
      stepFiles: [],
      check: exitedCleanly,
      samples: [],
    },
    ...probes.map((probe): Variant => ({
      label: `probe: ${probe.name}`,
      kind: 'probe',
      detail: probe.loads,
      bundle: probe,
      spec: { args: [probe.path], env, cwd },
      stepFiles: [],
      check: exitedCleanly,
      samples: [],
    })),
  );
  return { variants, notRun };
}

/**
 * Runs the action once through the runner harness (which also checks that it succeeds) and
 * returns the environment its main step received, for the timed runs to reuse.
 */
async function runnerEnvironment(
  action: string,
  scenario: Scenario,
  issuer: OidcIssuer,
  proxies: { aws: RecordingProxy; token: RecordingProxy },
): Promise<RunnerEnvironment> {
  const tokenUrl = new URL(issuer.requestUrl);
  const run = await runAction({
    action,
    oidc: issuer,
    inputs: scenario.inputs,
    post: false,
    env: {
      AWS_ENDPOINT_URL: proxies.aws.url,
      // Through the token proxy, so the runs also show when the token request left.
      ACTIONS_ID_TOKEN_REQUEST_URL: `${proxies.token.url}${tokenUrl.pathname}${tokenUrl.search}`,
    },
  });
  if (run.outcome !== 'success' || run.exportedEnv[scenario.exports] === undefined) {
    throw new Error(
      `${relative(root, action)} did not succeed under the harness (${run.outcome}):\n${run.log}`,
    );
  }
  return {
    env: run.env,
    cwd: run.workspace,
    fileDir: join(run.runnerTemp, '_runner_file_commands'),
    name: relative(join(root, 'actions'), join(action, '..')),
    exports: scenario.exports,
  };
}

/** A bundle run with the runner's environment and file-command files of its own. */
function actionVariant(
  label: string,
  kind: 'bundle' | 'candidate' | 'conventional',
  found: Bundle,
  template: RunnerEnvironment,
  fileSuffix = template.name,
): Variant {
  const file = (prefix: string): string => join(template.fileDir, `${prefix}bench-${fileSuffix}`);
  const files = {
    GITHUB_OUTPUT: file('set_output_'),
    GITHUB_ENV: file('set_env_'),
    GITHUB_STATE: file('save_state_'),
    GITHUB_STEP_SUMMARY: file('step_summary_'),
    GITHUB_PATH: file('add_path_'),
  };
  return {
    label,
    kind,
    bundle: found,
    spec: { args: [found.path], env: { ...template.env, ...files }, cwd: template.cwd },
    stepFiles: Object.values(files),
    check(run) {
      const problem = exitedCleanly(run) ?? reachedAws(run);
      if (problem !== undefined) return problem;
      const exported = parseKeyValueFile(readFileSync(files.GITHUB_ENV, 'utf8')).values;
      return exported[template.exports] === undefined
        ? `no ${template.exports} in GITHUB_ENV`
        : undefined;
    },
    samples: [],
  };
}

function exitedCleanly(run: TimedRun): string | undefined {
  return run.exitCode === 0 ? undefined : `exit code ${run.exitCode ?? run.signal}`;
}

function reachedAws(run: TimedRun): string | undefined {
  return run.firstAwsRequestMs === undefined ? 'no request reached the AWS endpoint' : undefined;
}
