// The deploy's target: each input given, else the deploy document's field, as deploy.yml reads it.
import { describe, expect, it } from '@jest/globals';
import type { DeployDocument } from '../../../src/deploy-document/document.ts';
import { type TargetValues, readsDocument, targetOf } from '../../../src/deploy/target.ts';

const NAME = '/aws-ship-suite/shop-deploy-staging';
const DOCUMENT: DeployDocument = {
  version: 1,
  ecr: {
    repositoryName: 'shop',
    repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop',
  },
  ecs: { cluster: 'staging', service: 'shop', smokeUrl: 'http://test.internal/health' },
  alarms: { canary: ['shop-5xx', 'shop-p95'] },
  migration: {
    databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-a1b2c3',
  },
};
const NONE: TargetValues = {
  'image-repository': '',
  cluster: '',
  service: '',
  'secret-id': '',
  'smoke-url': '',
  alarms: '',
};
const ALL_THREE = { ...NONE, 'image-repository': 'r', cluster: 'c', service: 's' };

describe('readsDocument', () => {
  it('is false only when repository, cluster and service are all given', () => {
    expect(readsDocument(ALL_THREE)).toBe(false);
    expect(readsDocument({ ...ALL_THREE, cluster: '' })).toBe(true);
    expect(readsDocument({ ...ALL_THREE, 'image-repository': '' })).toBe(true);
    expect(readsDocument(NONE)).toBe(true);
  });

  it('is not asked for by secret-id, smoke-url or alarms left empty', () => {
    expect(readsDocument({ ...ALL_THREE, 'secret-id': '', 'smoke-url': '', alarms: '' })).toBe(
      false,
    );
  });
});

describe('targetOf', () => {
  it('fills every empty input from the document, alarms joined with commas', () => {
    expect(targetOf(NONE, { name: NAME, document: DOCUMENT })).toEqual({
      values: {
        'image-repository': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop',
        cluster: 'staging',
        service: 'shop',
        'secret-id': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-a1b2c3',
        'smoke-url': 'http://test.internal/health',
        alarms: 'shop-5xx,shop-p95',
      },
      fromDocument: ['image-repository', 'cluster', 'service', 'secret-id', 'smoke-url', 'alarms'],
    });
  });

  it('keeps every input given over the document', () => {
    const target = targetOf(
      { ...NONE, cluster: 'other', 'secret-id': 'mine/db', alarms: 'mine' },
      { name: NAME, document: DOCUMENT },
    );
    expect(target.values).toMatchObject({
      cluster: 'other',
      'secret-id': 'mine/db',
      alarms: 'mine',
    });
    expect(target.fromDocument).toEqual(['image-repository', 'service', 'smoke-url']);
  });

  it('leaves empty what the document does not have: no secret, no smoke URL, no alarms', () => {
    const bare: DeployDocument = {
      version: 1,
      ecr: DOCUMENT.ecr,
      ecs: { cluster: 'staging', service: 'shop' },
    };
    const target = targetOf(NONE, { name: NAME, document: bare });
    expect(target.values).toMatchObject({ 'secret-id': '', 'smoke-url': '', alarms: '' });
    expect(target.fromDocument).toEqual(['image-repository', 'cluster', 'service']);
  });

  it('refuses an empty image-repository the document has no URI for, naming both fixes', () => {
    const withoutUri: DeployDocument = { ...DOCUMENT, ecr: { repositoryName: 'shop' } };
    expect(() => targetOf(NONE, { name: NAME, document: withoutUri })).toThrow(
      `Input 'image-repository' is empty and the deploy document at ${NAME} has no ecr.repositoryUri: give image-repository, or redeploy the stack (infra/) so its document names the repository.`,
    );
    expect(
      targetOf({ ...NONE, 'image-repository': 'r' }, { name: NAME, document: withoutUri }).values[
        'image-repository'
      ],
    ).toBe('r');
  });
});
