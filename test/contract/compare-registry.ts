// Compares an action's action.yml with the input/output registry its code reads
// (src/actions/<name>/inputs.ts) and lists every difference in words a person can act on.
import type { ActionMetadata } from '../../scripts/action-docs.ts';

/** What an inputs.ts module exports, unchecked: it comes from a dynamic import. */
export interface RegistryModule {
  INPUTS?: unknown;
  OUTPUTS?: unknown;
}

const show = (value: string | undefined) => (value === undefined ? 'none' : `'${value}'`);

/** An empty list when action.yml and the registry agree on every name, flag and default. */
export function compareRegistry(
  action: Pick<ActionMetadata, 'inputs' | 'outputs'>,
  registry: RegistryModule,
): string[] {
  return [...compareInputs(action, registry.INPUTS), ...compareOutputs(action, registry.OUTPUTS)];
}

function compareInputs(action: Pick<ActionMetadata, 'inputs'>, inputs: unknown): string[] {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) {
    return ['the registry exports no INPUTS object'];
  }
  const registry = inputs as Record<string, unknown>;
  const differences: string[] = [];
  const declared = new Set(action.inputs.map((input) => input.name));

  for (const input of action.inputs) {
    if (!Object.hasOwn(registry, input.name)) {
      differences.push(`input '${input.name}' is in action.yml but not in the registry`);
      continue;
    }
    const spec = registry[input.name];
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      differences.push(`input '${input.name}': the registry entry is not an object`);
      continue;
    }
    const { required, default: fallback } = spec as { required?: unknown; default?: unknown };
    if (required !== undefined && typeof required !== 'boolean') {
      differences.push(`input '${input.name}': required in the registry is not a boolean`);
    } else if ((required ?? false) !== input.required) {
      differences.push(
        `input '${input.name}': required is ${input.required} in action.yml but ${required ?? false} in the registry`,
      );
    }
    if (fallback !== undefined && typeof fallback !== 'string') {
      differences.push(`input '${input.name}': the default in the registry is not a string`);
    } else if (fallback !== input.default) {
      differences.push(
        `input '${input.name}': default is ${show(input.default)} in action.yml but ${show(fallback)} in the registry`,
      );
    }
  }
  for (const name of Object.keys(registry)) {
    if (!declared.has(name)) {
      differences.push(`input '${name}' is in the registry but not in action.yml`);
    }
  }
  return differences;
}

function compareOutputs(action: Pick<ActionMetadata, 'outputs'>, outputs: unknown): string[] {
  if (!Array.isArray(outputs) || !outputs.every((name) => typeof name === 'string')) {
    return ['the registry exports no OUTPUTS array of names'];
  }
  const registry = outputs as readonly string[];
  const differences: string[] = [];
  const declared = new Set(action.outputs.map((output) => output.name));
  const listed = new Set<string>();
  for (const name of registry) {
    if (listed.has(name)) differences.push(`output '${name}' is listed twice in the registry`);
    listed.add(name);
  }
  for (const name of declared) {
    if (!listed.has(name)) {
      differences.push(`output '${name}' is in action.yml but not in the registry`);
    }
  }
  for (const name of listed) {
    if (!declared.has(name)) {
      differences.push(`output '${name}' is in the registry but not in action.yml`);
    }
  }
  return differences;
}
