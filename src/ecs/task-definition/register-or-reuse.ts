// Registers the rendered definition only when it differs from the latest ACTIVE revision of its
// family (or from a revision the caller already holds, such as the service's current one): a
// re-run, or one definition deployed to several services, adds no duplicate revision.
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { RegisteredTaskDefinition, TaskDefinitionPort } from './ports.ts';
import { canonicalJson, comparableInput, comparableRevision } from './comparable.ts';
import { differences } from './differences.ts';

export interface RegisterOrReuseResult {
  arn: string;
  revision: number;
  registered: boolean;
  /** When it registered: what differs from the latest revision, for the log. */
  differences?: string[];
}

export interface RegisterOrReuseOptions {
  /** Revisions worth reusing besides the family's latest, e.g. the one the service runs. */
  candidates?: readonly RegisteredTaskDefinition[];
  signal?: AbortSignal;
  /** Runs only when a new revision is about to be registered; throwing stops the registration. */
  beforeRegister?: () => Promise<void>;
}

export async function registerOrReuse(
  input: RegisterTaskDefinitionCommandInput,
  port: TaskDefinitionPort,
  options: RegisterOrReuseOptions = {},
): Promise<RegisterOrReuseResult> {
  const family = input.family ?? '';
  const latest = await port.latest(family, options.signal);
  const wanted = comparableInput(input);
  const wantedJson = canonicalJson(wanted);
  // A deregistered revision cannot be deployed again: only ACTIVE candidates are reused.
  const comparables = (latest ? [latest] : []).concat(
    (options.candidates ?? []).filter(
      ({ taskDefinition }) =>
        taskDefinition.family === family && (taskDefinition.status ?? 'ACTIVE') === 'ACTIVE',
    ),
  );
  for (const candidate of comparables) {
    const { taskDefinition, tags } = candidate;
    if (canonicalJson(comparableRevision(taskDefinition, tags)) === wantedJson) {
      return { ...identity(candidate), registered: false };
    }
  }
  await options.beforeRegister?.();
  const registered = await port.register(input, options.signal);
  return {
    ...identity(registered),
    registered: true,
    differences: latest
      ? differences(comparableRevision(latest.taskDefinition, latest.tags), wanted)
      : [`family ${family} has no ACTIVE revision yet`],
  };
}

function identity({ taskDefinition }: RegisteredTaskDefinition): { arn: string; revision: number } {
  const { taskDefinitionArn: arn, revision } = taskDefinition;
  if (!arn || revision === undefined) {
    throw new Error(`ECS returned task definition ${arn ?? '(no ARN)'} without an ARN or revision`);
  }
  return { arn, revision };
}
