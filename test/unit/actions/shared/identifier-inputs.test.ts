import { describe, expect, it } from '@jest/globals';
import {
  checkRoleArn,
  checkSessionName,
} from '../../../../src/actions/shared/identifier-inputs.ts';

describe('identifier checks', () => {
  it.each([
    'arn:aws:iam::123456789012:role/deploy',
    'arn:aws-us-gov:iam::123456789012:role/path/to/deploy-role',
  ])('accepts %s', (arn) => {
    expect(checkRoleArn('role-to-assume', arn)).toBe(arn);
  });

  it.each([
    'deploy',
    'arn:aws:iam::1234:role/x',
    'arn:aws:iam::123456789012:user/x',
    'arn:aws:iam::123456789012:role/',
  ])('rejects %s in one line', (arn) => {
    expect(() => checkRoleArn('role-to-assume', arn)).toThrow(
      /^Input 'role-to-assume' is '.*', which is not an IAM role ARN/,
    );
  });

  it('rejects session names STS would refuse', () => {
    expect(() => checkSessionName('role-session-name', 'has space')).toThrow(/2 to 64 characters/);
    expect(() => checkSessionName('role-session-name', 'x')).toThrow(/2 to 64 characters/);
    expect(() => checkSessionName('role-session-name', 'a'.repeat(65))).toThrow(
      /2 to 64 characters/,
    );
  });
});

describe('echoed values', () => {
  it('are shortened and kept on one line', () => {
    expect(() => checkRoleArn('role-to-assume', `x\n${'y'.repeat(200)}`)).toThrow(
      `Input 'role-to-assume' is 'x\\u000a${'y'.repeat(58)}…' (202 characters), which is not an IAM role ARN`,
    );
    expect(() => checkSessionName('role-session-name', 'z'.repeat(500))).toThrow(
      `Input 'role-session-name' is '${'z'.repeat(60)}…' (500 characters): STS accepts`,
    );
  });
});
