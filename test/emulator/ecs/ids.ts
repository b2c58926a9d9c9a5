// ARNs and identifiers in the shapes ECS uses.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

export interface Partition {
  readonly region: string;
  readonly account: string;
}

const arn = (p: Partition, resource: string) => `arn:aws:ecs:${p.region}:${p.account}:${resource}`;

export const clusterArn = (p: Partition, cluster: string) => arn(p, `cluster/${cluster}`);
export const serviceArn = (p: Partition, cluster: string, service: string) =>
  arn(p, `service/${cluster}/${service}`);
export const taskDefinitionArn = (p: Partition, family: string, revision: number) =>
  arn(p, `task-definition/${family}:${revision}`);
export const taskArn = (p: Partition, cluster: string, taskId: string) =>
  arn(p, `task/${cluster}/${taskId}`);
export const containerArn = (p: Partition, cluster: string, taskId: string) =>
  arn(p, `container/${cluster}/${taskId}/${randomUuid()}`);
export const serviceRevisionArn = (p: Partition, cluster: string, service: string) =>
  arn(p, `service-revision/${cluster}/${service}/${digits(19)}`);
export const serviceDeploymentArn = (p: Partition, cluster: string, service: string) =>
  arn(p, `service-deployment/${cluster}/${service}/${base64url(16)}`);

/** The `ecs-svc/…` id of a legacy `Deployment` entry (and a task's `startedBy`). */
export const legacyDeploymentId = () => `ecs-svc/${digits(19)}`;
export const taskId = () => randomBytes(16).toString('hex');
export const pauseHookId = () => `ecs-pause-${base64url(32)}`;
export const lambdaHookId = () => `ecs-lambda-${base64url(32)}`;
export const randomUuid = () => randomUUID();

/** The last path segment of an ARN, or the value itself when it is a plain name. */
export function nameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const resource = nameOrArn.split(':').slice(5).join(':');
  return resource.split('/').pop() ?? resource;
}

function digits(n: number): string {
  let s = String(randomInt(1, 10));
  while (s.length < n) s += String(randomInt(10));
  return s;
}

function base64url(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
