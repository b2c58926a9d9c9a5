// In-memory ports for the deploy-command engine: what the unit tests set up and then read back.
import type {
  Check,
  Collaborator,
  CommandPorts,
  DeploymentRecord,
  EnvironmentLock,
  PermissionLevel,
  PullRequestState,
  Reaction,
} from '../../../src/deploy-command/ports.ts';

export const HEAD = 'a'.repeat(40);

export interface FakeWorld {
  ports: CommandPorts;
  reactions: Reaction[];
  replies: string[];
  locks: Map<string, EnvironmentLock>;
  permissions: Map<string, PermissionLevel>;
  pull: PullRequestState;
  checks: Check[];
  deployments: DeploymentRecord[];
  calls: string[];
}

export function fakeWorld(
  overrides: Partial<Pick<FakeWorld, 'pull' | 'checks' | 'deployments'>> = {},
): FakeWorld {
  const world: Omit<FakeWorld, 'ports'> & { ports?: CommandPorts } = {
    reactions: [],
    replies: [],
    locks: new Map<string, EnvironmentLock>(),
    permissions: new Map<string, PermissionLevel>([
      ['owner', 'admin'],
      ['writer', 'write'],
      ['triager', 'read'],
      ['reader', 'read'],
    ]),
    pull: { number: 7, state: 'open', headSha: HEAD, fromFork: false },
    checks: [{ name: 'test', outcome: 'success' }],
    deployments: [],
    calls: [],
    ...overrides,
  };
  const byEnv = (env: string) =>
    world.deployments.filter((d) => d.environment === env).sort((a, b) => b.id - a.id);
  world.ports = {
    conversation: {
      react: async (r) => void world.reactions.push(r),
      reply: async (text) => void world.replies.push(text),
    },
    collaborator: async (login): Promise<Collaborator> => {
      world.calls.push(`collaborator ${login}`);
      const permission = world.permissions.get(login) ?? 'none';
      return { permission, roleName: login === 'triager' ? 'triage' : permission };
    },
    pullRequest: async (n) => {
      world.calls.push(`pull ${n}`);
      return world.pull;
    },
    checks: async (sha) => {
      world.calls.push(`checks ${sha.slice(0, 7)}`);
      return world.checks;
    },
    locks: {
      get: async (env) => world.locks.get(env),
      claim: async (lock) => {
        const held = world.locks.get(lock.environment);
        if (held) return { claimed: false, held };
        world.locks.set(lock.environment, lock);
        return { claimed: true };
      },
      release: async (env) => world.locks.delete(env),
    },
    deployments: {
      current: async (env) => byEnv(env).find((d) => d.state === 'success'),
      previousSuccessful: async (env) => {
        const list = byEnv(env);
        const current = list.findIndex((d) => d.state === 'success');
        return list.slice(current + 1).find((d) => d.succeeded);
      },
      recent: async (env, limit) => byEnv(env).slice(0, limit),
    },
    now: () => Date.parse('2026-12-07T12:00:00Z'),
  };
  return world as FakeWorld;
}

export function record(
  id: number,
  environment: string,
  sha: string,
  state: DeploymentRecord['state'],
  digest?: string,
): DeploymentRecord {
  return {
    id,
    environment,
    sha,
    createdAt: '2026-12-06T10:00:00.000Z',
    state,
    succeeded: state === 'success' || state === 'inactive',
    facts: { actor: 'writer', ...(digest ? { imageDigest: digest } : {}) },
  };
}
