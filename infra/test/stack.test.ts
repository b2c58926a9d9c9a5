// The security-critical properties of both stages, asserted on the synthesized templates.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { only, synthesize, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
});

const resources = (t: Template, type: string) => Object.entries(t.findResources(type));
const stageNames = ['staging', 'production'] as const;
const tpl = (stage: string) => s.templates[stage] as Template;

describe('cdk-nag (AWS Solutions) through the policy-validation API', () => {
  it('leaves no finding unacknowledged in either stage', () => {
    const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations?: { ruleName: string; violatingConstructs?: { constructPath: string }[] }[];
      }[];
    };
    const open = report.pluginReports.flatMap((p) =>
      (p.violations ?? []).flatMap((v) =>
        (v.violatingConstructs ?? []).map(
          (c) => `${p.pluginName} ${v.ruleName} ${c.constructPath}`,
        ),
      ),
    );
    expect(open).toEqual([]);
  });

  it('reports a finding nobody acknowledged', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'infra-nag-')) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new Stack(app, 'Bad', { env: { account: '111111111111', region: 'eu-west-1' } });
    new sqs.Queue(stack, 'Plain', { enforceSSL: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
    const report = readFileSync(join(app.outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-SQS3');
  });
});

describe.each(stageNames)('%s', (stage) => {
  it('keeps every bucket private and TLS-only', () => {
    const t = tpl(stage);
    const buckets = resources(t, 'AWS::S3::Bucket');
    expect(buckets.length).toBe(2);
    for (const [, bucket] of buckets) {
      expect(
        (bucket as { Properties: Record<string, unknown> }).Properties[
          'PublicAccessBlockConfiguration'
        ],
      ).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const policies = resources(t, 'AWS::S3::BucketPolicy');
    expect(policies.length).toBe(2);
    type Statement = { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown };
    for (const [, policy] of policies) {
      const statements = (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } })
        .Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      for (const st of statements.filter((x) => x.Effect === 'Allow')) {
        // Only AWS services that deliver logs or serve the site, or the region's ELB log account.
        const principal = JSON.stringify(st.Principal);
        expect(principal).toMatch(
          /^\{"Service":"(cloudfront|delivery\.logs|logging\.s3)\.amazonaws\.com"\}$|:iam::\d{12}:root"\]\]\}\}$/,
        );
      }
    }
    const [, site] = policies.find(([id]) => id.startsWith('EdgeSitePolicy')) ?? [];
    const siteAllows = (
      site as { Properties: { PolicyDocument: { Statement: Statement[] } } }
    ).Properties.PolicyDocument.Statement.filter((x) => x.Effect === 'Allow');
    expect(siteAllows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
  });

  it('serves HTTPS only: ALB listeners, CloudFront viewers and origins', () => {
    const t = tpl(stage);
    const listeners = resources(t, 'AWS::ElasticLoadBalancingV2::Listener').map(
      ([, l]) => (l as { Properties: Record<string, unknown> }).Properties,
    );
    expect(listeners.map((l) => [l['Port'], l['Protocol']]).sort()).toEqual([
      [443, 'HTTPS'],
      [80, 'HTTP'],
      [9443, 'HTTPS'],
    ]);
    for (const l of listeners.filter((l) => l['Protocol'] === 'HTTPS'))
      expect(l['SslPolicy']).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    const http = listeners.find((l) => l['Protocol'] === 'HTTP');
    expect(http?.['DefaultActions']).toEqual([
      {
        Type: 'redirect',
        RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' },
      },
    ]);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' }),
        ],
        Origins: Match.arrayWith([
          Match.objectLike({
            CustomOriginConfig: {
              OriginProtocolPolicy: 'https-only',
              OriginSSLProtocols: ['TLSv1.2'],
            },
          }),
        ]),
      }),
    });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    t.hasResourceProperties('AWS::RDS::DBProxy', {
      RequireTLS: true,
      Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })],
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true,
      PubliclyAccessible: false,
    });
    for (const [, policy] of resources(t, 'AWS::SQS::QueuePolicy'))
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    expect(JSON.stringify(resources(t, 'AWS::SNS::TopicPolicy'))).toContain(
      '"aws:SecureTransport":"false"',
    );
  });

  it('sends security headers and puts the WAF web ACL in front of CloudFront', () => {
    const t = tpl(stage);
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
          }),
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"),
          }),
          FrameOptions: Match.objectLike({ FrameOption: 'DENY' }),
          ContentTypeOptions: Match.objectLike({ Override: true }),
        }),
      }),
    });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.anyValue(),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    const origins = s.templates[stage]?.findResources('AWS::CloudFront::OriginAccessControl') ?? {};
    expect(Object.keys(origins)).toHaveLength(1);
    const waf = s.edgeTemplates[stage] as Template;
    waf.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: [
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesKnownBadInputsRuleSet',
            },
          },
        }),
        Match.objectLike({
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
        }),
      ],
    });
    expect(s.stages[stage]?.edgeSecurity.region).toBe('us-east-1');
  });

  it('trusts exactly the environment subject and the suite deploy workflow, with no wildcards', () => {
    const t = tpl(stage);
    const [, role] =
      resources(t, 'AWS::IAM::Role').find(([id]) => id.startsWith('DeployRole')) ?? [];
    const trust = (role as { Properties: { AssumeRolePolicyDocument: unknown } }).Properties
      .AssumeRolePolicyDocument;
    expect(trust).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: resources(t, 'AWS::IAM::OIDCProvider')[0]?.[0] } },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': `repo:octo-org/shop:environment:${stage}`,
              'token.actions.githubusercontent.com:job_workflow_ref': [
                'octo-org/aws-ship-suite/.github/workflows/deploy.yml@refs/tags/v1',
                'octo-org/aws-ship-suite/.github/workflows/pipeline.yml@refs/tags/v1',
              ],
            },
          },
        },
      ],
    });
    expect(JSON.stringify(trust)).not.toMatch(/[*?]|StringLike|ForAllValues/);
    t.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('gives infra.yml its own roles: deploy through the bootstrap roles, diff through the lookup roles', () => {
    const t = tpl(stage);
    const account = stage === 'staging' ? '111111111111' : '222222222222';
    const provider = { Ref: resources(t, 'AWS::IAM::OIDCProvider')[0]?.[0] };
    const roles = Object.fromEntries(
      resources(t, 'AWS::IAM::Role').map(([, r]) => [
        (r as { Properties: { RoleName?: string } }).Properties.RoleName,
        (r as { Properties: { AssumeRolePolicyDocument: unknown; MaxSessionDuration: number } })
          .Properties,
      ]),
    );
    const trust = (environment: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: provider },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': `repo:octo-org/shop:environment:${environment}`,
              'token.actions.githubusercontent.com:job_workflow_ref':
                'octo-org/aws-ship-suite/.github/workflows/infra.yml@refs/tags/v1',
            },
          },
        },
      ],
    });
    expect(roles[`shop-${stage}-infra`]).toMatchObject({
      AssumeRolePolicyDocument: trust(stage),
      MaxSessionDuration: 7200,
    });
    expect(roles[`shop-${stage}-infra-diff`]).toMatchObject({
      AssumeRolePolicyDocument: trust('infra-diff'),
      MaxSessionDuration: 3600,
    });

    const statementsOf = (prefix: string) =>
      (
        resources(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith(prefix))?.[1] as {
          Properties: { PolicyDocument: { Statement: { Resource: unknown }[] } };
        }
      ).Properties.PolicyDocument.Statement.map((st) => ({
        ...st,
        Resource: [st.Resource].flat().map(flatten),
      }));
    const role = (kind: string, acct: string, region: string) =>
      `arn:aws:iam::${acct}:role/cdk-hnb659fds-${kind}-role-${acct}-${region}`;
    const kinds = ['deploy', 'file-publishing', 'image-publishing'];
    expect(statementsOf('InfraDeployRoleDefaultPolicy')).toEqual([
      {
        Sid: 'CdkBootstrapRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        // this stage's two stacks: the web ACL's in us-east-1 and the environment's own
        Resource: ['us-east-1', 'eu-west-1'].flatMap((region) =>
          kinds.map((kind) => role(kind, account, region)),
        ),
      },
    ]);
    expect(statementsOf('InfraDiffRoleDefaultPolicy')).toEqual([
      {
        Sid: 'CdkLookupRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        // one diff role reads every stage's stacks: both accounts' lookup roles
        Resource: ['111111111111', '222222222222'].flatMap((acct) =>
          ['us-east-1', 'eu-west-1'].map((region) => role('lookup', acct, region)),
        ),
      },
      {
        Sid: 'ReadStacks',
        Effect: 'Allow',
        Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
        Resource: [
          `arn:aws:cloudformation:us-east-1:${account}:stack/shop-${stage}-edge-security/*`,
          `arn:aws:cloudformation:eu-west-1:${account}:stack/shop-${stage}/*`,
        ],
      },
    ]);
    t.hasOutput('InfraDeployRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InfraDeployRole'), 'Arn'] },
      Description: Match.stringLikeRegexp(`${stage.toUpperCase()}_INFRA_ROLE_ARN`),
    });
    t.hasOutput('InfraDiffRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InfraDiffRole'), 'Arn'] },
      Description: Match.stringLikeRegexp('INFRA_DIFF_ROLE_ARN'),
    });
  });

  it('makes the load balancer canary-ready: two target groups, production and test rules, advancedConfiguration', () => {
    const t = tpl(stage);
    const groups = resources(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(groups.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'ApiBlue',
      'ApiGreen',
    ]);
    for (const [, g] of groups)
      expect((g as { Properties: Record<string, unknown> }).Properties).toMatchObject({
        HealthCheckPath: '/health',
        TargetType: 'ip',
        Port: 8080,
      });
    const id = (prefix: string) =>
      resources(t, 'AWS::ElasticLoadBalancingV2::ListenerRule')
        .concat(groups, resources(t, 'AWS::IAM::Role'))
        .find(([k]) => k.startsWith(prefix))?.[0];
    const rules = resources(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) {
      const actions = (rule as { Properties: { Actions: { Type: string }[] } }).Properties.Actions;
      expect(actions.map((a) => a.Type)).toEqual(['forward']);
    }
    t.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: `shop-${stage}-api`,
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Strategy: 'CANARY',
        Alarms: { AlarmNames: [Match.anyValue(), Match.anyValue()], Enable: true, Rollback: true },
      }),
      LoadBalancers: [
        {
          ContainerName: 'app',
          ContainerPort: 8080,
          TargetGroupArn: { Ref: id('ApiBlue') },
          AdvancedConfiguration: {
            AlternateTargetGroupArn: { Ref: id('ApiGreen') },
            ProductionListenerRule: { Ref: id('ApiProductionRule') },
            TestListenerRule: { Ref: id('ApiTestRule') },
            RoleArn: { 'Fn::GetAtt': [id('ApiTrafficRole'), 'Arn'] },
          },
        },
      ],
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }),
      },
    });
    t.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 20,
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 70,
      }),
    });
    // Requests across both target groups (they swap roles every deployment), per running task.
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 1000,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({
              Id: 'requests',
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({
                  MetricName: 'RequestCount',
                  Dimensions: [Match.objectLike({ Name: 'LoadBalancer' })],
                }),
                Stat: 'Sum',
              }),
            }),
            Match.objectLike({
              Id: 'tasks',
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({ MetricName: 'RunningTaskCount' }),
              }),
            }),
            {
              Id: 'perTask',
              Expression: 'requests / tasks',
              Label: 'requests per task per minute',
              ReturnData: true,
            },
          ],
        },
      }),
    });
    expect(
      JSON.stringify(t.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')),
    ).not.toContain('ALBRequestCountPerTarget');
  });

  it('names the 5xx and p95 alarms the canary is given and sends every alarm to the topic', () => {
    const t = tpl(stage);
    const alarms = resources(t, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => (a as { Properties: Record<string, unknown> }).Properties)
      .filter((a) => typeof a['AlarmName'] === 'string');
    const names = alarms.map((a) => a['AlarmName']);
    expect(names).toEqual(
      expect.arrayContaining([
        `shop-${stage}-api-5xx-rate`,
        `shop-${stage}-api-p95-latency`,
        `shop-${stage}-db-cpu`,
        `shop-${stage}-dlq-not-empty`,
        `shop-${stage}-queue-age`,
      ]),
    );
    expect(names.includes(`shop-${stage}-db-replica-lag`)).toBe(stage === 'production');
    for (const a of alarms)
      expect(a['AlarmActions']).toEqual([{ Ref: expect.stringMatching(/^ObservabilityAlarms/) }]);
    const p95 = alarms.find((a) => a['AlarmName'] === `shop-${stage}-api-p95-latency`);
    expect(p95).toMatchObject({
      ExtendedStatistic: 'p95',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const dbCpu = alarms.find((a) => a['AlarmName'] === `shop-${stage}-db-cpu`);
    expect(dbCpu).toMatchObject({ Threshold: 80, EvaluationPeriods: 5, Period: 60 });
  });

  it('keeps the database in isolated subnets, reachable only from the proxy, migration and rotation groups', () => {
    const t = tpl(stage);
    const ingress = resources(t, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => (r as { Properties: Record<string, unknown> }).Properties)
      .filter((p) => p['FromPort'] === 5432);
    const name = (v: unknown) =>
      (v as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '');
    const edges = ingress
      .map((p) => `${name(p['SourceSecurityGroupId'])} -> ${name(p['GroupId'])}`)
      .sort();
    expect(edges).toEqual([
      'ApiServiceSg -> DataProxySg',
      'DataProxySg -> DataInstanceSg',
      'DataRotationSg -> DataInstanceSg',
      'MigrationSg -> DataInstanceSg',
      'WorkerSg -> DataProxySg',
    ]);
    t.hasResourceProperties('AWS::RDS::DBInstance', { DBSubnetGroupName: Match.anyValue() });
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('isolatedSubnet') }]),
    });
    for (const p of ingress) expect(p).not.toHaveProperty('CidrIp');
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  it('least privilege: the deploy role uses Resource * only where AWS offers no resource-level permission', () => {
    const t = tpl(stage);
    const [, policy] =
      resources(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith('DeployRoleDefaultPolicy')) ??
      [];
    const statements = (
      policy as {
        Properties: {
          PolicyDocument: {
            Statement: {
              Sid: string;
              Action: string | string[];
              Resource: unknown;
              Condition?: unknown;
            }[];
          };
        };
      }
    ).Properties.PolicyDocument.Statement;
    const unscoped = statements
      .filter((st) => st.Resource === '*')
      .map((st) => [st.Sid, st.Action, st.Condition ?? null]);
    expect(unscoped).toEqual([
      ['EcrLogin', 'ecr:GetAuthorizationToken', null],
      ['EcsTaskDefinitions', ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], null],
      ['EcsListTasks', 'ecs:ListTasks', { ArnEquals: { 'ecs:cluster': expect.anything() } }],
      [
        'LoadBalancerReads',
        [
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetHealth',
        ],
        null,
      ],
      ['Metrics', 'cloudwatch:GetMetricData', null],
    ]);
    for (const st of statements) {
      const actions = ([] as string[]).concat(st.Action);
      for (const a of actions) expect(a).not.toMatch(/\*/);
      if (st.Resource !== '*') expect(JSON.stringify(st.Resource)).toMatch(/Ref|GetAtt|arn:/);
    }
    expect(statements.find((st) => st.Sid === 'EcsTagNewRevisions')?.Condition).toEqual({
      StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    });
    expect(statements.find((st) => st.Sid === 'EcsRunMigration')?.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:ecs:eu-west-1:${stage === 'staging' ? '111111111111' : '222222222222'}:task-definition/shop-${stage}-migrate:*`,
        ],
      ],
    });
    const passRole = statements.find((st) => st.Sid === 'PassTaskRoles');
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(JSON.stringify(statements)).not.toContain('secretsmanager:GetSecretValue');
  });

  it("least privilege: task and execution roles get exactly their grants, on this stack's resources", () => {
    const t = tpl(stage);
    type Statement = { Action: string | string[]; Resource: unknown };
    const grants: Record<string, string[]> = {};
    for (const [id, policy] of resources(t, 'AWS::IAM::Policy')) {
      if (/^(DeployRole|Infra)/.test(id)) continue; // the GitHub roles: asserted exactly above
      const statements = (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } })
        .Properties.PolicyDocument.Statement;
      for (const st of statements) expect(JSON.stringify(st.Resource)).not.toMatch(/^"\*"$|"\*"/);
      grants[id.replace(/DefaultPolicy[0-9A-F]{8}$/, '')] = statements.map((st) =>
        [st.Action].flat().sort().join(','),
      );
    }
    expect(grants).toEqual({
      NetworkVpcFlowLogIAMRole: ['logs:CreateLogStream,logs:DescribeLogStreams,logs:PutLogEvents'],
      DataPostgresProxyIAMRole: ['secretsmanager:DescribeSecret,secretsmanager:GetSecretValue'],
      ApiTaskTaskRole: ['rds-db:connect'],
      ApiTaskExecutionRole: [
        'logs:CreateLogStream,logs:PutLogEvents',
        'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue',
      ],
      WorkerTaskTaskRole: [
        'sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage',
        'rds-db:connect',
      ],
      WorkerTaskExecutionRole: [
        'logs:CreateLogStream,logs:PutLogEvents',
        'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue',
      ],
      MigrationTaskTaskRole: ['secretsmanager:DescribeSecret,secretsmanager:GetSecretValue'],
      MigrationTaskExecutionRole: ['logs:CreateLogStream,logs:PutLogEvents'],
    });
  });

  it('lets the deploy role announce a failed deploy on the alarm topic, and names it in the deploy document', () => {
    const t = tpl(stage);
    const [topicId] = only(t, 'AWS::SNS::Topic');
    const [keyId] = only(t, 'AWS::KMS::Key', { Description: `shop-${stage} alarm topic` });
    const [, policy] =
      resources(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith('DeployRoleDefaultPolicy')) ??
      [];
    const statements = (
      policy as {
        Properties: {
          PolicyDocument: {
            Statement: { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[];
          };
        };
      }
    ).Properties.PolicyDocument.Statement;
    expect(statements.find((st) => st.Sid === 'Notifications')).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
    });
    expect(statements.find((st) => st.Sid === 'NotificationsKey')).toMatchObject({
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
    });
    const document = s.stages[stage]!.stack.deployDocument as {
      notifications?: { topicArn?: unknown };
    };
    expect(Stack.of(s.stages[stage]!.stack).resolve(document.notifications?.topicArn)).toEqual({
      Ref: topicId,
    });
  });

  it('writes the deploy document to SSM and outputs the deploy role ARN', () => {
    const t = tpl(stage);
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `/aws-ship-suite/shop-${stage}-deploy`,
      Type: 'String',
    });
    t.hasOutput('DeployRoleArn', {});
    t.hasOutput('DeployDocumentJson', {});
    t.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      LifecyclePolicy: Match.anyValue(),
    });
  });
});

describe('production versus staging', () => {
  it('protects production data and keeps staging cheap', () => {
    const prod = tpl('production');
    prod.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        DeletionProtection: true,
        MultiAZ: true,
        BackupRetentionPeriod: 35,
        DeleteAutomatedBackups: false,
      }),
    });
    prod.resourceCountIs('AWS::EC2::NatGateway', 3);
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
      ]),
    });
    const replicas = Object.values(prod.findResources('AWS::RDS::DBInstance')).filter((r) =>
      JSON.stringify(r).includes('SourceDBInstanceIdentifier'),
    );
    expect(replicas).toHaveLength(1);

    const stg = tpl('staging');
    stg.hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: false,
      BackupRetentionPeriod: 7,
      DeletionProtection: false,
    });
    stg.resourceCountIs('AWS::EC2::NatGateway', 1);
    stg.resourceCountIs('AWS::RDS::DBInstance', 1);
    for (const t of [prod, stg]) {
      t.resourceCountIs('AWS::EC2::FlowLog', 1);
      const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
        JSON.stringify((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName),
      );
      for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 's3'])
        expect(endpoints.some((e) => e.includes(`.${service}`))).toBe(true);
    }
  });
});

/** An ARN as the template writes it, with the partition resolved (aws). */
function flatten(resource: unknown): unknown {
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (!join) return resource;
  return join[1]
    .map((part) =>
      (part as { Ref?: string })?.Ref === 'AWS::Partition' ? 'aws' : (part as string),
    )
    .join(join[0]);
}
