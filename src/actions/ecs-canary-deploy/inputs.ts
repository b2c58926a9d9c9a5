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
  DEFAULT_AUDIENCE,
  WEB_IDENTITY_INPUTS,
  type WebIdentitySettings,
  parseWebIdentityInputs,
} from '../shared/web-identity-inputs.ts';
import { quote } from './echo.ts';
import { checkAlarms, checkEcsTarget, checkRoleArn } from './identifiers.ts';
import { parseOverrides } from './overrides/parse-overrides.ts';
import { parseStrategy } from './parse-strategy.ts';
import { parseSmokeUrl } from './smoke-url.ts';

export const INPUTS = {
  'aws-region': {},
  cluster: { required: true },
  service: { required: true },
  'task-definition': {},
  images: {},
  environment: {},
  secrets: {},
  'task-role-arn': {},
  'execution-role-arn': {},
  'log-options': {},
  command: {},
  strategy: { default: 'canary' },
  'canary-percent': { default: '10' },
  'canary-bake': { default: '10m' },
  'step-percent': { default: '10' },
  'step-bake': { default: '6m' },
  'bake-time': { default: '10m' },
  alarms: {},
  'smoke-url': {},
  'smoke-expect-status': { default: '200' },
  'min-requests': { default: '300' },
  'max-error-rate': {},
  'max-p95-latency': {},
  tolerance: { default: '0.25' },
  'on-inconclusive': { default: 'continue' },
  'analysis-interval': { default: '60s' },
  'poll-interval': { default: '10s' },
  'request-timeout': { default: '10s' },
  'hook-timeout': { default: '30m' },
  'on-busy': { default: 'wait' },
  timeout: { default: '60m' },
  'dry-run': { default: 'false' },
  'role-to-assume': {},
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
const MIN_POLL_INTERVAL_MS = 1_000;
/** The longest PAUSE hook timeout ECS takes. */
const MAX_HOOK_TIMEOUT_MINUTES = 20_160;
const ON_INCONCLUSIVE: readonly string[] = ['continue', 'rollback', 'extend'];

/**
 * The longest value of each duration input (every one is below Node's timer limit of 2^31-1 ms,
 * about 24.8 days, past which a timer fires at once). `timeout`: 5 days, the longest a job runs
 * on a self-hosted runner. A wait between looks at ECS or at the metrics longer than these would
 * leave a deployment unwatched for longer than any bake; a p95 latency limit above an hour is no
 * limit (an ALB waits at most 4000 s for a target).
 */
export const MAX_DURATIONS = {
  timeout: { ms: 120 * 3_600_000, text: '120h' },
  'analysis-interval': { ms: 3_600_000, text: '1h' },
  'poll-interval': { ms: 5 * 60_000, text: '5m' },
  'max-p95-latency': { ms: 3_600_000, text: '1h' },
} as const;

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
  const intervalMs = boundedDuration('analysis-interval', v['analysis-interval']);
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

  const pollIntervalMs = boundedDuration('poll-interval', v['poll-interval']);
  if (pollIntervalMs < MIN_POLL_INTERVAL_MS) {
    throw new UserError(`Input 'poll-interval' is ${quote(v['poll-interval'])}: use 1s or more.`);
  }

  const requestTimeoutMs = parseDuration('request-timeout', v['request-timeout']);
  if (requestTimeoutMs < 1_000 || requestTimeoutMs > 120_000) {
    throw new UserError(
      `Input 'request-timeout' is ${quote(v['request-timeout'])}: use 1s to 2m (each AWS request attempt is abandoned and retried after it).`,
    );
  }

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

  const timeoutMs = boundedDuration('timeout', v.timeout);
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
    assume: roleToAssume(v, env),
  };
}

function roleToAssume(
  v: { readonly [K in keyof typeof INPUTS]: string },
  env: NodeJS.ProcessEnv,
): EcsCanaryDeployConfig['assume'] {
  if (v['role-to-assume'] === '') {
    const stray = (['role-session-name', 'audience'] as const).find((name) =>
      name === 'audience' ? v.audience !== DEFAULT_AUDIENCE && v.audience !== '' : v[name] !== '',
    );
    if (stray !== undefined) {
      throw new UserError(
        `Input '${stray}' only applies with role-to-assume: set role-to-assume, or leave '${stray}' out.`,
      );
    }
    return undefined;
  }
  return {
    roleArn: checkRoleArn('role-to-assume', v['role-to-assume']),
    ...parseWebIdentityInputs(v, env),
  };
}

/** A duration input within its maximum (MAX_DURATIONS); the minimum is checked by the caller. */
function boundedDuration(input: keyof typeof MAX_DURATIONS, text: string): number {
  const ms = parseDuration(input, text);
  const max = MAX_DURATIONS[input];
  if (!(ms <= max.ms)) {
    throw new UserError(`Input '${input}' is ${quote(text)}: use at most ${max.text}.`);
  }
  return ms;
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
  const ms = boundedDuration(input, text);
  if (ms < 1) throw new UserError(`Input '${input}' is ${quote(text)}: use 1ms or more.`);
  return ms / 1000;
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
