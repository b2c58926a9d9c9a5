// The identifier inputs the actions that assume a role share, checked against what STS and IAM
// accept (src/oidc/identifiers.ts).
import { UserError, shown } from '../../lib/errors.ts';
import { EXTERNAL_ID, ROLE_ARN, SESSION_NAME } from '../../oidc/identifiers.ts';

export function checkRoleArn(input: string, value: string): string {
  const arn = value.trim();
  if (!ROLE_ARN.test(arn)) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}, which is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>.`,
    );
  }
  return arn;
}

export function checkSessionName(input: string, value: string): string {
  if (!SESSION_NAME.test(value)) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}: STS accepts 2 to 64 characters of letters, digits and _+=,.@- only.`,
    );
  }
  return value;
}

export function checkExternalId(input: string, value: string): string {
  if (!EXTERNAL_ID.test(value)) {
    throw new UserError(
      `Input '${input}' must be 2 to 1224 characters of letters, digits and _+=,.@:/- (got ${value.length} characters).`,
    );
  }
  return value;
}
