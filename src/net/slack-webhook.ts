// The notifications engine's ChatWebhook: one JSON POST to a Slack incoming webhook on node:http(s)
// (not fetch; see docs/design.md). Slack answers 200 "ok", or a status with a short code in the
// body (400 invalid_payload, 403 action_prohibited, 404 no_service or channel_not_found, 410
// channel_is_archived, 500 rollup_error). The URL is the secret: no message here ever holds it.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ChatWebhook, SlackMessage } from '../notify/ports.ts';
import { formatDuration } from '../lib/durations.ts';
import { oneLine } from '../lib/errors.ts';
import { SUITE_VERSION } from '../lib/version.ts';

const TIMEOUT_MS = 10_000;

const HINTS: Readonly<Record<string, string>> = {
  no_service:
    'the webhook was removed or its app uninstalled: make a new one and update the secret',
  no_team: 'the workspace is gone: make a new webhook and update the secret',
  invalid_token: 'the webhook URL is wrong: copy it again from the Slack app and update the secret',
  channel_not_found: "the webhook's channel is gone: make a new webhook and update the secret",
  channel_is_archived: "the webhook's channel is archived: unarchive it or make a new webhook",
  action_prohibited: "the workspace's admins restrict this webhook",
  invalid_payload: 'Slack could not read the message (a bug in the suite: please report it)',
  invalid_blocks: 'Slack refused the message blocks (a bug in the suite: please report it)',
};

export function slackWebhook(url: URL, timeoutMs = TIMEOUT_MS): ChatWebhook {
  const secret = url.href;
  const hide = (text: string) => text.split(secret).join('***').split(url.pathname).join('/***');
  return {
    post: (message: SlackMessage, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const body = JSON.stringify(message);
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const request = send(
          url,
          {
            method: 'POST',
            signal,
            timeout: timeoutMs,
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'content-length': String(Buffer.byteLength(body)),
              'user-agent': `aws-ship-suite/${SUITE_VERSION} deploy-command`,
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => {
              if (chunks.length < 16) chunks.push(chunk);
            });
            response.on('error', (error) => reject(new Error(hide(oneLine(error)))));
            response.on('end', () => {
              const status = response.statusCode ?? 0;
              const answer = hide(oneLine(Buffer.concat(chunks).toString('utf8').slice(0, 200)));
              if (status === 200) return resolve();
              const hint = HINTS[answer];
              reject(
                new Error(
                  `the webhook answered ${status}${answer && answer !== 'unknown error' ? ` ${answer}` : ''}${hint ? `: ${hint}` : ''}`,
                ),
              );
            });
          },
        );
        request.on('timeout', () =>
          request.destroy(new Error(`no answer within ${formatDuration(timeoutMs)}`)),
        );
        request.on('error', (error) =>
          reject(new Error(`the webhook could not be reached: ${hide(oneLine(error))}`)),
        );
        request.end(body);
      }),
  };
}
