import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_TASK_DEFINITION_FILE_BYTES,
  taskDefinitionOrigin,
} from '../../../../src/actions/ecs-canary-deploy/task-definition-file.ts';
import type { Runner } from '../../../../src/runner/runner.ts';

const DEFINITION = { family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1' }] };

let root: string;
let workspace: string;
const origin = (path: string) =>
  taskDefinitionOrigin({ env: { GITHUB_WORKSPACE: workspace } } as unknown as Runner, path);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ecs-td-'));
  workspace = join(root, 'workspace');
  mkdirSync(join(workspace, 'ecs'), { recursive: true });
  writeFileSync(join(root, 'outside.json'), JSON.stringify(DEFINITION));
  writeFileSync(join(workspace, 'ecs/web.json'), `\uFEFF${JSON.stringify(DEFINITION)}`);
  writeFileSync(
    join(workspace, 'ecs/web.yaml'),
    'family: web\ncontainerDefinitions:\n  - name: web\n    image: web:1\ncpu: 256\n',
  );
  writeFileSync(join(workspace, 'ecs/task'), JSON.stringify({ taskDefinition: DEFINITION }));
  writeFileSync(join(workspace, 'ecs/list.json'), '[]');
  writeFileSync(join(workspace, 'ecs/empty.yaml'), '');
  writeFileSync(join(workspace, 'ecs/no-containers.json'), '{"family": "web"}');
  writeFileSync(join(workspace, 'ecs/broken.json'), '{"family": ');
  writeFileSync(join(workspace, 'ecs/broken.yaml'), 'family: [web\n');
  writeFileSync(join(workspace, 'ecs/latin1.json'), Buffer.from([0x7b, 0xe9, 0x7d]));
  writeFileSync(join(workspace, 'ecs/big.json'), ' '.repeat(MAX_TASK_DEFINITION_FILE_BYTES + 1));
  symlinkSync(join(root, 'outside.json'), join(workspace, 'ecs/escape.json'));
  symlinkSync(join(workspace, 'ecs/web.json'), join(workspace, 'ecs/link.json'));
  symlinkSync(root, join(workspace, 'up'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('taskDefinitionOrigin', () => {
  it('is the service revision without a file', async () => {
    await expect(origin(undefined as unknown as string)).resolves.toEqual({ kind: 'service' });
  });

  it.each([
    ['JSON (with a byte order mark)', 'ecs/web.json'],
    ['YAML, through its lazily loaded parser', 'ecs/web.yaml'],
    ['describe-task-definition output without an extension', 'ecs/task'],
    ['a link that stays in the workspace', 'ecs/link.json'],
    ['a path with .. that stays in the workspace', 'ecs/../ecs/web.json'],
  ])('reads and checks %s before any call', async (_, path) => {
    const read = await origin(path);
    expect(read).toMatchObject({
      kind: 'file',
      source: { definition: { family: 'web', containerDefinitions: [{ name: 'web' }] } },
    });
  });

  it('takes an absolute path inside the workspace', async () => {
    await expect(origin(join(workspace, 'ecs/web.json'))).resolves.toMatchObject({ kind: 'file' });
  });

  it.each([
    [
      'a path above the workspace',
      '../outside.json',
      /^Input 'task-definition' names '\.\.\/outside\.json', which is outside the workspace \(after following links\): give a file in the repository, relative to its root\.$/,
    ],
    [
      'an absolute path outside',
      '/etc/hostname',
      /^Input 'task-definition' names '\/etc\/hostname', which is outside the workspace/,
    ],
    [
      'a link out of the workspace',
      'ecs/escape.json',
      /names 'ecs\/escape\.json', which is outside the workspace/,
    ],
    ['a directory link out of the workspace', 'up/outside.json', /which is outside the workspace/],
    ['the workspace itself', '.', /which is outside the workspace/],
    [
      'a missing file above the workspace',
      '../missing.json',
      /^Input 'task-definition' names '\.\.\/missing\.json', which is outside the workspace/,
    ],
    ['a missing absolute path outside', '/nonexistent/web.json', /which is outside the workspace/],
    ['a directory', 'ecs', /^Input 'task-definition' names 'ecs', which is not a file/],
    [
      'a missing file',
      'ecs/missing.json',
      /^Input 'task-definition' names ecs\/missing\.json, which does not exist in the workspace/,
    ],
    ['a file under a file', 'ecs/web.json/x', /which does not exist in the workspace/],
    [
      'a list',
      'ecs/list.json',
      /^Input 'task-definition': list\.json holds a list, not a task definition/,
    ],
    [
      'an empty file',
      'ecs/empty.yaml',
      /^Input 'task-definition': empty\.yaml holds nothing, not a task definition/,
    ],
    [
      'no containerDefinitions',
      'ecs/no-containers.json',
      /^Input 'task-definition': no-containers\.json has no containerDefinitions/,
    ],
    ['broken JSON', 'ecs/broken.json', /^Input 'task-definition': broken\.json is not valid JSON/],
    ['broken YAML', 'ecs/broken.yaml', /^Input 'task-definition': broken\.yaml is not valid YAML/],
    [
      'text that is not UTF-8',
      'ecs/latin1.json',
      /names 'ecs\/latin1\.json', which is not UTF-8 text/,
    ],
    [
      'a file over 1 MiB',
      'ecs/big.json',
      /which is 1048577 bytes: a task definition file is at most 1048576/,
    ],
    [
      'a NUL in the path',
      'ecs/web.json\0x',
      /^Input 'task-definition' names 'ecs\/web\.json\\u0000x', which is not a path/,
    ],
  ])('refuses %s in one line that names the input', async (_, path, message) => {
    const error = await origin(path).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('UserError');
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});
