import { describe, expect, it } from '@jest/globals';
import { clientConfig } from '../../../src/aws/client-factory.ts';
import { endpointOverride } from '../../../src/aws/endpoint.ts';
import { resolveRegion } from '../../../src/aws/region.ts';
import { SUITE_VERSION } from '../../../src/lib/version.ts';

describe('endpointOverride', () => {
  it('prefers the service-specific variable over the global one', () => {
    const env = { AWS_ENDPOINT_URL: 'http://global', AWS_ENDPOINT_URL_STS: 'http://sts' };
    expect(endpointOverride('STS', env)).toBe('http://sts');
    expect(endpointOverride('ECS', env)).toBe('http://global');
    expect(
      endpointOverride('CloudWatch Logs', { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://logs' }),
    ).toBe('http://logs');
  });

  it('is off without variables or when configured endpoints are ignored', () => {
    expect(endpointOverride('STS', {})).toBeUndefined();
    expect(
      endpointOverride('STS', {
        AWS_ENDPOINT_URL: 'http://x',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      }),
    ).toBeUndefined();
  });
});

describe('resolveRegion', () => {
  it('takes the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe(
      'us-east-1',
    );
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-gov-west-1' })).toBe('us-gov-west-1');
  });

  it('fails with one line naming the input when there is none or it is malformed', () => {
    expect(() => resolveRegion('', {})).toThrow("No AWS region: set the 'aws-region' input");
    expect(() => resolveRegion('Frankfurt', {})).toThrow("'Frankfurt' is not an AWS region name");
  });
});

describe('clientConfig', () => {
  it('sets region, endpoint, timeouts, the suite retry strategy and user agent', () => {
    const config = clientConfig('STS', {
      region: 'eu-west-1',
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1234' },
      requestTimeoutMs: 1500,
      action: 'oidc-assume',
    });
    expect(config.region).toBe('eu-west-1');
    expect(config.endpoint).toBe('http://127.0.0.1:1234');
    expect(config.retryStrategy.mode).toBe('suite-full-jitter');
    expect(config.customUserAgent).toEqual([
      ['aws-ship-suite', SUITE_VERSION],
      ['aws-ship-suite-oidc-assume'],
    ]);
    expect('credentials' in config).toBe(false);
  });
});
