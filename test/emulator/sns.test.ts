// SNS Publish through the real SDK client: recorded messages, the parameter checks, an unknown
// topic, the topic's publishers and a KMS key's users, and through src/aws/sns.ts's explanations.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AuthorizationErrorException,
  InvalidParameterException,
  KMSAccessDeniedException,
  NotFoundException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { snsTopicPublisher } from '../../src/aws/sns.ts';
import { type Emulator, startEmulator } from './server.ts';

const DEPLOY = { accessKeyId: 'AKIAEXAMPLESNSDEPLOY', secretAccessKey: 'sns-deploy-secret' };
const OTHER = { accessKeyId: 'AKIAEXAMPLESNSOTHER1', secretAccessKey: 'sns-other-secret' };
const DEPLOY_ROLE = 'arn:aws:iam::123456789012:role/octo-app-staging-deploy';
let emulator: Emulator;
let client: SNSClient;
let other: SNSClient;

const clientOf = (credentials: typeof DEPLOY) =>
  new SNSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({
    ...DEPLOY,
    arn: 'arn:aws:sts::123456789012:assumed-role/octo-app-staging-deploy/run-1',
  });
  emulator.sts.addCredentials({ ...OTHER, arn: 'arn:aws:iam::123456789012:user/someone' });
  client = clientOf(DEPLOY);
  other = clientOf(OTHER);
});
afterAll(async () => {
  client.destroy();
  other.destroy();
  await emulator.close();
});

describe('SNS Publish', () => {
  it('records the message and answers its id', async () => {
    const topic = emulator.sns.createTopic({ name: 'alarms', publishers: [DEPLOY_ROLE] });
    const out = await client.send(
      new PublishCommand({ TopicArn: topic.arn, Subject: 'Deploy failed', Message: 'why: é ✓' }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.sns.published.at(-1)).toMatchObject({
      topicArn: topic.arn,
      messageId: out.MessageId,
      subject: 'Deploy failed',
      message: 'why: é ✓',
      publisher: DEPLOY_ROLE,
    });
  });

  it.each([
    ['no message', { Message: '' }, 'Invalid parameter: Message Reason: Empty message'],
    ['a subject of 100 characters', { Subject: 's'.repeat(100) }, 'Invalid parameter: Subject'],
    ['a subject with a line break', { Subject: 'a\nb' }, 'Invalid parameter: Subject'],
    [
      'a message over 256 KB',
      { Message: 'm'.repeat(262_145) },
      'Invalid parameter: Message too long',
    ],
  ])('refuses %s with InvalidParameter', async (_, over, message) => {
    const topic = emulator.sns.createTopic({ name: 'checks' });
    const error = await client
      .send(new PublishCommand({ TopicArn: topic.arn, Message: 'x', ...over }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe(message);
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
  });

  it('answers NotFound (404) for a topic that does not exist', async () => {
    const error = await client
      .send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'x' }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundException);
  });

  it('refuses a caller the topic does not allow with AuthorizationError (403)', async () => {
    const topic = emulator.sns.createTopic({ name: 'locked', publishers: [DEPLOY_ROLE] });
    const before = emulator.sns.published.length;
    const error = await other
      .send(new PublishCommand({ TopicArn: topic.arn, Message: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthorizationErrorException);
    expect((error as Error).message).toContain('is not authorized to perform: SNS:Publish');
    expect(emulator.sns.published).toHaveLength(before);
  });

  it("lets the caller's identity policies allow what the topic's do not name", async () => {
    const topic = emulator.sns.createTopic({ name: 'by-identity', publishers: [DEPLOY_ROLE] });
    emulator.sns.setAccess(
      (principal, action, resource) =>
        principal === 'arn:aws:iam::123456789012:user/someone' &&
        action === 'sns:Publish' &&
        resource === topic.arn,
    );
    try {
      await other.send(new PublishCommand({ TopicArn: topic.arn, Message: 'allowed' }));
      const open = emulator.sns.createTopic({ name: 'no-topic-policy' });
      const error = await client
        .send(new PublishCommand({ TopicArn: open.arn, Message: 'x' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthorizationErrorException);
      expect((error as Error).message).toContain('because no identity-based policy allows');
    } finally {
      emulator.sns.setAccess(undefined);
    }
  });

  it('refuses a caller that may not use the topic key with KMSAccessDenied', async () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const topic = emulator.sns.createTopic({
      name: 'encrypted',
      kms: { keyArn, users: [DEPLOY_ROLE] },
    });
    await client.send(new PublishCommand({ TopicArn: topic.arn, Message: 'ok' }));
    const error = await other
      .send(new PublishCommand({ TopicArn: topic.arn, Message: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KMSAccessDeniedException);
  });

  it('refuses requests signed with unknown keys', async () => {
    const stranger = clientOf({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' });
    await expect(
      stranger.send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms', Message: 'x' }),
      ),
    ).rejects.toThrow();
    stranger.destroy();
  });
});

describe('the TopicPublisher port (src/aws/sns.ts)', () => {
  const env = () => ({
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: OTHER.accessKeyId,
    AWS_SECRET_ACCESS_KEY: OTHER.secretAccessKey,
  });

  it('publishes with the job credentials in the topic ARN region', async () => {
    const topic = emulator.sns.createTopic(
      { name: 'port', publishers: ['arn:aws:iam::123456789012:user/someone'] },
      { region: 'eu-west-1' },
    );
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const publisher = snsTopicPublisher(topic.arn, { env: env() });
      const { messageId } = await publisher.publish(
        { subject: 'Deploy failed: octo/app to staging', text: 'text' },
        new AbortController().signal,
      );
      expect(emulator.sns.published.at(-1)).toMatchObject({ messageId, topicArn: topic.arn });
    } finally {
      process.env = saved;
    }
  });

  it('explains a refusal in one line with what to allow', async () => {
    const topic = emulator.sns.createTopic({ name: 'port-locked', publishers: [DEPLOY_ROLE] });
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const publisher = snsTopicPublisher(topic.arn, {
        env: env(),
        retry: { maxAttempts: 1 } as never,
      });
      await expect(
        publisher.publish({ subject: 's', text: 't' }, new AbortController().signal),
      ).rejects.toThrow(
        new RegExp(
          `^the role may not publish to ${topic.arn}: AuthorizationError \\(HTTP 403\\).*Allow sns:Publish on the topic`,
        ),
      );
    } finally {
      process.env = saved;
    }
  });
});
