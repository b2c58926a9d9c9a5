// The root action's inputs with the deploy document: every input given is checked before the role
// is assumed (stand-ins where the document will give a value), then once more with the document's
// values, a refusal of one of those said as the document's.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseInputs } from '../../../../src/actions/deploy/inputs.ts';
import type { DeployDocument } from '../../../../src/deploy-document/document.ts';
import type { ReadDocument } from '../../../../src/deploy-document/read.ts';

const ROLE = 'arn:aws:iam::123456789012:role/shop-deploy-staging';
const NAME = '/aws-ship-suite/shop-deploy-staging';
const REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop';
const ENV = { GITHUB_SHA: 'a'.repeat(40), GITHUB_ACTOR: 'octocat' };
const MINIMAL = {
  environment: 'staging',
  'role-to-assume': ROLE,
  'aws-region': 'eu-west-1',
  digest: `sha256:${'4f'.repeat(32)}`,
  'github-token': 'ghs_rootinputs',
};
const workspace = mkdtempSync(join(tmpdir(), 'root-inputs-'));
mkdirSync(join(workspace, 'migrations'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const documentOf = (more: Partial<DeployDocument> = {}): ReadDocument => {
  const document: DeployDocument = {
    version: 1,
    ecr: { repositoryName: 'shop', repositoryUri: REPOSITORY },
    ecs: { cluster: 'staging', service: 'shop' },
    ...more,
  };
  return { name: NAME, json: JSON.stringify(document), document };
};
const parse = (inputs: Record<string, string>, document?: ReadDocument) =>
  parseInputs((name) => ({ ...MINIMAL, ...inputs })[name], ENV, workspace, document);

describe('root action inputs and the deploy document', () => {
  it('reads no document when image-repository, cluster and service are given', () => {
    const config = parse({ cluster: 'c', service: 's', 'image-repository': REPOSITORY });
    expect(config.document).toBeUndefined();
    expect(config.canary.deploy).toMatchObject({ cluster: 'c', service: 's' });
  });

  it('without them, asks for the document and checks the rest of the inputs now', () => {
    expect(parse({}).document).toEqual({ read: false });
    expect(() => parse({ 'canary-percent': '0' })).toThrow(/^Input 'canary-percent' is '0'/);
    expect(() => parse({ cluster: 'a b' })).toThrow(/^Input 'cluster' is 'a b'/);
  });

  it('takes a service ARN without a cluster: the document gives the cluster, no stand-in refuses it', () => {
    const service = 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web';
    expect(parse({ service }).document).toEqual({ read: false });
  });

  it('with the document, fills each empty input from it; an input given wins', () => {
    const config = parse(
      { service: 'web' },
      documentOf({
        alarms: { canary: ['shop-5xx'] },
        migration: { databaseSecretArn: 'staging/shop/db' },
      }),
    );
    expect(config.document).toEqual({
      read: true,
      name: NAME,
      gave: [
        ['image-repository', REPOSITORY],
        ['cluster', 'staging'],
        ['secret-id', 'staging/shop/db'],
        ['alarms', 'shop-5xx'],
      ],
    });
    expect(config.canary.deploy).toMatchObject({
      cluster: 'staging',
      service: 'web',
      alarms: ['shop-5xx'],
    });
    expect(config.canary.deploy.overrides.images).toEqual([
      { container: undefined, image: `${REPOSITORY}@${MINIMAL.digest}` },
    ]);
    expect(JSON.stringify(config.migrate?.connection)).toContain('staging/shop/db');
  });

  it('runs no migrations when neither the inputs nor the document name a database', () => {
    expect(parse({}, documentOf()).migrate).toBeUndefined();
  });

  it("says a value the document gave that the deploy cannot use is the document's", () => {
    expect(() => parse({}, documentOf({ ecs: { cluster: 'a b', service: 'shop' } }))).toThrow(
      `The deploy document at ${NAME} gives ecs.cluster 'a b', which this deploy cannot use (`,
    );
    expect(() =>
      parse({}, documentOf({ ecr: { repositoryName: 'shop', repositoryUri: `${REPOSITORY}:v2` } })),
    ).toThrow(
      /^The deploy document at .* gives ecr.repositoryUri '.*:v2', which this deploy cannot use \(Input 'image-repository' is/,
    );
  });
});
