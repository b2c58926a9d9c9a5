// Everything that must hold before ecs-canary-deploy changes anything. Every problem found is
// reported, one line each; the step fails on the first with the rest listed above it.
import { UserError } from '../../lib/errors.ts';
import { type Strategy, shiftsTraffic } from './strategy.ts';

export interface AdvancedConfigurationFacts {
  alternateTargetGroupArn?: string | undefined;
  productionListenerRule?: string | undefined;
  testListenerRule?: string | undefined;
  roleArn?: string | undefined;
}

export interface ServiceFacts {
  status: string;
  /** The service's deployment controller; ECS when the service does not name one. */
  deploymentController: string;
  desiredCount: number;
  taskDefinition: string;
  loadBalancers: {
    targetGroupArn?: string | undefined;
    containerName?: string | undefined;
    containerPort?: number | undefined;
    advancedConfiguration?: AdvancedConfigurationFacts | undefined;
  }[];
}

export type ServiceLookup =
  { found: 'service'; service: ServiceFacts } | { found: 'no-cluster' } | { found: 'no-service' };

export interface RuleFacts {
  /** Action types in order, e.g. ['authenticate-oidc', 'forward']. */
  actionTypes: string[];
  forwardTargetGroupArns: string[];
}

export interface PreflightPorts {
  describeService(cluster: string, service: string, signal?: AbortSignal): Promise<ServiceLookup>;
  /** Facts for the rules that exist; missing ones are left out. */
  describeRules(ruleArns: readonly string[], signal?: AbortSignal): Promise<Map<string, RuleFacts>>;
  /** The names, of those asked, that exist as CloudWatch alarms. */
  existingAlarms(names: readonly string[], signal?: AbortSignal): Promise<Set<string>>;
}

export interface PreflightRequest {
  cluster: string;
  service: string;
  strategy: Strategy;
  alarms: readonly string[];
  /** A smoke check against the test listener needs a test listener rule. */
  smokeCheckViaTestListener: boolean;
}

export interface PreflightResult {
  service: ServiceFacts;
  /** The load balancer the deployment shifts traffic on, for traffic-shifting strategies. */
  trafficShift?: {
    targetGroupArn: string;
    alternateTargetGroupArn: string;
    productionListenerRule: string;
    testListenerRule?: string;
  };
}

export async function preflight(
  request: PreflightRequest,
  ports: PreflightPorts,
  signal?: AbortSignal,
): Promise<PreflightResult> {
  const where = `service ${request.service} in cluster ${request.cluster}`;
  const lookup = await ports.describeService(request.cluster, request.service, signal);
  if (lookup.found === 'no-cluster') {
    throw new UserError(
      `Cluster ${request.cluster} does not exist in this account and region: check the cluster name and the region.`,
    );
  }
  if (lookup.found === 'no-service') {
    throw new UserError(
      `Service ${request.service} does not exist in cluster ${request.cluster}: check the service name, or create the service first (the infra/ CDK app).`,
    );
  }
  const { service } = lookup;
  const problems: string[] = [];
  if (service.status !== 'ACTIVE') {
    problems.push(`The ${where} is ${service.status}, not ACTIVE: it cannot take a deployment.`);
  }
  if (service.deploymentController !== 'ECS') {
    problems.push(
      `The ${where} uses the ${service.deploymentController} deployment controller; ECS-native ${request.strategy.kind} deployments need deploymentController.type ECS.`,
    );
  }

  let trafficShift: PreflightResult['trafficShift'];
  if (shiftsTraffic(request.strategy)) {
    const balancer = service.loadBalancers.find((lb) => lb.advancedConfiguration);
    const advanced = balancer?.advancedConfiguration;
    if (!balancer || !advanced) {
      problems.push(
        `The ${where} has no load balancer with advancedConfiguration (alternate target group, listener rules, role): a ${request.strategy.kind} deployment needs one; use strategy: rolling otherwise.`,
      );
    } else {
      const missing = [
        ['alternateTargetGroupArn', advanced.alternateTargetGroupArn],
        ['productionListenerRule', advanced.productionListenerRule],
        ['roleArn', advanced.roleArn],
        ...(request.smokeCheckViaTestListener
          ? [['testListenerRule', advanced.testListenerRule]]
          : []),
      ]
        .filter(([, value]) => !value)
        .map(([name]) => name);
      if (missing.length > 0) {
        problems.push(
          `The ${where}'s load balancer advancedConfiguration lacks ${missing.join(', ')}${missing.includes('testListenerRule') ? ' (the smoke check probes the test listener)' : ''}.`,
        );
      }
      const rules = [advanced.productionListenerRule, advanced.testListenerRule].filter(
        (arn): arn is string => Boolean(arn),
      );
      const facts = await ports.describeRules(rules, signal);
      for (const arn of rules) {
        const rule = facts.get(arn);
        if (!rule) {
          problems.push(
            `Listener rule ${arn} does not exist: fix the service's advancedConfiguration.`,
          );
          continue;
        }
        const others = rule.actionTypes.filter((type) => type !== 'forward');
        if (others.length > 0) {
          problems.push(
            `Listener rule ${arn} mixes forward with ${others.join(', ')}: ECS-native deployments support forward-only rules; move those actions to another rule.`,
          );
        }
      }
      if (
        balancer.targetGroupArn &&
        advanced.alternateTargetGroupArn &&
        advanced.productionListenerRule &&
        missing.length === 0
      ) {
        trafficShift = {
          targetGroupArn: balancer.targetGroupArn,
          alternateTargetGroupArn: advanced.alternateTargetGroupArn,
          productionListenerRule: advanced.productionListenerRule,
          ...(advanced.testListenerRule ? { testListenerRule: advanced.testListenerRule } : {}),
        };
      }
    }
  }

  if (request.alarms.length > 0) {
    const existing = await ports.existingAlarms(request.alarms, signal);
    const unknown = request.alarms.filter((name) => !existing.has(name));
    if (unknown.length > 0) {
      problems.push(
        `No CloudWatch alarm named ${unknown.map((n) => `'${n}'`).join(', ')} in this region: check the alarm names.`,
      );
    }
  }

  if (problems.length > 0) {
    const more =
      problems.length > 1
        ? ` (${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} listed above)`
        : '';
    throw new UserError(`${problems[0]}${more}`, {
      details: problems.length > 1 ? problems.slice(1) : [],
    });
  }
  return { service, ...(trafficShift ? { trafficShift } : {}) };
}
