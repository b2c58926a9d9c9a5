// What the notifications engine needs from the world: a topic to publish a short text to (SNS,
// src/aws/sns.ts) and a chat webhook to post a message to (Slack, src/net/slack-webhook.ts).
// Each throws an Error whose message says what went wrong in one line and never holds the
// webhook's URL.

/** SNS: the subject is what email subscribers see as the mail's subject. */
export interface TopicMessage {
  readonly subject: string;
  readonly text: string;
}

export interface TopicPublisher {
  /** Where it publishes, for log lines (a topic ARN is no secret). */
  readonly target: string;
  publish(message: TopicMessage, signal: AbortSignal): Promise<{ messageId: string }>;
}

/** A Slack incoming-webhook body: `text` is the notification's fallback, `blocks` the message. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export type SlackText =
  | { readonly type: 'plain_text'; readonly text: string }
  | { readonly type: 'mrkdwn'; readonly text: string };

export type SlackBlock =
  | {
      readonly type: 'header';
      readonly text: { readonly type: 'plain_text'; readonly text: string };
    }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

export interface ChatWebhook {
  post(message: SlackMessage, signal: AbortSignal): Promise<void>;
}
