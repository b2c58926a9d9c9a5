import { describe, expect, it } from '@jest/globals';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import {
  canonicalJson,
  comparableInput,
  comparableRevision,
} from '../../../../src/ecs/task-definition/comparable.ts';
import { differences } from '../../../../src/ecs/task-definition/differences.ts';
import { loadTaskDefinition } from '../../../../src/ecs/task-definition/load.ts';
import { render } from '../../../../src/ecs/task-definition/render.ts';
import { echoAsEcs, fixture } from './fake-ecs.ts';

const same = (input: RegisterTaskDefinitionCommandInput, revision = echoAsEcs(input, 7)) =>
  canonicalJson(comparableInput(input)) ===
  canonicalJson(comparableRevision(revision, input.tags ?? []));

describe('comparable', () => {
  it('sees a revision as ECS echoes it back as equal to what was registered', () => {
    for (const file of ['two-containers.yaml', 'describe-task-definition.json']) {
      const input = render(loadTaskDefinition(fixture(file), file), {});
      expect(same(input)).toBe(true);
    }
  });

  it('equates the defaults ECS fills in with their absence', () => {
    const input: RegisterTaskDefinitionCommandInput = {
      family: 'app',
      networkMode: 'awsvpc',
      cpu: '0.25 vCPU',
      memory: '0.5 GB',
      requiresCompatibilities: ['FARGATE', 'EC2'],
      containerDefinitions: [
        {
          name: 'app',
          image: 'app:1',
          portMappings: [{ containerPort: 80 }],
          healthCheck: { command: ['CMD', 'true'] },
          mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
          linuxParameters: { initProcessEnabled: false },
        },
      ],
      volumes: [{ name: 'data' }],
    };
    const revision = {
      ...structuredClone(input),
      cpu: '256',
      memory: '512',
      requiresCompatibilities: ['EC2' as const, 'FARGATE' as const],
      containerDefinitions: [
        {
          name: 'app',
          image: 'app:1',
          cpu: 0,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' as const }],
          healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 },
          mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
          environment: [],
          volumesFrom: [],
          systemControls: [],
          credentialSpecs: [],
          dockerLabels: {},
          privileged: false,
          readonlyRootFilesystem: false,
          versionConsistency: 'enabled' as const,
          linuxParameters: { capabilities: {} },
          logConfiguration: undefined,
        },
      ],
      volumes: [{ name: 'data', host: {} }],
      placementConstraints: [],
      enableFaultInjection: false,
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/app:3',
      revision: 3,
      status: 'ACTIVE' as const,
    };
    expect(same(input, revision)).toBe(true);
  });

  it('equates variables, secrets and tags in another order, and ignores aws: tags', () => {
    const input: RegisterTaskDefinitionCommandInput = {
      family: 'app',
      containerDefinitions: [
        {
          name: 'app',
          environment: [
            { name: 'B', value: '2' },
            { name: 'A', value: '1' },
          ],
        },
      ],
      tags: [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ],
    };
    const revision = {
      family: 'app',
      containerDefinitions: [
        {
          name: 'app',
          environment: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    };
    expect(
      canonicalJson(comparableInput(input)) ===
        canonicalJson(
          comparableRevision(revision, [
            { key: 'aws:cloudformation:stack-name', value: 's' },
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ]),
        ),
    ).toBe(true);
  });

  it('keeps what is not a documented default: essential false, other ports, udp, bridge host ports', () => {
    const base: RegisterTaskDefinitionCommandInput = {
      family: 'app',
      containerDefinitions: [{ name: 'app', portMappings: [{ containerPort: 80 }] }],
    };
    const variant = (container: object, extra: object = {}) => ({
      ...base,
      ...extra,
      containerDefinitions: [{ name: 'app', ...container }],
    });
    for (const revision of [
      variant({ portMappings: [{ containerPort: 80 }], essential: false }),
      variant({ portMappings: [{ containerPort: 80, protocol: 'udp' }] }),
      // Bridge networking: a host port equal to the container port is a fixed port, not dynamic.
      variant({ portMappings: [{ containerPort: 80, hostPort: 80 }] }),
      variant({ portMappings: [{ containerPort: 80 }], cpu: 10 }),
      variant({ portMappings: [{ containerPort: 80 }] }, { networkMode: 'bridge' }),
      variant({ portMappings: [{ containerPort: 80 }], unknownFlag: false }),
    ]) {
      expect(same(base, revision)).toBe(false);
    }
  });
});

describe('differences', () => {
  it('lists top-level and per-container changes, without variable values', () => {
    const before = comparableInput({
      family: 'app',
      cpu: '256',
      taskRoleArn: 'arn:aws:iam::111122223333:role/a',
      containerDefinitions: [
        {
          name: 'web',
          image: 'app:1',
          environment: [
            { name: 'KEEP', value: '1' },
            { name: 'CHANGE', value: 'secret-ish' },
            { name: 'DROP', value: 'x' },
          ],
          command: ['a'],
        },
        { name: 'old', image: 'old:1' },
      ],
      tags: [{ key: 'team', value: 'a' }],
    });
    const after = comparableInput({
      family: 'app',
      cpu: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: 'app:2',
          environment: [
            { name: 'KEEP', value: '1' },
            { name: 'CHANGE', value: 'other' },
            { name: 'ADD', value: 'y' },
          ],
          command: ['b'],
        },
        { name: 'new', image: 'new:1' },
      ],
      tags: [{ key: 'team', value: 'b' }],
      volumes: [{ name: 'v' }],
    });
    // In the order of the rendered request's fields, then those only the revision has.
    expect(differences(before, after)).toEqual([
      'cpu: 256 → 512',
      'containerDefinitions[new]: added',
      'containerDefinitions[web].image: app:1 → app:2',
      'containerDefinitions[web].environment: ADD added, CHANGE changed, DROP removed',
      'containerDefinitions[web].command: changed',
      'containerDefinitions[old]: removed',
      'tags: team changed',
      'volumes: added',
      'taskRoleArn: removed (was arn:aws:iam::111122223333:role/a)',
    ]);
    expect(differences(before, after).join('\n')).not.toContain('secret-ish');
  });
});
