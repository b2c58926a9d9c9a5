// What STS and IAM accept for the identifiers a caller passes in.
import { UserError } from '../lib/errors.ts';

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
export const POLICY_ARN =
  /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
export const ACCOUNT_ID = /^\d{12}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export function checkRoleArn(input: string, value: string): string {
  const arn = value.trim();
  if (!ROLE_ARN.test(arn)) {
    throw new UserError(
      `Input '${input}' is '${value}', which is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>.`,
    );
  }
  return arn;
}

export function checkSessionName(input: string, value: string): string {
  if (!SESSION_NAME.test(value)) {
    throw new UserError(
      `Input '${input}' is '${value}': STS accepts 2 to 64 characters of letters, digits and _+=,.@- only.`,
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

/** A session name STS accepts, from the repository and run: `GitHubActions-<repo>-<run>-<attempt>`. */
export function defaultSessionName(
  repository: string | undefined,
  runId: string | undefined,
  attempt?: string,
): string {
  const repo = (repository?.split('/').pop() ?? '').replace(/[^\w+=,.@-]/g, '-');
  const run = [runId, attempt]
    .filter(Boolean)
    .join('-')
    .replace(/[^\w+=,.@-]/g, '-');
  const suffix = run ? `-${run}` : '';
  const prefix = 'GitHubActions';
  const room = 64 - prefix.length - suffix.length - 1;
  const name =
    repo && room > 0 ? `${prefix}-${repo.slice(0, room)}${suffix}` : `${prefix}${suffix}`;
  return name.slice(0, 64);
}
