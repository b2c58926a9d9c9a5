import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startEmulator, type Emulator } from './server.ts';

const KEYS = {
  accessKeyId: 'AKIALOGSTESTKEY00001',
  secretAccessKey: 'logs-test-secret-key-0000000000000000000',
};
const GROUP = '/ecs/shop';

let emulator: Emulator;
let client: CloudWatchLogsClient;
const t0 = Date.now() - 60_000;

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: 'arn:aws:iam::123456789012:user/reader' });
  client = new CloudWatchLogsClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: KEYS,
  });
  await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  for (const stream of ['app/web/task-1', 'app/web/task-2', 'deploy/hook']) {
    await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  }
  await client.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: 'app/web/task-1',
      logEvents: Array.from({ length: 25 }, (_, i) => ({
        timestamp: t0 + i * 1000,
        message: i % 5 === 0 ? `ERROR request ${i} failed` : `INFO request ${i} ok`,
      })),
    }),
  );
  await client.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: 'app/web/task-2',
      logEvents: [
        { timestamp: t0 + 500, message: 'ERROR boot failed: missing DATABASE_URL' },
        { timestamp: t0 + 30_500, message: 'INFO started' },
      ],
    }),
  );
});

afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe('groups, streams and PutLogEvents', () => {
  it('reports existing and missing groups and streams', async () => {
    expect(await failure(client.send(new CreateLogGroupCommand({ logGroupName: GROUP })))).toEqual({
      name: 'ResourceAlreadyExistsException',
      message: 'The specified log group already exists',
    });
    expect(
      await failure(
        client.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })),
      ),
    ).toEqual({
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    expect(
      await failure(
        client.send(
          new PutLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: 'missing',
            logEvents: [{ timestamp: t0, message: 'x' }],
          }),
        ),
      ),
    ).toEqual({
      name: 'ResourceNotFoundException',
      message: 'The specified log stream does not exist.',
    });
    expect(
      await failure(client.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' }))),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('rejects out-of-order batches and reports too old and too new events', async () => {
    expect(
      await failure(
        client.send(
          new PutLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: 'deploy/hook',
            logEvents: [
              { timestamp: t0 + 2, message: 'b' },
              { timestamp: t0 + 1, message: 'a' },
            ],
          }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message: 'Log events in a single PutLogEvents request must be in chronological order.',
    });
    const now = Date.now();
    const day = 86_400_000;
    const old = await client.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: 'deploy/hook',
        logEvents: [
          { timestamp: now - 14 * day - 1_800_000, message: 'ancient' },
          { timestamp: now - 14 * day + 1_800_000, message: 'old but kept' },
        ],
      }),
    );
    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const recent = await client.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: 'deploy/hook',
        logEvents: [
          { timestamp: now - 1000, message: 'hook started' },
          { timestamp: now + 3 * 3_600_000, message: 'future' },
        ],
      }),
    );
    expect(recent.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    expect(
      await failure(
        client.send(
          new PutLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: 'deploy/hook',
            logEvents: [
              { timestamp: now - 2 * day, message: 'a' },
              { timestamp: now, message: 'b' },
            ],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
    expect(emulator.logs.messages(GROUP, 'deploy/hook')).toEqual(['old but kept', 'hook started']);
  });
});

describe('DescribeLogStreams', () => {
  it('lists streams by name or last event time, with prefix and pages', async () => {
    const byName = await client.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual([
      'app/web/task-1',
      'app/web/task-2',
      'deploy/hook',
    ]);
    expect(byName.logStreams?.[0]).toMatchObject({
      firstEventTimestamp: t0,
      lastEventTimestamp: t0 + 24_000,
      arn: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:log-stream:app/web/task-1`,
    });
    expect(typeof byName.logStreams?.[0]?.creationTime).toBe('number');
    const byTime = await client.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        orderBy: 'LastEventTime',
        descending: true,
      }),
    );
    expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual([
      'deploy/hook',
      'app/web/task-2',
      'app/web/task-1',
    ]);
    const first = await client.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, logStreamNamePrefix: 'app/', limit: 1 }),
    );
    expect(first.logStreams?.map((s) => s.logStreamName)).toEqual(['app/web/task-1']);
    const second = await client.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: 'app/',
        limit: 1,
        nextToken: first.nextToken,
      }),
    );
    expect(second.logStreams?.map((s) => s.logStreamName)).toEqual(['app/web/task-2']);
    expect(second.nextToken).toBeUndefined();
    expect(
      await failure(
        client.send(
          new DescribeLogStreamsCommand({
            logGroupName: GROUP,
            logStreamNamePrefix: 'app/',
            orderBy: 'LastEventTime',
          }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message: 'Cannot order by LastEventTime with a logStreamNamePrefix.',
    });
    const byArn = await client.send(
      new DescribeLogStreamsCommand({
        logGroupIdentifier: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}`,
        logStreamNamePrefix: 'deploy',
      }),
    );
    expect(byArn.logStreams).toHaveLength(1);
    expect(
      await failure(client.send(new DescribeLogStreamsCommand({ logGroupName: '/missing' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('GetLogEvents', () => {
  const get = (extra: {
    nextToken?: string;
    startFromHead?: boolean;
    limit?: number;
    startTime?: number;
  }) =>
    client.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'app/web/task-1', ...extra }),
    );

  it('reads forward from the head, page by page, until the token comes back unchanged', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await get({
        startFromHead: true,
        limit: 10,
        ...(token === undefined ? {} : { nextToken: token }),
      });
      seen.push(...(page.events ?? []).map((e) => e.message ?? ''));
      pages += 1;
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(pages).toBe(4); // 10 + 10 + 5 + an empty page that returns the same token
    expect(seen).toHaveLength(25);
    expect(seen[0]).toBe('ERROR request 0 failed');
    expect(seen[24]).toBe('INFO request 24 ok');

    // New events show up behind the last forward token.
    emulator.logs.append(GROUP, 'app/web/task-1', 'INFO request 25 ok', new Date(t0 + 25_000));
    const more = await get({ startFromHead: true, nextToken: token ?? '' });
    expect(more.events?.map((e) => e.message)).toEqual(['INFO request 25 ok']);
  });

  it('returns the latest events by default and pages backward', async () => {
    const latest = await get({ limit: 3 });
    expect(latest.events?.map((e) => e.message)).toEqual([
      'INFO request 23 ok',
      'INFO request 24 ok',
      'INFO request 25 ok',
    ]);
    expect(typeof latest.events?.[0]?.ingestionTime).toBe('number');
    const earlier = await get({ limit: 3, nextToken: latest.nextBackwardToken ?? '' });
    expect(earlier.events?.map((e) => e.message)).toEqual([
      'ERROR request 20 failed',
      'INFO request 21 ok',
      'INFO request 22 ok',
    ]);
    const fromTime = await get({ startFromHead: true, startTime: t0 + 22_000, limit: 2 });
    expect(fromTime.events?.map((e) => e.timestamp)).toEqual([t0 + 22_000, t0 + 23_000]);
    expect(await failure(get({ nextToken: 'garbage' }))).toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

describe('FilterLogEvents', () => {
  it('filters across streams by pattern, prefix and time, interleaved by time', async () => {
    const errors = await client.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: 'ERROR' }),
    );
    expect(errors.events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['app/web/task-1', 'ERROR request 0 failed'],
      ['app/web/task-2', 'ERROR boot failed: missing DATABASE_URL'],
      ['app/web/task-1', 'ERROR request 5 failed'],
      ['app/web/task-1', 'ERROR request 10 failed'],
      ['app/web/task-1', 'ERROR request 15 failed'],
      ['app/web/task-1', 'ERROR request 20 failed'],
    ]);
    expect(errors.events?.[0]?.eventId).toMatch(/^\d{56}$/);

    const phrase = await client.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '"missing DATABASE_URL"' }),
    );
    expect(phrase.events).toHaveLength(1);
    const either = await client.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: 'app/web/task-2',
        filterPattern: '?started ?boot',
      }),
    );
    expect(either.events).toHaveLength(2);
    const excluded = await client.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        logStreamNames: ['app/web/task-1'],
        filterPattern: 'ERROR -request',
      }),
    );
    expect(excluded.events).toEqual([]);
    const window = await client.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: 'app/',
        startTime: t0 + 20_000,
        endTime: t0 + 24_000,
      }),
    );
    expect(window.events?.map((e) => e.timestamp)).toEqual([
      t0 + 20_000,
      t0 + 21_000,
      t0 + 22_000,
      t0 + 23_000,
      t0 + 24_000,
    ]);
  });

  it('pages with nextToken and rejects names together with a prefix', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new FilterLogEventsCommand({
          logGroupName: GROUP,
          logStreamNamePrefix: 'app/web/task-1',
          limit: 10,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      seen.push(...(page.events ?? []).map((e) => e.message ?? ''));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken !== undefined);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(26);
    expect(
      await failure(
        client.send(
          new FilterLogEventsCommand({
            logGroupName: GROUP,
            logStreamNames: ['a'],
            logStreamNamePrefix: 'a',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('LogSink', () => {
  it('creates the group and stream the awslogs driver writes to', async () => {
    emulator.logs.append('/ecs/new', 'ecs/app/abc123', 'listening on :8080');
    const out = await client.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/new',
        logStreamName: 'ecs/app/abc123',
        startFromHead: true,
      }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(['listening on :8080']);
  });
});
