// What STS and IAM accept for the identifiers a caller passes in.
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
export const POLICY_ARN =
  /^arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

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
