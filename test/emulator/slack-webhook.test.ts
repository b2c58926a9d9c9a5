// The Slack stand-in answers as Slack's incoming webhooks do, and src/net/slack-webhook.ts turns
// each answer into success or one line without the webhook's URL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { slackWebhook } from '../../src/net/slack-webhook.ts';
import { noticeOf } from '../../src/notify/index.ts';
import { slackMessage } from '../../src/notify/slack-message.ts';
import { type SlackStandIn, startSlackStandIn } from './slack-webhook.ts';

let slack: SlackStandIn;
beforeAll(async () => {
  slack = await startSlackStandIn();
});
afterAll(() => slack.close());

const post = (url: string, body: string, contentType = 'application/json') =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } }).then(
    async (r) => [r.status, await r.text()] as const,
  );

const message = slackMessage(
  noticeOf({
    repository: 'octo/app',
    environment: 'staging',
    outcome: 'failure',
    rolledBack: true,
    reason: 'alarm web-5xx',
    failedStep: 'canary',
    imageDigest: undefined,
    sha: 'a'.repeat(40),
    deploymentId: 3,
    runUrl: 'https://github.com/octo/app/actions/runs/9',
  })!,
);
const signal = new AbortController().signal;

describe('the Slack stand-in', () => {
  it('answers 200 ok to a JSON message and records it', async () => {
    const url = slack.createWebhook();
    expect(await post(url, JSON.stringify({ text: 'hi' }))).toEqual([200, 'ok']);
    expect(
      await post(
        url,
        `payload=${encodeURIComponent('{"text":"form"}')}`,
        'application/x-www-form-urlencoded',
      ),
    ).toEqual([200, 'ok']);
    expect(slack.posts.slice(-2).map((p) => p.message?.['text'])).toEqual(['hi', 'form']);
  });

  it('answers 400 invalid_payload to what is not a message', async () => {
    const url = slack.createWebhook();
    expect(await post(url, '{not json')).toEqual([400, 'invalid_payload']);
    expect(await post(url, '{}')).toEqual([400, 'invalid_payload']);
    expect(await post(url, 'text=hi', 'text/plain')).toEqual([400, 'invalid_payload']);
  });

  it('answers 400 invalid_blocks to blocks over their limits', async () => {
    const url = slack.createWebhook();
    const header = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } };
    expect(await post(url, JSON.stringify({ text: 't', blocks: [header] }))).toEqual([
      400,
      'invalid_blocks',
    ]);
  });

  it('answers 404 no_service for an unknown or revoked webhook', async () => {
    const url = slack.createWebhook();
    slack.revoke(url);
    expect(await post(url, JSON.stringify({ text: 'hi' }))).toEqual([404, 'no_service']);
    expect(await post(`${slack.origin}/services/T0/B0/nope`, '{"text":"x"}')).toEqual([
      404,
      'no_service',
    ]);
  });
});

describe('the ChatWebhook port (src/net/slack-webhook.ts)', () => {
  it('posts the Block Kit message, which Slack accepts', async () => {
    const url = slack.createWebhook();
    await slackWebhook(new URL(url)).post(message, signal);
    const last = slack.posts.at(-1)!;
    expect(last).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8' });
    expect(last.message).toEqual(JSON.parse(JSON.stringify(message)));
  });

  it.each([
    [404, 'no_service', 'the webhook answered 404 no_service: the webhook was removed'],
    [400, 'invalid_payload', 'the webhook answered 400 invalid_payload: Slack could not read'],
    [500, 'rollup_error', 'the webhook answered 500 rollup_error'],
  ])('turns %s %s into one line without the URL', async (status, body, expected) => {
    const url = slack.createWebhook();
    slack.answerWith(url, status, body);
    const error = await slackWebhook(new URL(url))
      .post(message, signal)
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.startsWith(expected)).toBe(true);
    expect((error as Error).message).not.toContain(new URL(url).pathname);
  });

  it('says when the webhook cannot be reached, without the URL', async () => {
    const url = `http://127.0.0.1:1/services/T0/B0/secret-part`;
    const error = await slackWebhook(new URL(url))
      .post(message, signal)
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/^the webhook could not be reached: /);
    expect((error as Error).message).not.toContain('secret-part');
  });

  it('gives up after its timeout', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const error = await slackWebhook(new URL(`http://127.0.0.1:${port}/services/x`), 100)
      .post(message, signal)
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/no answer within/);
    silent.closeAllConnections();
    silent.close();
  });
});
