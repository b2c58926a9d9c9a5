// The whole step the deploy actions run before deploying: take the definition from a file or
// from the service, render the overrides into it, and register it unless an equal revision
// exists.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { RegisteredTaskDefinition, TaskDefinitionPort } from './ports.ts';
import { fromRegistered } from './source.ts';
import { type RegisterOrReuseResult, registerOrReuse } from './register-or-reuse.ts';
import { render } from './render.ts';
import type { TaskDefinitionOverrides, TaskDefinitionSource } from './types.ts';

export type TaskDefinitionOrigin =
  /** A file, read and checked before any call (source.ts, yaml.ts). */
  | { kind: 'file'; source: TaskDefinitionSource }
  | { kind: 'service'; cluster: string; service: string };

export interface PrepareRequest {
  origin: TaskDefinitionOrigin;
  overrides: TaskDefinitionOverrides;
}

export interface PrepareDeps {
  port: TaskDefinitionPort;
  signal?: AbortSignal;
  /** See RegisterOrReuseOptions.beforeRegister. */
  beforeRegister?: () => Promise<void>;
}

export interface PreparedTaskDefinition extends RegisterOrReuseResult {
  family: string;
  /** The request as rendered (registered or not), for the summary and debugging. */
  input: RegisterTaskDefinitionCommandInput;
}

export async function prepareTaskDefinition(
  request: PrepareRequest,
  deps: PrepareDeps,
): Promise<PreparedTaskDefinition> {
  const { origin } = request;
  let current: RegisteredTaskDefinition | undefined;
  let source: TaskDefinitionSource;
  if (origin.kind === 'file') {
    source = origin.source;
  } else {
    current = await deps.port.serviceTaskDefinition(origin.cluster, origin.service, deps.signal);
    source = fromRegistered(current, `service ${origin.service} in cluster ${origin.cluster}`);
  }
  const input = render(source, request.overrides);
  // Redeploying the service's revision unchanged reuses it, even when it is not the latest.
  const result = await registerOrReuse(input, deps.port, {
    ...(current ? { candidates: [current] } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.beforeRegister ? { beforeRegister: deps.beforeRegister } : {}),
  });
  return { ...result, family: input.family ?? '', input };
}
