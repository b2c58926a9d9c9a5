// The example app the rehearsal deploys: its staging and production environments.
import type { EnvironmentConfig } from '../lib/config.ts';

const common = {
  repository: 'octo-org/shop',
  deployWorkflowRef: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml@refs/tags/v1',
  bootstrapImage: 'public.ecr.aws/docker/library/nginx:1.27-alpine',
  workerCommand: ['node', 'dist/worker.js'],
  migrationCommand: ['node', '/opt/rds-migrate/cli.js', 'status'],
  wafRateLimit: 2000,
} as const;

export const staging: EnvironmentConfig = {
  ...common,
  name: 'staging',
  account: '111111111111',
  region: 'eu-west-1',
  oidcProvider: 'create',
  vpcCidr: '10.10.0.0/16',
  availabilityZones: 2,
  natGateways: 1,
  albCertificateArn:
    'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
  apiOriginDomainName: 'api-origin.staging.shop.example.com',
  api: { cpu: 256, memoryMiB: 512, minTasks: 2, maxTasks: 20 },
  worker: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 4 },
  database: {
    instanceType: 't4g.micro',
    allocatedStorageGiB: 20,
    multiAz: false,
    backupRetentionDays: 7,
    readReplica: false,
    postgresMajorVersion: '17',
  },
  protectData: false,
  logRetentionDays: 30,
};

export const production: EnvironmentConfig = {
  ...common,
  name: 'production',
  account: '222222222222',
  region: 'eu-west-1',
  oidcProvider: 'create',
  vpcCidr: '10.20.0.0/16',
  availabilityZones: 3,
  natGateways: 3,
  albCertificateArn:
    'arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-4000-8000-000000000002',
  apiOriginDomainName: 'api-origin.shop.example.com',
  api: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 20 },
  worker: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 10 },
  database: {
    instanceType: 'm7g.large',
    allocatedStorageGiB: 100,
    multiAz: true,
    backupRetentionDays: 35,
    readReplica: true,
    postgresMajorVersion: '17',
  },
  protectData: true,
  logRetentionDays: 365,
  alarmEmails: ['oncall@shop.example.com'],
};
