// The Slack message, for an incoming webhook: Block Kit blocks (a header, the facts as section
// fields, the reason, the link) and a top-level `text`, which Slack shows in notifications and
// where blocks cannot be drawn. Limits: a header's plain_text at most 150 characters, a section's
// text 3,000 and each field 2,000. Text in mrkdwn has &, < and > escaped, as Slack asks, so a
// reason cannot make a link or mention (<!channel>).
import { type Notice, shortDigest, truncate, verbOf } from './notice.ts';
import type { SlackBlock, SlackMessage, SlackText } from './ports.ts';

export const HEADER_CHARACTERS = 150;
export const SECTION_CHARACTERS = 3_000;
export const FIELD_CHARACTERS = 2_000;

export function slackMessage(notice: Notice): SlackMessage {
  const icon = notice.kind === 'rolled-back' ? '↩️' : '❌';
  const title = `${icon} Deploy to ${notice.environment} ${verbOf(notice)}`;
  const field = (label: string, value: string): SlackText => ({
    type: 'mrkdwn',
    text: truncate(`*${label}*\n${value}`, FIELD_CHARACTERS),
  });
  const fields: SlackText[] = [
    field('Repository', escapeMrkdwn(notice.repository)),
    field('Environment', escapeMrkdwn(notice.environment)),
    ...(notice.imageDigest ? [field('Image', `\`${escapeMrkdwn(notice.imageDigest)}\``)] : []),
    ...(notice.sha ? [field('Commit', `\`${escapeMrkdwn(notice.sha.slice(0, 12))}\``)] : []),
    ...(notice.deploymentId !== undefined
      ? [field('Deployment', String(notice.deploymentId))]
      : []),
    ...(notice.failedStep ? [field('Failed step', escapeMrkdwn(notice.failedStep))] : []),
  ];
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_CHARACTERS) } },
    { type: 'section', fields },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*Why*\n${escapeMrkdwn(notice.reason)}`, SECTION_CHARACTERS),
      },
    },
    ...(isHttpUrl(notice.runUrl)
      ? [
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `<${escapeMrkdwn(notice.runUrl)}|View the run>` }],
          } satisfies SlackBlock,
        ]
      : []),
  ];
  const text = truncate(
    `Deploy of ${notice.repository}${notice.imageDigest ? ` ${shortDigest(notice.imageDigest)}` : ''} to ${notice.environment} ${verbOf(notice)}: ${notice.reason}`,
    SECTION_CHARACTERS,
  );
  return { text: escapeMrkdwn(text), blocks };
}

/** Slack's three control characters in message text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^\s|<>]+$/.test(text);
}
