import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { BlueGreenAlb } from './elbv2.ts';
import { startEmulator, type Emulator } from './server.ts';

const KEYS = {
  accessKeyId: 'AKIAELBV2TESTKEY0001',
  secretAccessKey: 'elbv2-test-secret-key-000000000000000000',
};
const REVISION_A = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1';
const REVISION_B = 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:2';

let emulator: Emulator;
let client: ElasticLoadBalancingV2Client;
let alb: BlueGreenAlb;
let now = Date.now();

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
      Error?: { Code?: string };
      $metadata?: { httpStatusCode?: number };
    };
    return {
      name: e.name,
      code: e.Error?.Code ?? e.Code,
      message: e.message,
      status: e.$metadata?.httpStatusCode,
    };
  }
  throw new Error('expected the call to fail');
}

const tick = (seconds: number) => {
  now += seconds * 1000;
};

beforeAll(async () => {
  emulator = await startEmulator({ clock: () => new Date(now) });
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/deployer' });
  client = new ElasticLoadBalancingV2Client({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: KEYS,
  });
  alb = emulator.elbv2.createBlueGreenAlb('shop');
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe('describe calls', () => {
  it('describes load balancers by name and ARN, and reports unknown ones', async () => {
    const all = await client.send(new DescribeLoadBalancersCommand({}));
    expect(all.LoadBalancers?.map((lb) => lb.LoadBalancerName)).toEqual(['shop']);
    const [lb] = all.LoadBalancers ?? [];
    expect(lb).toMatchObject({
      LoadBalancerArn: alb.loadBalancer.arn,
      DNSName: alb.loadBalancer.dnsName,
      Type: 'application',
      Scheme: 'internet-facing',
      State: { Code: 'active' },
      IpAddressType: 'ipv4',
    });
    expect(lb?.CreatedTime).toBeInstanceOf(Date);
    expect(lb?.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1a', 'us-east-1b']);
    expect(alb.loadBalancer.dimension).toMatch(/^app\/shop\/[0-9a-f]{16}$/);
    expect(alb.loadBalancer.arn.endsWith(`loadbalancer/${alb.loadBalancer.dimension}`)).toBe(true);

    const byArn = await client.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [alb.loadBalancer.arn] }),
    );
    expect(byArn.LoadBalancers).toHaveLength(1);

    const missing = await failure(
      client.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })),
    );
    expect(missing).toMatchObject({
      name: 'LoadBalancerNotFoundException',
      code: 'LoadBalancerNotFound',
      status: 400,
    });
    const unknownArn = alb.loadBalancer.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(
        client.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [unknownArn] })),
      ),
    ).toMatchObject({
      name: 'LoadBalancerNotFoundException',
      message: 'One or more load balancers not found',
    });
  });

  it('describes target groups with their load balancers, by LB, ARN and name', async () => {
    const byLb = await client.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: alb.loadBalancer.arn }),
    );
    expect(byLb.TargetGroups?.map((tg) => tg.TargetGroupName)).toEqual(['shop-blue', 'shop-green']);
    expect(byLb.TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: alb.blue.arn,
      Protocol: 'HTTP',
      Port: 80,
      TargetType: 'ip',
      HealthCheckIntervalSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: '/',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [alb.loadBalancer.arn],
    });
    const lonely = emulator.elbv2.createTargetGroup({ name: 'lonely' });
    const byName = await client.send(new DescribeTargetGroupsCommand({ Names: ['lonely'] }));
    expect(byName.TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: lonely.arn,
      HealthCheckIntervalSeconds: 30,
      HealthyThresholdCount: 5,
      LoadBalancerArns: [],
    });

    expect(
      await failure(
        client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ['not-an-arn'] })),
      ),
    ).toMatchObject({
      name: 'ValidationError',
      status: 400,
      message: "'not-an-arn' is not a valid target group ARN",
    });
    const unknown = alb.blue.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [unknown] }))),
    ).toMatchObject({ name: 'TargetGroupNotFoundException', code: 'TargetGroupNotFound' });
  });

  it('pages with PageSize and NextMarker', async () => {
    const first = await client.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
    expect(first.TargetGroups).toHaveLength(1);
    expect(first.NextMarker).toBeDefined();
    const second = await client.send(
      new DescribeTargetGroupsCommand({ PageSize: 1, Marker: first.NextMarker }),
    );
    expect(second.TargetGroups?.[0]?.TargetGroupArn).not.toBe(
      first.TargetGroups?.[0]?.TargetGroupArn,
    );
    expect(
      await failure(client.send(new DescribeTargetGroupsCommand({ PageSize: 401 }))),
    ).toMatchObject({ name: 'ValidationError' });
  });

  it('describes listeners with their default actions', async () => {
    const listeners = await client.send(
      new DescribeListenersCommand({ LoadBalancerArn: alb.loadBalancer.arn }),
    );
    expect(listeners.Listeners?.map((l) => [l.Port, l.Protocol])).toEqual([
      [80, 'HTTP'],
      [8080, 'HTTP'],
    ]);
    expect(listeners.Listeners?.[0]?.DefaultActions).toEqual([
      {
        Type: 'fixed-response',
        FixedResponseConfig: {
          StatusCode: '404',
          ContentType: 'text/plain',
          MessageBody: 'not found',
        },
      },
    ]);
    expect(await failure(client.send(new DescribeListenersCommand({})))).toMatchObject({
      name: 'ValidationError',
    });
    const unknown = alb.productionListener.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(client.send(new DescribeListenersCommand({ ListenerArns: [unknown] }))),
    ).toMatchObject({
      name: 'ListenerNotFoundException',
      message: 'One or more listeners not found',
    });
  });

  it('describes rules by priority with forward weights, the default rule last', async () => {
    const { Rules } = await client.send(
      new DescribeRulesCommand({ ListenerArn: alb.productionListener.arn }),
    );
    expect(Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['1', false],
      ['default', true],
    ]);
    expect(Rules?.[0]).toEqual({
      RuleArn: alb.productionRule.arn,
      Priority: '1',
      IsDefault: false,
      Conditions: [
        { Field: 'path-pattern', Values: ['/*'], PathPatternConfig: { Values: ['/*'] } },
      ],
      Actions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: alb.blue.arn, Weight: 100 },
              { TargetGroupArn: alb.green.arn, Weight: 0 },
            ],
            TargetGroupStickinessConfig: { Enabled: false },
          },
        },
      ],
    });
    expect(Rules?.[1]?.RuleArn).toBe(alb.productionListener.defaultRuleArn);
    const unknown = alb.productionRule.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(client.send(new DescribeRulesCommand({ RuleArns: [unknown] }))),
    ).toMatchObject({
      name: 'RuleNotFoundException',
      code: 'RuleNotFound',
    });
    expect(await failure(client.send(new DescribeRulesCommand({})))).toMatchObject({
      name: 'ValidationError',
    });
  });

  it('keeps rules that mix forward with authenticate or redirect, for preflight checks', async () => {
    const single = emulator.elbv2.createTargetGroup({ name: 'single' });
    const authRule = emulator.elbv2.createRule({
      listenerArn: alb.productionListener.arn,
      priority: 10,
      conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com'] } }],
      actions: [
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: {
            Issuer: 'https://idp.example.com',
            AuthorizationEndpoint: 'https://idp.example.com/authorize',
            TokenEndpoint: 'https://idp.example.com/token',
            UserInfoEndpoint: 'https://idp.example.com/userinfo',
            ClientId: 'client',
            ClientSecret: 'shh',
          },
        },
        { Type: 'forward', Order: 2, TargetGroupArn: single.arn },
      ],
    });
    const redirectRule = emulator.elbv2.createRule({
      listenerArn: alb.productionListener.arn,
      priority: 20,
      conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }],
      actions: [
        { Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } },
      ],
    });
    const { Rules } = await client.send(
      new DescribeRulesCommand({ RuleArns: [authRule.arn, redirectRule.arn] }),
    );
    const [auth, redirect] = Rules ?? [];
    expect(auth?.Conditions).toEqual([
      {
        Field: 'host-header',
        Values: ['admin.example.com'],
        HostHeaderConfig: { Values: ['admin.example.com'] },
      },
    ]);
    expect(auth?.Actions?.[0]?.Type).toBe('authenticate-oidc');
    expect(auth?.Actions?.[0]?.Order).toBe(1);
    expect(auth?.Actions?.[0]?.AuthenticateOidcConfig?.ClientId).toBe('client');
    expect(auth?.Actions?.[0]?.AuthenticateOidcConfig?.ClientSecret).toBeUndefined();
    expect(auth?.Actions?.[1]).toEqual({
      Type: 'forward',
      Order: 2,
      TargetGroupArn: single.arn,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: single.arn, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    });
    expect(redirect?.Actions).toEqual([
      { Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } },
    ]);
    expect(emulator.elbv2.describeRule(authRule.arn)).toEqual({
      listenerArn: alb.productionListener.arn,
      forwardOnly: false,
      weights: [{ targetGroupArn: single.arn, weight: 1 }],
    });
    expect(emulator.elbv2.describeRule(alb.productionRule.arn)?.forwardOnly).toBe(true);
    expect(emulator.elbv2.describeRule('arn:nope')).toBeUndefined();
    expect(emulator.elbv2.targetGroupExists(single.arn)).toBe(true);
    expect(() =>
      emulator.elbv2.createRule({
        listenerArn: alb.productionListener.arn,
        priority: 20,
        actions: [],
      }),
    ).toThrow(/Priority '20' is currently in use/);
  });
});

describe('ModifyRule and setRuleWeights', () => {
  it('changes weights that DescribeRules and describeRule show', async () => {
    const modified = await client.send(
      new ModifyRuleCommand({
        RuleArn: alb.testRule.arn,
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: alb.blue.arn, Weight: 90 },
                { TargetGroupArn: alb.green.arn, Weight: 10 },
              ],
            },
          },
        ],
      }),
    );
    expect(modified.Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: alb.blue.arn, Weight: 90 },
      { TargetGroupArn: alb.green.arn, Weight: 10 },
    ]);
    expect(emulator.elbv2.ruleWeights(alb.testRule.arn)).toEqual([
      { targetGroupArn: alb.blue.arn, weight: 90 },
      { targetGroupArn: alb.green.arn, weight: 10 },
    ]);

    emulator.elbv2.setRuleWeights(alb.testRule.arn, [
      { targetGroupArn: alb.blue.arn, weight: 0 },
      { targetGroupArn: alb.green.arn, weight: 100 },
    ]);
    const { Rules } = await client.send(new DescribeRulesCommand({ RuleArns: [alb.testRule.arn] }));
    expect(Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: alb.blue.arn, Weight: 0 },
      { TargetGroupArn: alb.green.arn, Weight: 100 },
    ]);

    emulator.elbv2.setRuleWeights(alb.testRule.arn, [{ targetGroupArn: alb.green.arn, weight: 1 }]);
    const single = await client.send(new DescribeRulesCommand({ RuleArns: [alb.testRule.arn] }));
    expect(single.Rules?.[0]?.Actions?.[0]).toMatchObject({
      Type: 'forward',
      TargetGroupArn: alb.green.arn,
    });
  });

  it('rejects unknown rules and target groups and bad weights', async () => {
    const unknownRule = alb.testRule.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(
        client.send(
          new ModifyRuleCommand({
            RuleArn: unknownRule,
            Actions: [{ Type: 'forward', TargetGroupArn: alb.blue.arn }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'RuleNotFoundException' });
    const unknownGroup = alb.blue.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(
        client.send(
          new ModifyRuleCommand({
            RuleArn: alb.testRule.arn,
            Actions: [{ Type: 'forward', TargetGroupArn: unknownGroup }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'TargetGroupNotFoundException' });
    expect(
      await failure(
        client.send(
          new ModifyRuleCommand({
            RuleArn: alb.testRule.arn,
            Actions: [
              {
                Type: 'forward',
                ForwardConfig: { TargetGroups: [{ TargetGroupArn: alb.blue.arn, Weight: 1000 }] },
              },
            ],
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(
      await failure(
        client.send(
          new ModifyRuleCommand({
            RuleArn: alb.productionListener.defaultRuleArn,
            Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'OperationNotPermittedException', code: 'OperationNotPermitted' });
    expect(
      emulator.calls.filter((c) => c.service === 'elbv2' && c.status >= 400).length,
    ).toBeGreaterThan(0);
  });
});

describe('target health', () => {
  const health = async (targetGroupArn: string, targets?: { Id: string; Port?: number }[]) => {
    const out = await client.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: targetGroupArn,
        ...(targets === undefined ? {} : { Targets: targets }),
      }),
    );
    return (out.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Id,
      port: d.Target?.Port,
      state: d.TargetHealth?.State,
      reason: d.TargetHealth?.Reason,
    }));
  };

  it('follows registration, health checks and deregistration', async () => {
    emulator.elbv2.registerTarget(alb.blue.arn, {
      id: '10.0.0.1',
      port: 8080,
      revision: REVISION_A,
      healthy: true,
    });
    emulator.elbv2.registerTarget(alb.blue.arn, {
      id: '10.0.0.2',
      port: 8080,
      revision: REVISION_A,
      healthy: false,
    });
    expect(await health(alb.blue.arn)).toEqual([
      { id: '10.0.0.1', port: 8080, state: 'initial', reason: 'Elb.RegistrationInProgress' },
      { id: '10.0.0.2', port: 8080, state: 'initial', reason: 'Elb.RegistrationInProgress' },
    ]);
    tick(5); // one health check (5 s interval): one pass makes a new target healthy
    expect(await health(alb.blue.arn)).toEqual([
      { id: '10.0.0.1', port: 8080, state: 'healthy', reason: undefined },
      { id: '10.0.0.2', port: 8080, state: 'initial', reason: 'Elb.InitialHealthChecking' },
    ]);
    tick(5); // second failure: unhealthy threshold 2
    expect((await health(alb.blue.arn))[1]).toMatchObject({
      state: 'unhealthy',
      reason: 'Target.FailedHealthChecks',
    });
    const [described] =
      (
        await client.send(
          new DescribeTargetHealthCommand({
            TargetGroupArn: alb.blue.arn,
            Targets: [{ Id: '10.0.0.2' }],
          }),
        )
      ).TargetHealthDescriptions ?? [];
    expect(described).toEqual({
      Target: { Id: '10.0.0.2', Port: 8080 },
      HealthCheckPort: '8080',
      TargetHealth: {
        State: 'unhealthy',
        Reason: 'Target.FailedHealthChecks',
        Description: 'Health checks failed',
      },
    });

    // The Scenario can make a revision fail its health checks later on.
    emulator.scenario.setBehaviour(REVISION_A, { unhealthy: true });
    tick(10);
    expect((await health(alb.blue.arn))[0]).toMatchObject({ state: 'unhealthy' });
    emulator.scenario.setBehaviour(REVISION_A, {});
    tick(10); // healthy threshold 2: two passes
    expect((await health(alb.blue.arn))[0]).toMatchObject({ state: 'healthy' });

    emulator.elbv2.deregisterTarget(alb.blue.arn, '10.0.0.1');
    expect((await health(alb.blue.arn))[0]).toMatchObject({
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
    });
    tick(5); // deregistration delay 5 s
    expect((await health(alb.blue.arn)).map((t) => t.id)).toEqual(['10.0.0.2']);
    expect(await health(alb.blue.arn, [{ Id: '10.9.9.9', Port: 80 }])).toEqual([
      { id: '10.9.9.9', port: 80, state: 'unused', reason: 'Target.NotRegistered' },
    ]);
    emulator.elbv2.deregisterTarget(alb.blue.arn, '10.0.0.2');
  });

  it('reports targets of a group no listener uses as unused', async () => {
    const idle = emulator.elbv2.createTargetGroup({ name: 'idle' });
    emulator.elbv2.registerTarget(idle.arn, {
      id: '10.0.1.1',
      port: 80,
      revision: REVISION_B,
      healthy: true,
    });
    expect(await health(idle.arn)).toEqual([
      { id: '10.0.1.1', port: 80, state: 'unused', reason: 'Target.NotInUse' },
    ]);
    expect(emulator.elbv2.targetHealth(idle.arn, '10.0.1.1')).toBe('unused');
  });

  it('rejects unknown target groups', async () => {
    const unknown = alb.blue.arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    expect(
      await failure(client.send(new DescribeTargetHealthCommand({ TargetGroupArn: unknown }))),
    ).toMatchObject({
      name: 'TargetGroupNotFoundException',
      code: 'TargetGroupNotFound',
    });
    expect(() =>
      emulator.elbv2.registerTarget(unknown, {
        id: 'x',
        port: 1,
        revision: REVISION_A,
        healthy: true,
      }),
    ).toThrow('One or more target groups not found');
  });
});
