import { describe, expect, it } from '@jest/globals';
import {
  checkAlarms,
  checkEcsTarget,
  checkRoleArn,
} from '../../../../src/actions/ecs-canary-deploy/identifiers.ts';

const ACCOUNT = '123456789012';
const ecs = (resource: string, region = 'eu-west-1', partition = 'aws') =>
  `arn:${partition}:ecs:${region}:${ACCOUNT}:${resource}`;

describe('checkEcsTarget', () => {
  it.each([
    ['names', 'prod', 'web', 'eu-west-1'],
    ['a cluster ARN and a service name', ecs('cluster/prod'), 'web', 'eu-west-1'],
    ['an old-format service ARN', 'prod', ecs('service/web'), 'eu-west-1'],
    ['a new-format service ARN', ecs('cluster/prod'), ecs('service/prod/web'), 'eu-west-1'],
    ['255-character names', 'c'.repeat(255), 's'.repeat(255), 'eu-west-1'],
    ['ARNs of another partition', ecs('cluster/a', 'cn-north-1', 'aws-cn'), 'b', 'cn-north-1'],
    [
      'ARNs of a new partition',
      'a',
      ecs('service/a/b', 'eusc-de-east-1', 'aws-eusc'),
      'eusc-de-east-1',
    ],
  ])('accepts %s, as given', (_, cluster, service, region) => {
    expect(checkEcsTarget(cluster, service, region)).toEqual({ cluster, service });
  });

  it.each([
    [
      'a service ARN for cluster',
      ecs('service/prod/web'),
      'web',
      /^Input 'cluster' is 'arn:aws:ecs:eu-west-1:123456789012:service\/prod\/web', an ECS service ARN, not a cluster ARN: use the cluster's name, or its ARN \(arn:aws:ecs:eu-west-1:<account>:cluster\/<name>\)\.$/,
    ],
    [
      'a cluster ARN for service',
      'prod',
      ecs('cluster/prod'),
      /^Input 'service' is '.*cluster\/prod', an ECS cluster ARN, not a service ARN/,
    ],
    [
      'a task definition ARN for service',
      'prod',
      ecs('task-definition/web:3'),
      /^Input 'service' is .*, an ECS task-definition ARN, not a service ARN/,
    ],
    [
      'an ARN of another service',
      `arn:aws:iam::${ACCOUNT}:role/prod`,
      'web',
      /^Input 'cluster' is .*, an ARN of iam, not a cluster ARN/,
    ],
    [
      'an ARN in another region',
      ecs('cluster/prod', 'us-east-1'),
      'web',
      /^Input 'cluster' is an ARN in region 'us-east-1', but the step works in eu-west-1: set aws-region to us-east-1, or give the cluster in eu-west-1\.$/,
    ],
    [
      'a service of another cluster',
      'staging',
      ecs('service/prod/web'),
      /^Input 'service' is the ARN of a service in cluster 'prod', but input 'cluster' is 'staging'/,
    ],
    [
      'ARNs in two accounts',
      ecs('cluster/prod'),
      `arn:aws:ecs:eu-west-1:999999999999:service/prod/web`,
      /^Input 'service' is an ARN in account 999999999999, but input 'cluster' is an ARN in account 123456789012/,
    ],
    [
      'a cluster ARN with a path',
      ecs('cluster/a/b'),
      'web',
      /^Input 'cluster' is .*, which is not a valid cluster ARN/,
    ],
    [
      'a service ARN with three parts',
      'a',
      ecs('service/a/b/c'),
      /^Input 'service' is .*, which is not a valid service ARN/,
    ],
    [
      'a short account',
      'arn:aws:ecs:eu-west-1:1234:cluster/prod',
      'web',
      /^Input 'cluster' is .*, which is not an ARN/,
    ],
    [
      'a truncated ARN',
      'arn:aws:ecs',
      'web',
      /^Input 'cluster' is 'arn:aws:ecs', which is not an ARN/,
    ],
    [
      'a name with a space',
      'my cluster',
      'web',
      /^Input 'cluster' is 'my cluster': use a name of up to 255/,
    ],
    [
      'a 256-character name',
      'web',
      's'.repeat(256),
      /^Input 'service' is 's{60}…' \(256 characters\): use a name/,
    ],
  ])('refuses %s', (_, cluster, service, message) => {
    expect(() => checkEcsTarget(cluster, service, 'eu-west-1')).toThrow(message);
  });
});

describe('checkRoleArn', () => {
  const role = (pathAndName: string) => `arn:aws:iam::${ACCOUNT}:role/${pathAndName}`;
  it.each([
    role('deployer'),
    role('r'.repeat(64)),
    role('service-role/ecs.tasks_+=,.@-x'),
    `arn:aws:iam::${ACCOUNT}:role/${'p'.repeat(510)}/deployer`,
    `arn:aws-us-gov:iam::${ACCOUNT}:role/deployer`,
  ])('accepts %s', (arn) => {
    expect(checkRoleArn('task-role-arn', ` ${arn} `)).toBe(arn);
  });

  it.each([
    [
      'a bare name',
      'deployer',
      /^Input 'task-role-arn' is 'deployer', which is not an IAM role ARN/,
    ],
    ['a user ARN', `arn:aws:iam::${ACCOUNT}:user/ci`, /which is not an IAM role ARN/],
    [
      'a role name of 65 characters',
      role('r'.repeat(65)),
      /^Input 'task-role-arn' names a role of 65 characters \('r{40}…' \(65 characters\)\): IAM role names have at most 64, check the ARN\.$/,
    ],
    [
      'a role path of 513 characters',
      `arn:aws:iam::${ACCOUNT}:role/${'p'.repeat(511)}/x`,
      /^Input 'task-role-arn' has a role path of 513 characters .*: IAM role paths have at most 512/,
    ],
    [
      'a name with a space',
      role('de ployer'),
      /^Input 'task-role-arn' names the role 'de ployer', which is not an IAM role name/,
    ],
    [
      'an empty name',
      role('path/'),
      /^Input 'task-role-arn' names the role '', which is not an IAM role name/,
    ],
    [
      'a path with a space',
      role('a b/x'),
      /^Input 'task-role-arn' has the role path '\/a b\/', which IAM does not accept/,
    ],
  ])('refuses %s', (_, text, message) => {
    expect(() => checkRoleArn('task-role-arn', text)).toThrow(message);
  });
});

describe('checkAlarms', () => {
  it('takes names one per line or comma-separated, up to 10, each up to 255 characters', () => {
    expect(checkAlarms('a, b\n\nc ')).toEqual(['a', 'b', 'c']);
    const ten = Array.from({ length: 10 }, (_, i) => `alarm ${i} ${'x'.repeat(245)}`.slice(0, 255));
    expect(checkAlarms(ten.join('\n'))).toEqual(ten);
    expect(checkAlarms('')).toEqual([]);
  });

  it.each([
    [
      'a 256-character name',
      'x'.repeat(256),
      /^Input 'alarms' has a name of 256 characters \('x{40}…' \(256 characters\)\): CloudWatch alarm names have at most 255\.$/,
    ],
    [
      'a control character',
      'web\u0007-5xx',
      /^Input 'alarms' has the name 'web\\u0007-5xx' with a control character/,
    ],
    ['a name twice', 'a\nb\na', /^Input 'alarms' lists 'a' twice: give each alarm once\.$/],
    [
      '11 alarms',
      Array.from({ length: 11 }, (_, i) => `a${i}`).join(','),
      /^Input 'alarms' lists 11 alarms; ECS watches at most 10 per service/,
    ],
  ])('refuses %s', (_, text, message) => {
    expect(() => checkAlarms(text)).toThrow(message);
  });
});
