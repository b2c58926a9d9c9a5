import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ActionInput {
  default: string | undefined;
  required: boolean;
  deprecationMessage: string | undefined;
}

export interface ActionManifest {
  path: string;
  directory: string;
  name: string;
  using: string;
  /** Absolute paths of the step scripts. */
  main: string;
  pre: string | undefined;
  preIf: string;
  post: string | undefined;
  postIf: string;
  inputs: Record<string, ActionInput>;
  outputs: string[];
}

const SUPPORTED_RUNTIMES = ['node24'];

export function loadActionManifest(actionYmlPath: string): ActionManifest {
  const path = resolve(actionYmlPath);
  const directory = dirname(path);
  // The failsafe schema keeps every scalar a string, as the runner reads `default: 1.10`.
  const document = parse(readFileSync(path, 'utf8'), { schema: 'failsafe' }) as unknown;
  const root = asRecord(document, path);
  const runs = asRecord(root['runs'], `${path}: runs`);
  const using = String(runs['using'] ?? '');
  if (!SUPPORTED_RUNTIMES.includes(using)) {
    throw new Error(
      `${path}: runs.using is '${using}', the harness runs ${SUPPORTED_RUNTIMES.join(', ')} actions`,
    );
  }
  if (typeof runs['main'] !== 'string' || runs['main'] === '') {
    throw new Error(`${path}: runs.main is required`);
  }
  const script = (value: unknown, key: string): string | undefined => {
    if (typeof value !== 'string' || value === '') return undefined;
    const scriptPath = resolve(directory, value);
    if (!existsSync(scriptPath)) {
      throw new Error(
        `${path}: runs.${key} '${value}' does not exist (${scriptPath}); is dist built?`,
      );
    }
    return scriptPath;
  };
  const main = script(runs['main'], 'main') ?? '';

  const inputs: Record<string, ActionInput> = {};
  for (const [name, raw] of Object.entries(asRecord(root['inputs'] ?? {}, `${path}: inputs`))) {
    const input = raw === null || raw === '' ? {} : asRecord(raw, `${path}: inputs.${name}`);
    inputs[name] = {
      default: typeof input['default'] === 'string' ? input['default'] : undefined,
      required: input['required'] === 'true',
      deprecationMessage:
        typeof input['deprecationMessage'] === 'string' ? input['deprecationMessage'] : undefined,
    };
  }

  return {
    path,
    directory,
    name: typeof root['name'] === 'string' ? root['name'] : path,
    using,
    main,
    pre: script(runs['pre'], 'pre'),
    preIf: typeof runs['pre-if'] === 'string' ? runs['pre-if'] : 'always()',
    post: script(runs['post'], 'post'),
    postIf: typeof runs['post-if'] === 'string' ? runs['post-if'] : 'always()',
    inputs,
    outputs: Object.keys(asRecord(root['outputs'] ?? {}, `${path}: outputs`)),
  };
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}
