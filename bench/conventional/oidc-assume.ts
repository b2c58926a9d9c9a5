// The conventional way to write oidc-assume: @actions/core for the runner and the OIDC token,
// the AWS SDK's STS client with its default configuration. A stand-in for
// aws-actions/configure-aws-credentials (not on npm, so it cannot be installed here), written the
// way that action does the same flow. bench/run.ts bundles it with ncc, as an action would ship.
import * as core from '@actions/core';
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';

async function run(): Promise<void> {
  try {
    const roleArn = core.getInput('role-to-assume', { required: true });
    const region = core.getInput('aws-region', { required: true });
    const audience = core.getInput('audience') || 'sts.amazonaws.com';
    const sessionName = core.getInput('role-session-name') || 'GitHubActions';
    const durationSeconds = Number(core.getInput('role-duration-seconds') || '3600');

    const webIdentityToken = await core.getIDToken(audience);
    const sts = new STSClient({ region });
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: durationSeconds,
        WebIdentityToken: webIdentityToken,
      }),
    );
    const credentials = assumed.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error('STS returned no credentials');
    }
    core.setSecret(credentials.AccessKeyId);
    core.setSecret(credentials.SecretAccessKey);
    core.setSecret(credentials.SessionToken);
    core.exportVariable('AWS_ACCESS_KEY_ID', credentials.AccessKeyId);
    core.exportVariable('AWS_SECRET_ACCESS_KEY', credentials.SecretAccessKey);
    core.exportVariable('AWS_SESSION_TOKEN', credentials.SessionToken);
    core.exportVariable('AWS_REGION', region);
    core.exportVariable('AWS_DEFAULT_REGION', region);

    const identity = await new STSClient({
      region,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
      },
    }).send(new GetCallerIdentityCommand({}));
    core.setOutput('aws-account-id', identity.Account ?? '');
    core.setOutput('authenticated-arn', identity.Arn ?? '');
    core.info(`Assumed ${identity.Arn ?? roleArn}`);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

await run();
