// Edge cases of the list inputs' grammars: names given twice, control characters, every
// partition's region, long values echoed short.
import { describe, expect, it } from '@jest/globals';
import { parseImages } from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-images.ts';
import { parseLogOptions } from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-log-options.ts';
import {
  parseEnvironment,
  parseSecrets,
} from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-variables.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';

describe('the list inputs at their edges', () => {
  it('accepts the same name for different containers, and every partition region', () => {
    expect(parseEnvironment('A=1\nweb:A=2\nworker:A=3')).toHaveLength(3);
    expect(parseSecrets(`web:DB=${SECRET}\nworker:DB=${SECRET}`)).toHaveLength(2);
    for (const region of [
      'us-east-1',
      'us-gov-west-1',
      'cn-north-1',
      'eusc-de-east-1',
      'us-isob-east-1',
    ]) {
      expect(parseLogOptions(`region=${region}`)).toEqual([
        { option: 'awslogs-region', value: region },
      ]);
    }
    expect(parseLogOptions('group=/a\nweb:group=/b')).toHaveLength(2);
    expect(parseImages(`web=${'a'.repeat(200)}:${'t'.repeat(128)}`)).toHaveLength(1);
  });

  it.each([
    [
      'environment',
      () => parseEnvironment('A=1\nB=2\n A =3'),
      /^Input 'environment' line 3 \('A =3'\): 'A' is set a second time: keep one\.$/,
    ],
    [
      'environment per container',
      () => parseEnvironment('web:A=1\nweb:A=2'),
      /'A' is set a second time for container 'web'/,
    ],
    [
      'environment in JSON',
      () => parseEnvironment('{"web:A": "1", "web: A": "2"}'),
      /^Input 'environment' key 'web: A': 'A' is set a second time for container 'web'/,
    ],
    [
      'a control character in a name',
      () => parseEnvironment('A\u0001B=1'),
      /^Input 'environment' line 1 \('A\\u0001B=1'\): 'A\\u0001B' is not a variable name \(no spaces, control characters, '=' or ':'\)\.$/,
    ],
    [
      'secrets',
      () => parseSecrets(`DB=${SECRET}\nDB=${SECRET}`),
      /^Input 'secrets' line 2 .*'DB' is set a second time/,
    ],
    [
      'log options',
      () => parseLogOptions('group=/a\nawslogs-group=/b'),
      /^Input 'log-options' line 2 \('awslogs-group=\/b'\): awslogs-group is set a second time: keep one\.$/,
    ],
    [
      'a region of no form',
      () => parseLogOptions('region=europe'),
      /^Input 'log-options' line 1 \('region=europe'\): region must be a region such as eu-west-1\.$/,
    ],
    [
      'a long line, echoed short',
      () => parseEnvironment(`${'N'.repeat(100_000)}`),
      /^Input 'environment' line 1 \('N{60}…' \(100000 characters\)\): expected NAME=value/,
    ],
  ])('refuses %s in one line', (_, parse, message) => {
    expect(parse).toThrow(message);
  });
});
