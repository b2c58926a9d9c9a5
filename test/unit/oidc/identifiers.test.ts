import { describe, expect, it } from '@jest/globals';
import { SESSION_NAME, defaultSessionName } from '../../../src/oidc/identifiers.ts';

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
      expect(n).toMatch(SESSION_NAME);
  });
});
