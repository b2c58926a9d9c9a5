// Bad configuration is one line naming the environment and field, thrown before any construct.
import { App } from 'aws-cdk-lib';
import { production, staging } from '../bin/environments.ts';
import { addStages } from '../lib/app.ts';
import { ConfigError, type EnvironmentConfig, validateConfig } from '../lib/config.ts';

const bad: [string, Partial<EnvironmentConfig>, RegExp][] = [
  [
    'account',
    { account: '1234' },
    /^infra config staging\.account: "1234" is not a 12-digit AWS account id\.$/,
  ],
  ['region', { region: 'Europe' }, /staging\.region: "Europe" is not an AWS region/],
  [
    'repository',
    { repository: 'octo-org/*' },
    /staging\.repository: "octo-org\/\*" is not ORG\/REPO/,
  ],
  [
    'workflow wildcard',
    { deployWorkflowRef: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml@*' },
    /deployWorkflowRef: .* no wildcards\./,
  ],
  [
    'workflow without ref',
    { deployWorkflowRef: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml' },
    /deployWorkflowRef/,
  ],
  [
    'small VPC',
    { vpcCidr: '10.0.0.0/24' },
    /vpcCidr: "10\.0\.0\.0\/24" must be an IPv4 CIDR of \/20 or larger/,
  ],
  ['AZs', { availabilityZones: 4 }, /availabilityZones: 4 must be 2 or 3\./],
  ['NATs', { natGateways: 3 }, /natGateways: 3 must be between 1 and availabilityZones \(2\)/],
  [
    'certificate region',
    {
      albCertificateArn:
        'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    },
    /the certificate is in us-east-1; the ALB needs one in eu-west-1\./,
  ],
  [
    'open test listener',
    { testListenerCidrs: ['0.0.0.0/0'] },
    /opens the test listener to the internet/,
  ],
  [
    'fargate size',
    { api: { cpu: 256, memoryMiB: 4096, minTasks: 2, maxTasks: 20 } },
    /api\.memoryMiB: 4096 does not fit cpu 256/,
  ],
  [
    'max below min',
    { worker: { cpu: 256, memoryMiB: 512, minTasks: 3, maxTasks: 2 } },
    /worker\.maxTasks: 2 must be a whole number of at least minTasks \(3\)/,
  ],
  [
    'backups',
    { database: { ...staging.database, backupRetentionDays: 0 } },
    /backupRetentionDays: 0 must be 1\.\.35/,
  ],
  [
    'protected single-AZ',
    { protectData: true },
    /an environment with protectData must be Multi-AZ/,
  ],
  [
    'site certificate region',
    {
      site: {
        domainName: 'shop.example.com',
        certificateArn:
          'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000009',
      },
    },
    /CloudFront needs one in us-east-1/,
  ],
  ['image', { bootstrapImage: 'nginx latest' }, /bootstrapImage/],
  [
    'infra diff environment',
    { infraDiffEnvironment: 'infra diff' },
    /^infra config staging\.infraDiffEnvironment: "infra diff" must be a GitHub environment name/,
  ],
  [
    "infra diff environment that is the stage's own",
    { infraDiffEnvironment: 'staging' },
    /staging\.infraDiffEnvironment: "staging" must be .* other than the stage's own\.$/,
  ],
];

describe('validateConfig', () => {
  it('accepts the example environments', () => {
    expect(validateConfig(staging)).toBe(staging);
    expect(validateConfig(production)).toBe(production);
  });

  it.each(bad)('refuses a bad %s with one line', (_name, change, message) => {
    const config = { ...staging, ...change } as EnvironmentConfig;
    let error: unknown;
    try {
      validateConfig(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses before any construct is created', () => {
    const app = new App();
    expect(() =>
      addStages(app, {
        app: 'shop',
        environments: [staging, { ...production, account: 'x' }],
        nag: false,
      }),
    ).toThrow(ConfigError);
    expect(app.node.children).toHaveLength(0);
  });
});
