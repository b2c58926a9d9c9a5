// The one reader of the deploy document (oidc-assume's deploy-document input, the root action):
// the parameter named after the assumed role, read with that role's credentials, checked.
import { awsErrorFacts, describeAwsError } from '../lib/aws-errors.ts';
import { UserError } from '../lib/errors.ts';
import { type DeployDocument, deployDocumentName, parseDeployDocument } from './document.ts';
import type { ParameterStore } from './ports.ts';

export interface ReadDocument {
  /** `/aws-ship-suite/<role name>`. */
  readonly name: string;
  /** The value as read (the output workflows pass to fromJSON). */
  readonly json: string;
  readonly document: DeployDocument;
}

export async function readDeployDocument(
  roleArn: string,
  deps: {
    readonly parameters: ParameterStore;
    readonly signal: AbortSignal;
    /** How the caller's step deploys without a document (oidc-assume's by default). */
    readonly withoutIt?: string;
  },
): Promise<ReadDocument> {
  const withoutIt = deps.withoutIt ?? 'set deploy-document: false and give the values as inputs';
  const name = deployDocumentName(roleArn);
  let json: string;
  try {
    json = await deps.parameters.getParameter(name, deps.signal);
  } catch (error) {
    const { code } = awsErrorFacts(error);
    if (code === 'ParameterNotFound') {
      throw new UserError(
        deps.withoutIt
          ? `no deploy document at ${name}: deploy the stack (infra/), check role-to-assume, or ${deps.withoutIt}`
          : `no deploy document at ${name}: deploy the stack (infra/) or check role-to-assume`,
        { cause: error },
      );
    }
    if (code === 'AccessDeniedException' || code === 'AccessDenied') {
      throw new UserError(
        `${roleArn} may not read its deploy document at ${name} (${describeAwsError(error)}): the stack grants ssm:GetParameter on it to its deploy role; check role-to-assume, or ${withoutIt}.`,
        { cause: error },
      );
    }
    throw new UserError(
      `Reading the deploy document at ${name} failed: ${describeAwsError(error)}`,
      {
        cause: error,
      },
    );
  }
  return { name, json, document: parseDeployDocument(json, name, roleArn) };
}
