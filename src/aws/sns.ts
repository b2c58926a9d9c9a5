// The notifications engine's TopicPublisher on SNS Publish. The region is the topic ARN's; the
// credentials whatever the job has (oidc-assume's environment), through the suite's client
// configuration. The SDK is loaded on first use: a deploy that succeeds never loads it.
import type { TopicMessage, TopicPublisher } from '../notify/ports.ts';
import { awsErrorFacts, describeAwsError } from '../lib/aws-errors.ts';
import type { ClientOptions } from './client-factory.ts';
import { sendOptions } from './explain.ts';

/** arn:<partition>:sns:<region>:<account>:<name>; FIFO topics (.fifo) are not for notices. */
export const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;

export function snsTopicPublisher(
  topicArn: string,
  options: Omit<ClientOptions, 'region'>,
): TopicPublisher {
  const region = TOPIC_ARN.exec(topicArn)?.[1];
  if (region === undefined) throw new TypeError(`not a standard SNS topic ARN: ${topicArn}`);
  return {
    target: topicArn,
    async publish(message: TopicMessage, signal: AbortSignal) {
      const [{ PublishCommand, SNSClient }, { clientConfig }] = await Promise.all([
        import('@aws-sdk/client-sns'),
        import('./client-factory.ts'),
      ]);
      const client = new SNSClient(clientConfig('SNS', { ...options, region }));
      try {
        const out = await client.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: message.subject,
            Message: message.text,
          }),
          sendOptions(signal),
        );
        return { messageId: out.MessageId ?? '(no id)' };
      } catch (error) {
        throw new Error(explainPublishError(error, topicArn), { cause: error });
      } finally {
        client.destroy();
      }
    },
  };
}

/** One line: what SNS said and what to change. */
export function explainPublishError(error: unknown, topicArn: string): string {
  const { code } = awsErrorFacts(error);
  const said = describeAwsError(error);
  switch (code) {
    case 'AuthorizationError':
      return `the role may not publish to ${topicArn}: ${said}. Allow sns:Publish on the topic in the deploy role's policy (the stack grants it with the deploy document's notifications.topicArn).`;
    case 'KMSAccessDenied':
    case 'KMSNotFound':
    case 'KMSDisabled':
    case 'KMSInvalidState':
      return `the topic's KMS key refused: ${said}. Allow kms:GenerateDataKey* and kms:Decrypt on the topic's key to the deploy role.`;
    case 'NotFound':
      return `${topicArn} does not exist: ${said}. Check notify-topic-arn (the deploy document's notifications.topicArn) and the account.`;
    default:
      return `publishing to ${topicArn} failed: ${said}`;
  }
}
