// Turns the AWS errors a person can act on into one-line UserErrors that keep AWS's message;
// everything else passes through unchanged for the caller (or its retry policy) to handle.
import { UserError } from '../lib/errors.ts';
import { awsErrorFacts, describeAwsError } from '../lib/aws-errors.ts';

export interface Explanation {
  /** What was being done, e.g. `describe CloudWatch alarms`. */
  action: string;
  /** The IAM permission the call needs, e.g. `cloudwatch:DescribeAlarms`. */
  permission: string;
  /** Error codes that mean the request itself is wrong (bad ARN, unknown cluster, …). */
  userFixable?: ReadonlySet<string>;
  /** Who refused, for the message: `ECS`, `AWS`, … */
  service?: string;
  /** How to fix a user-fixable error: one sentence, or one per error code. */
  hint?: string | Readonly<Record<string, string>>;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

export function explainAwsError(error: unknown, how: Explanation): unknown {
  if (error instanceof UserError) return error;
  const { code } = awsErrorFacts(error);
  if (ACCESS_DENIED.has(code)) {
    return new UserError(
      `The role may not ${how.action}: ${describeAwsError(error)}. Allow ${how.permission} in its policy.`,
      { cause: error },
    );
  }
  if (how.userFixable?.has(code)) {
    const hint = typeof how.hint === 'string' ? how.hint : how.hint?.[code];
    return new UserError(
      `${how.service ?? 'AWS'} refused to ${how.action}: ${describeAwsError(error)}.${hint ? ` ${hint}` : ''}`,
      { cause: error },
    );
  }
  return error;
}

/** SDK `send` options for an optional AbortSignal. */
export function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}
