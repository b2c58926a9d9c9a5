// What reading the deploy document needs from the world: one SSM parameter's value.
// src/aws/ssm.ts implements it over the SDK client.

export interface ParameterStore {
  /** The parameter's value; throws the AWS error as it came (ParameterNotFound, AccessDeniedException, …). */
  getParameter(name: string, signal: AbortSignal): Promise<string>;
}
