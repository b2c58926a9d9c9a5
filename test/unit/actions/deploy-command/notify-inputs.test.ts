import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../../../src/actions/deploy-command/inputs.ts';
import { UserError } from '../../../../src/lib/errors.ts';

const FINISH = {
  mode: 'finish',
  'github-token': 'ghs_token',
  environment: 'staging',
  'deployment-id': '5',
  outcome: 'failure',
};

const parse = (inputs: Record<string, string>) => parseInputs((name) => inputs[name]);

function finishOf(inputs: Record<string, string>) {
  const config = parse({ ...FINISH, ...inputs });
  if (config.mode !== 'finish') throw new Error('not finish');
  return config.finish.notify;
}

describe('finish: the notification inputs', () => {
  it('reads topic, webhook and what the notice says', () => {
    const notify = finishOf({
      'notify-topic-arn': 'arn:aws:sns:eu-west-1:123456789012:octo-app-staging-alarms',
      'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/secretpart',
      'rolled-back': 'true',
      'failure-reason': 'alarm web-5xx',
      'failed-step': 'canary',
      'image-digest': `sha256:${'a'.repeat(64)}`,
      sha: 'b'.repeat(40),
    });
    expect(notify).toEqual({
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:octo-app-staging-alarms',
      slackWebhook: new URL('https://hooks.slack.com/services/T0/B0/secretpart'),
      rolledBack: true,
      reason: 'alarm web-5xx',
      failedStep: 'canary',
      imageDigest: `sha256:${'a'.repeat(64)}`,
      sha: 'b'.repeat(40),
    });
  });

  it('has no channel when neither is given', () => {
    expect(finishOf({})).toMatchObject({
      topicArn: undefined,
      slackWebhook: undefined,
      rolledBack: false,
    });
  });

  it.each([
    ['arn:aws:sqs:eu-west-1:123456789012:queue', 'not a topic'],
    ['arn:aws:sns:eu-west-1:123456789012:alarms.fifo', 'a FIFO topic'],
    ['alarms', 'a name'],
  ])('refuses notify-topic-arn %s (%s)', (arn) => {
    expect(() => finishOf({ 'notify-topic-arn': arn })).toThrow(
      /^Input 'notify-topic-arn' is '.*': give a standard SNS topic's ARN/,
    );
  });

  it.each([
    ['http://hooks.slack.com/services/T0/B0/secretpart'],
    ['hooks.slack.com/services/T0/B0/secretpart'],
    ['https://user:secretpart@hooks.slack.com/services/T0'],
    ['ftp://example.com/secretpart'],
  ])('refuses the webhook %s without showing any of it', (url) => {
    let error: unknown;
    try {
      finishOf({ 'slack-webhook-url': url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^Input 'slack-webhook-url' is not an https URL/);
    expect((error as Error).message).not.toContain('secretpart');
  });

  it('takes http only to this machine (a local stand-in)', () => {
    expect(
      finishOf({ 'slack-webhook-url': 'http://127.0.0.1:8080/services/x' }).slackWebhook?.href,
    ).toBe('http://127.0.0.1:8080/services/x');
  });
});
