import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../../src/lib/errors.ts';
import { parseLogOptions } from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-log-options.ts';
import {
  parseCommand,
  parseOverrides,
  parseRoleArn,
} from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-overrides.ts';

describe('parseOverrides', () => {
  it('parses every input that is set and leaves out the empty ones', () => {
    expect(
      parseOverrides({
        images: 'web=app:2',
        environment: '',
        secrets: '  \n',
        'task-role-arn': ' arn:aws:iam::111122223333:role/app-task ',
        'execution-role-arn': 'arn:aws:iam::111122223333:role/path/app-execution',
        'log-options': 'group=/ecs/app',
        command: '["node", "server.js"]',
      }),
    ).toEqual({
      images: [{ container: 'web', image: 'app:2' }],
      taskRoleArn: 'arn:aws:iam::111122223333:role/app-task',
      executionRoleArn: 'arn:aws:iam::111122223333:role/path/app-execution',
      logOptions: [{ option: 'awslogs-group', value: '/ecs/app' }],
      command: [{ command: ['node', 'server.js'] }],
    });
    expect(parseOverrides({})).toEqual({});
  });
});

describe('parseRoleArn', () => {
  it.each(['app-task', 'arn:aws:iam::111122223333:user/ci', 'arn:aws:iam::1111:role/x'])(
    'rejects %j: only full role ARNs',
    (text) => {
      expect(() => parseRoleArn('task-role-arn', text)).toThrow(
        `Input 'task-role-arn' is '${text}', which is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<name>.`,
      );
    },
  );
});

describe('parseCommand', () => {
  it('takes a JSON array as it is: quoted arguments stay whole', () => {
    expect(parseCommand('["sh", "-c", "echo \'a b\' && exec app --name \\"x y\\""]')).toEqual([
      { command: ['sh', '-c', 'echo \'a b\' && exec app --name "x y"'] },
    ]);
  });

  it('takes an object of container -> array', () => {
    expect(parseCommand('{"web": ["node", "a b.js"], "worker": ["python", "-m", "w"]}')).toEqual([
      { container: 'web', command: ['node', 'a b.js'] },
      { container: 'worker', command: ['python', '-m', 'w'] },
    ]);
  });

  it.each([
    ['npm run start', 'is not JSON'],
    ['[]', 'is not a non-empty command'],
    ['[1, 2]', 'is not a non-empty command'],
    ['{"web": "npm start"}', "entry 'web' is not a container name with a non-empty array"],
  ])('rejects %j and says it is never split on spaces', (text, message) => {
    expect(() => parseCommand(text)).toThrow(UserError);
    expect(() => parseCommand(text)).toThrow(message);
    expect(() => parseCommand(text)).toThrow('never split on spaces');
  });
});

describe('parseLogOptions', () => {
  it('maps short keys to awslogs options, for all containers or one', () => {
    expect(
      parseLogOptions(`
        group=/ecs/billing
        region=eu-west-1
        stream-prefix=billing
        worker:stream-prefix=worker
        awslogs-create-group=true
        mode=non-blocking
        multiline-pattern=^\\d{4}-\\d{2}=x
      `),
    ).toEqual([
      { option: 'awslogs-group', value: '/ecs/billing' },
      { option: 'awslogs-region', value: 'eu-west-1' },
      { option: 'awslogs-stream-prefix', value: 'billing' },
      { container: 'worker', option: 'awslogs-stream-prefix', value: 'worker' },
      { option: 'awslogs-create-group', value: 'true' },
      { option: 'mode', value: 'non-blocking' },
      { option: 'awslogs-multiline-pattern', value: '^\\d{4}-\\d{2}=x' },
    ]);
  });

  it.each([
    ['colour=blue', "unknown awslogs option 'colour'; use one of group, region, stream-prefix"],
    ['region=Ireland', 'region must be a region such as eu-west-1'],
    ['stream-prefix=a:b', "stream-prefix must be a stream prefix without ':'"],
    ['group=', 'group must be a log group name'],
    ['mode=fast', 'mode must be blocking or non-blocking'],
    ['group', 'expected key=value or container:key=value'],
  ])('rejects %j in one line', (text, message) => {
    expect(() => parseLogOptions(text)).toThrow(message);
    expect(() => parseLogOptions(text)).toThrow(/^Input 'log-options' line 1 [^\n]*$/);
  });
});
