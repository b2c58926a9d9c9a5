import { ServiceError } from './errors.ts';
import type { EmulatorRequest, EmulatorResponse, Protocol } from './service.ts';
import { element, escapeXml, type XmlValue } from './xml.ts';

/**
 * Parameters of an AWS query request (form body plus URL query), with helpers for the
 * flattened list encoding: `PolicyArns.member.1.arn=…&PolicyArns.member.2.arn=…`.
 */
export class QueryParams {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  static parse(text: string): QueryParams {
    return new QueryParams(new Map(new URLSearchParams(text)));
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  names(): string[] {
    return [...this.#values.keys()];
  }

  /** Members `<name>.member.1`, `.2`, … (contiguous from 1), each scoped to its own prefix. */
  members(name: string): QueryParams[] {
    const found: QueryParams[] = [];
    for (let i = 1; ; i += 1) {
      const prefix = `${name}.member.${i}`;
      const scoped = new Map<string, string>();
      for (const [key, value] of this.#values) {
        if (key === prefix) scoped.set('', value);
        else if (key.startsWith(`${prefix}.`)) scoped.set(key.slice(prefix.length + 1), value);
      }
      if (scoped.size === 0) return found;
      found.push(new QueryParams(scoped));
    }
  }

  /** Scalar list `<name>.member.N` or structure list `<name>.member.N.<field>`. */
  list(name: string, field?: string): string[] {
    return this.members(name)
      .map((member) => member.get(field ?? ''))
      .filter((value): value is string => value !== undefined);
  }
}

export interface QueryProtocolOptions {
  /** e.g. https://sts.amazonaws.com/doc/2011-06-15/ */
  readonly xmlNamespace: string;
  /** API version the `Version` parameter must carry, e.g. 2011-06-15. */
  readonly version: string;
  readonly throttlingCode?: string;
}

export function readQueryParams(request: EmulatorRequest): QueryParams {
  const query = request.rawUrl.includes('?')
    ? request.rawUrl.slice(request.rawUrl.indexOf('?') + 1)
    : '';
  const contentType = String(request.headers['content-type'] ?? '');
  const body = contentType.startsWith('application/x-www-form-urlencoded')
    ? request.body.toString('utf8')
    : '';
  return QueryParams.parse([query, body].filter((part) => part !== '').join('&'));
}

export function queryProtocol(options: QueryProtocolOptions): Protocol<QueryParams> {
  const xmlns = ` xmlns="${escapeXml(options.xmlNamespace)}"`;
  return {
    name: 'query',
    throttlingCode: options.throttlingCode ?? 'Throttling',
    parse(request, actions) {
      const params = readQueryParams(request);
      const action = params.get('Action');
      if (action === undefined || action === '') {
        throw new ServiceError(
          'MissingAction',
          400,
          'The request is missing an action or a required parameter.',
        );
      }
      const version = params.get('Version') ?? 'NO_VERSION_SPECIFIED';
      if (!actions.has(action) || version !== options.version) {
        throw new ServiceError(
          'InvalidAction',
          400,
          `Could not find operation ${action} for version ${version}`,
        );
      }
      return { action, input: params };
    },
    success(action, output, requestId) {
      const body = element(
        `${action}Response`,
        {
          [`${action}Result`]: output as XmlValue,
          ResponseMetadata: { RequestId: requestId },
        },
        xmlns,
      );
      return xmlResponse(200, body, requestId);
    },
    failure(error, requestId) {
      const body = element(
        'ErrorResponse',
        {
          Error: { Type: error.faultType, Code: error.code, Message: error.message },
          RequestId: requestId,
        },
        xmlns,
      );
      return xmlResponse(error.status, body, requestId);
    },
  };
}

function xmlResponse(status: number, body: string, requestId: string): EmulatorResponse {
  return {
    status,
    headers: { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml' },
    body: `${body}\n`,
  };
}
