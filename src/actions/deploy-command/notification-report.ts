// How finish shows the notification of a failed or rolled-back deploy: one log line per channel
// (a failed channel is a warning annotation, never a failed step), a line in the summary, and
// the facts in the result JSON. Nothing here ever holds the Slack webhook's URL.
import type { NotifyResult } from '../../notify/index.ts';
import type { MainStep } from '../../runner/action.ts';

export function notificationFacts(result: NotifyResult): Record<string, unknown> {
  return result.sent
    ? { sent: true, kind: result.notice.kind, deliveries: result.deliveries }
    : { sent: false, reason: result.reason };
}

export function reportNotification(step: MainStep<string>, result: NotifyResult): void {
  if (!result.sent) {
    step.runner.info(`No notification: ${result.reason}.`);
    return;
  }
  for (const delivery of result.deliveries) {
    if (delivery.ok) step.runner.info(`Notified: ${delivery.detail}.`);
    else step.runner.annotate('warning', `Notification not sent: ${delivery.detail}`);
  }
  const sent = result.deliveries
    .filter((d) => d.ok)
    .map((d) => (d.channel === 'sns' ? 'SNS' : 'Slack'));
  const failed = result.deliveries
    .filter((d) => !d.ok)
    .map((d) => (d.channel === 'sns' ? 'SNS' : 'Slack'));
  step.summary.paragraph(
    `Notified of the ${result.notice.kind === 'rolled-back' ? 'rollback' : 'failure'}: ${sent.length > 0 ? sent.join(' and ') : 'nowhere'}${failed.length > 0 ? ` (not sent: ${failed.join(' and ')}, see the warnings)` : ''}.`,
  );
}
