// The tail of a container's log stream (LogsPort), for the lines printed next to a failed task.
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogsPort } from '../ecs/deploy/ports.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { awsErrorFacts } from '../lib/aws-errors.ts';
import { explainAwsError } from './explain.ts';

/** GetLogEvents returns at most 10,000 events per call. */
const MAX_LIMIT = 10_000;
/** GetLogEvents may answer a page with no events while older ones exist: follow a few pages. */
const MAX_PAGES = 5;

/** `client` is for tests that drive the SDK against a stub handler; it defaults to the factory's. */
export function sdkLogsPort(
  options: ClientOptions,
  client: CloudWatchLogsClient = new CloudWatchLogsClient(clientConfig('CloudWatch Logs', options)),
): LogsPort {
  // A container may log to another region (its awslogs-region): one client per region asked.
  const clients = new Map<string, CloudWatchLogsClient>([[options.region, client]]);
  const clientFor = (region: string | undefined) => {
    const wanted = region ?? options.region;
    let found = clients.get(wanted);
    if (found === undefined) {
      found = new CloudWatchLogsClient(
        clientConfig('CloudWatch Logs', { ...options, region: wanted }),
      );
      clients.set(wanted, found);
    }
    return found;
  };
  return {
    async tail(logGroup, logStream, lines, signal, region) {
      if (lines <= 0) return [];
      const client = clientFor(region);
      const events: OutputLogEvent[] = [];
      let token: string | undefined;
      for (let page = 0; page < MAX_PAGES && events.length < lines; page++) {
        let out;
        try {
          out = await client.send(
            new GetLogEventsCommand({
              logGroupName: logGroup,
              logStreamName: logStream,
              startFromHead: false,
              limit: Math.min(lines - events.length, MAX_LIMIT),
              ...(token ? { nextToken: token } : {}),
            }),
            signal ? { abortSignal: signal } : {},
          );
        } catch (error) {
          // The task may have died before writing anything, or logged elsewhere.
          if (awsErrorFacts(error).code === 'ResourceNotFoundException') return [];
          throw explainAwsError(error, {
            action: `read log stream ${logStream} of ${logGroup}`,
            permission: 'logs:GetLogEvents',
          });
        }
        // Each page is oldest first; pages come newest first.
        events.unshift(...(out.events ?? []));
        // At the start of the stream the token passed in comes back.
        if (!out.nextBackwardToken || out.nextBackwardToken === token) break;
        token = out.nextBackwardToken;
      }
      return events
        .map((event, index) => ({ event, index }))
        .sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0) || a.index - b.index)
        .slice(-lines)
        .map(({ event }) => event.message ?? '');
    },
  };
}
