// The inputs of an AssumeRoleWithWebIdentity with the job's OIDC token, shared by oidc-assume and
// by the actions that re-assume the role themselves when a long run outlives its credentials.
import type { InputRegistry } from '../../lib/action-io.ts';
import { parseInteger } from '../../lib/parse.ts';
import { defaultSessionName } from '../../oidc/identifiers.ts';
import { UserError } from '../../lib/errors.ts';
import { checkSessionName } from './identifier-inputs.ts';

export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

export const WEB_IDENTITY_INPUTS = {
  audience: { kind: 'text', default: DEFAULT_AUDIENCE },
  'role-session-name': { kind: 'name' },
  'role-duration-seconds': { kind: 'integer', default: '3600' },
} as const satisfies InputRegistry;

export interface WebIdentitySettings {
  audience: string;
  sessionName: string;
  durationSeconds: number;
}

type WebIdentityValues = { readonly [K in keyof typeof WEB_IDENTITY_INPUTS]: string };

export function parseWebIdentityInputs(
  values: WebIdentityValues,
  env: NodeJS.ProcessEnv,
): WebIdentitySettings {
  return {
    audience: values.audience || DEFAULT_AUDIENCE,
    sessionName:
      values['role-session-name'] === ''
        ? defaultSessionName(env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT)
        : checkSessionName('role-session-name', values['role-session-name']),
    durationSeconds: parseInteger(
      'role-duration-seconds',
      values['role-duration-seconds'],
      900,
      43200,
    ),
  };
}

/** role-to-assume for an action that assumes it itself: undefined without it (and no stray settings). */
export function parseRoleToAssume(
  values: WebIdentityValues & { readonly 'role-to-assume': string },
  env: NodeJS.ProcessEnv,
  checkRoleArn: (input: string, value: string) => string,
): ({ roleArn: string } & WebIdentitySettings) | undefined {
  if (values['role-to-assume'] === '') {
    const stray = (['role-session-name', 'audience'] as const).find((name) =>
      name === 'audience'
        ? values.audience !== DEFAULT_AUDIENCE && values.audience !== ''
        : values[name] !== '',
    );
    if (stray !== undefined) {
      throw new UserError(
        `Input '${stray}' only applies with role-to-assume: set role-to-assume, or leave '${stray}' out.`,
      );
    }
    return undefined;
  }
  return {
    roleArn: checkRoleArn('role-to-assume', values['role-to-assume']),
    ...parseWebIdentityInputs(values, env),
  };
}
