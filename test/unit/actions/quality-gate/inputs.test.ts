// Input text into the gate's options: defaults, the policy file's place between the defaults and
// the step's values, the pull request's base for patch coverage, and files kept in the workspace.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUTS, parseInputs } from '../../../../src/actions/quality-gate/inputs.ts';
import { DEFAULT_THRESHOLDS } from '../../../../src/quality/gate/thresholds.ts';

const ws = mkdtempSync(join(tmpdir(), 'quality-gate-inputs-'));
writeFileSync(
  join(ws, 'policy.yml'),
  'rules:\n  min-coverage: 95\n  fail-on: high\nreports:\n  tests: optional\n',
);
const outside = mkdtempSync(join(tmpdir(), 'quality-gate-outside-'));
writeFileSync(join(outside, 'x.yml'), 'rules: {}\n');
symlinkSync(outside, join(ws, 'out'));

/** Inputs as the runner gives them: action.yml's defaults filled in. */
function parse(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const defaults = Object.fromEntries(
    Object.entries(INPUTS).map(([name, spec]) => [name, 'default' in spec ? spec.default : '']),
  );
  const all: Record<string, string> = { ...defaults, ...inputs };
  return parseInputs((name) => all[name], ws, env);
}

describe('quality-gate inputs', () => {
  it('defaults to the suite policy: 80% lines, no critical finding, p95 2s, no failed test', () => {
    const config = parse({ coverage: 'a.info, b/*.info', tests: 'junit.xml' });
    expect(config.gate.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(config.gate.reports).toEqual({ coverage: ['a.info', 'b/*.info'], tests: ['junit.xml'] });
    expect(config).toMatchObject({
      mode: 'evaluate',
      resultFile: undefined,
      githubToken: undefined,
    });
  });

  it('lets the policy file win over defaults, and a value set in the step win over the file', () => {
    const fromFile = parse({ policy: 'policy.yml' });
    expect(fromFile.gate.thresholds).toMatchObject({ minCoverage: 95, failOn: 'high' });
    expect(fromFile.gate.requirements).toEqual({ tests: 'optional' });
    const fromStep = parse({ policy: 'policy.yml', 'min-coverage': '70', 'fail-on': 'medium' });
    expect(fromStep.gate.thresholds).toMatchObject({ minCoverage: 70, failOn: 'medium' });
  });

  it("takes patch coverage's base from a pull request, and refuses a minimum without any base", () => {
    const pr = parse(
      { 'min-patch-coverage': '90' },
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_BASE_REF: 'main' },
    );
    expect(pr.gate).toMatchObject({ baseRef: 'main', thresholds: { minPatchCoverage: 90 } });
    expect(() => parse({ 'min-patch-coverage': '90' }, { GITHUB_EVENT_NAME: 'push' })).toThrow(
      "Input 'min-patch-coverage' needs a base to compare with",
    );
  });

  it('keeps the files it reads in the workspace, symlinks resolved', () => {
    expect(() => parse({ policy: 'out/x.yml' })).toThrow(
      "Input 'policy' is 'out/x.yml', which leads outside the workspace",
    );
    expect(() => parse({ baseline: '../b.json' })).toThrow(
      "Input 'baseline' is '../b.json', which leads outside the workspace",
    );
    expect(() => parse({ tests: '/etc/*.xml' })).toThrow(
      "Input 'tests' has '/etc/*.xml', outside the workspace",
    );
    expect(parse({ 'result-file': 'gate.json' }).resultFile).toBe(join(ws, 'gate.json'));
  });

  it('turns thresholds off with off', () => {
    expect(
      parse({ 'min-coverage': 'off', 'max-failed-tests': 'off', 'max-p95-latency': 'off' }).gate
        .thresholds,
    ).toMatchObject({
      minCoverage: undefined,
      maxFailedTests: undefined,
      maxP95Ms: undefined,
    });
  });
});
