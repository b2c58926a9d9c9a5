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
    [
      { 'poll-interval': '500ms' },
      /^Input 'poll-interval' is '500ms', shorter than the 1s it needs: give 1s or more\.$/,
    ],
    [{ 'min-requests': '0' }, /^Input 'min-requests' is '0'/],
    [{ 'max-error-rate': '5' }, /^Input 'max-error-rate' is 5: .*0\.05/],
    [{ 'canary-percent': '0' }, /^Input 'canary-percent' is '0'/],
    [{ images: 'Web App' }, /^Input 'images' line 1/],
  ])('refuses %p in one line that names the input', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });

  it.each([
    // Past Node's timer limit: refused here, or by parseDuration's suite-wide cap first.
    [{ timeout: '1000000h' }, /^Input 'timeout' is '1000000h'[,:] .*\b(at most|or less)\b/],
    [
      { timeout: '121h' },
      /^Input 'timeout' is '121h', longer than the 120h it accepts: give 120h or less\.$/,
    ],
    [
      { timeout: '9'.repeat(400) },
      /^Input 'timeout' is 400 characters long; it takes at most 32: shorten it\.$/,
    ],
    [
      { 'analysis-interval': '61m', 'hook-timeout': '1000m' },
      /^Input 'analysis-interval' is '61m', longer than the 1h it accepts: give 1h or less\.$/,
    ],
    [
      { 'poll-interval': '301s' },
      /^Input 'poll-interval' is '301s', longer than the 5m it accepts: give 5m or less\.$/,
    ],
    [
      { 'max-p95-latency': '2h' },
      /^Input 'max-p95-latency' is '2h', longer than the 1h it accepts: give 1h or less\.$/,
    ],
    [
      { 'max-p95-latency': '0' },
      /^Input 'max-p95-latency' is '0', shorter than the 1ms it needs: give 1ms or more\.$/,
    ],
    [
      { 'on-inconclusive': 'x'.repeat(100_000) },
      /^Input 'on-inconclusive' is 100000 characters long; it takes at most 64: shorten it\.$/,
    ],
    [{ tolerance: '0x1' }, /^Input 'tolerance' is '0x1': use a number, e.g. 0\.25\.$/],
    [{ tolerance: '1e-1' }, /^Input 'tolerance' is '1e-1': use a number/],
    [{ 'max-error-rate': '-1%' }, /^Input 'max-error-rate' is '-1%': use a number/],
    [
      { strategy: 'big\nbang' },
      /^Input 'strategy' has a line break at character 4: give it on one line/,
    ],
    [
      { 'canary-percent': '0.05' },
      /^Input 'canary-percent' is '0\.05': use a percentage from 0\.1 to 100/,
    ],
    [{ 'canary-percent': '100.1' }, /^Input 'canary-percent' is '100\.1'/],
    [
      { strategy: 'linear', 'step-percent': '2.9' },
      /^Input 'step-percent' is '2\.9': use a percentage from 3 to 100/,
    ],
    [{ 'canary-bake': '1441' }, /^Input 'canary-bake' is '1441': use whole minutes from 0 to 1440/],
    [
      { cluster: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' },
      /^Input 'cluster' is .*an ECS service ARN, not a cluster ARN/,
    ],
    [
      { service: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' },
      /^Input 'service' is .*an ECS cluster ARN, not a service ARN/,
    ],
    [
      { 'execution-role-arn': `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
      /^Input 'execution-role-arn' names a role of 65 characters/,
    ],
    [
      { 'role-to-assume': `arn:aws:iam::123456789012:role/${'r'.repeat(65)}` },
      /^Input 'role-to-assume' names a role of 65 characters/,
    ],
    [
      { 'smoke-url': 'http://h/ x' },
      /^Input 'smoke-url' is 'http:\/\/h\/ x', which has white space/,
    ],
    [{ alarms: 'a,a' }, /^Input 'alarms' lists 'a' twice/],
  ])('refuses %p before any call, echoing a shortened value', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });

  it('accepts every documented maximum and minimum', () => {
    const config = parse({
      timeout: '120h',
      'analysis-interval': '1h',
      'hook-timeout': '20160m',
      'poll-interval': '5m',
      'request-timeout': '2m',
      'max-p95-latency': '1h',
      'canary-percent': '100',
      'canary-bake': '1440',
      'bake-time': '24h',
      'min-requests': '100000000',
      tolerance: '0',
      alarms: Array.from({ length: 10 }, (_, i) => `a${i}`).join(','),
      'role-to-assume': `arn:aws:iam::123456789012:role/${'r'.repeat(64)}`,
      'task-role-arn': `arn:aws:iam::123456789012:role/${'p'.repeat(510)}/x`,
    });
    expect(config.deploy).toMatchObject({
      timeoutMs: 120 * 3_600_000,
      hookTimeoutMinutes: 20_160,
      pollIntervalMs: 300_000,
      strategy: { canaryPercent: 100, canaryBakeMinutes: 1440, bakeMinutes: 1440 },
      analysis: { intervalMs: 3_600_000, config: { maxP95LatencySeconds: 3600, tolerance: 0 } },
    });
    expect(config.assume?.roleArn).toMatch(/r{64}$/);
    const least = parse({
      timeout: '1m',
      'analysis-interval': '10s',
      'hook-timeout': '1m',
      'poll-interval': '1s',
      'request-timeout': '1s',
      'max-p95-latency': '1ms',
      'canary-percent': '0.1',
      'canary-bake': '0',
      'bake-time': '0m',
    });
    expect(least.deploy).toMatchObject({
      timeoutMs: 60_000,
      pollIntervalMs: 1_000,
      strategy: { canaryPercent: 0.1, canaryBakeMinutes: 0, bakeMinutes: 0 },
    });
    expect(parse({ strategy: 'linear', 'step-percent': '3' }).deploy.strategy).toMatchObject({
      stepPercent: 3,
    });
  });
});
