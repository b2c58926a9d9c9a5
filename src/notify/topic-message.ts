// The SNS message: a subject within SNS's limits (UTF-8 text with no line breaks or control
// characters, less than 100 characters: PublishInput.Subject in @aws-sdk/client-sns) and a short
// plain text body for email, chat bots and anything else subscribed to the alarm topic.
import { type Notice, shortDigest, truncate, verbOf } from './notice.ts';
import type { TopicMessage } from './ports.ts';

/** SNS wants fewer than 100 characters. */
export const SUBJECT_CHARACTERS = 99;
/** SNS's message limit is 262,144 bytes; a notice is far shorter, this only bounds it. */
export const MESSAGE_BYTES = 262_144;

export function topicMessage(notice: Notice): TopicMessage {
  return { subject: subjectOf(notice), text: textOf(notice) };
}

function subjectOf(notice: Notice): string {
  // ASCII only: some email gateways mangle other characters in a subject.
  const ascii = `Deploy ${verbOf(notice)}: ${notice.repository} to ${notice.environment}`.replace(
    /[^\x20-\x7e]/g,
    '?',
  );
  return ascii.length <= SUBJECT_CHARACTERS
    ? ascii
    : `${ascii.slice(0, SUBJECT_CHARACTERS - 3)}...`;
}

function textOf(notice: Notice): string {
  const what = [
    notice.repository,
    notice.imageDigest ? `image ${notice.imageDigest}` : undefined,
    notice.sha ? `commit ${notice.sha}` : undefined,
  ].filter((part) => part !== undefined);
  const where = [
    notice.environment,
    notice.deploymentId !== undefined ? `(deployment ${notice.deploymentId})` : undefined,
  ].filter((part) => part !== undefined);
  const lines = [
    `The deploy of ${notice.repository}${notice.imageDigest ? ` ${shortDigest(notice.imageDigest)}` : ''} to ${notice.environment} ${verbOf(notice)}.`,
    '',
    `What:  ${what.join(', ')}`,
    `Where: ${where.join(' ')}`,
    ...(notice.failedStep ? [`Step:  ${notice.failedStep}`] : []),
    `Why:   ${notice.reason}`,
    `Link:  ${notice.runUrl || '(no run URL)'}`,
  ];
  const text = lines.join('\n');
  if (Buffer.byteLength(text) <= MESSAGE_BYTES) return text;
  return truncate(text, MESSAGE_BYTES / 4);
}
