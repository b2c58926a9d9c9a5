// deploy-command's finish mode announcing a failed or rolled-back deploy, through the bundle as
// the runner runs it: SNS Publish on the AWS emulator (signed with the job's credentials, checked
// against the topic's publishers), the Slack stand-in for the webhook, the GitHub emulator for the
// deployment record. A notification that fails is a warning; the record is done either way; the
// webhook's URL is in no log, summary, annotation or output of any step.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { Repository } from '../emulator/github/store.ts';
import { type SlackStandIn, startSlackStandIn } from '../emulator/slack-webhook.ts';
import type { ActionRun } from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';

const TOKEN = 'ghs_deploycommandnotifytoken0000000000000';
const KEYS = { id: 'AKIANOTIFYDEPLOY0001', secret: 'notify-deploy-secret-key-000000000000000' };
const ROLE = 'arn:aws:iam::123456789012:role/octo-app-staging-deploy';
const DIGEST = `sha256:${'5'.repeat(64)}`;

let github: GitHubEmulator;
let aws: Emulator;
let slack: SlackStandIn;
let repository: Repository;
let topicArn: string;
const webhooks: string[] = [];

const steps = useActionSteps('actions/deploy-command/action.yml', {
  defaults: () => ({
    timeoutMs: 30_000,
    githubToken: TOKEN,
    env: {
      GITHUB_API_URL: github.url,
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: KEYS.id,
      AWS_SECRET_ACCESS_KEY: KEYS.secret,
      AWS_SESSION_TOKEN: undefined,
    },
  }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThanOrEqual(10);
    expect(webhooks.length).toBeGreaterThanOrEqual(4);
    // The webhook URLs, and their secret paths on their own.
    return [TOKEN, KEYS.secret, ...webhooks, ...webhooks.map((w) => new URL(w).pathname)];
  },
  close: async () => {
    await Promise.all([github.close(), aws.close(), slack.close()]);
  },
});

beforeAll(async () => {
  [github, aws, slack] = await Promise.all([
    startGitHubEmulator(),
    startEmulator(),
    startSlackStandIn(),
  ]);
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  github.store.setRole(repository, 'writer', 'write');
  github.addToken({
    token: TOKEN,
    permissions: { 'pull-requests': 'write', contents: 'read', deployments: 'write' },
    repositories: ['octo-org/octo-app'],
  });
  aws.sts.addCredentials({
    accessKeyId: KEYS.id,
    secretAccessKey: KEYS.secret,
    arn: 'arn:aws:sts::123456789012:assumed-role/octo-app-staging-deploy/run-1',
  });
  topicArn = aws.sns.createTopic({
    name: 'octo-app-staging-alarms',
    publishers: [ROLE],
    kms: {
      keyArn: 'arn:aws:kms:us-east-1:123456789012:key/0f0e0d0c-1111-2222-3333-444455556666',
      users: [ROLE],
    },
  }).arn;
});

function webhook(): string {
  const url = slack.createWebhook();
  webhooks.push(url);
  return url;
}

/** A started deployment of a commit of the repository (a push deploy: no pull request). */
async function started(): Promise<{ id: number; sha: string }> {
  const sha = github.store.addPullRequest(repository, { author: github.accounts.get('writer') })
    .pull!.headSha;
  const start = await steps.run({
    inputs: {
      mode: 'start',
      environment: 'staging',
      sha,
      actor: 'writer',
      command: 'push',
      'image-digest': DIGEST,
    },
  });
  expectSuccess(start);
  return { id: Number(start.outputs['deployment-id']), sha };
}

const stateOf = (id: number) =>
  repository.deployments.find((d) => d.id === id)!.statuses.map((s) => s.state);

function finish(
  deployment: { id: number; sha: string },
  inputs: Record<string, string>,
  options: { debug?: boolean } = {},
): Promise<ActionRun> {
  return steps.run({
    inputs: {
      mode: 'finish',
      environment: 'staging',
      'deployment-id': String(deployment.id),
      sha: deployment.sha,
      'image-digest': DIGEST,
      ...inputs,
    },
    ...options,
  });
}

const warnings = (run: ActionRun) =>
  run.annotations
    .filter((a) => a.level === 'warning' && a.source === 'action')
    .map((a) => a.message);

function expectNoWebhookInOutputs(run: ActionRun): void {
  for (const url of webhooks) {
    for (const value of Object.values(run.outputs)) {
      expect(value).not.toContain(new URL(url).pathname);
    }
    expect(JSON.stringify(run.exportedEnv)).not.toContain(new URL(url).pathname);
  }
}

describe('deploy-command finish: notifications', () => {
  it('announces a canary rollback on SNS and Slack, after recording the failure', async () => {
    const deployment = await started();
    const url = webhook();
    const sent = aws.sns.published.length;
    const run = await finish(
      deployment,
      {
        outcome: 'failure',
        'rolled-back': 'true',
        'failure-reason': 'The canary’s 5xx rate 9.1% is above 1% (alarm octo-app-staging-5xx)',
        'failed-step': 'canary',
        'notify-topic-arn': topicArn,
        'slack-webhook-url': url,
      },
      { debug: true },
    );
    expectSuccess(run);
    expect(stateOf(deployment.id)).toEqual(['in_progress', 'failure']);

    expect(aws.sns.published.slice(sent)).toHaveLength(1);
    const message = aws.sns.published.at(-1)!;
    expect(message).toMatchObject({
      topicArn,
      publisher: ROLE,
      subject: 'Deploy rolled back: octo-org/octo-app to staging',
    });
    expect(message.message).toContain(
      `What:  octo-org/octo-app, image ${DIGEST}, commit ${deployment.sha}`,
    );
    expect(message.message).toContain(`Where: staging (deployment ${deployment.id})`);
    expect(message.message).toContain(
      'Why:   The canary’s 5xx rate 9.1% is above 1% (alarm octo-app-staging-5xx)',
    );
    expect(message.message).toMatch(
      /Link: {2}https:\/\/github\.com\/octo-org\/octo-app\/actions\/runs\/\d+/,
    );

    const post = slack.posts.at(-1)!;
    expect(post).toMatchObject({ path: new URL(url).pathname, status: 200, answer: 'ok' });
    expect(JSON.stringify(post.message)).toContain('Deploy to staging rolled back');

    expect(run.log).toContain(`Notified: published to ${topicArn} (message ${message.messageId}).`);
    expect(run.log).toContain('Notified: posted to the Slack webhook.');
    expect(warnings(run)).toEqual([]);
    expect(result(run)).toMatchObject({
      outcome: 'failure',
      notification: { sent: true, kind: 'rolled-back' },
    });
    expect(run.summary).toContain('Notified of the rollback: SNS and Slack.');
    expect(run.masks).toContain(url);
    expectNoWebhookInOutputs(run);
  });

  it('announces a failure in the migrations with the failed step', async () => {
    const deployment = await started();
    const run = await finish(deployment, {
      outcome: 'failure',
      'failed-step': 'migrations (expand)',
      'notify-topic-arn': topicArn,
    });
    expectSuccess(run);
    const message = aws.sns.published.at(-1)!;
    expect(message.subject).toBe('Deploy failed: octo-org/octo-app to staging');
    expect(message.message).toContain('Step:  migrations (expand)');
    expect(message.message).toContain('Why:   the step "migrations (expand)" failed');
    expect(stateOf(deployment.id)).toEqual(['in_progress', 'failure']);
  });

  it('warns when Slack answers 404 no_service, and still records and publishes', async () => {
    const deployment = await started();
    const url = webhook();
    slack.revoke(url);
    const sent = aws.sns.published.length;
    const run = await finish(deployment, {
      outcome: 'failure',
      'rolled-back': 'true',
      'failure-reason': 'alarm',
      'notify-topic-arn': topicArn,
      'slack-webhook-url': url,
    });
    expectSuccess(run);
    expect(run.outputs.decision).toBe('done');
    expect(stateOf(deployment.id)).toEqual(['in_progress', 'failure']);
    expect(aws.sns.published).toHaveLength(sent + 1);
    expect(slack.posts.at(-1)).toMatchObject({ status: 404, answer: 'no_service' });
    expect(warnings(run)).toEqual([
      'Notification not sent: Slack: the webhook answered 404 no_service: the webhook was removed or its app uninstalled: make a new one and update the secret',
    ]);
    expect(run.summary).toContain(
      'Notified of the rollback: SNS (not sent: Slack, see the warnings).',
    );
    expectNoWebhookInOutputs(run);
  });

  it('warns when the role may not publish to the topic, and still records and posts', async () => {
    const locked = aws.sns.createTopic({
      name: 'someone-elses',
      publishers: ['arn:aws:iam::123456789012:role/other'],
    });
    const deployment = await started();
    const url = webhook();
    const run = await finish(deployment, {
      outcome: 'failure',
      'notify-topic-arn': locked.arn,
      'slack-webhook-url': url,
    });
    expectSuccess(run);
    expect(stateOf(deployment.id)).toEqual(['in_progress', 'failure']);
    expect(slack.posts.at(-1)).toMatchObject({ path: new URL(url).pathname, status: 200 });
    expect(warnings(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Notification not sent: SNS: the role may not publish to ${locked.arn}: AuthorizationError \\(HTTP 403\\).*Allow sns:Publish on the topic`,
        ),
      ),
    ]);
  });

  it('sends nothing for a success or a cancelled run', async () => {
    for (const outcome of ['success', 'cancelled']) {
      const deployment = await started();
      const [sent, posted] = [aws.sns.published.length, slack.posts.length];
      const run = await finish(deployment, {
        outcome,
        'notify-topic-arn': topicArn,
        'slack-webhook-url': webhook(),
      });
      expectSuccess(run);
      expect([aws.sns.published.length, slack.posts.length]).toEqual([sent, posted]);
      expect(run.log).toContain(
        `No notification: the deploy's outcome is ${outcome}: nothing to notify.`,
      );
    }
  });

  it('refuses a webhook that is not https in one line without showing it, recording nothing', async () => {
    const deployment = await started();
    const bad = `http://hooks.slack.com/services/T0/B0/${'s3cr3t'.repeat(4)}`;
    webhooks.push(bad);
    const run = await finish(deployment, { outcome: 'failure', 'slack-webhook-url': bad });
    expectFailure(
      run,
      /^Input 'slack-webhook-url' is not an https URL: pass the Slack incoming webhook's URL/,
    );
    expect(stateOf(deployment.id)).toEqual(['in_progress']);
  });
});
