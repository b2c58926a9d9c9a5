// Amazon CloudWatch: GetMetricData over the metrics the traffic model publishes (and any a test
// records), metric alarms (DescribeAlarms, SetAlarmState, test-side creation and optional
// evaluation against the emulated metrics). Implements world.ts's AlarmStates for ECS.
//
// Wire protocol: @aws-sdk/client-cloudwatch 3.116x speaks awsJson1_0 (X-Amz-Target
// GraniteServiceVersion20100801.<Action>, application/x-amz-json-1.0) with the awsQueryCompatible
// trait: errors carry `x-amzn-query-error: <query code>;Sender|Receiver`, from which the SDK sets
// `error.Code` and finds the modeled exception (e.g. ResourceNotFound, ValidationException).
import { ServiceError } from './errors.ts';
import { jsonProtocol, type JsonObject } from './json-protocol.ts';
import {
  Aggregate,
  MINUTE_MS,
  parseStatistic,
  type Dimensions,
  type MetricId,
  type MetricStore,
} from './metrics.ts';
import type { ActionCall, Protocol, Service } from './service.ts';
import type { AlarmStates } from './world.ts';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** A metric alarm as a test defines it (PutMetricAlarm's fields, camel-cased). */
export interface MetricAlarmSpec {
  readonly alarmName: string;
  readonly alarmDescription?: string;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions?: Dimensions;
  /** Sum | Average | Maximum | Minimum | SampleCount; or use `extendedStatistic` (pNN). */
  readonly statistic?: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
  readonly extendedStatistic?: string;
  /** Seconds; default 60. */
  readonly period?: number;
  /** Default 1. */
  readonly evaluationPeriods?: number;
  /** Default evaluationPeriods. */
  readonly datapointsToAlarm?: number;
  readonly threshold?: number;
  readonly comparisonOperator?: ComparisonOperator;
  /** Default 'missing'. */
  readonly treatMissingData?: TreatMissingData;
  readonly actionsEnabled?: boolean;
  readonly alarmActions?: readonly string[];
  readonly okActions?: readonly string[];
  readonly insufficientDataActions?: readonly string[];
  /** Initial state; default INSUFFICIENT_DATA ("Unchecked: Initial alarm creation"). */
  readonly state?: AlarmState;
  readonly stateReason?: string;
  /**
   * Evaluate the alarm against the emulator's metrics every tick (about once a second), the
   * still open period included. Default false: the state changes only by setAlarmState or
   * SetAlarmState.
   */
  readonly evaluate?: boolean;
}

export interface AlarmTransition {
  readonly alarmName: string;
  readonly at: Date;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly reason: string;
  /** 'api' (SetAlarmState), 'test' (setAlarmState) or 'evaluation'. */
  readonly by: 'api' | 'test' | 'evaluation';
}

interface Alarm {
  readonly spec: MetricAlarmSpec;
  readonly arn: string;
  readonly configuredAt: Date;
  state: AlarmState;
  reason: string;
  reasonData: string | undefined;
  updatedAt: Date;
  transitionedAt: Date;
}

export interface CloudWatchDependencies {
  readonly clock: () => Date;
  readonly metrics: MetricStore;
  readonly region?: string;
  readonly accountId?: string;
}

const STATES = new Set<AlarmState>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const HIGH_RESOLUTION_PERIODS = new Set([1, 5, 10, 20, 30]);
const MAX_QUERIES = 500;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

const validationError = (message: string) => new ServiceError('ValidationError', 400, message);

/** awsJson1_0 with awsQueryCompatible errors. */
function cloudWatchProtocol(): Protocol<JsonObject> {
  const json = jsonProtocol({
    targetPrefix: CLOUDWATCH_TARGET_PREFIX,
    jsonVersion: '1.0',
    throttlingCode: 'Throttling',
  });
  return {
    ...json,
    failure(error, requestId) {
      const response = json.failure(error, requestId);
      return {
        ...response,
        headers: { ...response.headers, 'x-amzn-query-error': `${error.code};${error.faultType}` },
      };
    },
  };
}

export class CloudWatch implements Service<JsonObject>, AlarmStates {
  readonly name = 'cloudwatch';
  readonly signingName = 'monitoring';
  readonly protocol = cloudWatchProtocol();
  readonly actions: ReadonlySet<string> = new Set([
    'GetMetricData',
    'DescribeAlarms',
    'SetAlarmState',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  /** Every alarm state change, oldest first. */
  readonly alarmHistory: AlarmTransition[] = [];
  /** The metric data points GetMetricData reads. */
  readonly metrics: MetricStore;

  readonly #clock: () => Date;
  readonly #region: string;
  readonly #accountId: string;
  readonly #alarms = new Map<string, Alarm>();
  readonly #beforeRead: (() => void)[] = [];

  constructor(dependencies: CloudWatchDependencies) {
    this.#clock = dependencies.clock;
    this.metrics = dependencies.metrics;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  /** Runs before GetMetricData reads (the traffic model catches up to now). */
  onBeforeRead(listener: () => void): void {
    this.#beforeRead.push(listener);
  }

  // ---- test side ----------------------------------------------------------------------------

  /** Creates or replaces a metric alarm, as PutMetricAlarm would. */
  putMetricAlarm(spec: MetricAlarmSpec): void {
    if (spec.alarmName.length < 1 || spec.alarmName.length > 255) {
      throw new Error(`alarm name must be 1..255 characters: ${spec.alarmName}`);
    }
    if (spec.evaluate === true) {
      if (
        spec.namespace === undefined ||
        spec.metricName === undefined ||
        spec.threshold === undefined
      ) {
        throw new Error('an evaluated alarm needs namespace, metricName and threshold');
      }
      if (parseStatistic(spec.extendedStatistic ?? spec.statistic ?? 'Average') === undefined) {
        throw new Error(`not a statistic: ${spec.extendedStatistic ?? spec.statistic}`);
      }
    }
    const now = this.#clock();
    const existing = this.#alarms.get(spec.alarmName);
    const state = spec.state ?? existing?.state ?? 'INSUFFICIENT_DATA';
    this.#alarms.set(spec.alarmName, {
      spec,
      arn: `arn:aws:cloudwatch:${this.#region}:${this.#accountId}:alarm:${spec.alarmName}`,
      configuredAt: now,
      state,
      reason: spec.stateReason ?? existing?.reason ?? 'Unchecked: Initial alarm creation',
      reasonData: existing?.reasonData,
      updatedAt: existing?.updatedAt ?? now,
      transitionedAt: existing?.transitionedAt ?? now,
    });
  }

  /** Sets an alarm's state as SetAlarmState does; throws when the alarm does not exist. */
  setAlarmState(alarmName: string, state: AlarmState, reason: string, reasonData?: string): void {
    const alarm = this.#alarms.get(alarmName);
    if (alarm === undefined) throw new Error(`no alarm named ${alarmName}`);
    this.#transition(alarm, state, reason, reasonData, 'test');
  }

  deleteAlarm(alarmName: string): void {
    this.#alarms.delete(alarmName);
  }

  /** AlarmStates (world.ts): what ECS reads for deploymentConfiguration.alarms. */
  state(alarmName: string): AlarmState | undefined {
    return this.#alarms.get(alarmName)?.state;
  }

  /** Re-evaluates every alarm created with `evaluate: true` (called on each traffic tick). */
  evaluateAlarms(): void {
    const now = this.#clock().getTime();
    for (const alarm of this.#alarms.values()) {
      if (alarm.spec.evaluate === true) this.#evaluate(alarm, now);
    }
  }

  // ---- API ----------------------------------------------------------------------------------

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    switch (call.action) {
      case 'GetMetricData':
        for (const listener of this.#beforeRead) listener();
        return this.#getMetricData(call.input);
      case 'DescribeAlarms':
        return this.#describeAlarms(call.input);
      case 'SetAlarmState':
        return this.#setAlarmState(call.input);
      default:
        throw new ServiceError('UnknownOperationException', 400, '');
    }
  }

  #getMetricData(input: JsonObject): unknown {
    const queries = input['MetricDataQueries'];
    const startTime = timestamp(input['StartTime']);
    const endTime = timestamp(input['EndTime']);
    const missing = [
      queries === undefined ? 'metricDataQueries' : undefined,
      startTime === undefined ? 'startTime' : undefined,
      endTime === undefined ? 'endTime' : undefined,
    ].filter((m): m is string => m !== undefined);
    if (missing.length > 0) {
      const n = missing.length;
      throw validationError(
        `${n} validation error${n === 1 ? '' : 's'} detected: ${missing
          .map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`)
          .join('; ')}`,
      );
    }
    if (!Array.isArray(queries)) throw validationError('MetricDataQueries must be a list');
    if (queries.length > MAX_QUERIES) {
      throw validationError(
        `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`,
      );
    }
    const start = startTime ?? 0;
    const end = endTime ?? 0;
    if (start === end)
      throw validationError('The parameter StartTime must not equal parameter EndTime.');
    if (start > end)
      throw validationError('The parameter StartTime must be less than the parameter EndTime.');
    const scanBy = input['ScanBy'] ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw validationError(
        `1 validation error detected: Value '${String(scanBy)}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`,
      );
    }

    const parsed = queries.map((query: unknown, index) => parseQuery(query, index + 1));
    const ids = new Set<string>();
    for (const query of parsed) {
      if (ids.has(query.id)) {
        throw validationError(
          `The value ${query.id} for parameter MetricDataQueries.member.N.Id is duplicated.`,
        );
      }
      ids.add(query.id);
    }

    const from = Math.floor(start / MINUTE_MS) * MINUTE_MS;
    const results = parsed
      .filter((query) => query.returnData)
      .map((query) => {
        const periodMs = Math.max(query.period, 60) * 1000;
        const buckets = new Map<number, Aggregate>();
        for (const [minute, aggregate] of this.metrics.minutes(query.metric, from, end)) {
          const bucket = from + Math.floor((minute - from) / periodMs) * periodMs;
          let total = buckets.get(bucket);
          if (total === undefined) {
            total = new Aggregate();
            buckets.set(bucket, total);
          }
          total.merge(aggregate);
        }
        const points = [...buckets.entries()]
          .map(([bucket, aggregate]) => ({ at: bucket, value: aggregate.statistic(query.stat) }))
          .filter((p): p is { at: number; value: number } => p.value !== undefined)
          .sort((a, b) => (scanBy === 'TimestampAscending' ? a.at - b.at : b.at - a.at));
        return {
          Id: query.id,
          Label: query.label,
          Timestamps: points.map((p) => new Date(p.at)),
          Values: points.map((p) => p.value),
          StatusCode: 'Complete',
          Messages: [],
        };
      });
    return { MetricDataResults: results, Messages: [] };
  }

  #describeAlarms(input: JsonObject): unknown {
    const names = stringList(input['AlarmNames']);
    const prefix = optionalString(input['AlarmNamePrefix']);
    const stateValue = optionalString(input['StateValue']);
    const actionPrefix = optionalString(input['ActionPrefix']);
    const types = stringList(input['AlarmTypes']);
    const maxRecords = input['MaxRecords'];
    const nextToken = optionalString(input['NextToken']);
    if (names !== undefined && prefix !== undefined) {
      throw new ServiceError(
        'InvalidParameterCombination',
        400,
        'AlarmNamePrefix and AlarmNames cannot be specified together.',
      );
    }
    if (names !== undefined && names.length > 100) {
      throw validationError(
        "1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100",
      );
    }
    if (stateValue !== undefined && !STATES.has(stateValue as AlarmState)) {
      throw validationError(
        `1 validation error detected: Value '${stateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
      );
    }
    if (
      maxRecords !== undefined &&
      (typeof maxRecords !== 'number' || maxRecords < 1 || maxRecords > 100)
    ) {
      throw validationError(
        `1 validation error detected: Value '${String(maxRecords)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`,
      );
    }
    // Without AlarmTypes only metric alarms are returned; composite alarms do not exist here.
    const wantMetric = types === undefined || types.includes('MetricAlarm');
    let alarms = wantMetric ? [...this.#alarms.values()] : [];
    alarms.sort((a, b) => (a.spec.alarmName < b.spec.alarmName ? -1 : 1));
    if (names !== undefined) alarms = alarms.filter((a) => names.includes(a.spec.alarmName));
    if (prefix !== undefined) alarms = alarms.filter((a) => a.spec.alarmName.startsWith(prefix));
    if (stateValue !== undefined) alarms = alarms.filter((a) => a.state === stateValue);
    if (actionPrefix !== undefined) {
      alarms = alarms.filter((a) =>
        [
          ...(a.spec.alarmActions ?? []),
          ...(a.spec.okActions ?? []),
          ...(a.spec.insufficientDataActions ?? []),
        ].some((action) => action.startsWith(actionPrefix)),
      );
    }
    let offset = 0;
    if (nextToken !== undefined) {
      const decoded = Buffer.from(nextToken, 'base64url').toString('utf8');
      if (!/^\d+$/.test(decoded))
        throw new ServiceError(
          'InvalidNextToken',
          400,
          'The service returned an invalid next token.',
        );
      offset = Number(decoded);
    }
    const limit = typeof maxRecords === 'number' ? maxRecords : 50;
    const page = alarms.slice(offset, offset + limit);
    const more = offset + limit < alarms.length;
    return {
      MetricAlarms: page.map(describeAlarm),
      CompositeAlarms: [],
      ...(more ? { NextToken: Buffer.from(String(offset + limit)).toString('base64url') } : {}),
    };
  }

  #setAlarmState(input: JsonObject): unknown {
    const name = optionalString(input['AlarmName']);
    const stateValue = optionalString(input['StateValue']);
    const reason = optionalString(input['StateReason']);
    const reasonData = optionalString(input['StateReasonData']);
    const problems: string[] = [];
    if (name === undefined)
      problems.push(
        "Value null at 'alarmName' failed to satisfy constraint: Member must not be null",
      );
    if (stateValue === undefined)
      problems.push(
        "Value null at 'stateValue' failed to satisfy constraint: Member must not be null",
      );
    else if (!STATES.has(stateValue as AlarmState)) {
      problems.push(
        `Value '${stateValue}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
      );
    }
    if (reason === undefined)
      problems.push(
        "Value null at 'stateReason' failed to satisfy constraint: Member must not be null",
      );
    else if (reason.length > 1023) {
      problems.push(
        "Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023",
      );
    }
    if (problems.length > 0) {
      const n = problems.length;
      throw validationError(
        `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`,
      );
    }
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw new ServiceError('InvalidFormat', 400, 'StateReasonData must be valid JSON.');
      }
    }
    const alarm = this.#alarms.get(name ?? '');
    if (alarm === undefined)
      throw new ServiceError('ResourceNotFound', 404, `Alarm ${name} not found`);
    this.#transition(alarm, stateValue as AlarmState, reason ?? '', reasonData, 'api');
    return {};
  }

  // ---- internals ----------------------------------------------------------------------------

  #transition(
    alarm: Alarm,
    state: AlarmState,
    reason: string,
    reasonData: string | undefined,
    by: AlarmTransition['by'],
  ): void {
    const at = this.#clock();
    const from = alarm.state;
    alarm.state = state;
    alarm.reason = reason;
    alarm.reasonData = reasonData;
    alarm.updatedAt = at;
    if (from !== state) alarm.transitionedAt = at;
    this.alarmHistory.push({ alarmName: alarm.spec.alarmName, at, from, to: state, reason, by });
  }

  #evaluate(alarm: Alarm, now: number): void {
    const spec = alarm.spec;
    const stat = parseStatistic(spec.extendedStatistic ?? spec.statistic ?? 'Average');
    if (stat === undefined || spec.namespace === undefined || spec.metricName === undefined) return;
    const metric: MetricId = {
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: spec.dimensions ?? {},
    };
    const periodMs = Math.max(60, spec.period ?? 60) * 1000;
    const periods = spec.evaluationPeriods ?? 1;
    const needed = spec.datapointsToAlarm ?? periods;
    const threshold = spec.threshold ?? 0;
    const operator = spec.comparisonOperator ?? 'GreaterThanOrEqualToThreshold';
    const treatMissing = spec.treatMissingData ?? 'missing';
    const current = newestPublished(
      Math.floor(now / periodMs) * periodMs,
      periodMs,
      (at) => this.metrics.total(metric, at, at + periodMs).sampleCount > 0,
    );
    const values: { at: number; value: number | undefined }[] = [];
    for (let k = periods - 1; k >= 0; k -= 1) {
      const at = current - k * periodMs;
      values.push({ at, value: this.metrics.total(metric, at, at + periodMs).statistic(stat) });
    }
    const present = values.filter((v): v is { at: number; value: number } => v.value !== undefined);
    if (present.length === 0 && (treatMissing === 'missing' || treatMissing === 'ignore')) {
      if (treatMissing === 'missing' && alarm.state !== 'INSUFFICIENT_DATA') {
        this.#transition(
          alarm,
          'INSUFFICIENT_DATA',
          `Insufficient Data: ${periods} datapoint${periods === 1 ? ' was' : 's were'} unknown.`,
          undefined,
          'evaluation',
        );
      }
      return;
    }
    const breaches = (value: number) => compare(operator, value, threshold);
    const missingCount = values.length - present.length;
    const breaching =
      present.filter((v) => breaches(v.value)).length +
      (treatMissing === 'breaching' ? missingCount : 0);
    const state: AlarmState = breaching >= needed ? 'ALARM' : 'OK';
    if (state === alarm.state) return;
    const shown = present.map((v) => `${v.value} (${new Date(v.at).toISOString()})`).join(', ');
    const verb = state === 'ALARM' ? OPERATOR_TEXT[operator] : `not ${OPERATOR_TEXT[operator]}`;
    const reason = `Threshold Crossed: ${breaching} out of the last ${periods} datapoints [${shown}] ${verb} the threshold (${threshold}) (minimum ${needed} datapoint${needed === 1 ? '' : 's'} for ${alarm.state} -> ${state} transition).`;
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: new Date(now).toISOString(),
      startDate: new Date(current - (periods - 1) * periodMs).toISOString(),
      statistic: spec.extendedStatistic ?? spec.statistic ?? 'Average',
      period: periodMs / 1000,
      recentDatapoints: present.map((v) => v.value),
      threshold,
      evaluatedDatapoints: present.map((v) => ({
        timestamp: new Date(v.at).toISOString(),
        value: v.value,
      })),
    });
    this.#transition(alarm, state, reason, reasonData, 'evaluation');
  }
}

const OPERATOR_TEXT: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanOrEqualToThreshold: 'was greater than or equal to',
  GreaterThanThreshold: 'was greater than',
  LessThanThreshold: 'was less than',
  LessThanOrEqualToThreshold: 'was less than or equal to',
};

function compare(operator: ComparisonOperator, value: number, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

function describeAlarm(alarm: Alarm): Record<string, unknown> {
  const spec = alarm.spec;
  const out: Record<string, unknown> = {
    AlarmName: spec.alarmName,
    AlarmArn: alarm.arn,
    AlarmDescription: spec.alarmDescription,
    AlarmConfigurationUpdatedTimestamp: alarm.configuredAt,
    ActionsEnabled: spec.actionsEnabled ?? true,
    OKActions: [...(spec.okActions ?? [])],
    AlarmActions: [...(spec.alarmActions ?? [])],
    InsufficientDataActions: [...(spec.insufficientDataActions ?? [])],
    StateValue: alarm.state,
    StateReason: alarm.reason,
    StateReasonData: alarm.reasonData,
    StateUpdatedTimestamp: alarm.updatedAt,
    MetricName: spec.metricName,
    Namespace: spec.namespace,
    Statistic: spec.extendedStatistic === undefined ? (spec.statistic ?? 'Average') : undefined,
    ExtendedStatistic: spec.extendedStatistic,
    Dimensions: Object.entries(spec.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
    Period: spec.period ?? 60,
    EvaluationPeriods: spec.evaluationPeriods ?? 1,
    DatapointsToAlarm: spec.datapointsToAlarm,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparisonOperator,
    TreatMissingData: spec.treatMissingData,
    StateTransitionedTimestamp: alarm.transitionedAt,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

interface ParsedQuery {
  readonly id: string;
  readonly label: string;
  readonly returnData: boolean;
  readonly metric: MetricId;
  readonly period: number;
  readonly stat: NonNullable<ReturnType<typeof parseStatistic>>;
}

function parseQuery(raw: unknown, n: number): ParsedQuery {
  const member = `MetricDataQueries.member.${n}`;
  if (typeof raw !== 'object' || raw === null)
    throw validationError(`${member} must be a structure`);
  const query = raw as JsonObject;
  const id = optionalString(query['Id']);
  if (id === undefined) throw validationError(`The parameter ${member}.Id is required.`);
  if (id.length > 255 || !QUERY_ID.test(id)) {
    throw validationError(
      `The value ${id} for parameter ${member}.Id is not valid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
    );
  }
  const expression = query['Expression'];
  const metricStat = query['MetricStat'];
  if ((expression === undefined) === (metricStat === undefined)) {
    throw validationError(
      `Exactly one element of the Expression and MetricStat parameters must be specified for ${member}.`,
    );
  }
  if (expression !== undefined) {
    throw validationError(
      `${member}.Expression: metric math expressions are not evaluated by the emulator; query the metrics with MetricStat.`,
    );
  }
  const stat = metricStat as JsonObject;
  const metric = (stat['Metric'] ?? {}) as JsonObject;
  const namespace = optionalString(metric['Namespace']);
  const metricName = optionalString(metric['MetricName']);
  if (namespace === undefined)
    throw validationError(`The parameter ${member}.MetricStat.Metric.Namespace is required.`);
  if (metricName === undefined)
    throw validationError(`The parameter ${member}.MetricStat.Metric.MetricName is required.`);
  const period = stat['Period'];
  if (typeof period !== 'number' || !Number.isInteger(period) || period < 1) {
    throw validationError(`The parameter ${member}.MetricStat.Period must be a positive integer.`);
  }
  if (!HIGH_RESOLUTION_PERIODS.has(period) && period % 60 !== 0) {
    throw validationError(
      `The parameter ${member}.MetricStat.Period must be a value in the set [ 1, 5, 10, 20, 30 ], or a multiple of 60.`,
    );
  }
  const statName = optionalString(stat['Stat']);
  if (statName === undefined)
    throw validationError(`The parameter ${member}.MetricStat.Stat is required.`);
  const statistic = parseStatistic(statName);
  if (statistic === undefined) {
    throw validationError(
      `The value ${statName} for parameter ${member}.MetricStat.Stat is not a valid statistic.`,
    );
  }
  const dimensions: Record<string, string> = {};
  const rawDimensions = metric['Dimensions'] ?? [];
  if (!Array.isArray(rawDimensions))
    throw validationError(`${member}.MetricStat.Metric.Dimensions must be a list`);
  for (const dimension of rawDimensions as JsonObject[]) {
    const name = optionalString(dimension['Name']);
    const value = optionalString(dimension['Value']);
    if (name === undefined || value === undefined) {
      throw validationError(
        `Every dimension of ${member}.MetricStat.Metric needs a Name and a Value.`,
      );
    }
    dimensions[name] = value;
  }
  return {
    id,
    label: optionalString(query['Label']) ?? metricName,
    returnData: query['ReturnData'] !== false,
    metric: { namespace, metricName, dimensions },
    period,
    stat: statistic,
  };
}

/** JSON timestamps: epoch seconds (the SDK's default), or an ISO 8601 string. */
function timestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw validationError(`Timestamp '${value}' is not valid`);
    return ms;
  }
  return undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** Periods CloudWatch's alarm evaluation looks back past when the newest have no data yet. */
const LATE_PERIODS = 3;

/**
 * Where an alarm's evaluation ends: the current period, or, while it and the ones before it have
 * no data yet (ALB metrics are published a minute or more late), the newest of the last
 * LATE_PERIODS periods that has some.
 */
function newestPublished(
  current: number,
  periodMs: number,
  hasData: (periodStart: number) => boolean,
): number {
  for (let back = 0; back <= LATE_PERIODS; back += 1) {
    if (hasData(current - back * periodMs)) return current - back * periodMs;
  }
  return current;
}
