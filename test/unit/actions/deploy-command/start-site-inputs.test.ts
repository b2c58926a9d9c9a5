import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../../../src/actions/deploy-command/inputs.ts';

const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';
const read = (inputs: Record<string, string>) => (name: string) =>
  ({
    'github-token': 'ghs_x',
    mode: 'start',
    environment: 'staging',
    sha: SHA,
    actor: 'writer',
    command: 'push',
    ...inputs,
  })[name];
const siteOf = (inputs: Record<string, string>) => {
  const config = parseInputs(read(inputs));
  return config.mode === 'start' ? config.start.siteArtifact : 'not start';
};

describe('mode start: where the site build came from', () => {
  it('the artifact and the run that uploaded it, both or neither', () => {
    expect(siteOf({ 'site-artifact': `site-${SHA}`, 'site-run-id': '7001' })).toEqual({
      name: `site-${SHA}`,
      runId: 7001,
    });
    expect(siteOf({})).toBeUndefined();
  });

  it.each([
    [
      { 'site-artifact': 'site-1' },
      "Inputs 'site-artifact' and 'site-run-id' go together: give the artifact's name and the run that uploaded it (github.run_id), or neither.",
    ],
    [
      { 'site-run-id': '7001' },
      "Inputs 'site-artifact' and 'site-run-id' go together: give the artifact's name and the run that uploaded it (github.run_id), or neither.",
    ],
    [
      { 'site-artifact': 'site/../x', 'site-run-id': '7001' },
      "Input 'site-artifact' is 'site/../x': an artifact name here is 1 to 128 letters, digits, '.', '_', '-'.",
    ],
    [
      { 'site-artifact': 'site-1', 'site-run-id': '-3' },
      "Input 'site-run-id' is '-3': use a positive whole number.",
    ],
  ])('%o: one line, nothing recorded', (inputs, message) => {
    expect(() => parseInputs(read(inputs))).toThrow(message);
  });
});
