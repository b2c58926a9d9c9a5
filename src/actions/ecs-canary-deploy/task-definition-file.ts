// The task-definition input: a file in the workspace, read before any call to AWS; left out, the
// engine renders from the service's current revision.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { TaskDefinitionOrigin } from '../../ecs/deploy/index.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import type { Runner } from '../../runner/runner.ts';

export async function taskDefinitionOrigin(
  runner: Runner,
  path: string | undefined,
): Promise<TaskDefinitionOrigin> {
  if (path === undefined) return { kind: 'service' };
  const full = resolve(runner.env.GITHUB_WORKSPACE || process.cwd(), path);
  try {
    return { kind: 'file', text: await readFile(full, 'utf8'), fileName: basename(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `Input 'task-definition' names ${path}, which does not exist in the workspace: check the path (relative to the repository root) or check out the repository first.`
        : `Input 'task-definition': cannot read ${path} (${code ?? oneLine(error)}).`,
    );
  }
}
