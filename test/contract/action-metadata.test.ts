// The contract between each action's action.yml, its input/output registry
// (src/actions/<name>/inputs.ts), its entry point and bundle path, and its README tables.
// Every actions/*/action.yml is covered; a new action needs no change here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import {
  type ActionMetadata,
  SECTION_KINDS,
  codeCell,
  escapeCell,
  extractSection,
  ROOT_ACTION,
  listActionNames,
  loadAction,
  loadRootAction,
  parseActionYml,
  renderSection,
  repositoryRoot,
  updateReadme,
} from '../../scripts/action-docs.ts';
import { type RegistryModule, compareRegistry } from './compare-registry.ts';

const root = repositoryRoot();
const names = listActionNames(root);

const importRegistry = async (name: string): Promise<RegistryModule> =>
  (await import(
    pathToFileURL(join(root, 'src/actions', name, 'inputs.ts')).href
  )) as RegistryModule;

describe('action discovery', () => {
  it('finds at least one actions/*/action.yml', () => {
    expect(names.length).toBeGreaterThan(0);
  });
});

if (names.length > 0) {
  describe.each(names)('actions/%s', (name) => {
    const action = (): ActionMetadata => loadAction(name, root);
    const bundle = `../../dist/${name}/index.js`;

    it('runs on node24', () => {
      expect(action().runs.using).toBe('node24');
    });

    it(`points its steps at ${bundle} and has an entry point in src/actions/${name}`, () => {
      const { runs } = action();
      expect(runs.main).toBe(bundle);
      for (const step of ['pre', 'post'] as const) {
        if (runs[step] !== undefined) expect({ [step]: runs[step] }).toEqual({ [step]: bundle });
      }
      expect(existsSync(join(root, 'src/actions', name, 'index.ts'))).toBe(true);
    });

    it('says when its post step runs', () => {
      const { runs } = action();
      if (runs.post !== undefined) expect(runs['post-if']).toEqual(expect.any(String));
      if (runs.pre !== undefined) expect(runs['pre-if']).toEqual(expect.any(String));
    });

    it('describes itself and every input and output', () => {
      const { description, inputs, outputs } = action();
      const undescribed = [
        ...(description.trim() ? [] : ['the action']),
        ...inputs.filter((input) => !input.description.trim()).map((i) => `input '${i.name}'`),
        ...outputs.filter((output) => !output.description.trim()).map((o) => `output '${o.name}'`),
      ];
      expect(undescribed).toEqual([]);
    });

    it(`declares exactly the inputs and outputs of src/actions/${name}/inputs.ts`, async () => {
      expect(compareRegistry(action(), await importRegistry(name))).toEqual([]);
    });

    it('has a README whose tables are current (npm run docs)', async () => {
      const { readmePath } = action();
      expect({ readme: `actions/${name}/README.md`, exists: existsSync(readmePath) }).toEqual({
        readme: `actions/${name}/README.md`,
        exists: true,
      });
      const readme = readFileSync(readmePath, 'utf8');
      for (const kind of SECTION_KINDS) {
        expect({ [kind]: extractSection(readme, kind) }).toEqual({
          [kind]: await renderSection(kind, action()),
        });
      }
      expect(await updateReadme(readme, action())).toBe(readme);
    });
  });
}

describe('the root action (action.yml at the repository root)', () => {
  const action = (): ActionMetadata => {
    const loaded = loadRootAction(root);
    if (!loaded) throw new Error('no action.yml at the repository root');
    return loaded;
  };
  const bundle = `dist/${ROOT_ACTION}/index.js`;

  it(`runs ${bundle} on node24, main and post (like ecs-canary-deploy, whose rollback it shares)`, () => {
    expect(action().runs).toEqual({
      using: 'node24',
      main: bundle,
      post: bundle,
      'post-if': 'always()',
    });
    expect(existsSync(join(root, 'src/actions', ROOT_ACTION, 'index.ts'))).toBe(true);
  });

  it(`declares exactly the inputs and outputs of src/actions/${ROOT_ACTION}/inputs.ts`, async () => {
    expect(compareRegistry(action(), await importRegistry(ROOT_ACTION))).toEqual([]);
  });

  it('has current tables in the root README (npm run docs)', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(await updateReadme(readme, action())).toBe(readme);
  });
});

const where = { name: 'demo', actionYmlPath: '/x/action.yml', readmePath: '/x/README.md' };

/** inputs a (required), b (default '1'), c (default ''); outputs x and y. */
const demo = parseActionYml(
  [
    'name: demo',
    'description: A demo.',
    'inputs:',
    '  a: { description: A., required: true }',
    "  b: { description: B., default: '1' }",
    "  c: { description: C., required: false, default: '' }",
    'outputs:',
    '  x: { description: X. }',
    '  y: { description: Y. }',
    'runs: { using: node24, main: ../../dist/demo/index.js }',
  ].join('\n'),
  where,
);

const matching = () => ({
  INPUTS: { a: { required: true }, b: { default: '1' }, c: { default: '' } } as Record<
    string,
    { required?: boolean; default?: string }
  >,
  OUTPUTS: ['x', 'y'],
});

describe('compareRegistry (the check really fails)', () => {
  it('finds nothing when the registry matches', () => {
    expect(compareRegistry(demo, matching())).toEqual([]);
  });

  it('reports a wrong default, a missing default and a default that should not be there', () => {
    const registry = matching();
    registry.INPUTS.b = { default: '2' };
    registry.INPUTS.c = {};
    registry.INPUTS.a = { required: true, default: 'x' };
    expect(compareRegistry(demo, registry)).toEqual([
      "input 'a': default is none in action.yml but 'x' in the registry",
      "input 'b': default is '1' in action.yml but '2' in the registry",
      "input 'c': default is '' in action.yml but none in the registry",
    ]);
  });

  it('reports a required flag that differs', () => {
    const registry = matching();
    registry.INPUTS.a = {};
    registry.INPUTS.b = { required: true, default: '1' };
    expect(compareRegistry(demo, registry)).toEqual([
      "input 'a': required is true in action.yml but false in the registry",
      "input 'b': required is false in action.yml but true in the registry",
    ]);
  });

  it('reports a missing input, an extra input, a missing output and an extra output', () => {
    const registry = matching();
    delete registry.INPUTS.b;
    registry.INPUTS.z = {};
    expect(compareRegistry(demo, { ...registry, OUTPUTS: ['x', 'extra', 'x'] })).toEqual([
      "input 'b' is in action.yml but not in the registry",
      "input 'z' is in the registry but not in action.yml",
      "output 'x' is listed twice in the registry",
      "output 'y' is in action.yml but not in the registry",
      "output 'extra' is in the registry but not in action.yml",
    ]);
  });

  it('reports a module without INPUTS or OUTPUTS', () => {
    expect(compareRegistry(demo, {})).toEqual([
      'the registry exports no INPUTS object',
      'the registry exports no OUTPUTS array of names',
    ]);
  });

  it.each(names)('catches changes to the real registry of %s', async (name) => {
    const action = loadAction(name, root);
    const real = await importRegistry(name);
    const inputs = { ...(real.INPUTS as Record<string, { default?: string }>) };
    const [first, second] = action.inputs;
    const changed: string[] = [];
    if (first) {
      inputs[first.name] = { ...inputs[first.name], default: `${first.default ?? ''}-changed` };
      changed.push(`input '${first.name}': default`);
    }
    if (second) {
      delete inputs[second.name];
      changed.push(`input '${second.name}' is in action.yml but not`);
    }
    const outputs = [...(real.OUTPUTS as string[]), 'not-in-action-yml'];
    changed.push("output 'not-in-action-yml' is in the registry but not");
    const differences = compareRegistry(action, { INPUTS: inputs, OUTPUTS: outputs });
    expect(differences).toHaveLength(changed.length);
    changed.forEach((start, index) => expect(differences[index]).toContain(start));
  });
});

describe('action.yml parsing', () => {
  it('keeps defaults as written and reads required as a YAML boolean', () => {
    const action = parseActionYml(
      'name: n\ninputs:\n  v: { description: d, default: 1.10, required: True }\n  w: { description: e }',
      where,
    );
    expect(action.inputs).toEqual([
      { name: 'v', description: 'd', required: true, default: '1.10' },
      { name: 'w', description: 'e', required: false, default: undefined },
    ]);
  });

  it('refuses a required flag that is not a boolean', () => {
    expect(() => parseActionYml('inputs:\n  v: { required: yes }', where)).toThrow(
      "inputs.v.required must be true or false, not 'yes'",
    );
  });
});

describe('README tables', () => {
  it('escapes pipes, line breaks and angle brackets in a description', () => {
    expect(escapeCell('a | b\nc <d> `x|<y>`\n')).toBe('a \\| b<br>c &lt;d> `x\\|<y>`');
  });

  it('shows any default as one code span', () => {
    expect(codeCell('10s')).toBe('`10s`');
    expect(codeCell('')).toBe('`""`');
    expect(codeCell('a`b')).toBe('``a`b``');
    expect(codeCell('`a')).toBe('`` `a ``');
    expect(codeCell('x|y\nz')).toBe('`x\\|y\\nz`');
  });

  it('renders one row per input and output', async () => {
    const inputs = await renderSection('inputs', demo);
    expect(inputs.split('\n')).toHaveLength(2 + demo.inputs.length);
    expect(inputs).toMatch(/^\| input +\| description +\| required +\| default +\|$/m);
    expect(inputs).toMatch(/^\| `a` +\| A\. +\| yes +\| +\|$/m);
    expect(inputs).toMatch(/^\| `b` +\| B\. +\| no +\| `1` +\|$/m);
    const outputs = await renderSection('outputs', demo);
    expect(outputs.split('\n')).toHaveLength(2 + demo.outputs.length);
    expect(outputs).toMatch(/^\| `x` +\| X\. +\|$/m);
  });

  it('creates a README with a title, the description, Usage and both marked sections', async () => {
    const readme = await updateReadme(undefined, demo);
    expect(readme.split('\n').slice(0, 5)).toEqual(['# demo', '', 'A demo.', '', '## Usage']);
    for (const kind of SECTION_KINDS) {
      expect(extractSection(readme, kind)).toBe(await renderSection(kind, demo));
    }
    expect(await updateReadme(readme, demo)).toBe(readme);
  });

  it('replaces only what is between the markers', async () => {
    const readme = [
      '# Hand-written',
      '',
      'Intro | with a pipe.',
      '',
      '<!-- inputs:start -->',
      'old table',
      '<!-- inputs:end -->',
      '',
      'Between the sections.',
      '',
      '<!-- outputs:start --><!-- outputs:end -->',
      '',
      'The end.',
      '',
    ].join('\n');
    const fresh = await updateReadme(readme, demo);
    const outside = (text: string) =>
      text.replace(/<!-- (\w+):start -->[\s\S]*?<!-- \1:end -->/g, '<$1>');
    expect(outside(fresh)).toBe(outside(readme));
    expect(fresh).not.toContain('old table');
    expect(extractSection(fresh, 'outputs')).toBe(await renderSection('outputs', demo));
  });

  it('appends a section whose markers are missing, keeping the text', async () => {
    const readme = '# Mine\n\nKeep me.\n\n<!-- inputs:start -->\n<!-- inputs:end -->\n';
    const fresh = await updateReadme(readme, demo);
    expect(fresh.startsWith('# Mine\n\nKeep me.\n\n<!-- inputs:start -->')).toBe(true);
    expect(fresh).toMatch(/## Outputs\n\n<!-- outputs:start -->[\s\S]*<!-- outputs:end -->\n$/);
  });

  it('refuses markers that are unpaired, repeated or out of order', async () => {
    for (const readme of [
      '<!-- inputs:start -->',
      '<!-- inputs:end --> <!-- inputs:start -->',
      '<!-- inputs:start --> <!-- inputs:end --> <!-- inputs:start --> <!-- inputs:end -->',
    ]) {
      await expect(updateReadme(readme, demo)).rejects.toThrow(/inputs:start/);
    }
  });

  it('sees a README as stale when action.yml changes', async () => {
    const readme = await updateReadme(undefined, demo);
    const changed = { ...demo, inputs: demo.inputs.map((i) => ({ ...i, description: 'New.' })) };
    expect(await updateReadme(readme, changed)).not.toBe(readme);
  });
});
