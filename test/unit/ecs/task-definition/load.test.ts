import { describe, expect, it } from '@jest/globals';
import { RegisterTaskDefinitionRequest$, TaskDefinition$ } from '@aws-sdk/client-ecs';
import { UserError } from '../../../../src/lib/errors.ts';
import { fromRegistered, loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { READ_ONLY_FIELDS } from '../../../../src/ecs/task-definition/read-only-fields.ts';
import { fixture } from './fake-ecs.ts';

describe('loadTaskDefinition', () => {
  it('strips the read-only fields of describe-task-definition output and keeps its tags apart', () => {
    const source = loadTaskDefinition(fixture('describe-task-definition.json'), 'td.json');
    for (const field of READ_ONLY_FIELDS) expect(source.definition).not.toHaveProperty(field);
    expect(source.definition).not.toHaveProperty('tags');
    expect(source.tags).toEqual([
      { key: 'team', value: 'checkout' },
      { key: 'cost-center', value: '4711' },
    ]);
    expect(source.definition.family).toBe('shop-api');
    expect(source.origin).toBe('td.json');
  });

  it('passes fields it does not know through untouched', () => {
    const { definition } = loadTaskDefinition(fixture('describe-task-definition.json'), 'td.json');
    expect(definition).toHaveProperty('futureTopLevelSetting', true);
    expect(definition.containerDefinitions?.[0]).toHaveProperty('futureContainerSetting', {
      mode: 'strict',
    });
    expect(definition.containerDefinitions?.[0]?.restartPolicy).toEqual({
      enabled: true,
      restartAttemptPeriod: 300,
    });
  });

  it('keeps commands as the arrays the file has', () => {
    const { definition } = loadTaskDefinition(fixture('describe-task-definition.json'), 'td.json');
    expect(definition.containerDefinitions?.[0]?.command).toEqual([
      'sh',
      '-c',
      'echo \'starting api\' && exec node server.js --title "shop api"',
    ]);
  });

  it('reads a YAML definition with two containers, numbers where the API takes strings', () => {
    const source = loadTaskDefinition(fixture('two-containers.yaml'), 'billing.yaml');
    const [web, worker] = source.definition.containerDefinitions ?? [];
    expect(source.definition.cpu).toBe('1 vCPU');
    expect(source.definition.memory).toBe('2048');
    expect(web?.environment).toEqual([
      { name: 'PORT', value: '3000' },
      { name: 'FEATURE_FLAGS', value: 'invoices=on,refunds=off' },
    ]);
    expect(web?.command).toEqual(['node', 'server.js', '--banner', 'Billing says "hi" & waves']);
    expect(worker?.command).toEqual(['exec python -m worker --queue "billing jobs"']);
    expect(worker).toHaveProperty('futureContainerSetting', { mode: 'strict' });
    expect(source.tags).toEqual([{ key: 'service', value: 'billing' }]);
    expect(source.definition).not.toHaveProperty('tags');
  });

  it('tells JSON from YAML by content when the name says neither', () => {
    const json = '{"family": "a", "containerDefinitions": [{"name": "app", "image": "x"}]}';
    expect(loadTaskDefinition(json, 'task-def').definition.family).toBe('a');
    expect(
      loadTaskDefinition('family: a\ncontainerDefinitions:\n  - name: app\n', 'task-def').definition
        .family,
    ).toBe('a');
  });

  it('supports YAML merge keys for shared blocks', () => {
    const yaml = `
family: a
x-env: &env
  environment: [{ name: A, value: "1" }]
containerDefinitions:
  - name: one
    <<: *env
  - name: two
    <<: *env
`;
    const { definition } = loadTaskDefinition(yaml, 'a.yml');
    expect(definition.containerDefinitions?.map((c) => c.environment)).toEqual([
      [{ name: 'A', value: '1' }],
      [{ name: 'A', value: '1' }],
    ]);
  });

  it.each([
    ['{"family": "a",', 'td.json', /^td\.json is not valid JSON: .*Fix the file/],
    ['family: [a', 'td.yaml', /^td\.yaml is not valid YAML: .*Fix the file\.$/],
    ['[1, 2]', 'td.json', /^td\.json holds a list, not a task definition/],
    ['', 'td.yaml', /^td\.yaml holds nothing, not a task definition/],
    [
      '{"containerDefinitions": [{"name": "a"}]}',
      'td.json',
      /^td\.json has no family: set "family"/,
    ],
    [
      '{"family": "a b", "containerDefinitions": [{"name": "a"}]}',
      'td.json',
      /family "a b", which is not a family name/,
    ],
    ['{"family": "a"}', 'td.json', /^td\.json has no containerDefinitions/],
    [
      '{"family": "a", "containerDefinitions": [{"image": "x"}]}',
      'td.json',
      /containerDefinitions\[0\] has no name/,
    ],
    [
      '{"family": "a", "containerDefinitions": [{"name": "x"}, {"name": "x"}]}',
      'td.json',
      /two containers named 'x'/,
    ],
    [
      '{"family": "a", "containerDefinitions": [{"name": "x"}], "tags": [{"Key": "a"}]}',
      'td.json',
      /tags that are not a list of/,
    ],
  ])('rejects %j in one line', (text, name, message) => {
    const run = () => loadTaskDefinition(text, name);
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
    expect(run).not.toThrow(/\n/);
  });
});

describe('fromRegistered', () => {
  it('turns a revision ECS holds into a source, read-only fields dropped', () => {
    const source = fromRegistered(
      {
        taskDefinition: {
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/a:3',
          revision: 3,
          status: 'ACTIVE',
          family: 'a',
          containerDefinitions: [{ name: 'app', image: 'app:1' }],
          registeredAt: new Date(),
        },
        tags: [{ key: 'k', value: 'v' }],
      },
      'service a in cluster prod',
    );
    expect(source).toEqual({
      definition: { family: 'a', containerDefinitions: [{ name: 'app', image: 'app:1' }] },
      tags: [{ key: 'k', value: 'v' }],
      origin: 'service a in cluster prod',
    });
  });
});

describe('READ_ONLY_FIELDS', () => {
  it("is exactly what the SDK's TaskDefinition has and RegisterTaskDefinitionRequest lacks", () => {
    // A structure schema is [kind, namespace, name, traits, memberNames, memberSchemas, ...].
    const members = (schema: unknown) => (schema as unknown[])[4] as string[];
    const registerable = new Set(members(RegisterTaskDefinitionRequest$));
    const readOnly = members(TaskDefinition$).filter((field) => !registerable.has(field));
    expect([...READ_ONLY_FIELDS].sort()).toEqual(readOnly.sort());
  });
});
