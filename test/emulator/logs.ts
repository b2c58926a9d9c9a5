// Amazon CloudWatch Logs (awsJson1_1, X-Amz-Target Logs_20140328.<Action>): log groups and
// streams, PutLogEvents, DescribeLogStreams, GetLogEvents and FilterLogEvents. Implements
// world.ts's LogSink, which is how ECS's awslogs driver writes container output.
import { ServiceError } from './errors.ts';
import { jsonProtocol, type JsonObject } from './json-protocol.ts';
import type { ActionCall, Service } from './service.ts';
import type { LogSink } from './world.ts';

export const LOGS_TARGET_PREFIX = 'Logs_20140328';

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  /** Ingestion order, unique across the service: breaks timestamp ties, keys tokens. */
  readonly seq: number;
}

interface Stream {
  readonly name: string;
  readonly createdAt: number;
  /** Sorted by (timestamp, seq). */
  readonly events: LogEvent[];
  lastIngestionTime: number | undefined;
}

interface Group {
  readonly name: string;
  readonly createdAt: number;
  readonly streams: Map<string, Stream>;
}

export interface LogsDependencies {
  readonly clock: () => Date;
  readonly region?: string;
  readonly accountId?: string;
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
const DAY_MS = 86_400_000;
/** GetLogEvents and FilterLogEvents return at most 10 000 events. */
const MAX_EVENTS = 10_000;

const invalidParameter = (message: string) =>
  new ServiceError('InvalidParameterException', 400, message);
const groupNotFound = () =>
  new ServiceError('ResourceNotFoundException', 400, 'The specified log group does not exist.');
const streamNotFound = () =>
  new ServiceError('ResourceNotFoundException', 400, 'The specified log stream does not exist.');

/** Input members that failed AWS's front-end checks, reported in its validation-error form. */
class Problems {
  readonly #problems: string[] = [];

  add(problem: string): void {
    this.#problems.push(problem);
  }

  check(): void {
    const n = this.#problems.length;
    if (n === 0) return;
    throw invalidParameter(
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.#problems.join('; ')}`,
    );
  }
}

export class CloudWatchLogs implements Service<JsonObject>, LogSink {
  readonly name = 'logs';
  readonly signingName = 'logs';
  readonly protocol = jsonProtocol({ targetPrefix: LOGS_TARGET_PREFIX, jsonVersion: '1.1' });
  readonly actions: ReadonlySet<string> = new Set([
    'CreateLogGroup',
    'CreateLogStream',
    'PutLogEvents',
    'DescribeLogStreams',
    'GetLogEvents',
    'FilterLogEvents',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();

  readonly #clock: () => Date;
  readonly #region: string;
  readonly #accountId: string;
  readonly #groups = new Map<string, Group>();
  #seq = 0;

  constructor(dependencies: LogsDependencies) {
    this.#clock = dependencies.clock;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  // ---- test side and LogSink ----------------------------------------------------------------

  /** Creates a log group (no error when it exists). */
  createLogGroup(name: string): void {
    if (!this.#groups.has(name)) {
      this.#groups.set(name, { name, createdAt: this.#clock().getTime(), streams: new Map() });
    }
  }

  /**
   * LogSink (world.ts): appends one line as the awslogs driver does. The group and stream are
   * created when missing (as with awslogs-create-group), `at` defaults to now.
   */
  append(logGroup: string, logStream: string, message: string, at?: Date): void {
    this.createLogGroup(logGroup);
    const group = this.#groups.get(logGroup);
    if (group === undefined) return;
    const now = this.#clock().getTime();
    let stream = group.streams.get(logStream);
    if (stream === undefined) {
      stream = { name: logStream, createdAt: now, events: [], lastIngestionTime: undefined };
      group.streams.set(logStream, stream);
    }
    this.#insert(stream, (at ?? this.#clock()).getTime(), message, now);
  }

  /** Messages of a stream in order; [] when it does not exist. */
  messages(logGroup: string, logStream: string): string[] {
    return (
      this.#groups
        .get(logGroup)
        ?.streams.get(logStream)
        ?.events.map((e) => e.message) ?? []
    );
  }

  // ---- API ----------------------------------------------------------------------------------

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    const input = call.input;
    switch (call.action) {
      case 'CreateLogGroup':
        return this.#createLogGroup(input);
      case 'CreateLogStream':
        return this.#createLogStream(input);
      case 'PutLogEvents':
        return this.#putLogEvents(input);
      case 'DescribeLogStreams':
        return this.#describeLogStreams(input);
      case 'GetLogEvents':
        return this.#getLogEvents(input);
      case 'FilterLogEvents':
        return this.#filterLogEvents(input);
      default:
        throw new ServiceError('UnknownOperationException', 400, '');
    }
  }

  #createLogGroup(input: JsonObject): unknown {
    const name = str(input['logGroupName']);
    const problems = new Problems();
    checkGroupName(problems, 'logGroupName', name);
    problems.check();
    if (this.#groups.has(name ?? '')) {
      throw new ServiceError(
        'ResourceAlreadyExistsException',
        400,
        'The specified log group already exists',
      );
    }
    this.createLogGroup(name ?? '');
    return {};
  }

  #createLogStream(input: JsonObject): unknown {
    const groupName = str(input['logGroupName']);
    const streamName = str(input['logStreamName']);
    const problems = new Problems();
    checkGroupName(problems, 'logGroupName', groupName);
    checkStreamName(problems, 'logStreamName', streamName);
    problems.check();
    const group = this.#groups.get(groupName ?? '');
    if (group === undefined) throw groupNotFound();
    if (group.streams.has(streamName ?? '')) {
      throw new ServiceError(
        'ResourceAlreadyExistsException',
        400,
        'The specified log stream already exists',
      );
    }
    group.streams.set(streamName ?? '', {
      name: streamName ?? '',
      createdAt: this.#clock().getTime(),
      events: [],
      lastIngestionTime: undefined,
    });
    return {};
  }

  #putLogEvents(input: JsonObject): unknown {
    const groupName = str(input['logGroupName']);
    const streamName = str(input['logStreamName']);
    const events = input['logEvents'];
    const problems = new Problems();
    checkGroupName(problems, 'logGroupName', groupName);
    checkStreamName(problems, 'logStreamName', streamName);
    if (events === undefined) {
      problems.add(
        "Value null at 'logEvents' failed to satisfy constraint: Member must not be null",
      );
    } else if (!Array.isArray(events) || events.length < 1 || events.length > 10_000) {
      problems.add(
        "Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000",
      );
    }
    problems.check();
    const batch = (events as JsonObject[]).map((event, i) => {
      const timestamp = event['timestamp'];
      const message = event['message'];
      if (typeof timestamp !== 'number' || typeof message !== 'string' || message.length < 1) {
        throw invalidParameter(
          `1 validation error detected: Value at 'logEvents.${i + 1}.member' failed to satisfy constraint: timestamp and a non-empty message are required`,
        );
      }
      return { timestamp, message };
    });
    for (let i = 1; i < batch.length; i += 1) {
      if ((batch[i]?.timestamp ?? 0) < (batch[i - 1]?.timestamp ?? 0)) {
        throw invalidParameter(
          'Log events in a single PutLogEvents request must be in chronological order.',
        );
      }
    }
    const first = batch[0]?.timestamp ?? 0;
    const last = batch[batch.length - 1]?.timestamp ?? 0;
    if (last - first > DAY_MS) {
      throw invalidParameter(
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
    }
    const group = this.#groups.get(groupName ?? '');
    if (group === undefined) throw groupNotFound();
    const stream = group.streams.get(streamName ?? '');
    if (stream === undefined) throw streamNotFound();

    const now = this.#clock().getTime();
    const tooOld = now - 14 * DAY_MS;
    const tooNew = now + 2 * 3_600_000;
    let tooOldEnd: number | undefined;
    let tooNewStart: number | undefined;
    batch.forEach((event, index) => {
      if (event.timestamp < tooOld) {
        tooOldEnd = index + 1;
        return;
      }
      if (event.timestamp > tooNew) {
        tooNewStart ??= index;
        return;
      }
      this.#insert(stream, event.timestamp, event.message, now);
    });
    const rejected =
      tooOldEnd === undefined && tooNewStart === undefined
        ? {}
        : {
            rejectedLogEventsInfo: {
              ...(tooOldEnd === undefined ? {} : { tooOldLogEventEndIndex: tooOldEnd }),
              ...(tooNewStart === undefined ? {} : { tooNewLogEventStartIndex: tooNewStart }),
            },
          };
    return { nextSequenceToken: String(this.#seq).padStart(56, '0'), ...rejected };
  }

  #describeLogStreams(input: JsonObject): unknown {
    const group = this.#group(input);
    const prefix = str(input['logStreamNamePrefix']);
    const orderBy = str(input['orderBy']) ?? 'LogStreamName';
    const descending = input['descending'] === true;
    const limit = input['limit'];
    const problems = new Problems();
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      problems.add(
        `Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
      );
    }
    if (limit !== undefined && (typeof limit !== 'number' || limit < 1 || limit > 50)) {
      problems.add(
        `Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50`,
      );
    }
    problems.check();
    if (prefix !== undefined && orderBy === 'LastEventTime') {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    let streams = [...group.streams.values()];
    if (prefix !== undefined) streams = streams.filter((s) => s.name.startsWith(prefix));
    streams.sort((a, b) =>
      orderBy === 'LastEventTime'
        ? (lastEvent(a) ?? 0) - (lastEvent(b) ?? 0) || compareStrings(a.name, b.name)
        : compareStrings(a.name, b.name),
    );
    if (descending) streams.reverse();
    const offset = readOffset(input['nextToken']);
    const size = typeof limit === 'number' ? limit : 50;
    const page = streams.slice(offset, offset + size);
    return {
      logStreams: page.map((stream) => {
        const first = stream.events[0];
        const last = lastEvent(stream);
        return {
          logStreamName: stream.name,
          creationTime: stream.createdAt,
          ...(first === undefined ? {} : { firstEventTimestamp: first.timestamp }),
          ...(last === undefined ? {} : { lastEventTimestamp: last }),
          ...(stream.lastIngestionTime === undefined
            ? {}
            : { lastIngestionTime: stream.lastIngestionTime }),
          arn: `arn:aws:logs:${this.#region}:${this.#accountId}:log-group:${group.name}:log-stream:${stream.name}`,
          storedBytes: 0,
        };
      }),
      ...(offset + size < streams.length ? { nextToken: writeOffset(offset + size) } : {}),
    };
  }

  #getLogEvents(input: JsonObject): unknown {
    const streamName = str(input['logStreamName']);
    const problems = new Problems();
    checkStreamName(problems, 'logStreamName', streamName);
    const limit = readLimit(problems, input['limit']);
    problems.check();
    const group = this.#group(input);
    const stream = group.streams.get(streamName ?? '');
    if (stream === undefined) throw streamNotFound();
    const startTime = num(input['startTime']);
    const endTime = num(input['endTime']);
    const events = stream.events.filter(
      (e) =>
        (startTime === undefined || e.timestamp >= startTime) &&
        (endTime === undefined || e.timestamp < endTime),
    );
    const token = str(input['nextToken']);
    const startFromHead = input['startFromHead'] === true;
    let from: number;
    let to: number;
    if (token === undefined) {
      from = startFromHead ? 0 : Math.max(0, events.length - limit);
      to = Math.min(events.length, from + limit);
    } else {
      const parsed = /^([fb])\/(\d+)-(\d+)$/.exec(token);
      if (parsed === null) throw invalidParameter('The specified nextToken is invalid.');
      const key = { timestamp: Number(parsed[2]), seq: Number(parsed[3]) };
      const boundary = events.findIndex((e) => compareKeys(e, key) > 0);
      const cut = boundary === -1 ? events.length : boundary;
      if (parsed[1] === 'f') {
        from = cut;
        to = Math.min(events.length, from + limit);
      } else {
        // Backward: the events before the key (the key's own event is excluded).
        const before = events.findIndex((e) => compareKeys(e, key) >= 0);
        to = before === -1 ? events.length : before;
        from = Math.max(0, to - limit);
      }
    }
    const page = events.slice(from, to);
    const firstEvent = page[0];
    const lastOfPage = page[page.length - 1];
    // Tokens name a position between events: forward continues after the last event returned,
    // backward before the first; with nothing returned the token passed in comes back.
    const forward =
      lastOfPage !== undefined
        ? `f/${lastOfPage.timestamp}-${lastOfPage.seq}`
        : token?.startsWith('f/')
          ? token
          : positionToken('f', events, from);
    const backward =
      firstEvent !== undefined
        ? `b/${firstEvent.timestamp}-${firstEvent.seq}`
        : token?.startsWith('b/')
          ? token
          : positionToken('b', events, from);
    return {
      events: page.map((e) => ({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
      })),
      nextForwardToken: forward,
      nextBackwardToken: backward,
    };
  }

  #filterLogEvents(input: JsonObject): unknown {
    const names = input['logStreamNames'];
    const prefix = str(input['logStreamNamePrefix']);
    const problems = new Problems();
    const limit = readLimit(problems, input['limit']);
    if (names !== undefined && (!Array.isArray(names) || names.length < 1 || names.length > 100)) {
      problems.add(
        "Value at 'logStreamNames' failed to satisfy constraint: Member must have length between 1 and 100",
      );
    }
    problems.check();
    if (names !== undefined && prefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive');
    }
    const group = this.#group(input);
    const startTime = num(input['startTime']);
    const endTime = num(input['endTime']);
    const pattern = compilePattern(str(input['filterPattern']));
    const wanted = Array.isArray(names)
      ? names.filter((n): n is string => typeof n === 'string')
      : undefined;
    const streams = [...group.streams.values()].filter(
      (s) =>
        (wanted === undefined || wanted.includes(s.name)) &&
        (prefix === undefined || s.name.startsWith(prefix)),
    );
    const matched: (LogEvent & { stream: string })[] = [];
    for (const stream of streams) {
      for (const event of stream.events) {
        if (startTime !== undefined && event.timestamp < startTime) continue;
        if (endTime !== undefined && event.timestamp > endTime) continue;
        if (!pattern(event.message)) continue;
        matched.push({ ...event, stream: stream.name });
      }
    }
    matched.sort((a, b) => compareKeys(a, b));
    const offset = readOffset(input['nextToken']);
    const page = matched.slice(offset, offset + limit);
    return {
      events: page.map((e) => ({
        logStreamName: e.stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: `${String(e.timestamp).padStart(20, '0')}${String(e.seq).padStart(36, '0')}`,
      })),
      searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
      ...(offset + limit < matched.length ? { nextToken: writeOffset(offset + limit) } : {}),
    };
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The group named by logGroupName or logGroupIdentifier (a name or an ARN). */
  #group(input: JsonObject): Group {
    const name = str(input['logGroupName']);
    const identifier = str(input['logGroupIdentifier']);
    if (name !== undefined && identifier !== undefined) {
      throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    if (name === undefined && identifier === undefined) {
      throw invalidParameter('Either logGroupName or logGroupIdentifier must be specified.');
    }
    const problems = new Problems();
    if (name !== undefined) checkGroupName(problems, 'logGroupName', name);
    problems.check();
    const fromArn =
      identifier === undefined
        ? undefined
        : /^arn:[^:]+:logs:[^:]*:\d{12}:log-group:([^:]+)(?::\*)?$/.exec(identifier)?.[1];
    const group = this.#groups.get(name ?? fromArn ?? identifier ?? '');
    if (group === undefined) throw groupNotFound();
    return group;
  }

  #insert(stream: Stream, timestamp: number, message: string, now: number): void {
    this.#seq += 1;
    const event: LogEvent = { timestamp, message, ingestionTime: now, seq: this.#seq };
    let index = stream.events.length;
    while (index > 0 && (stream.events[index - 1]?.timestamp ?? 0) > timestamp) index -= 1;
    stream.events.splice(index, 0, event);
    stream.lastIngestionTime = now;
  }
}

/** A token for the position just before `events[index]` (forward: read from it on). */
function positionToken(direction: 'f' | 'b', events: readonly LogEvent[], index: number): string {
  if (direction === 'f') {
    const previous = events[index - 1];
    return previous === undefined ? 'f/0-0' : `f/${previous.timestamp}-${previous.seq}`;
  }
  const next = events[index];
  return next === undefined ? `b/${Number.MAX_SAFE_INTEGER}-0` : `b/${next.timestamp}-${next.seq}`;
}

function compareKeys(
  a: { timestamp: number; seq: number },
  b: { timestamp: number; seq: number },
): number {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lastEvent(stream: Stream): number | undefined {
  return stream.events[stream.events.length - 1]?.timestamp;
}

function checkGroupName(problems: Problems, member: string, name: string | undefined): void {
  if (name === undefined) {
    problems.add(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  } else if (!GROUP_NAME.test(name)) {
    problems.add(
      `Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
}

function checkStreamName(problems: Problems, member: string, name: string | undefined): void {
  if (name === undefined) {
    problems.add(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  } else if (!STREAM_NAME.test(name)) {
    problems.add(
      `Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
    );
  }
}

function readLimit(problems: Problems, limit: unknown): number {
  if (limit === undefined) return MAX_EVENTS;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) {
    problems.add(
      `Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_EVENTS}`,
    );
    return MAX_EVENTS;
  }
  return limit;
}

function readOffset(token: unknown): number {
  if (token === undefined) return 0;
  const decoded = typeof token === 'string' ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const match = /^o:(\d+)$/.exec(decoded);
  if (match?.[1] === undefined) throw invalidParameter('The specified nextToken is invalid.');
  return Number(match[1]);
}

function writeOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/**
 * The term subset of CloudWatch Logs filter patterns: `ERROR`, `"exact phrase"`, several terms
 * (all must occur), `?a ?b` (any of them) and `-term` (must not occur). Matching is
 * case-sensitive, as in CloudWatch. JSON (`{ $.x = … }`) and space-delimited (`[a, b]`) patterns
 * are not supported and are rejected.
 */
function compilePattern(pattern: string | undefined): (message: string) => boolean {
  const text = pattern?.trim() ?? '';
  if (text === '') return () => true;
  if (text.startsWith('{') || text.startsWith('[')) {
    throw invalidParameter(
      'The emulator supports term filter patterns only (no JSON or space-delimited patterns).',
    );
  }
  const tokens = [...text.matchAll(/([?-]?)(?:"([^"]*)"|(\S+))/g)].map((m) => ({
    mode: m[1] ?? '',
    term: m[2] ?? m[3] ?? '',
  }));
  const required = tokens.filter((t) => t.mode === '').map((t) => t.term);
  const optional = tokens.filter((t) => t.mode === '?').map((t) => t.term);
  const excluded = tokens.filter((t) => t.mode === '-').map((t) => t.term);
  return (message) =>
    required.every((term) => message.includes(term)) &&
    (optional.length === 0 || optional.some((term) => message.includes(term))) &&
    !excluded.some((term) => message.includes(term));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
