import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../../../src/actions/ecs-canary-deploy/inputs.ts';

const REQUIRED = { 'aws-region': 'eu-west-1', cluster: 'prod', service: 'web' };
const parse = (inputs: Record<string, string> = {}) =>
  parseInputs((name) => ({ ...REQUIRED, ...inputs })[name], {});

describe('ecs-canary-deploy inputs', () => {
  it('gives the engine typed options, with the analysis settings checked and completed', () => {
    const config = parse({ images: 'web=shop/web:2', 'max-error-rate': '1%' });
    expect(config).toMatchObject({
      region: 'eu-west-1',
      taskDefinitionFile: undefined,
      smoke: undefined,
      requestTimeoutMs: 10_000,
      assume: undefined,
      deploy: {
        cluster: 'prod',
        service: 'web',
        strategy: { kind: 'canary', canaryPercent: 10, canaryBakeMinutes: 10, bakeMinutes: 10 },
        overrides: { images: [{ container: 'web', image: 'shop/web:2' }] },
        alarms: [],
        analysis: {
          config: { minRequests: 300, maxErrorRate: 0.01, tolerance: 0.25, confidence: 0.98 },
          onInconclusive: { onInconclusive: 'continue', maxExtensions: 0 },
          intervalMs: 60_000,
        },
        onBusy: 'wait',
        hookTimeoutMinutes: 30,
        timeoutMs: 60 * 60_000,
        pollIntervalMs: 10_000,
        dryRun: false,
      },
    });
    expect(parse({ 'task-definition': 'ecs/web.json' }).taskDefinitionFile).toBe('ecs/web.json');
  });

  it.each([
    [
      { 'hook-timeout': '20161m' },
      /^Input 'hook-timeout' is '20161m': use whole minutes from 1m to 20160m/,
    ],
    [{ 'hook-timeout': '90s' }, /^Input 'hook-timeout' is '90s'/],
    [
      { 'hook-timeout': '2m' },
      /^Input 'hook-timeout' \(2m\) must be more than twice 'analysis-interval' \(60s\)/,
    ],
    [{ 'analysis-interval': '5s' }, /^Input 'analysis-interval' is '5s': use 10s or more/],
    [{ 'poll-interval': '500ms' }, /^Input 'poll-interval' is '500ms': use 1s or more/],
    [{ 'min-requests': '0' }, /^Input 'min-requests' is '0'/],
    [{ 'max-error-rate': '5' }, /^Input 'max-error-rate' is 5: .*0\.05/],
    [{ 'canary-percent': '0' }, /^Input 'canary-percent' is '0'/],
    [{ images: 'Web App' }, /^Input 'images' line 1/],
  ])('refuses %p in one line that names the input', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });
});
