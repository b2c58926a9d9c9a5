import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../src/lib/errors.ts';
import {
  type PreflightPorts,
  type PreflightRequest,
  type RuleFacts,
  type ServiceFacts,
  preflight,
} from '../../../../src/ecs/deploy/preflight.ts';

const PROD_RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/1/2/prod';
const TEST_RULE =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/web/1/3/test';
const BLUE = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/blue/1';
const GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/green/2';

function service(overrides: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    status: 'ACTIVE',
    deploymentController: 'ECS',
    desiredCount: 2,
    taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7',
    loadBalancers: [
      {
        targetGroupArn: BLUE,
        containerName: 'web',
        containerPort: 8080,
        advancedConfiguration: {
          alternateTargetGroupArn: GREEN,
          productionListenerRule: PROD_RULE,
          testListenerRule: TEST_RULE,
          roleArn: 'arn:aws:iam::111122223333:role/ecs-infrastructure',
        },
      },
    ],
    ...overrides,
  };
}

function ports(
  options: {
    service?: ServiceFacts | 'no-cluster' | 'no-service';
    rules?: Record<string, RuleFacts>;
    alarms?: string[];
  } = {},
) {
  const calls: string[] = [];
  const forward: RuleFacts = { actionTypes: ['forward'], forwardTargetGroupArns: [BLUE, GREEN] };
  const p: PreflightPorts = {
    async describeService() {
      calls.push('describeService');
      const s = options.service ?? service();
      return typeof s === 'string' ? { found: s } : { found: 'service', service: s };
    },
    async describeRules(arns) {
      calls.push('describeRules');
      const rules = options.rules ?? { [PROD_RULE]: forward, [TEST_RULE]: forward };
      return new Map(arns.filter((a) => rules[a]).map((a) => [a, rules[a]!]));
    },
    async existingAlarms(names) {
      calls.push('existingAlarms');
      return new Set(names.filter((n) => (options.alarms ?? ['web-5xx']).includes(n)));
    },
  };
  return { ports: p, calls };
}

const request = (overrides: Partial<PreflightRequest> = {}): PreflightRequest => ({
  cluster: 'prod',
  service: 'web',
  strategy: { kind: 'canary', canaryPercent: 10, canaryBakeMinutes: 10, bakeMinutes: 15 },
  alarms: ['web-5xx'],
  smokeCheckViaTestListener: true,
  ...overrides,
});

async function problems(req: PreflightRequest, p: PreflightPorts): Promise<string[]> {
  const error = await preflight(req, p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  const e = error as UserError;
  return [e.message, ...e.details];
}

describe('preflight', () => {
  it('passes a ready service and names the traffic it will shift', async () => {
    const result = await preflight(request(), ports().ports);
    expect(result.trafficShift).toEqual({
      targetGroupArn: BLUE,
      alternateTargetGroupArn: GREEN,
      productionListenerRule: PROD_RULE,
      testListenerRule: TEST_RULE,
    });
  });

  it('stops at a missing cluster or service with one line', async () => {
    await expect(preflight(request(), ports({ service: 'no-cluster' }).ports)).rejects.toThrow(
      /^Cluster prod does not exist/,
    );
    await expect(preflight(request(), ports({ service: 'no-service' }).ports)).rejects.toThrow(
      /^Service web does not exist in cluster prod/,
    );
  });

  it('refuses another deployment controller', async () => {
    const [message] = await problems(
      request(),
      ports({ service: service({ deploymentController: 'CODE_DEPLOY' }) }).ports,
    );
    expect(message).toMatch(
      /uses the CODE_DEPLOY deployment controller; ECS-native canary deployments need deploymentController.type ECS/,
    );
  });

  it('needs advancedConfiguration for traffic-shifting strategies, not for rolling', async () => {
    const bare = service({
      loadBalancers: [{ targetGroupArn: BLUE, containerName: 'web', containerPort: 8080 }],
    });
    const [message] = await problems(request(), ports({ service: bare }).ports);
    expect(message).toMatch(
      /has no load balancer with advancedConfiguration .*use strategy: rolling otherwise/,
    );
    await expect(
      preflight(request({ strategy: { kind: 'rolling' } }), ports({ service: bare }).ports),
    ).resolves.toBeDefined();
  });

  it('names the missing parts of advancedConfiguration', async () => {
    const partial = service();
    partial.loadBalancers[0]!.advancedConfiguration = { productionListenerRule: PROD_RULE };
    const [message] = await problems(request(), ports({ service: partial }).ports);
    expect(message).toMatch(
      /lacks alternateTargetGroupArn, roleArn, testListenerRule \(the smoke check probes the test listener\)/,
    );
  });

  it('refuses listener rules that do more than forward, and rules that do not exist', async () => {
    const all = await problems(
      request(),
      ports({
        rules: {
          [PROD_RULE]: {
            actionTypes: ['authenticate-oidc', 'forward'],
            forwardTargetGroupArns: [BLUE],
          },
        },
      }).ports,
    );
    expect(all[0]).toMatch(
      /^Listener rule .*prod mixes forward with authenticate-oidc: ECS-native deployments support forward-only rules; move those actions to another rule\. \(1 more problem listed above\)$/,
    );
    expect(all[1]).toMatch(/^Listener rule .*test does not exist/);
  });

  it('reports every missing alarm, together with the other problems', async () => {
    const all = await problems(
      request({ alarms: ['web-5xx', 'web-latency', 'db-cpu'] }),
      ports({ service: service({ status: 'DRAINING' }) }).ports,
    );
    expect(all).toHaveLength(2);
    expect(all[0]).toMatch(/is DRAINING, not ACTIVE.*\(1 more problem listed above\)/);
    expect(all[1]).toBe(
      "No CloudWatch alarm named 'web-latency', 'db-cpu' in this region: check the alarm names.",
    );
  });
});
