import { describe, expect, it } from '@jest/globals';
import {
  type CommandPolicy,
  DEFAULT_POLICY,
  checkPolicy,
} from '../../../src/deploy-command/policy.ts';

const with_ = (more: Partial<CommandPolicy>): CommandPolicy => ({ ...DEFAULT_POLICY, ...more });

describe('checkPolicy', () => {
  it('takes the defaults', () => expect(() => checkPolicy(DEFAULT_POLICY)).not.toThrow());

  it.each([
    [
      { environments: ['staging', 'production'] },
      'production cannot be reached by a comment deploy',
    ],
    [{ environments: [] }, 'No environment is reachable from a comment'],
    [{ environments: ['stag ing'] }, 'is not an environment name'],
    [{ prefix: 'go' }, 'The command prefix must be'],
    [{ promoteFrom: 'production' }, 'Promotion cannot go from production to itself'],
    [
      { environmentUsers: new Map([['qa', ['x']]]) },
      'A rule names the environment "qa", which no command reaches',
    ],
    [
      { forceEnvironments: ['production'] },
      '--force is allowed in "production", which no comment reaches',
    ],
  ] as const)('refuses %j', (more, message) => {
    expect(() => checkPolicy(with_(more as Partial<CommandPolicy>))).toThrow(message);
  });
});
