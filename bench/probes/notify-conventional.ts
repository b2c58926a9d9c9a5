// The conventional way to announce a failed deploy from a job, for bench/deploy-notify.ts: the
// deployment status with fetch, SNS Publish with @aws-sdk/client-sns (unbundled, the SDK's default
// credential chain), and the Slack webhook with fetch, as a script in the job would.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const [api, repository, id, topicArn, webhook] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const status = await fetch(`${api}/repos/${repository}/deployments/${id}/statuses`, {
  method: 'POST',
  headers: {
    authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
    'content-type': 'application/json',
    'user-agent': 'bench',
  },
  body: JSON.stringify({ state: 'failure', description: 'Deploy failed.' }),
});
if (!status.ok) throw new Error(`status ${status.status}`);
const text = `Deploy of ${repository} to staging rolled back: alarm`;
const sns = new SNSClient({ region: topicArn.split(':')[3]! });
await sns.send(
  new PublishCommand({ TopicArn: topicArn, Subject: 'Deploy rolled back', Message: text }),
);
sns.destroy();
const posted = await fetch(webhook, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ text }),
});
if (!posted.ok) throw new Error(`slack ${posted.status}`);
