// The narrow view of ECS the task-definition engine drives; src/aws/ecs-task-definitions.ts
// implements it over the SDK, unit tests with a fake.
import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

export interface RegisteredTaskDefinition {
  /** As ECS returned it, fields the bundled SDK does not know included. */
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

export interface TaskDefinitionPort {
  /** The latest ACTIVE revision of the family, or undefined when it has none. */
  latest(family: string, signal?: AbortSignal): Promise<RegisteredTaskDefinition | undefined>;
  register(
    input: RegisterTaskDefinitionCommandInput,
    signal?: AbortSignal,
  ): Promise<RegisteredTaskDefinition>;
  /** The revision the service is set to run (`service.taskDefinition`). */
  serviceTaskDefinition(
    cluster: string,
    service: string,
    signal?: AbortSignal,
  ): Promise<RegisteredTaskDefinition>;
}
