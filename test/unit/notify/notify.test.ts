import { describe, expect, it } from '@jest/globals';
import {
  type DeployFacts,
  type SlackMessage,
  type TopicMessage,
  notifyDeploy,
  noticeOf,
} from '../../../src/notify/index.ts';
import { REASON_CHARACTERS } from '../../../src/notify/notice.ts';
import { slackMessage } from '../../../src/notify/slack-message.ts';
import { SUBJECT_CHARACTERS, topicMessage } from '../../../src/notify/topic-message.ts';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const SHA = 'c0ffee'.repeat(6) + 'c0ff';
const RUN = 'https://github.com/octo/app/actions/runs/42';

const facts = (over: Partial<DeployFacts> = {}): DeployFacts => ({
  repository: 'octo/app',
  environment: 'staging',
  outcome: 'failure',
  rolledBack: false,
  reason: undefined,
  failedStep: undefined,
  imageDigest: DIGEST,
  sha: SHA,
  deploymentId: 17,
  runUrl: RUN,
  ...over,
});

const signal = new AbortController().signal;

function channels() {
  const published: TopicMessage[] = [];
  const posted: SlackMessage[] = [];
  return {
    published,
    posted,
    topic: {
      target: 'arn:aws:sns:us-east-1:123456789012:alarms',
      publish: async (m: TopicMessage) => {
        published.push(m);
        return { messageId: 'm-1' };
      },
    },
    slack: { post: async (m: SlackMessage) => void posted.push(m) },
  };
}

describe('the notice', () => {
  it('says a canary rollback with the rollback reason: what, where, why and link', () => {
    const notice = noticeOf(
      facts({
        rolledBack: true,
        reason: '5xx rate 12.0% above 1% on the canary',
        failedStep: 'canary',
      }),
    )!;
    const { subject, text } = topicMessage(notice);
    expect(subject).toBe('Deploy rolled back: octo/app to staging');
    expect(text).toContain('The deploy of octo/app sha256:ab12ab12ab12… to staging rolled back.');
    expect(text).toContain(`What:  octo/app, image ${DIGEST}, commit ${SHA}`);
    expect(text).toContain('Where: staging (deployment 17)');
    expect(text).toContain('Why:   5xx rate 12.0% above 1% on the canary');
    expect(text).toContain(`Link:  ${RUN}`);
  });

  it('says a failure in the migrations with the failed step when no reason is given', () => {
    const notice = noticeOf(facts({ failedStep: 'migrations (expand)', imageDigest: undefined }))!;
    expect(notice.kind).toBe('failed');
    const { subject, text } = topicMessage(notice);
    expect(subject).toBe('Deploy failed: octo/app to staging');
    expect(text).toContain('Step:  migrations (expand)');
    expect(text).toContain('Why:   the step "migrations (expand)" failed; the run\'s log says why');
    expect(text).toContain(`What:  octo/app, commit ${SHA}`);
    const slack = slackMessage(notice);
    expect(JSON.stringify(slack.blocks)).toContain('*Failed step*\\nmigrations (expand)');
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '❌ Deploy to staging failed' },
    });
  });

  it('is made only for a failure: success and cancelled say nothing', () => {
    expect(noticeOf(facts({ outcome: 'success' }))).toBeUndefined();
    expect(noticeOf(facts({ outcome: 'cancelled', rolledBack: true }))).toBeUndefined();
  });

  it('keeps a long reason to its bound, on one line', () => {
    const notice = noticeOf(facts({ reason: `first line\nsecond\u0007 ${'x'.repeat(10_000)}` }))!;
    expect([...notice.reason]).toHaveLength(REASON_CHARACTERS);
    expect(notice.reason.endsWith('…')).toBe(true);
    expect(notice.reason.startsWith('first line second x')).toBe(true);
  });

  it('keeps the SNS subject under 100 ASCII characters without line breaks', () => {
    const notice = noticeOf(
      facts({ repository: `octo/${'long-name-'.repeat(12)}`, environment: 'prodüction' }),
    )!;
    const { subject } = topicMessage(notice);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_CHARACTERS);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('truncates Slack texts to Block Kit limits and escapes what would make links or mentions', () => {
    const notice = noticeOf(
      facts({
        rolledBack: true,
        reason: `<!channel> see <https://evil|here> & ${'y'.repeat(5_000)}`,
      }),
    )!;
    const message = slackMessage(notice);
    const why = message.blocks[2]!;
    expect(why.type).toBe('section');
    const text = why.type === 'section' ? why.text!.text : '';
    expect(text.length).toBeLessThanOrEqual(3_000);
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil|here&gt; &amp; ');
    expect(message.text).not.toContain('<!channel>');
    expect(message.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `<${RUN}|View the run>` }],
    });
    const header = message.blocks[0]!;
    expect(header.type === 'header' && header.text.text).toBe('↩️ Deploy to staging rolled back');
  });

  it('leaves the link out of Slack when the run URL is not an http(s) URL', () => {
    const message = slackMessage(noticeOf(facts({ runUrl: '' }))!);
    expect(message.blocks.some((b) => b.type === 'context')).toBe(false);
    expect(topicMessage(noticeOf(facts({ runUrl: '' }))!).text).toContain('Link:  (no run URL)');
  });
});

describe('notifyDeploy', () => {
  it('publishes to the topic and posts to Slack for a rollback', async () => {
    const c = channels();
    const result = await notifyDeploy(facts({ rolledBack: true, reason: 'alarm' }), c, signal);
    expect(result.sent).toBe(true);
    expect(c.published).toHaveLength(1);
    expect(c.posted).toHaveLength(1);
    expect(result.sent && result.deliveries).toEqual([
      {
        channel: 'sns',
        ok: true,
        detail: 'published to arn:aws:sns:us-east-1:123456789012:alarms (message m-1)',
      },
      { channel: 'slack', ok: true, detail: 'posted to the Slack webhook' },
    ]);
  });

  it('reports a failed channel and still tries the other', async () => {
    const c = channels();
    const result = await notifyDeploy(
      facts(),
      {
        topic: {
          target: c.topic.target,
          publish: async () => {
            throw new Error('not authorized to perform SNS:Publish\non the topic');
          },
        },
        slack: c.slack,
      },
      signal,
    );
    expect(c.posted).toHaveLength(1);
    expect(result.sent && result.deliveries.map((d) => [d.channel, d.ok, d.detail])).toEqual([
      ['sns', false, 'SNS: not authorized to perform SNS:Publish on the topic'],
      ['slack', true, 'posted to the Slack webhook'],
    ]);
  });

  it('sends nothing for a success, or without channels', async () => {
    const c = channels();
    expect(await notifyDeploy(facts({ outcome: 'success' }), c, signal)).toEqual({
      sent: false,
      reason: "the deploy's outcome is success: nothing to notify",
    });
    expect(await notifyDeploy(facts(), { topic: undefined, slack: undefined }, signal)).toEqual({
      sent: false,
      reason: 'no notification channel is configured',
    });
    expect(c.published).toHaveLength(0);
    expect(c.posted).toHaveLength(0);
  });
});
