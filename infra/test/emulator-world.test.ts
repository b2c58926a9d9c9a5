// The emulator's world built from the synthesized staging template: the stack's resources under
// the template's names, and the stack's deploy role assumable only with the token its trust
// policy names.
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { staging } from '../bin/environments.ts';
import { startEmulator, type Emulator } from '../../test/emulator/server.ts';
import {
  type CfnTemplate,
  loadTemplate,
  readStageTemplates,
  type LoadedStack,
} from '../../test/emulator/template-loader.ts';
import { startTestingIssuer, type TestingIssuer } from '../../test/emulator/testing-issuer.ts';
import { synthesize } from './synth.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
let emulator: Emulator;
let issuer: TestingIssuer;
let loaded: LoadedStack;
let resourceCount: number;
let roleArn: string;
let templates: Record<string, CfnTemplate>;

beforeAll(async () => {
  const { outdir } = synthesize([staging]);
  templates = readStageTemplates(outdir, 'staging');
  const template = templates['shop-staging'];
  if (!template) throw new Error(`no shop-staging template: ${Object.keys(templates).join(', ')}`);
  resourceCount = Object.keys(template.Resources).length;
  issuer = await startTestingIssuer();
  emulator = await startEmulator();
  loaded = loadTemplate(emulator, template, {
    stackName: 'shop-staging',
    issuers: { [GITHUB]: issuer.url },
    databaseSecret: {
      username: 'app_admin',
      password: 'local-only',
      host: '127.0.0.1',
      port: 5432,
      dbname: 'shop',
      engine: 'postgres',
    },
  });
  roleArn = `arn:aws:iam::123456789012:role/shop-staging-deploy`;
});

afterAll(async () => {
  await emulator?.close();
  await issuer?.close();
});

const sts = () => new STSClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1 });
const claims = (overrides: Record<string, unknown> = {}) => ({
  aud: 'sts.amazonaws.com',
  sub: 'repo:octo-org/shop:environment:staging',
  job_workflow_ref: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml@refs/tags/v1',
  exp: Math.floor(Date.now() / 1000) + 300,
  ...overrides,
});
const assume = (token: string, role = roleArn) =>
  sts().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role,
      RoleSessionName: 'deploy-1',
      WebIdentityToken: token,
    }),
  );
const INFRA_WORKFLOW = 'octo-org/aws-ship-suite/.github/workflows/infra.yml@refs/tags/v1';

describe('the emulator world from the staging template', () => {
  it('accounts for every resource: created or listed as unmodelled', () => {
    expect(
      loaded.created.length +
        loaded.unmodelled.filter((u) => u.type.startsWith('AWS::') || u.type.startsWith('Custom::'))
          .length,
    ).toBe(resourceCount);
    const types = new Set(loaded.created.map((c) => c.type));
    for (const type of [
      'AWS::ECS::Cluster',
      'AWS::ECS::Service',
      'AWS::ECS::TaskDefinition',
      'AWS::ElasticLoadBalancingV2::ListenerRule',
      'AWS::CloudWatch::Alarm',
      'AWS::ECR::Repository',
      'AWS::IAM::Role',
      'AWS::SecretsManager::Secret',
      'AWS::SNS::Topic',
    ])
      expect(types).toContain(type);
    // The alarm topic a failed deploy is announced on exists under the ARN Ref gives.
    const topicId = Object.entries(templates['shop-staging']!.Resources).find(
      ([, r]) => r.Type === 'AWS::SNS::Topic',
    )![0];
    expect(emulator.sns.topic(loaded.refs.get(topicId)!)).toBeDefined();
    const unmodelled = new Set(loaded.unmodelled.map((u) => u.type));
    expect(unmodelled).toContain('AWS::RDS::DBInstance');
    expect(unmodelled).not.toContain('AWS::CloudFront::Distribution');
    // The 5xx-rate alarm is metric math: it exists for ECS and the canary, and says it is not evaluated.
    expect(loaded.unmodelled).toContainEqual(
      expect.objectContaining({
        type: 'metric-math alarm',
        reason: expect.stringContaining('shop-staging-api-5xx-rate'),
      }),
    );
    expect(loaded.unmodelled.filter((u) => u.type === 'trust policy')).toEqual([]);
  });

  it('assumes the deploy role with the token its trust policy names, and reads the canary-ready service with it', async () => {
    const answer = await assume(issuer.token(claims()));
    expect(answer.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/shop-staging-deploy/deploy-1',
    );
    const credentials = answer.Credentials;
    const ecs = new ECSClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials?.AccessKeyId ?? '',
        secretAccessKey: credentials?.SecretAccessKey ?? '',
        sessionToken: credentials?.SessionToken ?? '',
      },
    });
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'shop-staging', services: ['shop-staging-api'] }),
    );
    const service = services?.[0];
    expect(service?.deploymentController?.type).toBe('ECS');
    const lb = service?.loadBalancers?.[0];
    expect(lb?.targetGroupArn).toBe(loaded.resolve({ Ref: logicalId('ApiBlue') }));
    expect(lb?.advancedConfiguration).toEqual({
      alternateTargetGroupArn: loaded.resolve({ Ref: logicalId('ApiGreen') }),
      productionListenerRule: loaded.resolve({ Ref: logicalId('ApiProductionRule') }),
      testListenerRule: loaded.resolve({ Ref: logicalId('ApiTestRule') }),
      roleArn: loaded.resolve({ 'Fn::GetAtt': [logicalId('ApiTrafficRole'), 'Arn'] }),
    });
    expect(service?.deploymentConfiguration?.alarms?.alarmNames).toEqual([
      'shop-staging-api-5xx-rate',
      'shop-staging-api-p95-latency',
    ]);
  });

  it("keeps infra.yml's roles and the deploy role apart: each trusts only its own workflow and environment", async () => {
    const infraRole = 'arn:aws:iam::123456789012:role/shop-staging-infra';
    const diffRole = 'arn:aws:iam::123456789012:role/shop-staging-infra-diff';
    const infraJob = claims({ job_workflow_ref: INFRA_WORKFLOW });
    const diffJob = claims({
      job_workflow_ref: INFRA_WORKFLOW,
      sub: 'repo:octo-org/shop:environment:infra-diff',
    });
    const arnOf = async (token: string, role: string) =>
      (await assume(token, role)).AssumedRoleUser?.Arn;
    expect(await arnOf(issuer.token(infraJob), infraRole)).toBe(
      'arn:aws:sts::123456789012:assumed-role/shop-staging-infra/deploy-1',
    );
    expect(await arnOf(issuer.token(diffJob), diffRole)).toBe(
      'arn:aws:sts::123456789012:assumed-role/shop-staging-infra-diff/deploy-1',
    );
    const refused = { name: 'AccessDenied' };
    // deploy.yml's job cannot run cdk; infra.yml's cannot deploy images.
    await expect(assume(issuer.token(claims()), infraRole)).rejects.toMatchObject(refused);
    await expect(assume(issuer.token(infraJob), roleArn)).rejects.toMatchObject(refused);
    // A pull request's diff job cannot deploy; a staging job is not the diff environment.
    await expect(assume(issuer.token(diffJob), infraRole)).rejects.toMatchObject(refused);
    await expect(assume(issuer.token(infraJob), diffRole)).rejects.toMatchObject(refused);
    // Another stage's environment, or the suite's infra.yml at another ref.
    await expect(
      assume(
        issuer.token(claims({ ...infraJob, sub: 'repo:octo-org/shop:environment:production' })),
        infraRole,
      ),
    ).rejects.toMatchObject(refused);
    await expect(
      assume(
        issuer.token(
          claims({
            ...infraJob,
            job_workflow_ref: INFRA_WORKFLOW.replace('@refs/tags/v1', '@refs/heads/main'),
          }),
        ),
        infraRole,
      ),
    ).rejects.toMatchObject(refused);
  });

  it("resolves the deploy document to JSON naming what the emulator holds, within SSM's 4 KB", () => {
    const template = templates['shop-staging'] as CfnTemplate;
    const [parameterId] =
      Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SSM::Parameter') ?? [];
    const text = loaded.resolve(
      template.Resources[parameterId ?? '']?.Properties?.['Value'] ?? null,
    );
    expect(typeof text).toBe('string');
    expect((text as string).length).toBeLessThan(4096);
    const document = JSON.parse(text as string) as Record<string, Record<string, unknown>>;
    expect(document['version']).toBe(1);
    expect(document['deployRoleArn']).toBe(roleArn);
    expect(document['ecs']).toMatchObject({
      cluster: 'shop-staging',
      service: 'shop-staging-api',
      taskFamily: 'shop-staging-api',
      container: 'app',
    });
    expect(document['alarms']?.['canary']).toEqual([
      'shop-staging-api-5xx-rate',
      'shop-staging-api-p95-latency',
    ]);
    expect(document['migration']).toMatchObject({
      taskDefinition: 'shop-staging-migrate',
      container: 'migrate',
    });
    const migration = document['migration'] as {
      subnets: string[];
      securityGroups: string[];
      databaseSecretArn: string;
    };
    expect(migration.subnets).toHaveLength(2);
    for (const subnet of migration.subnets) expect(subnet).toMatch(/^subnet-/);
    expect(migration.securityGroups[0]).toMatch(/^sg-/);
    expect(migration.databaseSecretArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:/,
    );
    expect(document['ecr']?.['repositoryName']).toBe('shop-staging');
    // The site: its bucket and its distribution (served from that bucket) exist in the emulator.
    const site = document['site'] as { bucket: string; distributionId: string };
    expect(emulator.s3.bucket(site.bucket)).toBeDefined();
    expect(emulator.cloudfront.distribution(site.distributionId)?.bucket).toBe(site.bucket);
  });

  it("lets the deploy role read its deploy document from SSM (the template's ssm:GetParameter grant), and nothing else", async () => {
    const credentials = (await assume(issuer.token(claims()))).Credentials;
    const ssm = new SSMClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials?.AccessKeyId ?? '',
        secretAccessKey: credentials?.SecretAccessKey ?? '',
        sessionToken: credentials?.SessionToken ?? '',
      },
    });
    try {
      const { Parameter } = await ssm.send(
        new GetParameterCommand({ Name: '/aws-ship-suite/shop-staging-deploy' }),
      );
      expect(JSON.parse(Parameter?.Value ?? '')).toMatchObject({
        version: 1,
        deployRoleArn: roleArn,
      });
      await expect(
        ssm.send(new GetParameterCommand({ Name: '/aws-ship-suite/shop-production-deploy' })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      ssm.destroy();
    }
  });

  it('lets the deploy role announce a failed deploy on the topic the deploy document names, and no other', async () => {
    const template = templates['shop-staging'] as CfnTemplate;
    const [parameterId] =
      Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::SSM::Parameter') ?? [];
    const document = JSON.parse(
      loaded.resolve(
        template.Resources[parameterId ?? '']?.Properties?.['Value'] ?? null,
      ) as string,
    ) as { notifications: { topicArn: string } };
    const topicArn = document.notifications.topicArn;
    expect(emulator.sns.topic(topicArn)).toBeDefined();
    const credentials = (await assume(issuer.token(claims()))).Credentials;
    const sns = new SNSClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials?.AccessKeyId ?? '',
        secretAccessKey: credentials?.SecretAccessKey ?? '',
        sessionToken: credentials?.SessionToken ?? '',
      },
    });
    try {
      await sns.send(
        new PublishCommand({ TopicArn: topicArn, Subject: 'Deploy failed', Message: 'why' }),
      );
      expect(emulator.sns.published.at(-1)).toMatchObject({ topicArn, publisher: roleArn });
      const other = emulator.sns.createTopic({ name: 'someone-elses' });
      await expect(
        sns.send(new PublishCommand({ TopicArn: other.arn, Message: 'x' })),
      ).rejects.toMatchObject({ name: 'AuthorizationErrorException' });
    } finally {
      sns.destroy();
    }
  });

  it.each([
    ['another environment', { sub: 'repo:octo-org/shop:environment:production' }, 'AccessDenied'],
    ['a pull request', { sub: 'repo:octo-org/shop:pull_request' }, 'AccessDenied'],
    ['another repository', { sub: 'repo:octo-org/other:environment:staging' }, 'AccessDenied'],
    [
      'another workflow',
      { job_workflow_ref: 'octo-org/shop/.github/workflows/mine.yml@refs/heads/main' },
      'AccessDenied',
    ],
    [
      'the workflow at another ref',
      { job_workflow_ref: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml@refs/heads/main' },
      'AccessDenied',
    ],
    ['no workflow claim', { job_workflow_ref: undefined }, 'AccessDenied'],
    ['another audience', { aud: 'https://github.com/octo-org' }, 'InvalidIdentityTokenException'],
  ])('refuses a token from %s', async (_name, overrides, error) => {
    const refused = assume(issuer.token(claims(overrides)));
    await expect(refused).rejects.toMatchObject({ name: error });
  });
});

function logicalId(prefix: string): string {
  const id = [...loaded.refs.keys()].find(
    (k) => k.startsWith(prefix) && /^[A-Za-z]+[0-9A-F]{8}$/.test(k),
  );
  if (!id) throw new Error(`no resource ${prefix}`);
  return id;
}
