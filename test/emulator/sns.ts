// Amazon SNS (query protocol, API 2010-03-31, signed with SigV4 as `sns`): Publish to topics a
// test creates, every accepted message recorded for assertions. Publish's checks, in SNS's order
// and error shapes: the parameters (InvalidParameter 400: no TopicArn, an empty or too long
// Message, a Subject of 100 characters or more or with line breaks or control characters), the
// topic (NotFound 404), the topic's access policy or the caller's identity policies (either
// allowing sns:Publish suffices within one account; AuthorizationError 403) and, for a topic encrypted with a
// KMS key, the caller's use of the key (KMSAccessDenied 400: SNS calls kms:GenerateDataKey as the
// publisher). A topic without `publishers` takes any signed caller, as a default topic policy
// does for its own account.
import { type IdentityAccess, eitherAllows } from './identity-access.ts';
import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.ts';
import { queryProtocol, type QueryParams } from './query-protocol.ts';
import type { ActionCall, Service } from './service.ts';

export const SNS_API_VERSION = '2010-03-31';
export const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MESSAGE_BYTES = 262_144;

export type { IdentityAccess };

export interface TopicOptions {
  readonly name: string;
  /** Principal ARNs (role ARNs, users, `arn:aws:iam::A:root`) that may sns:Publish; default anyone. */
  readonly publishers?: readonly string[];
  /** A KMS-encrypted topic: its key, and who may use the key (kms:GenerateDataKey, kms:Decrypt). */
  readonly kms?: { readonly keyArn: string; readonly users: readonly string[] };
}

export interface Topic extends TopicOptions {
  readonly arn: string;
}

export interface PublishedMessage {
  readonly topicArn: string;
  readonly messageId: string;
  readonly subject: string | undefined;
  readonly message: string;
  /** Who published: the caller's principal ARN (the role for a role session). */
  readonly publisher: string;
  readonly at: Date;
}

export interface SnsDependencies {
  readonly clock: () => Date;
  readonly region?: string;
  readonly accountId?: string;
}

const invalid = (message: string) =>
  new ServiceError('InvalidParameter', 400, `Invalid parameter: ${message}`);

export class Sns implements Service<QueryParams> {
  readonly name = 'sns';
  readonly signingName = 'sns';
  readonly protocol = queryProtocol({
    xmlNamespace: SNS_XML_NAMESPACE,
    version: SNS_API_VERSION,
    throttlingCode: 'Throttled',
  });
  readonly actions: ReadonlySet<string> = new Set(['Publish']);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  /** Every accepted message, in order. */
  readonly published: PublishedMessage[] = [];

  readonly #clock: () => Date;
  readonly #region: string;
  readonly #accountId: string;
  readonly #topics = new Map<string, Topic>();
  #access: IdentityAccess | undefined;

  constructor(dependencies: SnsDependencies) {
    this.#clock = dependencies.clock;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  /** Creates a topic (or replaces one of that name); returns it with its ARN. */
  createTopic(options: TopicOptions, where: { region?: string; accountId?: string } = {}): Topic {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(options.name))
      throw new Error(`bad topic name ${options.name}`);
    const arn = `arn:aws:sns:${where.region ?? this.#region}:${where.accountId ?? this.#accountId}:${options.name}`;
    const topic = { ...options, arn };
    this.#topics.set(arn, topic);
    return topic;
  }

  /** Identity-based policies: whether a principal may do an action on a resource; undefined: not checked. */
  setAccess(access: IdentityAccess | undefined): void {
    this.#access = access;
  }

  /** One more stack's policies, beside those already loaded (eitherAllows). */
  addAccess(access: IdentityAccess): void {
    this.#access = eitherAllows(this.#access, access);
  }

  topic(arn: string): Topic | undefined {
    return this.#topics.get(arn);
  }

  async handle(call: ActionCall<QueryParams>): Promise<unknown> {
    const input = call.input;
    const topicArn = input.get('TopicArn') ?? input.get('TargetArn');
    if (topicArn === undefined || topicArn === '') {
      throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
    }
    const message = input.get('Message');
    if (message === undefined || message === '') throw invalid('Message Reason: Empty message');
    if (Buffer.byteLength(message) > MESSAGE_BYTES) {
      throw invalid('Message too long');
    }
    const subject = input.get('Subject');
    if (subject !== undefined) {
      // eslint-disable-next-line no-control-regex -- control characters are what SNS refuses
      if (subject === '' || [...subject].length >= 100 || /[\u0000-\u001f\u007f]/.test(subject)) {
        throw invalid('Subject');
      }
    }
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(topicArn)) {
      throw invalid('TopicArn');
    }
    const topic = this.#topics.get(topicArn);
    if (topic === undefined) throw new ServiceError('NotFound', 404, 'Topic does not exist');
    const caller = call.caller!;
    // Within one account either policy suffices: the topic's (publishers) or the caller's own.
    const byTopic =
      topic.publishers === undefined
        ? undefined
        : allows(topic.publishers, caller.principalArn, caller.account);
    const byIdentity = this.#access?.(caller.principalArn, 'sns:Publish', topic.arn);
    if (byTopic !== true && byIdentity !== true && (byTopic ?? byIdentity) !== undefined) {
      throw new ServiceError(
        'AuthorizationError',
        403,
        `User: ${caller.arn} is not authorized to perform: SNS:Publish on resource: ${topic.arn} because no ${byIdentity === undefined ? 'resource-based' : 'identity-based'} policy allows the SNS:Publish action`,
      );
    }
    if (topic.kms !== undefined && !allows(topic.kms.users, caller.principalArn, caller.account)) {
      throw new ServiceError(
        'KMSAccessDenied',
        400,
        `User: ${caller.arn} is not authorized to perform: kms:GenerateDataKey on resource: ${topic.kms.keyArn} because no identity-based policy allows the kms:GenerateDataKey action (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)`,
      );
    }
    const messageId = randomUUID();
    this.published.push({
      topicArn,
      messageId,
      subject,
      message,
      publisher: caller.principalArn,
      at: this.#clock(),
    });
    return { MessageId: messageId };
  }
}

function allows(principals: readonly string[], principalArn: string, account: string): boolean {
  return principals.some((p) => p === principalArn || p === `arn:aws:iam::${account}:root`);
}
