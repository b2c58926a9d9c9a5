import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../../../src/actions/oidc-assume/inputs.ts';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const ENV = {
  GITHUB_REPOSITORY: 'octo-org/octo-app',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '1',
};
const parse = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = ENV) =>
  parseInputs((name) => inputs[name], env);

describe('oidc-assume inputs', () => {
  it('applies the defaults', () => {
    const config = parse({ 'role-to-assume': ROLE, 'aws-region': 'eu-west-1' });
    expect(config).toMatchObject({
      region: 'eu-west-1',
      roleArn: ROLE,
      audience: 'sts.amazonaws.com',
      sessionName: 'GitHubActions-octo-app-42-1',
      durationSeconds: 3600,
      chainFrom: undefined,
      outputCredentials: false,
      profile: undefined,
      allowedAccountIds: [],
      retry: { maxAttempts: 8 },
      requestTimeoutMs: 10_000,
      timeoutMs: 120_000,
    });
  });

  it('reads lists and compacts the inline policy', () => {
    const config = parse({
      'role-to-assume': ROLE,
      'aws-region': 'eu-west-1',
      'allowed-account-ids': '111122223333,\n444455556666',
      'inline-session-policy': '{\n  "Version": "2012-10-17",\n  "Statement": []\n}',
      'managed-session-policies':
        'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::111122223333:policy/team/x',
    });
    expect(config.allowedAccountIds).toEqual(['111122223333', '444455556666']);
    expect(config.policies).toEqual({
      inlinePolicy: '{"Version":"2012-10-17","Statement":[]}',
      managedPolicyArns: [
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::111122223333:policy/team/x',
      ],
    });
  });

  it('takes the region from the environment when the input is absent', () => {
    expect(
      parse({ 'role-to-assume': ROLE }, { ...ENV, AWS_DEFAULT_REGION: 'ap-south-1' }).region,
    ).toBe('ap-south-1');
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a missing role', { 'role-to-assume': '' }, /^Input 'role-to-assume' is required/],
    [
      'a malformed role ARN',
      { 'role-to-assume': 'arn:aws:iam::123:role/x' },
      /not an IAM role ARN/,
    ],
    ['a missing region', { 'role-to-assume': ROLE, 'aws-region': '' }, /^No AWS region/],
    ['an empty audience', { audience: '' }, /^Input 'audience' is empty/],
    [
      'a duration below 900',
      { 'role-duration-seconds': '899' },
      /'role-duration-seconds' is '899': use a whole number from 900 to 43200/,
    ],
    ['a duration above 43200', { 'role-duration-seconds': '43201' }, /from 900 to 43200/],
    ['a non-numeric duration', { 'role-duration-seconds': '1h' }, /from 900 to 43200/],
    [
      'a short account id',
      { 'allowed-account-ids': '12345' },
      /'12345', which is not a 12-digit AWS account id/,
    ],
    [
      'an account alias',
      { 'allowed-account-ids': '111122223333, prod' },
      /'prod', which is not a 12-digit/,
    ],
    [
      'a session name with spaces',
      { 'role-session-name': 'my session' },
      /'role-session-name' is 'my session': STS accepts 2 to 64/,
    ],
    ['a one-letter session name', { 'role-session-name': 'x' }, /STS accepts 2 to 64/],
    [
      'an external id without chaining',
      { 'role-external-id': 'abc123' },
      /only applies with role-chaining: true/,
    ],
    [
      'a bad boolean',
      { 'output-credentials': 'yes' },
      /'output-credentials' is 'yes': use true or false/,
    ],
    [
      'invalid policy JSON',
      { 'inline-session-policy': '{ nope' },
      /'inline-session-policy' is not valid JSON/,
    ],
    ['a policy that is not an object', { 'inline-session-policy': '[]' }, /must be a JSON object/],
    [
      'a policy over 2048 characters',
      { 'inline-session-policy': JSON.stringify({ Sid: 'x'.repeat(2100) }) },
      /STS takes at most 2048/,
    ],
    [
      'a bad managed policy ARN',
      { 'managed-session-policies': 'ReadOnlyAccess' },
      /'ReadOnlyAccess', which is not an IAM policy ARN/,
    ],
    ['a bad profile name', { 'aws-profile': 'my profile' }, /'aws-profile' is 'my profile'/],
    ['a bad timeout', { timeout: 'forever' }, /'timeout' is 'forever', which is not a duration/],
    [
      'a timeout shorter than one request',
      { timeout: '1s', 'request-timeout': '5s' },
      /request-timeout <= timeout/,
    ],
    [
      'a chained session over one hour',
      { 'role-chaining': 'true', 'role-duration-seconds': '7200' },
      /AWS limits role-chained sessions to 3600 seconds/,
    ],
    [
      'a role in an account outside allowed-account-ids',
      { 'allowed-account-ids': '999999999999' },
      /names account 111122223333, which is not in allowed-account-ids \(999999999999\)/,
    ],
    ['too many retries', { 'retry-max-attempts': '50' }, /from 1 to 20/],
  ])('rejects %s with one line', (_label, inputs, message) => {
    const error = (() => {
      try {
        parse({ 'role-to-assume': ROLE, 'aws-region': 'eu-west-1', ...inputs });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.name).toBe('UserError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});
