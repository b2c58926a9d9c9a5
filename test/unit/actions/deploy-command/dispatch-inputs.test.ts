import { describe, expect, it } from '@jest/globals';
import { dispatcherOf } from '../../../../src/actions/deploy-command/event.ts';
import { parseInputs } from '../../../../src/actions/deploy-command/inputs.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const read = (inputs: Record<string, string>) => (name: string) =>
  ({ 'github-token': 'ghs_x', mode: 'dispatch', ...inputs })[name];

describe('mode dispatch inputs', () => {
  it.each([
    [{ command: 'promote' }, { verb: 'promote', digest: undefined }],
    [
      { command: 'promote', 'image-digest': DIGEST },
      { verb: 'promote', digest: DIGEST },
    ],
    [
      { command: 'rollback', environment: 'production' },
      { verb: 'rollback', environment: 'production' },
    ],
  ])('%o', (inputs, dispatch) => {
    const config = parseInputs(read(inputs));
    expect(config.mode === 'dispatch' && config.dispatch).toEqual(dispatch);
  });

  it.each([
    [{}, "Input 'command' is required with this mode: set it in the step's 'with:'."],
    [{ command: 'deploy' }, "Input 'command' is 'deploy': use one of promote, rollback."],
    [
      { command: 'rollback' },
      "Input 'environment' is required with this mode: set it in the step's 'with:'.",
    ],
    [
      { command: 'rollback', environment: 'prod;id' },
      `Input 'environment' is 'prod;id': use the environment's name (letters, digits, '.', '_', '-').`,
    ],
    [
      { command: 'rollback', environment: 'staging', 'image-digest': DIGEST },
      "Input 'image-digest' is for promote: a rollback deploys the previous successful deployment's image.",
    ],
    [
      { command: 'promote', environment: 'staging' },
      "Input 'environment' is for rollback: promote goes to 'production-environment'.",
    ],
    [
      { command: 'promote', 'image-digest': 'latest' },
      `Input 'image-digest' is 'latest': use sha256: and 64 hex digits, or leave it empty to promote what 'promote-from' runs now.`,
    ],
  ])('%o: %s', (inputs, message) => {
    expect(() => parseInputs(read(inputs))).toThrow(message);
  });
});

describe('dispatcherOf', () => {
  it('who re-ran the run, else who dispatched it', () => {
    const env = { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'alice' };
    expect(dispatcherOf(env)).toBe('alice');
    expect(dispatcherOf({ ...env, GITHUB_TRIGGERING_ACTOR: 'bob' })).toBe('bob');
  });

  it.each([
    [
      { GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'alice' },
      `mode dispatch runs on workflow_dispatch events; this run is for "push": call it from a workflow with 'on: workflow_dispatch'.`,
    ],
    [
      { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'a b' },
      'GITHUB_TRIGGERING_ACTOR is not a GitHub login: run this action in a workflow.',
    ],
  ])('%o: refused', (env, message) => {
    expect(() => dispatcherOf(env)).toThrow(message);
  });
});

describe('mode start: contract-migrations', () => {
  const start = (more: Record<string, string>) => (name: string) =>
    ({
      'github-token': 'ghs_x',
      mode: 'start',
      environment: 'staging',
      sha: 'a'.repeat(40),
      actor: 'writer',
      ...more,
    })[name];

  it('kept for the payload, checked like migration versions', () => {
    const config = parseInputs(start({ 'contract-migrations': '0007, 0008' }));
    expect(config.mode === 'start' && config.start.contractMigrations).toEqual(['0007', '0008']);
    expect(() => parseInputs(start({ 'contract-migrations': '0007;drop' }))).toThrow(
      "Input 'contract-migrations' has '0007;drop': versions are letters, digits, '.', '_', '-'.",
    );
  });
});
