/** An error the emulated service returns on the wire, in the protocol's error shape. */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }

  /** Query-protocol `<Type>`: Sender for 4xx, Receiver for 5xx. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const internalFailure = (): ServiceError =>
  new ServiceError(
    'InternalFailure',
    500,
    'The request processing has failed because of an unknown error, exception or failure.',
  );

export const serviceUnavailable = (): ServiceError =>
  new ServiceError(
    'ServiceUnavailable',
    503,
    'The request has failed due to a temporary failure of the server.',
  );
