import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../../src/lib/errors.ts';
import {
  parseEnvironment,
  parseSecrets,
} from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-variables.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/db-AbCdEf';
const PARAMETER = 'arn:aws:ssm:eu-west-1:111122223333:parameter/shop/api/token';

describe('parseEnvironment', () => {
  it('splits on the first = only and keeps spaces inside values', () => {
    expect(
      parseEnvironment(`
        DATABASE_OPTIONS=sslmode=require&connect_timeout=5
        GREETING=hello, wide world
        TOKEN=YWJjZA==
        EMPTY=
      `),
    ).toEqual([
      { name: 'DATABASE_OPTIONS', value: 'sslmode=require&connect_timeout=5' },
      { name: 'GREETING', value: 'hello, wide world' },
      { name: 'TOKEN', value: 'YWJjZA==' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  it('scopes a variable to one container with container:NAME', () => {
    expect(parseEnvironment('web:PORT=3000\nLOG_LEVEL=debug\n# comment\nworker:QUEUE=a=b')).toEqual(
      [
        { container: 'web', name: 'PORT', value: '3000' },
        { name: 'LOG_LEVEL', value: 'debug' },
        { container: 'worker', name: 'QUEUE', value: 'a=b' },
      ],
    );
  });

  it('reads the JSON form, for values with newlines or edge spaces', () => {
    expect(
      parseEnvironment(
        '{"CERT": "-----BEGIN-----\\nabc\\n-----END-----", "web:PAD": "  x  ", "N": 3}',
      ),
    ).toEqual([
      { name: 'CERT', value: '-----BEGIN-----\nabc\n-----END-----' },
      { container: 'web', name: 'PAD', value: '  x  ' },
      { name: 'N', value: '3' },
    ]);
  });

  it.each([
    ['LOG_LEVEL', "line 1 ('LOG_LEVEL'): expected NAME=value or container:NAME=value"],
    ['=value', 'the name is empty'],
    ['MY VAR=1', "'MY VAR' is not a variable name"],
    ['web app:X=1', "'web app' is not a container name"],
    ['{"A": 1', 'is not valid JSON'],
    ['{"A": null}', "key 'A' has a null value"],
    ['{"A": {"b": 1}}', "key 'A' has an object value"],
  ])('rejects %j in one line', (text, message) => {
    expect(() => parseEnvironment(text)).toThrow(UserError);
    expect(() => parseEnvironment(text)).toThrow(message);
    expect(() => parseEnvironment(text)).toThrow(/^Input 'environment' [^\n]*$/);
  });
});

describe('parseSecrets', () => {
  it('reads Secrets Manager and SSM parameter ARNs, JSON keys and versions included', () => {
    expect(
      parseSecrets(`
        api:DATABASE_PASSWORD=${SECRET}:password::
        API_TOKEN=${PARAMETER}
        worker:GOV=arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/x
      `),
    ).toEqual([
      { container: 'api', name: 'DATABASE_PASSWORD', valueFrom: `${SECRET}:password::` },
      { name: 'API_TOKEN', valueFrom: PARAMETER },
      {
        container: 'worker',
        name: 'GOV',
        valueFrom: 'arn:aws-us-gov:ssm:us-gov-west-1:111122223333:parameter/x',
      },
    ]);
  });

  it.each([
    'TOKEN=shop/api/token',
    'TOKEN=arn:aws:s3:::bucket/key',
    'TOKEN=arn:aws:secretsmanager:eu-west-1:1111:secret:x',
  ])('rejects %j: not a secret ARN', (text) => {
    expect(() => parseSecrets(text)).toThrow(
      /^Input 'secrets' line 1 \(.*\): '.*' is not a Secrets Manager secret ARN .* or an SSM parameter ARN/,
    );
  });
});
