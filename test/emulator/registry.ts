import { readQueryParams } from './query-protocol.ts';
import type { EmulatorRequest, Service } from './service.ts';
import { signingServiceOf } from './sigv4.ts';

export interface RouteKeys {
  readonly signingName: string | undefined;
  readonly target: string | undefined;
  readonly queryAction: string | undefined;
}

/**
 * Finds the service a request is for, the way AWS endpoints tell them apart: the SigV4
 * credential scope's service name when signed, else the `X-Amz-Target` prefix (JSON protocols),
 * else the query `Action` (unsigned query calls such as AssumeRoleWithWebIdentity).
 */
export class ServiceRegistry {
  readonly #services: Service[] = [];

  constructor(services: readonly Service[] = []) {
    for (const service of services) this.register(service);
  }

  register(service: Service): void {
    if (this.#services.some((s) => s.name === service.name)) {
      throw new Error(`service ${service.name} is already registered`);
    }
    this.#services.push(service);
  }

  routeKeys(request: EmulatorRequest): RouteKeys {
    const authorization = request.headers['authorization'];
    const target = request.headers['x-amz-target'];
    return {
      signingName: signingServiceOf(typeof authorization === 'string' ? authorization : undefined),
      target: typeof target === 'string' ? target : undefined,
      queryAction: readQueryParams(request).get('Action'),
    };
  }

  route(keys: RouteKeys): Service | undefined {
    if (keys.signingName !== undefined) {
      return this.#services.find((s) => s.signingName === keys.signingName);
    }
    if (keys.target !== undefined) {
      const prefix = keys.target.split('.')[0];
      return this.#services.find((s) => s.protocol.targetPrefix === prefix);
    }
    const action = keys.queryAction;
    if (action === undefined) return undefined;
    return this.#services.find((s) => s.protocol.name === 'query' && s.actions.has(action));
  }
}
