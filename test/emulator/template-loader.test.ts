import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmulator, type Emulator } from './server.ts';
import {
  loadTemplate,
  type CfnResource,
  type CfnTemplate,
  type Json,
  type JsonMap,
} from './template-loader.ts';
import { startTestingIssuer, type TestingIssuer } from './testing-issuer.ts';

const GITHUB = 'https://token.actions.githubusercontent.com';
let emulator: Emulator;
let issuer: TestingIssuer;

beforeEach(async () => {
  issuer = await startTestingIssuer();
  emulator = await startEmulator();
});
afterEach(async () => {
  await emulator.close();
  await issuer.close();
});

const provider = {
  Type: 'AWS::IAM::OIDCProvider',
  Properties: { Url: GITHUB, ClientIdList: ['sts.amazonaws.com'] },
};
const role = (condition: JsonMap): CfnResource => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    RoleName: 'deploy',
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: { Ref: 'Provider' } },
          Condition: condition,
        },
      ],
    },
  },
});
const assume = (sub: string) =>
  new STSClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1 }).send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: 'arn:aws:iam::123456789012:role/deploy',
      RoleSessionName: 'run-1',
      WebIdentityToken: issuer.token({
        aud: 'sts.amazonaws.com',
        sub,
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    }),
  );

describe('loadTemplate', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub and Fn::Select to the emulated names, in dependency order', () => {
    const template: CfnTemplate = {
      Resources: {
        // Listed before what it references: the loader orders by references.
        Alarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, { Ref: 'Repo' }, 'age']] },
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateAgeOfOldestMessage',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['Queue', 'QueueName'] } }],
            Statistic: 'Maximum',
            Threshold: 60,
            EvaluationPeriods: 1,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        },
        Repo: {
          Type: 'AWS::ECR::Repository',
          Properties: { RepositoryName: 'web', ImageTagMutability: 'IMMUTABLE' },
        },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Cluster: {
          Type: 'AWS::ECS::Cluster',
          Properties: { ClusterName: { 'Fn::Sub': '${AWS::StackName}-${Repo}' } },
        },
      },
    };
    const loaded = loadTemplate(emulator, template, { stackName: 'app' });
    expect(loaded.created.map((c) => c.logicalId)).toEqual(['Repo', 'Alarm', 'Cluster']);
    expect(loaded.unmodelled).toEqual([
      { logicalId: 'Queue', type: 'AWS::SQS::Queue', reason: 'type not modelled by the emulator' },
    ]);
    expect(emulator.cloudwatch.state('app-web-age')).toBe('INSUFFICIENT_DATA');
    expect(emulator.ecr.repository('web')?.imageTagMutability).toBe('IMMUTABLE');
    expect(loaded.resolve({ 'Fn::GetAtt': ['Repo', 'Arn'] })).toBe(
      'arn:aws:ecr:us-east-1:123456789012:repository/web',
    );
    expect(loaded.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(loaded.resolve({ Ref: 'Cluster' })).toBe('app-web');
  });

  it('refuses a template that references a missing resource, or a cycle', () => {
    expect(() =>
      loadTemplate(
        emulator,
        {
          Resources: {
            A: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: { Ref: 'Missing' } } },
          },
        },
        { stackName: 's' },
      ),
    ).toThrow('template: A references Missing, which is not in the template');
    expect(() =>
      loadTemplate(
        emulator,
        {
          Resources: {
            A: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'B' } } },
            B: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'A' } } },
          },
        },
        { stackName: 's' },
      ),
    ).toThrow('template: a reference cycle through A → B → A');
  });

  it('gives the STS emulator the role with its real trust policy', async () => {
    loadTemplate(
      emulator,
      {
        Resources: {
          Provider: provider,
          Role: role({
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:o/r:environment:prod',
            },
          }),
        },
      },
      { stackName: 's', issuers: { [GITHUB]: issuer.url } },
    );
    await expect(assume('repo:o/r:environment:prod')).resolves.toMatchObject({
      SubjectFromWebIdentityToken: 'repo:o/r:environment:prod',
    });
    await expect(assume('repo:o/r:environment:dev')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it.each([
    [
      'a wildcard under StringEquals',
      {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:o/r:*',
        },
      },
      /would be widened/,
    ],
    [
      'StringLike',
      { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:o/r:*' } },
      /only StringEquals is modelled/,
    ],
    [
      'an unknown condition key',
      {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:o/r:environment:prod',
          'token.actions.githubusercontent.com:actor': 'me',
        },
      },
      /actor is not modelled/,
    ],
    [
      'no subject',
      { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      /without both aud and sub/,
    ],
  ])('lists a trust policy with %s and lets no token in', async (_name, condition, reason) => {
    const loaded = loadTemplate(
      emulator,
      { Resources: { Provider: provider, Role: role(condition) } },
      { stackName: 's', issuers: { [GITHUB]: issuer.url } },
    );
    expect(loaded.unmodelled).toEqual([
      { logicalId: 'Role', type: 'trust policy', reason: expect.stringMatching(reason) },
    ]);
    await expect(assume('repo:o/r:environment:prod')).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it("puts the stack's SSM parameter (Fn::Join resolved) and lets only roles whose policy allows ssm:GetParameter on its ARN read it", async () => {
    const parameterArn = {
      'Fn::Join': [
        '',
        [
          'arn:aws:ssm:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':parameter/doc/deploy',
        ],
      ],
    };
    const policy = (roleRef: string, resource: Json): CfnResource => ({
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: `${roleRef}Policy`,
        Roles: [{ Ref: roleRef }],
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: resource }],
        },
      },
    });
    const loaded = loadTemplate(
      emulator,
      {
        Resources: {
          Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'web' } },
          Doc: {
            Type: 'AWS::SSM::Parameter',
            Properties: {
              Name: '/doc/deploy',
              Type: 'String',
              Value: {
                'Fn::Join': [
                  '',
                  ['{"version":1,"ecr":{"repositoryName":"', { Ref: 'Repo' }, '"}}'],
                ],
              },
            },
          },
          Deploy: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'deploy' } },
          Other: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'other' } },
          DeployPolicy: policy('Deploy', parameterArn),
          OtherPolicy: policy('Other', 'arn:aws:ssm:*:*:parameter/elsewhere/*'),
        },
      },
      { stackName: 's' },
    );
    expect(loaded.unmodelled).toEqual([]);
    expect(loaded.resolve({ Ref: 'Doc' })).toBe('/doc/deploy');
    const read = async (roleName: string) => {
      const keys = { accessKeyId: `ASIA${roleName.toUpperCase()}0000000`, secretAccessKey: 'k' };
      emulator.sts.addCredentials({
        ...keys,
        arn: `arn:aws:sts::123456789012:assumed-role/${roleName}/run`,
      });
      const client = new SSMClient({
        endpoint: emulator.url,
        region: 'us-east-1',
        credentials: keys,
        maxAttempts: 1,
      });
      try {
        return (await client.send(new GetParameterCommand({ Name: '/doc/deploy' }))).Parameter
          ?.Value;
      } finally {
        client.destroy();
      }
    };
    expect(JSON.parse((await read('deploy')) ?? '')).toEqual({
      version: 1,
      ecr: { repositoryName: 'web' },
    });
    await expect(read('other')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
