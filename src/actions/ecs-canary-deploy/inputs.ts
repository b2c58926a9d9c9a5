import { resolveRegion } from '../../aws/region.ts';
import {
  type AnalysisConfigInput,
  type InconclusivePolicyInput,
  type OnInconclusive,
  validateAnalysisConfig,
  validateInconclusivePolicy,
} from '../../canary/analysis/index.ts';
import type { RunOptions } from '../../ecs/deploy/index.ts';
import type { Strategy } from '../../ecs/deploy/strategy.ts';
import { type InputRegistry, readInputs } from '../../lib/action-io.ts';
import { parseDuration } from '../../lib/durations.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import { parseBoolean, parseInteger } from '../../lib/parse.ts';
import {
  WEB_IDENTITY_INPUTS,
  type WebIdentitySettings,
  parseRoleToAssume,
} from '../shared/web-identity-inputs.ts';
import { shown as quote } from '../../lib/errors.ts';
import { checkAlarms, checkEcsTarget, checkRoleArn } from './identifiers.ts';
import { parseOverrides } from './overrides/parse-overrides.ts';
import { parseStrategy } from './parse-strategy.ts';
import { parseSmokeUrl } from './smoke-url.ts';

export const INPUTS = {
  'aws-region': { kind: 'region' },
  cluster: { kind: 'name', arn: 'ecs-cluster', required: true },
  service: { kind: 'name', arn: 'ecs-service', required: true },
  'task-definition': { kind: 'path' },
  images: { kind: 'lines' },
  environment: { kind: 'lines' },
  secrets: { kind: 'lines' },
  'task-role-arn': { kind: 'arn', arn: 'iam-role' },
  'execution-role-arn': { kind: 'arn', arn: 'iam-role' },
  'log-options': { kind: 'lines' },
  command: { kind: 'json' },
  strategy: { kind: 'choice', default: 'canary' },
  'canary-percent': { kind: 'number', default: '10' },
  'canary-bake': { kind: 'minutes', default: '10m' },
  'step-percent': { kind: 'number', default: '10' },
  'step-bake': { kind: 'minutes', default: '6m' },
  'bake-time': { kind: 'minutes', default: '10m' },
  alarms: { kind: 'list' },
  'smoke-url': { kind: 'url' },
  'smoke-expect-status': { kind: 'integer', default: '200' },
  'min-requests': { kind: 'integer', default: '300' },
  'max-error-rate': { kind: 'number' },
  'max-p95-latency': { kind: 'duration', min: '1ms', max: '1h' },
  tolerance: { kind: 'number', default: '0.25' },
  'on-inconclusive': { kind: 'choice', default: 'continue' },
  'analysis-interval': { kind: 'duration', max: '1h', default: '60s' },
  'poll-interval': { kind: 'duration', min: '1s', max: '5m', default: '10s' },
  'request-timeout': { kind: 'duration', min: '1s', max: '2m', default: '10s' },
  'hook-timeout': { kind: 'duration', default: '30m' },
  'on-busy': { kind: 'choice', default: 'wait' },
  timeout: { kind: 'duration', max: '120h', default: '60m' },
  'dry-run': { kind: 'boolean', default: 'false' },
  'role-to-assume': { kind: 'arn', arn: 'iam-role' },
  ...WEB_IDENTITY_INPUTS,
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'task-definition-arn',
  'service-deployment-arn',
  'status',
  'verdict',
  'rollback-reason',
  'result',
] as const;

export interface EcsCanaryDeployConfig {
  region: string;
  /** What the engine gets, but the task definition file's text. */
  deploy: Omit<RunOptions, 'taskDefinition'>;
  /** Relative to the workspace; none: the service's current revision. */
  taskDefinitionFile: string | undefined;
  smoke: { url: URL; expectStatus: number } | undefined;
  /** Per AWS request attempt; a hung call is abandoned and retried after this. */
  requestTimeoutMs: number;
  /** Assume this role with the job's OIDC token, and again whenever the session nears its end. */
  assume: ({ roleArn: string } & WebIdentitySettings) | undefined;
}

/** ALB metrics come in 60 s periods, and ECS is polled, not pushed. */
const MIN_ANALYSIS_INTERVAL_MS = 10_000;
/** The longest PAUSE hook timeout ECS takes. */
const MAX_HOOK_TIMEOUT_MINUTES = 20_160;
const ON_INCONCLUSIVE: readonly string[] = ['continue', 'rollback', 'extend'];

/** Every input checked before any call to AWS; the first problem is thrown as a UserError. */
export function parseInputs(
  read: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): EcsCanaryDeployConfig {
  const { values: v } = readInputs(INPUTS, read);
  const region = resolveRegion(v['aws-region'], env);
  const { cluster, service } = checkEcsTarget(v.cluster, v.service, region);

  const overrides = parseOverrides(v);

  const strategy = parseStrategy(v);

  const alarms = checkAlarms(v.alarms);

  const smoke = smokeCheck(v['smoke-url'], v['smoke-expect-status'], strategy);

  const config: AnalysisConfigInput = {
    minRequests: parseInteger('min-requests', v['min-requests'], 1, 100_000_000),
    ...optional('maxErrorRate', v['max-error-rate'], (t) => fraction('max-error-rate', t)),
    ...optional('maxP95LatencySeconds', v['max-p95-latency'], (t) => latency('max-p95-latency', t)),
    tolerance: number('tolerance', v.tolerance),
  };
  if (!ON_INCONCLUSIVE.includes(v['on-inconclusive'])) {
    throw new UserError(
      `Input 'on-inconclusive' is ${quote(v['on-inconclusive'])}: use ${ON_INCONCLUSIVE.join(', ')}.`,
    );
  }
  const onInconclusive: InconclusivePolicyInput = {
    onInconclusive: v['on-inconclusive'] as OnInconclusive,
  };
  const intervalMs = parseDuration('analysis-interval', v['analysis-interval']);
  // The analysis module's own checks, with its messages turned into ones that name the input.
  const analysis = {
    config: asInputError(() => validateAnalysisConfig(config)),
    onInconclusive: asInputError(() => validateInconclusivePolicy(onInconclusive)),
    intervalMs,
  };
  if (analysis.intervalMs < MIN_ANALYSIS_INTERVAL_MS) {
    throw new UserError(
      `Input 'analysis-interval' is ${quote(v['analysis-interval'])}: use 10s or more (ALB metrics come in 60 s periods).`,
    );
  }

  // Its range (1s to 5m) is the registry's, checked as the inputs are read.
  const pollIntervalMs = parseDuration('poll-interval', v['poll-interval']);

  // Its range (1s to 2m) is the registry's: each AWS request attempt is abandoned and retried after it.
  const requestTimeoutMs = parseDuration('request-timeout', v['request-timeout']);

  const hookTimeoutMs = parseDuration('hook-timeout', v['hook-timeout']);
  const hookTimeoutMinutes = hookTimeoutMs / 60_000;
  if (
    !Number.isInteger(hookTimeoutMinutes) ||
    hookTimeoutMinutes < 1 ||
    hookTimeoutMinutes > MAX_HOOK_TIMEOUT_MINUTES
  ) {
    throw new UserError(
      `Input 'hook-timeout' is ${quote(v['hook-timeout'])}: use whole minutes from 1m to ${MAX_HOOK_TIMEOUT_MINUTES}m (ECS rolls back on its own when a paused deployment is not answered in that time).`,
    );
  }
  if (hookTimeoutMs <= analysis.intervalMs * 2) {
    throw new UserError(
      `Input 'hook-timeout' (${v['hook-timeout'].trim()}) must be more than twice 'analysis-interval' (${v['analysis-interval'].trim()}): a gate watches for one interval before it answers ECS.`,
    );
  }

  if (v['on-busy'] !== 'wait' && v['on-busy'] !== 'fail') {
    throw new UserError(`Input 'on-busy' is ${quote(v['on-busy'])}: use wait or fail.`);
  }

  const timeoutMs = parseDuration('timeout', v.timeout);
  if (timeoutMs < 60_000) {
    throw new UserError(
      `Input 'timeout' is ${quote(v.timeout)}: use 1m or more (a deployment starts and health-checks new tasks first).`,
    );
  }

  return {
    region,
    deploy: {
      cluster,
      service,
      strategy,
      overrides,
      alarms,
      analysis,
      onBusy: v['on-busy'],
      hookTimeoutMinutes,
      timeoutMs,
      pollIntervalMs,
      dryRun: parseBoolean('dry-run', v['dry-run']),
    },
    taskDefinitionFile: v['task-definition'] === '' ? undefined : v['task-definition'],
    smoke,
    requestTimeoutMs,
    assume: parseRoleToAssume(v, env, checkRoleArn),
  };
}

function smokeCheck(
  urlText: string,
  statusText: string,
  strategy: Strategy,
): EcsCanaryDeployConfig['smoke'] {
  const expectStatus = parseInteger('smoke-expect-status', statusText, 100, 599);
  if (urlText === '') return undefined;
  const url = parseSmokeUrl(urlText);
  if (strategy.kind === 'rolling') {
    throw new UserError(
      "Input 'smoke-url' needs a test listener, which rolling deployments do not have: use strategy canary, linear or blue-green, or leave smoke-url out.",
    );
  }
  return { url, expectStatus };
}

function optional<K extends string, T>(
  key: K,
  text: string,
  parse: (text: string) => T,
): Partial<Record<K, T>> {
  return text === '' ? {} : ({ [key]: parse(text) } as Record<K, T>);
}

/** A decimal number such as 0.25 (no sign, exponent or hex: the limits are checked after). */
function number(input: string, text: string): number {
  const trimmed = text.trim();
  if (!/^\d+(?:\.\d+)?$/.test(trimmed) || trimmed.length > 20) {
    throw new UserError(`Input '${input}' is ${quote(text)}: use a number, e.g. 0.25.`);
  }
  return Number(trimmed);
}

/** A fraction such as 0.01, or a percentage such as 1%. */
function fraction(input: string, text: string): number {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (percent) return number(input, percent[1] ?? '') / 100;
  return number(input, text);
}

/** A duration such as 500ms or 1.5s (a bare number is seconds), in seconds. */
function latency(input: 'max-p95-latency', text: string): number {
  return parseDuration(input, text) / 1000;
}

/** The analysis module says `min-requests is …`; the action says `Input 'min-requests' is …`. */
function asInputError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UserError) {
      throw new UserError(`Input '${oneLine(error).replace(/^([a-z0-9-]+) is/, "$1' is")}`);
    }
    throw error;
  }
}
