// Identity-based permission checks the emulated services share (SSM, SNS): a rule per loaded stack,
// built by the template loader from the stack's IAM policies.

/** Whether `principalArn` (a role or user ARN) may perform `action` (e.g. ssm:GetParameter) on `resourceArn`. */
export type IdentityAccess = (principalArn: string, action: string, resourceArn: string) => boolean;

/**
 * One more stack's rule beside the ones already loaded: a caller may do what any loaded stack's
 * policies allow it (each stack's roles are its own), so a world of several stacks keeps every grant.
 */
export function eitherAllows(
  previous: IdentityAccess | undefined,
  added: IdentityAccess,
): IdentityAccess {
  if (previous === undefined) return added;
  return (principal, action, resource) =>
    previous(principal, action, resource) || added(principal, action, resource);
}
