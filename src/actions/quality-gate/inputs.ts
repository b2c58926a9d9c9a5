// quality-gate's inputs: the registry action.yml is checked against, and the one place their text
// becomes values. The policy, waivers and baseline files are read and checked here too, so every
// mistake is found before any report is read.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type InputRegistry, type InputSpec, readInputs } from '../../lib/action-io.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { parseList } from '../../lib/parse.ts';
import { RESULT_VERSION } from '../../lib/version.ts';
import { COVERAGE_FORMATS, type CoverageFormat } from '../../quality/coverage/model.ts';
import type { GateOptions } from '../../quality/gate.ts';
import { type Baseline, parseBaseline } from '../../quality/gate/baseline.ts';
import { EMPTY_POLICY, type Policy, parsePolicy } from '../../quality/gate/policy.ts';
import { REPORT_KINDS, type ReportKind } from '../../quality/gate/result.ts';
import {
  DEFAULT_THRESHOLDS,
  THRESHOLD_FIELDS,
  THRESHOLD_NAMES,
  THRESHOLD_PARSERS,
  type Thresholds,
} from '../../quality/gate/thresholds.ts';
import { type Waiver, parseWaivers } from '../../quality/gate/waivers.ts';
import { checkGitRef } from '../rds-migrate/checks.ts';
import { isInside, realPath } from '../shared/workspace-paths.ts';

export const INPUTS = {
  coverage: { kind: 'list' },
  'coverage-format': { kind: 'choice', default: 'auto' },
  tests: { kind: 'list' },
  findings: { kind: 'list' },
  performance: { kind: 'list' },
  policy: { kind: 'path' },
  'min-coverage': { kind: 'number', default: '80' },
  'min-patch-coverage': { kind: 'number' },
  'base-ref': { kind: 'name' },
  'max-failed-tests': { kind: 'integer', default: '0' },
  'allow-skipped': { kind: 'boolean', default: 'true' },
  'fail-on': { kind: 'choice', default: 'critical' },
  'max-p95-latency': { kind: 'text', default: '2s' },
  'max-error-rate': { kind: 'number' },
  'max-coverage-drop': { kind: 'number', default: '0' },
  'max-p95-regression': { kind: 'number', default: '10%' },
  baseline: { kind: 'path' },
  waivers: { kind: 'path' },
  mode: { kind: 'choice', default: 'evaluate' },
  'result-file': { kind: 'host-path' },
  'github-token': { kind: 'text', secret: true },
} as const satisfies InputRegistry;

export const OUTPUTS = ['verdict', 'failed-rules', 'result'] as const;

export const MODES = ['evaluate', 'report'] as const;

export interface QualityGateConfig {
  readonly gate: GateOptions;
  readonly mode: (typeof MODES)[number];
  /** Absolute, its folder existing; undefined: no file. */
  readonly resultFile: string | undefined;
  readonly githubToken: string | undefined;
}

/** Every input, the policy, the waivers and the baseline checked; the first problem thrown. */
export function parseInputs(
  read: (name: string) => string | undefined,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
): QualityGateConfig {
  const { values: v } = readInputs(INPUTS, read);
  const mode = oneOf('mode', v.mode, MODES);
  const coverageFormat =
    v['coverage-format'] === 'auto'
      ? undefined
      : oneOf<CoverageFormat>('coverage-format', v['coverage-format'], COVERAGE_FORMATS);
  const policyFile = workspaceFile('policy', v.policy, workspace);
  const policy: Policy = policyFile
    ? fromFile('policy', () => parsePolicy(v.policy, readText('policy', policyFile)))
    : EMPTY_POLICY;

  let thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...policy.thresholds };
  for (const name of THRESHOLD_NAMES) {
    const text = v[name];
    // An input set to other than its default wins over the policy file, whose values win over
    // the defaults (the runner passes action.yml's defaults as inputs: they cannot be told apart).
    const spec: InputSpec = INPUTS[name];
    const fromStep = text !== '' && text !== spec.default;
    if (!fromStep && (text === '' || THRESHOLD_FIELDS[name] in policy.thresholds)) continue;
    thresholds = { ...thresholds, ...THRESHOLD_PARSERS[name](`Input '${name}'`, text) };
  }

  const reports: Partial<Record<ReportKind, string[]>> = {};
  for (const kind of REPORT_KINDS) {
    const globs = parseList(v[kind]);
    for (const glob of globs) checkGlob(kind, glob, workspace);
    if (globs.length > 0) reports[kind] = globs;
  }

  const baseRef = patchBaseRef(v['base-ref'], thresholds.minPatchCoverage, env);
  const waiversFile = workspaceFile('waivers', v.waivers, workspace);
  const waivers: Waiver[] = waiversFile
    ? fromFile('waivers', () => parseWaivers(v.waivers, readText('waivers', waiversFile)))
    : [];
  const baselineFile = workspaceFile('baseline', v.baseline, workspace);
  const baseline: Baseline | undefined = baselineFile
    ? fromFile('baseline', () =>
        parseBaseline(v.baseline, readText('baseline', baselineFile), RESULT_VERSION),
      )
    : undefined;

  return {
    gate: {
      workspace,
      reports,
      requirements: policy.reports,
      ...(coverageFormat ? { coverageFormat } : {}),
      thresholds,
      coverageTargets: policy.coverageTargets,
      ...(baseRef ? { baseRef } : {}),
      ...(baseline ? { baseline } : {}),
      waivers,
    },
    mode,
    resultFile: resultFile(v['result-file'], workspace),
    githubToken: v['github-token'] || undefined,
  };
}

/** A file's own problem (a key, a line) said as a problem of the input that named it. */
function fromFile<T>(input: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UserError) || error.message.startsWith('Input ')) throw error;
    throw new UserError(`Input '${input}': ${error.message}`, { cause: error });
  }
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserError(`Input '${input}' is ${shown(value)}: use one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** A file an input names: inside the workspace, as written and with links resolved, and a file. */
function workspaceFile(input: string, text: string, workspace: string): string | undefined {
  if (text === '') return undefined;
  const path = resolve(workspace, text);
  const outside = () =>
    new UserError(
      `Input '${input}' is ${shown(text)}, which leads outside the workspace: give a file of the repository, relative to the workspace.`,
    );
  if (!isInside(resolve(workspace), path)) throw outside();
  if (!isInside(realPath(workspace), realPath(path))) throw outside();
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new UserError(
      `Input '${input}' names ${shown(text)}, which does not exist: give the path of the file, relative to the workspace.`,
    );
  }
  if (!isFile)
    throw new UserError(
      `Input '${input}' names ${shown(text)}, which is not a file: give the path of the file.`,
    );
  return path;
}

function readText(input: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `Input '${input}' names ${shown(path)}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
}

/** Report globs stay in the workspace: no absolute path outside it, no `..` out of it. */
function checkGlob(kind: ReportKind, glob: string, workspace: string): void {
  if (glob.replace(/^[A-Za-z]:[\\/]/, '').includes(':')) {
    throw new UserError(
      `Input '${kind}' has ${shown(glob)}, which is not a path or glob: give globs relative to the workspace, one per line or comma separated (no ':' but a Windows drive's).`,
    );
  }
  const absolute = isAbsolute(glob) ? glob : resolve(workspace, glob);
  if (glob.split(/[\\/]/).includes('..') && !isInside(resolve(workspace), absolute)) {
    throw new UserError(
      `Input '${kind}' has ${shown(glob)}, which leads outside the workspace: give globs relative to the workspace, such as coverage/lcov.info or reports/**/*.xml.`,
    );
  }
  if (isAbsolute(glob) && !isInside(resolve(workspace), glob)) {
    throw new UserError(
      `Input '${kind}' has ${shown(glob)}, outside the workspace: give globs relative to the workspace, such as coverage/lcov.info.`,
    );
  }
}

/** Patch coverage needs a base: the input, or a pull request's base branch. */
function patchBaseRef(
  given: string,
  minPatch: number | undefined,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (given) return checkGitRef('base-ref', given);
  const event = env.GITHUB_EVENT_NAME;
  const fromEvent =
    (event === 'pull_request' || event === 'pull_request_target') && env.GITHUB_BASE_REF;
  if (fromEvent) return checkGitRef('base-ref (from GITHUB_BASE_REF)', env.GITHUB_BASE_REF!);
  if (minPatch !== undefined) {
    throw new UserError(
      "Input 'min-patch-coverage' needs a base to compare with: set 'base-ref' (a branch, tag or commit such as main), or run on a pull_request event.",
    );
  }
  return undefined;
}

/** Where the result JSON is written: its folder must exist. */
function resultFile(text: string, workspace: string): string | undefined {
  if (text === '') return undefined;
  const path = resolve(workspace, text);
  let folder: boolean;
  try {
    folder = statSync(dirname(path)).isDirectory();
  } catch {
    folder = false;
  }
  if (!folder) {
    throw new UserError(
      `Input 'result-file' is ${shown(text)}, whose folder does not exist: give a path in an existing folder, such as quality-gate.json or \${{ runner.temp }}/quality-gate.json.`,
    );
  }
  return path;
}
