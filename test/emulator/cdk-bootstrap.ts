// What `cdk bootstrap` leaves in an account and region (the CDKToolkit stack of the default
// synthesizer, qualifier hnb659fds), so the real cdk CLI deploys and diffs against the emulator:
// the version parameter /cdk-bootstrap/<qualifier>/version, the staging bucket
// cdk-<qualifier>-assets-<account>-<region>, and the roles cdk assumes, each trusting the account
// (identities whose own policy allows sts:AssumeRole on it, as IAM requires for an account
// principal) and allowed what the bootstrap template gives it:
// - deploy-role: the CloudFormation deploy calls, the version parameter, the staging bucket's objects;
// - file-publishing-role: the staging bucket;
// - lookup-role: read-only (ReadOnlyAccess): CloudFormation reads and the version parameter;
// - image-publishing-role: no ECR model here beyond being assumable.
// `trustForLookup` adds accounts trusted by the lookup role (cdk bootstrap --trust-for-lookup).
import type { Emulator } from './server.ts';

export const CDK_QUALIFIER = 'hnb659fds';
/** The bootstrap template version this stands for (cdk bootstrap of aws-cdk 2.1149). */
export const CDK_BOOTSTRAP_VERSION = 30;

export interface CdkBootstrapOptions {
  readonly account: string;
  readonly region: string;
  readonly trustForLookup?: readonly string[];
  /** Default CDK_BOOTSTRAP_VERSION. */
  readonly version?: number;
}

export interface CdkBootstrap {
  readonly bucket: string;
  readonly versionParameter: string;
  readonly roles: Readonly<
    Record<'deploy' | 'filePublishing' | 'imagePublishing' | 'lookup' | 'cfnExec', string>
  >;
}

const CLOUDFORMATION_DEPLOY = new Set(
  [
    'CreateChangeSet',
    'DeleteChangeSet',
    'DescribeChangeSet',
    'DescribeStacks',
    'ExecuteChangeSet',
    'CreateStack',
    'UpdateStack',
    'RollbackStack',
    'ContinueUpdateRollback',
    'DescribeStackEvents',
    'GetTemplate',
    'DeleteStack',
    'UpdateTerminationProtection',
    'GetTemplateSummary',
  ].map((a) => `cloudformation:${a}`.toLowerCase()),
);

export function cdkBootstrap(emulator: Emulator, options: CdkBootstrapOptions): CdkBootstrap {
  const { account, region } = options;
  const role = (kind: string) =>
    `arn:aws:iam::${account}:role/cdk-${CDK_QUALIFIER}-${kind}-role-${account}-${region}`;
  const roles = {
    deploy: role('deploy'),
    filePublishing: role('file-publishing'),
    imagePublishing: role('image-publishing'),
    lookup: role('lookup'),
    cfnExec: role('cfn-exec'),
  };
  const root = (id: string) => `arn:aws:iam::${id}:root`;
  for (const arn of [roles.deploy, roles.filePublishing, roles.imagePublishing])
    emulator.sts.addRole({ arn, trust: { principals: [root(account)] } });
  emulator.sts.addRole({
    arn: roles.lookup,
    trust: { principals: [root(account), ...(options.trustForLookup ?? []).map(root)] },
  });
  const versionParameter = `/cdk-bootstrap/${CDK_QUALIFIER}/version`;
  emulator.ssm.put(versionParameter, String(options.version ?? CDK_BOOTSTRAP_VERSION));
  const bucket = `cdk-${CDK_QUALIFIER}-assets-${account}-${region}`;
  emulator.s3.createBucket(
    bucket,
    (principal, action) =>
      principal === roles.filePublishing ||
      (principal === roles.deploy &&
        ['GetObject', 'HeadObject', 'ListObjectsV2', 'GetBucketLocation'].includes(action)),
    { account },
  );

  const versionArn = `arn:aws:ssm:${region}:${account}:parameter${versionParameter}`;
  const isVersion = (resource: string) =>
    resource === versionArn || resource.endsWith(`:parameter${versionParameter}`);
  emulator.ssm.addAccess(
    (principal, action, resource) =>
      (principal === roles.deploy || principal === roles.lookup) &&
      action.toLowerCase() === 'ssm:getparameter' &&
      isVersion(resource),
  );
  emulator.cloudformation.addAccess((principal, action) => {
    const a = action.toLowerCase();
    if (principal === roles.deploy) return CLOUDFORMATION_DEPLOY.has(a);
    if (principal === roles.lookup) return /^cloudformation:(describe|get|list)/.test(a);
    return false;
  });
  return { bucket, versionParameter, roles };
}
