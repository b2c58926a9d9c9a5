import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  SetAlarmStateCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { startEmulator, type Emulator } from './server.ts';

const KEYS = {
  accessKeyId: 'AKIACLOUDWATCHTEST01',
  secretAccessKey: 'cloudwatch-test-secret-key-000000000000',
};
const NS = 'Emulator/Test';
const MINUTE = 60_000;

let emulator: Emulator;
let client: CloudWatchClient;
/** Fake clock: the start of a minute four minutes ago (within SigV4's five-minute skew). */
let now = Math.floor(Date.now() / MINUTE) * MINUTE - 4 * MINUTE;
const t0 = now;

interface SdkFailure {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
  readonly status: number | undefined;
}

async function failure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    const e = error as {
      name: string;
      message: string;
      Code?: string;
      $metadata?: { httpStatusCode?: number };
    };
    return { name: e.name, code: e.Code, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

const query = (
  id: string,
  metricName: string,
  stat: string,
  period = 60,
  dimensions: Record<string, string> = { Service: 'shop' },
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: NS,
      MetricName: metricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: period,
    Stat: stat,
  },
});

const getMetricData = (queries: MetricDataQuery[], extra: { ScanBy?: 'TimestampAscending' } = {}) =>
  client.send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(t0),
      EndTime: new Date(t0 + 4 * MINUTE),
      ...extra,
    }),
  );

beforeAll(async () => {
  emulator = await startEmulator({ clock: () => new Date(now) });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/judge' });
  client = new CloudWatchClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: KEYS,
  });
  const latency = { namespace: NS, metricName: 'Latency', dimensions: { Service: 'shop' } };
  // Minute 0: 1..100; minute 1: 101..200; minute 3: a single 7.
  for (let v = 1; v <= 100; v += 1) emulator.cloudwatch.metrics.record(latency, t0 + 1000, v);
  for (let v = 101; v <= 200; v += 1)
    emulator.cloudwatch.metrics.record(latency, t0 + MINUTE + 5, v);
  emulator.cloudwatch.metrics.record(latency, t0 + 3 * MINUTE + 59_000, 7);
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe('GetMetricData', () => {
  it('computes statistics per period, newest first by default', async () => {
    const out = await getMetricData([
      query('sum', 'Latency', 'Sum'),
      query('avg', 'Latency', 'Average'),
      query('max', 'Latency', 'Maximum'),
      query('min', 'Latency', 'Minimum'),
      query('n', 'Latency', 'SampleCount'),
      query('p90', 'Latency', 'p90'),
      query('p99_9', 'Latency', 'p99.9'),
    ]);
    const results = new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(results.get('sum')).toEqual({
      Id: 'sum',
      Label: 'Latency',
      Timestamps: [new Date(t0 + 3 * MINUTE), new Date(t0 + MINUTE), new Date(t0)],
      Values: [7, 15050, 5050],
      StatusCode: 'Complete',
      Messages: [],
    });
    expect(results.get('avg')?.Values).toEqual([7, 150.5, 50.5]);
    expect(results.get('max')?.Values).toEqual([7, 200, 100]);
    expect(results.get('min')?.Values).toEqual([7, 101, 1]);
    expect(results.get('n')?.Values).toEqual([1, 100, 100]);
    const p90 = results.get('p90')?.Values ?? [];
    expect(p90[1]).toBeGreaterThan(190 * 0.99);
    expect(p90[1]).toBeLessThan(190 * 1.01);
    expect(p90[2]).toBeGreaterThan(90 * 0.99);
    expect(p90[2]).toBeLessThan(90 * 1.01);
    expect(results.get('p99_9')?.Values?.[2]).toBeGreaterThan(99);
  });

  it('aggregates longer periods, scans ascending, labels and leaves out ReturnData false', async () => {
    const out = await getMetricData(
      [
        { ...query('five', 'Latency', 'Sum', 300), Label: 'five minutes' },
        { ...query('hidden', 'Latency', 'Sum'), ReturnData: false },
        query('two', 'Latency', 'SampleCount', 120),
      ],
      { ScanBy: 'TimestampAscending' },
    );
    expect(out.MetricDataResults?.map((r) => r.Id)).toEqual(['five', 'two']);
    expect(out.MetricDataResults?.[0]).toMatchObject({
      Label: 'five minutes',
      Timestamps: [new Date(t0)],
      Values: [5050 + 15050 + 7],
    });
    expect(out.MetricDataResults?.[1]).toMatchObject({
      Timestamps: [new Date(t0), new Date(t0 + 2 * MINUTE)],
      Values: [200, 1],
    });
  });

  it('finds nothing for other dimension sets or unknown metrics', async () => {
    const out = await getMetricData([
      query('fewer', 'Latency', 'Sum', 60, {}),
      query('more', 'Latency', 'Sum', 60, { Service: 'shop', Stage: 'prod' }),
      query('other', 'Nope', 'Sum'),
    ]);
    for (const result of out.MetricDataResults ?? []) {
      expect(result).toMatchObject({ Values: [], Timestamps: [], StatusCode: 'Complete' });
    }
  });

  it('serves percentile rank PR(a:b) and trimmed count TC(a:b): lower bound exclusive, upper inclusive', async () => {
    const out = await getMetricData([
      query('below', 'Latency', 'PR(:90)'),
      query('between', 'Latency', 'PR(50:150)'),
      query('above', 'Latency', 'TC(50:)'),
      query('count', 'Latency', 'TC(10:20)'),
    ]);
    const values = (id: string) => out.MetricDataResults?.find((r) => r.Id === id)?.Values;
    // Minute 3 (a single 7), minute 1 (101..200), minute 0 (1..100), newest first. The values
    // here are more than the histogram's 1 % apart, so the bounds' sides are exact.
    expect(values('below')).toEqual([100, 0, 90]);
    expect(values('between')).toEqual([0, 50, 50]);
    expect(values('above')).toEqual([0, 100, 50]);
    expect(values('count')).toEqual([0, 0, 10]);
  });

  it('refuses a percentile rank or trimmed count without a range, with an empty one, or in percent', async () => {
    for (const stat of ['PR(:)', 'PR(5:5)', 'TC(90:10)', 'TC(10%:90%)', 'PR(:1e-3)', 'pr(:1)']) {
      expect(await failure(getMetricData([query('a', 'Latency', stat)]))).toMatchObject({
        name: 'ValidationException',
        message: `The value ${stat} for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.`,
      });
    }
  });

  it('accepts periods of 1, 5, 10, 20, 30 and multiples of 60, and rejects others', async () => {
    for (const period of [1, 5, 10, 20, 30, 60, 180]) {
      await expect(getMetricData([query('ok', 'Latency', 'Sum', period)])).resolves.toBeDefined();
    }
    const bad = await failure(getMetricData([query('x', 'Latency', 'Sum', 45)]));
    expect(bad).toEqual({
      name: 'ValidationException',
      code: 'ValidationError',
      status: 400,
      message:
        'The parameter MetricDataQueries.member.1.MetricStat.Period must be a value in the set [ 1, 5, 10, 20, 30 ], or a multiple of 60.',
    });
  });

  it('validates the request', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => query(`q${i}`, 'Latency', 'Sum'));
    expect(await failure(getMetricData(tooMany))).toMatchObject({
      name: 'ValidationException',
      message: 'The collection MetricDataQueries must not have a size greater than 500.',
    });
    await expect(getMetricData(tooMany.slice(0, 500))).resolves.toMatchObject({
      MetricDataResults: expect.any(Array),
    });
    expect(await failure(getMetricData([query('Upper', 'Latency', 'Sum')]))).toMatchObject({
      name: 'ValidationException',
    });
    expect(
      await failure(getMetricData([query('a', 'Latency', 'Sum'), query('a', 'Latency', 'Sum')])),
    ).toMatchObject({ name: 'ValidationException' });
    expect(await failure(getMetricData([query('a', 'Latency', 'p101')]))).toMatchObject({
      name: 'ValidationException',
    });
    expect(
      await failure(
        client.send(
          new GetMetricDataCommand({
            MetricDataQueries: [query('a', 'Latency', 'Sum')],
            StartTime: new Date(t0),
            EndTime: new Date(t0),
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: 'The parameter StartTime must not equal parameter EndTime.',
    });
    const expression = await failure(getMetricData([{ Id: 'e', Expression: 'm1 * 2' }]));
    expect(expression.message).toMatch(/not evaluated by the emulator/);
  });
});

describe('alarms', () => {
  beforeAll(() => {
    emulator.cloudwatch.putMetricAlarm({
      alarmName: 'shop-5xx',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions: {
        LoadBalancer: 'app/shop/0123456789abcdef',
        TargetGroup: 'targetgroup/shop-green/0123456789abcdef',
      },
      statistic: 'Sum',
      period: 60,
      evaluationPeriods: 2,
      datapointsToAlarm: 1,
      threshold: 5,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'],
    });
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'shop-latency', state: 'OK' });
    emulator.cloudwatch.putMetricAlarm({ alarmName: 'other' });
  });

  it('describes metric alarms and filters them', async () => {
    const all = await client.send(new DescribeAlarmsCommand({}));
    expect(all.MetricAlarms?.map((a) => a.AlarmName)).toEqual([
      'other',
      'shop-5xx',
      'shop-latency',
    ]);
    expect(all.CompositeAlarms).toEqual([]);
    expect(all.MetricAlarms?.[1]).toMatchObject({
      AlarmName: 'shop-5xx',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ActionsEnabled: true,
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'],
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/shop/0123456789abcdef' },
        { Name: 'TargetGroup', Value: 'targetgroup/shop-green/0123456789abcdef' },
      ],
    });
    expect(all.MetricAlarms?.[1]?.StateUpdatedTimestamp).toBeInstanceOf(Date);

    const byPrefix = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'shop-' }));
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['shop-5xx', 'shop-latency']);
    const byState = await client.send(new DescribeAlarmsCommand({ StateValue: 'OK' }));
    expect(byState.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['shop-latency']);
    const byName = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['other', 'gone'] }));
    expect(byName.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['other']);
    const byAction = await client.send(new DescribeAlarmsCommand({ ActionPrefix: 'arn:aws:sns:' }));
    expect(byAction.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['shop-5xx']);
    const composite = await client.send(
      new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }),
    );
    expect(composite.MetricAlarms).toEqual([]);

    const page = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    expect(page.MetricAlarms).toHaveLength(2);
    const rest = await client.send(
      new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: page.NextToken }),
    );
    expect(rest.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['shop-latency']);
    expect(rest.NextToken).toBeUndefined();

    expect(
      await failure(
        client.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })),
      ),
    ).toMatchObject({
      name: 'InvalidParameterCombinationException',
      code: 'InvalidParameterCombination',
    });
  });

  it('sets alarm states over the API and from the test, for ECS to read', async () => {
    await client.send(
      new SetAlarmStateCommand({
        AlarmName: 'shop-latency',
        StateValue: 'ALARM',
        StateReason: 'p99 too high',
        StateReasonData: '{"p99":2.5}',
      }),
    );
    expect(emulator.cloudwatch.state('shop-latency')).toBe('ALARM');
    const { MetricAlarms } = await client.send(
      new DescribeAlarmsCommand({ AlarmNames: ['shop-latency'] }),
    );
    expect(MetricAlarms?.[0]).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'p99 too high',
      StateReasonData: '{"p99":2.5}',
    });
    emulator.cloudwatch.setAlarmState('shop-latency', 'OK', 'recovered');
    expect(emulator.cloudwatch.state('shop-latency')).toBe('OK');
    expect(emulator.cloudwatch.state('no-such-alarm')).toBeUndefined();
    expect(emulator.cloudwatch.alarmHistory.map((h) => [h.alarmName, h.from, h.to, h.by])).toEqual([
      ['shop-latency', 'OK', 'ALARM', 'api'],
      ['shop-latency', 'ALARM', 'OK', 'test'],
    ]);

    expect(
      await failure(
        client.send(
          new SetAlarmStateCommand({ AlarmName: 'gone', StateValue: 'OK', StateReason: 'x' }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFound', code: 'ResourceNotFound', status: 404 });
    expect(
      await failure(
        client.send(
          new SetAlarmStateCommand({
            AlarmName: 'other',
            StateValue: 'BAD' as 'OK',
            StateReason: 'x',
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException', code: 'ValidationError' });
    expect(
      await failure(
        client.send(
          new SetAlarmStateCommand({
            AlarmName: 'other',
            StateValue: 'OK',
            StateReason: 'x',
            StateReasonData: '{',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidFormatFault', code: 'InvalidFormat' });
  });

  it('evaluates alarms created with evaluate: true against the traffic metrics', async () => {
    const alb = emulator.elbv2.createBlueGreenAlb('eval');
    const revision = 'arn:aws:ecs:us-east-1:123456789012:task-definition/eval:1';
    emulator.elbv2.registerTarget(alb.blue.arn, {
      id: '10.2.0.1',
      port: 80,
      revision,
      healthy: true,
    });
    now += 5000;
    emulator.traffic.advance();
    emulator.cloudwatch.putMetricAlarm({
      alarmName: 'eval-5xx',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      dimensions: { LoadBalancer: alb.loadBalancer.dimension, TargetGroup: alb.blue.dimension },
      statistic: 'Sum',
      threshold: 10,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
      evaluate: true,
    });
    emulator.scenario.setRequestRate(alb.productionListener.arn, 10);
    now += 10_000;
    emulator.traffic.advance();
    emulator.cloudwatch.evaluateAlarms();
    expect(emulator.cloudwatch.state('eval-5xx')).toBe('OK');
    emulator.scenario.setBehaviour(revision, { errorRate: 0.5 });
    // The errors are published a minute or more after their minute ends: not seen yet.
    now += 60_000;
    emulator.traffic.advance();
    emulator.cloudwatch.evaluateAlarms();
    expect(emulator.cloudwatch.state('eval-5xx')).toBe('OK');
    // Once published, the evaluation looks past the newer periods that have no data yet.
    now += 90_000;
    emulator.traffic.advance();
    emulator.cloudwatch.evaluateAlarms();
    expect(emulator.cloudwatch.state('eval-5xx')).toBe('ALARM');
    const last = emulator.cloudwatch.alarmHistory.at(-1);
    expect(last).toMatchObject({
      alarmName: 'eval-5xx',
      from: 'OK',
      to: 'ALARM',
      by: 'evaluation',
    });
    expect(last?.reason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[\d+ \(.+\)\] was greater than the threshold \(10\)/,
    );
  });
});
