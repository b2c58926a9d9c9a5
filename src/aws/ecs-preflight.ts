// What the deploy preflight reads (PreflightPorts): the service from ECS, its listener rules from
// ELBv2, its alarms from CloudWatch.
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { PreflightPorts, RuleFacts, ServiceFacts } from '../ecs/deploy/preflight.ts';
import { UserError } from '../lib/errors.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { awsErrorFacts } from '../lib/aws-errors.ts';
import { explainAwsError, sendOptions } from './explain.ts';

/** DescribeAlarms takes at most 100 AlarmNames. */
const ALARM_BATCH = 100;

export interface PreflightClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
}

/** `clients` are for tests that drive the SDK against stub handlers; they default to the factory's. */
export function sdkPreflightPorts(
  options: ClientOptions,
  clients: Partial<PreflightClients> = {},
): PreflightPorts {
  const ecs = clients.ecs ?? new ECSClient(clientConfig('ECS', options));
  const elbv2 =
    clients.elbv2 ??
    new ElasticLoadBalancingV2Client(clientConfig('Elastic Load Balancing v2', options));
  const cloudwatch =
    clients.cloudwatch ?? new CloudWatchClient(clientConfig('CloudWatch', options));

  async function rulesPage(ruleArns: string[], signal: AbortSignal | undefined): Promise<Rule[]> {
    const rules: Rule[] = [];
    let marker: string | undefined;
    do {
      const out = await elbv2.send(
        new DescribeRulesCommand({ RuleArns: ruleArns, ...(marker ? { Marker: marker } : {}) }),
        sendOptions(signal),
      );
      rules.push(...(out.Rules ?? []));
      marker = out.NextMarker;
    } while (marker);
    return rules;
  }

  return {
    async describeService(cluster, service, signal) {
      try {
        const out = await ecs.send(
          new DescribeServicesCommand({ cluster, services: [service] }),
          sendOptions(signal),
        );
        const found = out.services?.[0];
        if (found) return { found: 'service', service: serviceFacts(found) };
        const reason = out.failures?.[0]?.reason;
        if (reason === 'MISSING' || reason === undefined) return { found: 'no-service' };
        throw new UserError(
          `ECS could not describe service '${service}' in cluster '${cluster}': ${reason}${out.failures?.[0]?.detail ? ` (${out.failures[0].detail})` : ''}.`,
        );
      } catch (error) {
        if (awsErrorFacts(error).code === 'ClusterNotFoundException')
          return { found: 'no-cluster' };
        throw explainAwsError(error, {
          action: `describe service '${service}' in cluster '${cluster}'`,
          permission: 'ecs:DescribeServices',
          userFixable: USER_FIXABLE,
        });
      }
    },

    async describeRules(ruleArns, signal) {
      const wanted = [...new Set(ruleArns)];
      const facts = new Map<string, RuleFacts>();
      if (wanted.length === 0) return facts;
      const action = `describe listener rules ${wanted.join(', ')}`;
      let rules: Rule[];
      try {
        rules = await rulesPage(wanted, signal);
      } catch (error) {
        if (!isRuleNotFound(error))
          throw explainAwsError(error, {
            action,
            permission: 'elasticloadbalancing:DescribeRules',
            userFixable: USER_FIXABLE,
          });
        // One missing rule fails the whole call: ask rule by rule to keep those that exist.
        rules = [];
        for (const arn of wanted) {
          try {
            rules.push(...(await rulesPage([arn], signal)));
          } catch (single) {
            if (!isRuleNotFound(single)) {
              throw explainAwsError(single, {
                action,
                permission: 'elasticloadbalancing:DescribeRules',
                userFixable: USER_FIXABLE,
              });
            }
          }
        }
      }
      for (const rule of rules) {
        if (rule.RuleArn) facts.set(rule.RuleArn, ruleFacts(rule));
      }
      return facts;
    },

    async existingAlarms(names, signal) {
      const wanted = [...new Set(names)];
      const existing = new Set<string>();
      for (let i = 0; i < wanted.length; i += ALARM_BATCH) {
        const batch = wanted.slice(i, i + ALARM_BATCH);
        let nextToken: string | undefined;
        do {
          try {
            const out = await cloudwatch.send(
              new DescribeAlarmsCommand({
                AlarmNames: batch,
                // Without AlarmTypes only metric alarms come back; ECS takes composite ones too.
                AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
                MaxRecords: ALARM_BATCH,
                ...(nextToken ? { NextToken: nextToken } : {}),
              }),
              sendOptions(signal),
            );
            for (const alarm of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
              if (alarm.AlarmName) existing.add(alarm.AlarmName);
            }
            nextToken = out.NextToken;
          } catch (error) {
            throw explainAwsError(error, {
              action: 'describe CloudWatch alarms',
              permission: 'cloudwatch:DescribeAlarms',
              userFixable: USER_FIXABLE,
            });
          }
        } while (nextToken);
      }
      return existing;
    },
  };
}

function serviceFacts(service: Service): ServiceFacts {
  return {
    status: service.status ?? 'UNKNOWN',
    deploymentController: service.deploymentController?.type ?? 'ECS',
    desiredCount: service.desiredCount ?? 0,
    taskDefinition: service.taskDefinition ?? '',
    loadBalancers: (service.loadBalancers ?? []).map((lb) => ({
      targetGroupArn: lb.targetGroupArn,
      containerName: lb.containerName,
      containerPort: lb.containerPort,
      advancedConfiguration: lb.advancedConfiguration && {
        alternateTargetGroupArn: lb.advancedConfiguration.alternateTargetGroupArn,
        productionListenerRule: lb.advancedConfiguration.productionListenerRule,
        testListenerRule: lb.advancedConfiguration.testListenerRule,
        roleArn: lb.advancedConfiguration.roleArn,
      },
    })),
  };
}

function ruleFacts(rule: Rule): RuleFacts {
  // ELBv2 runs actions by Order; actions without one keep their place after the ordered ones.
  const actions = (rule.Actions ?? [])
    .map((action, index) => ({ action, order: action.Order ?? Number.MAX_SAFE_INTEGER, index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ action }) => action);
  const groups = actions
    .filter((action) => action.Type === 'forward')
    .flatMap((action) => [
      ...(action.TargetGroupArn ? [action.TargetGroupArn] : []),
      ...(action.ForwardConfig?.TargetGroups ?? []).flatMap((tg) =>
        tg.TargetGroupArn ? [tg.TargetGroupArn] : [],
      ),
    ]);
  return {
    actionTypes: actions.map((action) => action.Type ?? 'unknown'),
    forwardTargetGroupArns: [...new Set(groups)],
  };
}

function isRuleNotFound(error: unknown): boolean {
  const { code } = awsErrorFacts(error);
  return code === 'RuleNotFound' || code === 'RuleNotFoundException';
}

const USER_FIXABLE = new Set([
  'ValidationError',
  'InvalidParameterException',
  'ClientException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
]);
