import type { Identity } from './credentials.ts';
import type { ServiceError } from './errors.ts';

/** One HTTP request as the emulator received it. */
export interface EmulatorRequest {
  readonly method: string;
  /** Path and query exactly as sent on the wire (still percent-encoded). */
  readonly rawUrl: string;
  /** Lower-case header names; repeated headers joined with ", " (node's IncomingMessage.headers). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Alternating name/value list as received, for SigV4 canonicalisation. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Sent instead of `body` when set (S3 object content). */
  readonly binary?: Buffer;
}

export interface ParsedCall<Input> {
  readonly action: string;
  readonly input: Input;
}

/** A wire protocol: how actions and inputs are read and how results and errors are written. */
export interface Protocol<Input> {
  readonly name: 'query' | 'json' | 'rest-xml';
  /** JSON protocols route on `X-Amz-Target: <targetPrefix>.<Action>`. */
  readonly targetPrefix?: string;
  /** Error code for the `throttle` fault. */
  readonly throttlingCode: string;
  /** Its HTTP status; 400 when absent (S3 throttles with 503 SlowDown). */
  readonly throttlingStatus?: number;
  /** Throws a ServiceError when the request is malformed or names an unknown action. */
  parse(request: EmulatorRequest, actions: ReadonlySet<string>): ParsedCall<Input>;
  success(action: string, output: unknown, requestId: string): EmulatorResponse;
  /** `request` when it was read: REST protocols answer a HEAD without a body. */
  failure(error: ServiceError, requestId: string, request?: EmulatorRequest): EmulatorResponse;
}

export interface ActionCall<Input> {
  readonly action: string;
  readonly input: Input;
  /** The signing identity; undefined for actions in `unsignedActions`. */
  readonly caller: Identity | undefined;
  readonly requestId: string;
}

export interface Service<Input = unknown> {
  /** Short name used in the call log and fault filters, e.g. 'sts', 'ecs'. */
  readonly name: string;
  /** SigV4 credential-scope service name, e.g. 'sts', 'monitoring'. */
  readonly signingName: string;
  readonly protocol: Protocol<Input>;
  readonly actions: ReadonlySet<string>;
  /** Actions AWS accepts without a signature (e.g. AssumeRoleWithWebIdentity). */
  readonly unsignedActions: ReadonlySet<string>;
  /** How the service's requests are signed (S3's own rules). */
  readonly signingRules?: { readonly s3?: boolean };
  handle(call: ActionCall<Input>): Promise<unknown>;
}
