// The task-definition input: a file in the workspace, read, parsed and checked before any call to
// AWS; left out, the engine renders from the service's current revision. The path must stay in
// the workspace once every `..` and symbolic link is resolved. The YAML parser is loaded only for
// a YAML file.
import { open, realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { TaskDefinitionOrigin } from '../../ecs/deploy/index.ts';
import { fromJsonText, taskDefinitionFormat } from '../../ecs/task-definition/source.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import type { Runner } from '../../runner/runner.ts';
import { isInside } from '../shared/workspace-paths.ts';
import { shown as quote } from '../../lib/errors.ts';

/** ECS takes a task definition of at most 64 KiB; a file 16 times that is no task definition. */
export const MAX_TASK_DEFINITION_FILE_BYTES = 1024 * 1024;

export async function taskDefinitionOrigin(
  runner: Runner,
  path: string | undefined,
): Promise<TaskDefinitionOrigin> {
  if (path === undefined) return { kind: 'service' };
  const text = await readTaskDefinitionFile(runner.env.GITHUB_WORKSPACE || process.cwd(), path);
  const fileName = basename(path);
  try {
    const source =
      taskDefinitionFormat(text, fileName) === 'json'
        ? fromJsonText(text, fileName)
        : (await import('../../ecs/task-definition/yaml.ts')).fromYamlText(text, fileName);
    return { kind: 'file', source };
  } catch (error) {
    // "web.json has no containerDefinitions: …", said of the input.
    if (error instanceof UserError)
      throw new UserError(`Input 'task-definition': ${error.message}`);
    throw error;
  }
}

/** The file's text, once its real path is known to be a regular file inside the workspace. */
export async function readTaskDefinitionFile(workspace: string, path: string): Promise<string> {
  const fail = (problem: string) =>
    new UserError(`Input 'task-definition' names ${quote(path)}${problem}`);
  if (path.includes('\0'))
    throw fail(', which is not a path: give the file relative to the repository root.');
  let root: string;
  try {
    root = await realpath(workspace);
  } catch (error) {
    throw new UserError(
      `Input 'task-definition' is relative to the workspace, which cannot be read (${oneLine(error)}): check out the repository first.`,
    );
  }
  const outside = fail(
    ', which is outside the workspace (after following links): give a file in the repository, relative to its root.',
  );
  // Outside as written (`../x`, `/etc/x`): refused whether or not it exists.
  if (
    !isBelow(resolve(workspace), resolve(workspace, path)) &&
    !isBelow(root, resolve(root, path))
  ) {
    throw outside;
  }
  let real: string;
  try {
    real = await realpath(resolve(root, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' || code === 'ENOTDIR'
      ? new UserError(
          `Input 'task-definition' names ${quote(path).slice(1, -1)}, which does not exist in the workspace: check the path (relative to the repository root) or check out the repository first.`,
        )
      : fail(`, which cannot be read (${code ?? oneLine(error)}).`);
  }
  if (!isBelow(root, real)) throw outside;
  const file = await open(real, 'r').catch((error: unknown) => {
    throw fail(
      `, which cannot be read (${(error as NodeJS.ErrnoException).code ?? oneLine(error)}).`,
    );
  });
  try {
    const stats = await file.stat();
    if (!stats.isFile()) throw fail(', which is not a file: give the task definition file.');
    if (stats.size > MAX_TASK_DEFINITION_FILE_BYTES) {
      throw fail(
        `, which is ${stats.size} bytes: a task definition file is at most ${MAX_TASK_DEFINITION_FILE_BYTES} (ECS takes 64 KiB), check the path.`,
      );
    }
    const bytes = await file.readFile();
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return text;
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw fail(', which is not UTF-8 text: give a JSON or YAML task definition.');
    }
    throw fail(
      `, which cannot be read (${(error as NodeJS.ErrnoException).code ?? oneLine(error)}).`,
    );
  } finally {
    await file.close();
  }
}

/** A file is strictly below the workspace: the workspace itself is not one. */
function isBelow(directory: string, path: string): boolean {
  return path !== directory && isInside(directory, path);
}
