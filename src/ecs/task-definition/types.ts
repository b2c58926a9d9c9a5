// What the task-definition engine works on: a definition without its tags (they go to the
// request's own `tags`), and the changes to render into it.
import type { RegisterTaskDefinitionCommandInput, Tag } from '@aws-sdk/client-ecs';

/** RegisterTaskDefinition's fields, plus any the bundled SDK does not know yet; no tags. */
export type TaskDefinitionInput = Omit<RegisterTaskDefinitionCommandInput, 'tags'>;

export interface TaskDefinitionSource {
  definition: TaskDefinitionInput;
  tags: Tag[];
  /** For messages: the file name, or `service web in cluster prod`. */
  origin: string;
}

/** `container` absent: the definition's only container. */
export interface ImageOverride {
  container?: string;
  image: string;
}

/** `container` absent: every container. */
export interface VariableOverride {
  container?: string;
  name: string;
  value: string;
}

/** `container` absent: every container. */
export interface SecretOverride {
  container?: string;
  name: string;
  valueFrom: string;
}

/** One awslogs option (full driver option name, e.g. `awslogs-group`); `container` absent: all. */
export interface LogOptionOverride {
  container?: string;
  option: string;
  value: string;
}

/** `container` absent: the definition's only container. */
export interface CommandOverride {
  container?: string;
  command: string[];
}

export interface TaskDefinitionOverrides {
  images?: readonly ImageOverride[];
  environment?: readonly VariableOverride[];
  secrets?: readonly SecretOverride[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  logOptions?: readonly LogOptionOverride[];
  command?: readonly CommandOverride[];
}
