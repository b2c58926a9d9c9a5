// The deploy document reader: the parameter named after the role, the errors a person can act on,
// and the checks of version 1 and the fields a deploy uses.
import { describe, expect, it } from '@jest/globals';
import { deployDocumentName, parseDeployDocument } from '../../../src/deploy-document/document.ts';
import { readDeployDocument } from '../../../src/deploy-document/read.ts';
import { UserError } from '../../../src/lib/errors.ts';

const ROLE = 'arn:aws:iam::123456789012:role/octo-app-staging-deploy';
const NAME = '/aws-ship-suite/octo-app-staging-deploy';
const DOCUMENT = {
  version: 1,
  environment: 'staging',
  deployRoleArn: ROLE,
  ecr: { repositoryName: 'octo-app', repositoryUri: '1.dkr.ecr.us-east-1.amazonaws.com/octo-app' },
  ecs: { cluster: 'c', service: 's', smokeUrl: 'https://x/health', taskFamily: 'f' },
  alarms: { canary: ['a-5xx'], all: ['a-5xx', 'b'] },
  migration: { databaseSecretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:db-abcdef' },
  site: { bucket: 'site', distributionId: 'E123' },
  queue: { url: 'https://sqs' },
};

const awsError = (name: string, message = '') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

function store(answer: () => Promise<string>) {
  const asked: string[] = [];
  return {
    asked,
    parameters: {
      getParameter: (name: string) => {
        asked.push(name);
        return answer();
      },
    },
    signal: new AbortController().signal,
  };
}

describe('deployDocumentName', () => {
  it('is /aws-ship-suite/ and the role name, the last segment of the ARN (a path dropped)', () => {
    expect(deployDocumentName(ROLE)).toBe(NAME);
    expect(deployDocumentName('arn:aws:iam::123456789012:role/ci/app-prod-deploy')).toBe(
      '/aws-ship-suite/app-prod-deploy',
    );
  });
});

describe('readDeployDocument', () => {
  it('reads the parameter of the role and returns the JSON as read, extra fields kept', async () => {
    const json = JSON.stringify(DOCUMENT);
    const deps = store(async () => json);
    const read = await readDeployDocument(ROLE, deps);
    expect(deps.asked).toEqual([NAME]);
    expect(read.name).toBe(NAME);
    expect(read.json).toBe(json);
    expect(read.document.ecs.cluster).toBe('c');
    expect((read.document as unknown as { queue: unknown }).queue).toEqual({ url: 'https://sqs' });
  });

  it.each([
    [
      'ParameterNotFound',
      `no deploy document at ${NAME}: deploy the stack (infra/) or check role-to-assume`,
    ],
    ['AccessDeniedException', /^arn:.*octo-app-staging-deploy may not read its deploy document at/],
    ['InternalServerError', /^Reading the deploy document at .* failed: /],
  ])('turns %s into one line a person can act on', async (code, message) => {
    const failing = readDeployDocument(
      ROLE,
      store(() => Promise.reject(awsError(code, 'denied'))),
    );
    await expect(failing).rejects.toBeInstanceOf(UserError);
    await expect(failing).rejects.toThrow(message);
    await failing.catch((error: Error) => expect(error.message).not.toContain('\n'));
  });
});

describe('parseDeployDocument', () => {
  const parse = (value: unknown) =>
    parseDeployDocument(typeof value === 'string' ? value : JSON.stringify(value), NAME, ROLE);
  const without = (path: string) => {
    const copy = structuredClone(DOCUMENT) as unknown as Record<string, Record<string, unknown>>;
    const [head, tail] = path.split('.') as [string, string];
    delete copy[head]![tail];
    return copy;
  };

  it('accepts the minimum a deploy needs', () => {
    expect(
      parse({ version: 1, ecr: { repositoryName: 'r' }, ecs: { cluster: 'c', service: 's' } }),
    ).toMatchObject({ ecs: { service: 's' } });
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['an array', [], /is not a JSON object/],
    [
      'version 2',
      { ...DOCUMENT, version: 2 },
      /has version 2; this aws-ship-suite reads version 1/,
    ],
    ['no version', { ...DOCUMENT, version: undefined }, /has version null/],
    ['no cluster', without('ecs.cluster'), /has no ecs.cluster \(it must be a cluster name\)/],
    ['no repository', without('ecr.repositoryName'), /has no ecr.repositoryName/],
    ['an empty service', { ...DOCUMENT, ecs: { cluster: 'c', service: '' } }, /a bad ecs.service/],
    ['alarms not a list', { ...DOCUMENT, alarms: { canary: 'a' } }, /a bad alarms.canary/],
    ['a half site', { ...DOCUMENT, site: { bucket: 'b' } }, /site without both bucket/],
    [
      "another role's document",
      { ...DOCUMENT, deployRoleArn: 'arn:aws:iam::999999999999:role/octo-app-staging-deploy' },
      /belongs to arn:aws:iam::999999999999:role\/octo-app-staging-deploy, not to role-to-assume/,
    ],
  ])('refuses %s in one line', (_name, value, message) => {
    expect(() => parse(value)).toThrow(UserError);
    expect(() => parse(value)).toThrow(message);
  });
});
