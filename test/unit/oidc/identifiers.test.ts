import { describe, expect, it } from '@jest/globals';
import {
  checkRoleArn,
  checkSessionName,
  defaultSessionName,
} from '../../../src/oidc/identifiers.ts';

describe('defaultSessionName', () => {
  it('derives an STS-valid name from repository, run id and attempt', () => {
    expect(defaultSessionName('octo-org/octo-app', '123456789', '2')).toBe(
      'GitHubActions-octo-app-123456789-2',
    );
  });

  it('replaces characters STS rejects and keeps the run id when the repository name is long', () => {
    const name = defaultSessionName(`o/${'x'.repeat(100)}`, '9876543210', '1');
    expect(name).toHaveLength(64);
    expect(name.endsWith('-9876543210-1')).toBe(true);
    expect(defaultSessionName('o/app name#1', '5')).toBe('GitHubActions-app-name-1-5');
    for (const n of [name, defaultSessionName(undefined, undefined)])
      expect(() => checkSessionName('x', n)).not.toThrow();
  });
});

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
