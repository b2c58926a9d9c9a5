// The canary analysis's metrics (MetricSeriesPort): ALB target-group series from CloudWatch, as
// CloudWatch returns them (the engine aligns them), and target health from ELBv2. Slower-request
// counts come in the same GetMetricData call: TargetResponseTime's percentile rank PR(:threshold)
// per threshold asked for, with its SampleCount.
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CloudWatchSeries, TargetGroupSeries } from '../canary/analysis/align-series.ts';
import type { MetricSeriesPort } from '../ecs/deploy/metrics.ts';
import { UserError } from '../lib/errors.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { explainAwsError, sendOptions } from './explain.ts';

type SeriesName = Exclude<keyof TargetGroupSeries, 'responses' | 'atOrBelow'>;

const QUERIES: readonly { series: SeriesName; metric: string; stat: string }[] = [
  { series: 'requests', metric: 'RequestCount', stat: 'Sum' },
  { series: 'target5xx', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
  { series: 'connectionErrors', metric: 'TargetConnectionErrorCount', stat: 'Sum' },
  { series: 'p90Seconds', metric: 'TargetResponseTime', stat: 'p90' },
  { series: 'p95Seconds', metric: 'TargetResponseTime', stat: 'p95' },
  { series: 'p99Seconds', metric: 'TargetResponseTime', stat: 'p99' },
  { series: 'unhealthyHosts', metric: 'UnHealthyHostCount', stat: 'Maximum' },
  { series: 'healthyHosts', metric: 'HealthyHostCount', stat: 'Minimum' },
];

const GROUPS = ['canary', 'baseline'] as const;

export interface MetricsClients {
  cloudwatch: CloudWatchClient;
  elbv2: ElasticLoadBalancingV2Client;
}

/** `clients` are for tests that drive the SDK against stub handlers; they default to the factory's. */
export function sdkMetricsPort(
  options: ClientOptions,
  clients: Partial<MetricsClients> = {},
): MetricSeriesPort {
  const cloudwatch =
    clients.cloudwatch ?? new CloudWatchClient(clientConfig('CloudWatch', options));
  const elbv2 =
    clients.elbv2 ??
    new ElasticLoadBalancingV2Client(clientConfig('Elastic Load Balancing v2', options));
  /** Target group ARN → the ARNs of the load balancers it serves, as DescribeTargetGroups said. */
  const balancers = new Map<string, string[]>();

  /** The `LoadBalancer` dimension of each group: one balancer both serve, when there is one. */
  async function loadBalancerDimensions(
    groups: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<string[]> {
    const unknown = [...new Set(groups.filter((arn) => !balancers.has(arn)))];
    if (unknown.length > 0) {
      try {
        const out = await elbv2.send(
          new DescribeTargetGroupsCommand({ TargetGroupArns: unknown }),
          sendOptions(signal),
        );
        for (const group of out.TargetGroups ?? []) {
          if (group.TargetGroupArn)
            balancers.set(group.TargetGroupArn, group.LoadBalancerArns ?? []);
        }
      } catch (error) {
        throw explainAwsError(error, {
          action: `describe target groups ${unknown.join(', ')}`,
          permission: 'elasticloadbalancing:DescribeTargetGroups',
          userFixable: USER_FIXABLE,
        });
      }
    }
    const lists = groups.map((arn) => balancers.get(arn) ?? []);
    const shared = lists[0]?.find((lb) => lists.every((list) => list.includes(lb)));
    return groups.map((arn, i) => {
      const lb = shared ?? lists[i]?.[0];
      if (lb === undefined) {
        throw new UserError(
          `Target group ${arn} is not attached to a load balancer: its metrics cannot be read. Check the service's load balancer configuration.`,
        );
      }
      const dimension = /:loadbalancer\/(app\/[^/]+\/[^/]+)$/.exec(lb)?.[1];
      if (dimension === undefined) {
        throw new UserError(
          `Target group ${arn} serves ${lb}, which is not an Application Load Balancer: canary analysis reads ALB metrics (AWS/ApplicationELB).`,
        );
      }
      return dimension;
    });
  }

  return {
    async series(request, signal) {
      const groups = [request.canaryTargetGroup, request.baselineTargetGroup];
      const loadBalancers = await loadBalancerDimensions(groups, signal);
      const thresholds = (name: (typeof GROUPS)[number]) => request.slowerThan?.[name] ?? [];
      const queries: MetricDataQuery[] = GROUPS.flatMap((name, i) => {
        const query = (id: string, metric: string, stat: string): MetricDataQuery => ({
          Id: `${name}_${id}`,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: metric,
              Dimensions: [
                { Name: 'TargetGroup', Value: targetGroupDimension(groups[i] ?? '') },
                { Name: 'LoadBalancer', Value: loadBalancers[i] ?? '' },
              ],
            },
            Period: request.periodSeconds,
            Stat: stat,
          },
          ReturnData: true,
        });
        // The percentile rank of a threshold (percent of responses at or below it) and the
        // responses it is a share of: the requests slower than the threshold.
        const ranks = thresholds(name).map((threshold, k) =>
          query(`pr${k}`, 'TargetResponseTime', `PR(:${statisticNumber(threshold)})`),
        );
        return [
          ...QUERIES.map((q) => query(q.series, q.metric, q.stat)),
          ...(ranks.length > 0
            ? [query('responses', 'TargetResponseTime', 'SampleCount'), ...ranks]
            : []),
        ];
      });

      const points = new Map<string, { Timestamps: Date[]; Values: number[] }>();
      let nextToken: string | undefined;
      do {
        try {
          const out = await cloudwatch.send(
            new GetMetricDataCommand({
              MetricDataQueries: queries,
              StartTime: request.start,
              EndTime: request.end,
              ScanBy: 'TimestampAscending',
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
            sendOptions(signal),
          );
          for (const result of out.MetricDataResults ?? []) {
            if (!result.Id) continue;
            const series = points.get(result.Id) ?? { Timestamps: [], Values: [] };
            series.Timestamps.push(...(result.Timestamps ?? []));
            series.Values.push(...(result.Values ?? []));
            points.set(result.Id, series);
          }
          nextToken = out.NextToken;
        } catch (error) {
          throw explainAwsError(error, {
            action: 'read ALB metrics (GetMetricData)',
            permission: 'cloudwatch:GetMetricData',
            userFixable: USER_FIXABLE,
          });
        }
      } while (nextToken);

      const series = (name: (typeof GROUPS)[number]): TargetGroupSeries => ({
        ...Object.fromEntries(
          QUERIES.map((q): [SeriesName, CloudWatchSeries | undefined] => [
            q.series,
            points.get(`${name}_${q.series}`),
          ]),
        ),
        responses: points.get(`${name}_responses`),
        atOrBelow: thresholds(name).map((thresholdSeconds, k) => ({
          thresholdSeconds,
          series: points.get(`${name}_pr${k}`),
        })),
      });
      return { canary: series('canary'), baseline: series('baseline') };
    },

    async targetHealth(targetGroupArn, signal) {
      try {
        const out = await elbv2.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
          sendOptions(signal),
        );
        const states = (out.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State);
        return {
          healthy: states.filter((state) => state === 'healthy').length,
          unhealthy: states.filter((state) => state === 'unhealthy').length,
        };
      } catch (error) {
        throw explainAwsError(error, {
          action: `describe the target health of ${targetGroupArn}`,
          permission: 'elasticloadbalancing:DescribeTargetHealth',
          userFixable: USER_FIXABLE,
        });
      }
    },
  };
}

/** A threshold as CloudWatch reads it in a statistic: plain decimals (no exponent), at most 10 places. */
export function statisticNumber(value: number): string {
  return value.toFixed(10).replace(/\.?0+$/, '');
}

/** `targetgroup/<name>/<id>`, the `TargetGroup` dimension, from the target group's ARN. */
export function targetGroupDimension(targetGroupArn: string): string {
  const dimension = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(targetGroupArn)?.[1];
  if (dimension === undefined) {
    throw new UserError(`'${targetGroupArn}' is not a target group ARN.`);
  }
  return dimension;
}

const USER_FIXABLE = new Set([
  'TargetGroupNotFound',
  'TargetGroupNotFoundException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterCombination',
]);
