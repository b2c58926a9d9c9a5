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
}

export interface ParsedCall<Input> {
  readonly action: string;
  readonly input: Input;
}

/** A wire protocol: how actions and inputs are read and how results and errors are written. */
export interface Protocol<Input> {
  readonly name: 'query' | 'json';
  /** JSON protocols route on `X-Amz-Target: <targetPrefix>.<Action>`. */
  readonly targetPrefix?: string;
  /** Error code for the `throttle` fault. */
  readonly throttlingCode: string;
  /** Throws a ServiceError when the request is malformed or names an unknown action. */
  parse(request: EmulatorRequest, actions: ReadonlySet<string>): ParsedCall<Input>;
  success(action: string, output: unknown, requestId: string): EmulatorResponse;
  failure(error: ServiceError, requestId: string): EmulatorResponse;
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
  handle(call: ActionCall<Input>): Promise<unknown>;
}
