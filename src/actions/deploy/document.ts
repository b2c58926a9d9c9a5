// The stack's deploy document for the root action: a chunk of its own (main.ts imports it once the
// role is assumed, only when the inputs leave part of the target out), the SSM call (src/aws/ssm.ts) loaded with it.
import type { ClientOptions } from '../../aws/client-factory.ts';
import { ssmParameterStore } from '../../aws/ssm.ts';
import { type ReadDocument, readDeployDocument } from '../../deploy-document/read.ts';

/** The role's deploy document, read with its credentials. */
export function deployDocument(
  roleArn: string,
  clients: ClientOptions,
  signal: AbortSignal,
): Promise<ReadDocument> {
  return readDeployDocument(roleArn, {
    parameters: ssmParameterStore(clients),
    signal,
    withoutIt: 'give image-repository, cluster and service as inputs',
  });
}
