import { describe, expect, it } from '@jest/globals';
import { credentialVariables, deliveryRecord, planDelivery } from '../../../src/oidc/delivery.ts';

const credentials = {
  accessKeyId: 'AKIA',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date(0),
};

describe('planDelivery', () => {
  it('exports the region and the credentials to later steps by default', () => {
    const delivery = planDelivery(credentials, {
      region: 'eu-west-1',
      profile: undefined,
      jobDirectory: '/tmp/job',
      env: {},
    });
    expect(delivery.variables).toEqual([
      ['AWS_REGION', 'eu-west-1'],
      ['AWS_DEFAULT_REGION', 'eu-west-1'],
      ['AWS_ACCESS_KEY_ID', 'AKIA'],
      ['AWS_SECRET_ACCESS_KEY', 'secret'],
      ['AWS_SESSION_TOKEN', 'token'],
    ]);
    expect(delivery.profile).toBeUndefined();
    expect(credentialVariables(deliveryRecord(delivery))).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ]);
  });

  it('writes a profile into the job directory and points later steps at its files', () => {
    const delivery = planDelivery(credentials, {
      region: 'us-east-1',
      profile: 'prod',
      jobDirectory: '/tmp/job',
      env: {},
    });
    expect(delivery.profile).toEqual({
      name: 'prod',
      files: { credentialsFile: '/tmp/job/credentials', configFile: '/tmp/job/config' },
    });
    expect(delivery.variables.map(([name]) => name)).toEqual([
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
    ]);
    expect(delivery.variables.flat()).not.toContain('secret');
    expect(credentialVariables(deliveryRecord(delivery))).toEqual([]);
  });

  it('shares the files the job already points at instead of exporting new ones', () => {
    const delivery = planDelivery(credentials, {
      region: 'us-east-1',
      profile: 'prod',
      jobDirectory: '/tmp/job',
      env: { AWS_SHARED_CREDENTIALS_FILE: '/home/me/creds', AWS_CONFIG_FILE: '/home/me/config' },
    });
    expect(delivery.profile?.files).toEqual({
      credentialsFile: '/home/me/creds',
      configFile: '/home/me/config',
    });
    expect(delivery.variables.map(([name]) => name)).toEqual(['AWS_REGION', 'AWS_DEFAULT_REGION']);
  });
});
