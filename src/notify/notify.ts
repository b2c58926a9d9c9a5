// The engine's entry: compose the notice for a deploy that failed or was rolled back, and send
// it to each channel given. A channel that fails is reported, never thrown: the deploy's record
// matters more than its notification, so the caller turns failures into warnings.
import { oneLine } from '../lib/errors.ts';
import { type DeployFacts, type Notice, noticeOf } from './notice.ts';
import type { ChatWebhook, TopicPublisher } from './ports.ts';
import { slackMessage } from './slack-message.ts';
import { topicMessage } from './topic-message.ts';

export interface NotifyChannels {
  readonly topic: TopicPublisher | undefined;
  readonly slack: ChatWebhook | undefined;
}

export interface Delivery {
  readonly channel: 'sns' | 'slack';
  readonly ok: boolean;
  /** One line for the log; never the webhook's URL. */
  readonly detail: string;
}

export type NotifyResult =
  | { readonly sent: false; readonly reason: string }
  | { readonly sent: true; readonly notice: Notice; readonly deliveries: readonly Delivery[] };

export async function notifyDeploy(
  facts: DeployFacts,
  channels: NotifyChannels,
  signal: AbortSignal,
): Promise<NotifyResult> {
  if (channels.topic === undefined && channels.slack === undefined) {
    return { sent: false, reason: 'no notification channel is configured' };
  }
  const notice = noticeOf(facts);
  if (notice === undefined) {
    return { sent: false, reason: `the deploy's outcome is ${facts.outcome}: nothing to notify` };
  }
  const deliveries: Delivery[] = [];
  const { topic, slack } = channels;
  // One after the other: two small requests, and the log reads in order.
  if (topic !== undefined) {
    try {
      const { messageId } = await topic.publish(topicMessage(notice), signal);
      deliveries.push({
        channel: 'sns',
        ok: true,
        detail: `published to ${topic.target} (message ${messageId})`,
      });
    } catch (error) {
      deliveries.push({ channel: 'sns', ok: false, detail: `SNS: ${oneLine(error)}` });
    }
  }
  if (slack !== undefined) {
    try {
      await slack.post(slackMessage(notice), signal);
      deliveries.push({ channel: 'slack', ok: true, detail: 'posted to the Slack webhook' });
    } catch (error) {
      deliveries.push({ channel: 'slack', ok: false, detail: `Slack: ${oneLine(error)}` });
    }
  }
  return { sent: true, notice, deliveries };
}
