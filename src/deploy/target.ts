// What one environment's deploy targets: each input given, else the field of the stack's deploy
// document (src/deploy-document) that deploy.yml reads for it. The document is read when the
// inputs leave the repository, the cluster or the service out.
import type { DeployDocument } from '../deploy-document/document.ts';
import { UserError } from '../lib/errors.ts';

/** The inputs the deploy document can give, in the order they are reported. */
export const TARGET_INPUTS = [
  'image-repository',
  'cluster',
  'service',
  'secret-id',
  'smoke-url',
  'alarms',
] as const;
export type TargetInput = (typeof TARGET_INPUTS)[number];
/** Each target input's value, '' when not given. */
export type TargetValues = Readonly<Record<TargetInput, string>>;

/** Where the document keeps each (version 1, as the stack writes it and deploy.yml reads it). */
export const DOCUMENT_FIELDS: Readonly<Record<TargetInput, string>> = {
  'image-repository': 'ecr.repositoryUri',
  cluster: 'ecs.cluster',
  service: 'ecs.service',
  'secret-id': 'migration.databaseSecretArn',
  'smoke-url': 'ecs.smokeUrl',
  alarms: 'alarms.canary',
};

/** Without these three the deploy has no target; any of them empty and the document is read. */
const REQUIRED: readonly TargetInput[] = ['image-repository', 'cluster', 'service'];

export function readsDocument(inputs: TargetValues): boolean {
  return REQUIRED.some((name) => inputs[name] === '');
}

export interface Target {
  readonly values: TargetValues;
  /** The inputs whose value is the document's, in TARGET_INPUTS order. */
  readonly fromDocument: readonly TargetInput[];
}

/**
 * The inputs, each empty one filled from the document (an input given always wins). Throws when
 * the target is still incomplete: the document has no repository URI.
 */
export function targetOf(
  inputs: TargetValues,
  document: { readonly name: string; readonly document: DeployDocument },
): Target {
  const values: Record<TargetInput, string> = { ...inputs };
  const fromDocument: TargetInput[] = [];
  for (const name of TARGET_INPUTS) {
    if (inputs[name] !== '') continue;
    const value = documentValue(document.document, name);
    if (value === '') continue;
    values[name] = value;
    fromDocument.push(name);
  }
  if (values['image-repository'] === '') {
    throw new UserError(
      `Input 'image-repository' is empty and the deploy document at ${document.name} has no ecr.repositoryUri: give image-repository, or redeploy the stack (infra/) so its document names the repository.`,
    );
  }
  return { values, fromDocument };
}

function documentValue(document: DeployDocument, name: TargetInput): string {
  switch (name) {
    case 'image-repository':
      return document.ecr.repositoryUri ?? '';
    case 'cluster':
      return document.ecs.cluster;
    case 'service':
      return document.ecs.service;
    case 'secret-id':
      return document.migration?.databaseSecretArn ?? '';
    case 'smoke-url':
      return document.ecs.smokeUrl ?? '';
    case 'alarms':
      return (document.alarms?.canary ?? []).join(',');
  }
}
