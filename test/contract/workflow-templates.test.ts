// The caller templates in workflows-templates/: each has its .properties.json in GitHub's
// workflow-template format (../shared/reference/workflows.md, "Templates": name and description
// required; iconName, categories, filePatterns optional), branches on $default-branch, and calls
// only what the suite ships. Their security rules are checked with every workflow in
// workflows.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadWorkflow } from '../harness/workflow-runner/index.ts';

const root = new URL('../..', import.meta.url).pathname;
const DIRECTORY = 'workflows-templates';
const names = readdirSync(join(root, DIRECTORY));
const templates = names
  .filter((name) => /\.ya?ml$/.test(name))
  .map((n) => n.replace(/\.ya?ml$/, ''));

const KEYS = ['name', 'description', 'iconName', 'categories', 'filePatterns'];

/** One line per way `properties` breaks the format; `folder` holds the template and its icons. */
function propertiesViolations(properties: unknown, folder: readonly string[]): string[] {
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    return ['must be a JSON object'];
  }
  const found: string[] = [];
  const record = properties as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KEYS.includes(key)) found.push(`unknown key ${key} (known: ${KEYS.join(', ')})`);
  }
  for (const key of ['name', 'description']) {
    const value = record[key];
    if (typeof value !== 'string' || value.trim() === '') found.push(`${key} is required text`);
  }
  const icon = record.iconName;
  if (icon !== undefined) {
    const octicon = typeof icon === 'string' && /^octicon [a-z0-9-]+$/.test(icon);
    const svg = typeof icon === 'string' && folder.includes(`${icon}.svg`);
    if (!octicon && !svg) found.push('iconName is "octicon <name>" or an SVG beside the template');
  }
  for (const key of ['categories', 'filePatterns']) {
    const value = record[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
      found.push(`${key} is a list of text`);
    }
  }
  const patterns = Array.isArray(record.filePatterns) ? record.filePatterns : [];
  for (const pattern of patterns) {
    try {
      new RegExp(String(pattern));
    } catch {
      found.push(`filePatterns entry ${String(pattern)} is not a regular expression`);
    }
  }
  return found;
}

describe('the caller templates', () => {
  it('exist', () => {
    expect(templates.length).toBeGreaterThan(0);
  });

  it('pair each template with its properties file and nothing else', () => {
    const properties = names.filter((name) => name.endsWith('.properties.json'));
    expect(properties.map((name) => name.replace(/\.properties\.json$/, '')).sort()).toEqual(
      [...templates].sort(),
    );
    const others = names.filter(
      (name) =>
        !/\.ya?ml$/.test(name) && !name.endsWith('.properties.json') && !name.endsWith('.svg'),
    );
    expect(others).toEqual([]);
  });

  it.each(templates)('%s.properties.json follows the workflow-template format', (template) => {
    const path = join(root, DIRECTORY, `${template}.properties.json`);
    expect(existsSync(path)).toBe(true);
    expect(propertiesViolations(JSON.parse(readFileSync(path, 'utf8')), names)).toEqual([]);
  });

  it.each(templates)(
    '%s branches (on a push) on $default-branch and calls only what the suite ships',
    async (template) => {
      const file = names.find((name) => name.replace(/\.ya?ml$/, '') === template) ?? '';
      const text = readFileSync(join(root, DIRECTORY, file), 'utf8');
      const workflow = await loadWorkflow(root, `${DIRECTORY}/${file}`);
      const branches = [...text.matchAll(/branches:\s*\[([^\]]*)\]/g)].flatMap((match) =>
        (match[1] ?? '').split(',').map((branch) => branch.trim()),
      );
      // A push names its branch; a template run on demand or on comments needs none.
      expect(branches.length > 0 || !/^\s+push:/m.test(text)).toBe(true);
      expect(branches.every((branch) => branch === '$default-branch')).toBe(true);
      const suiteUses = [...text.matchAll(/uses:\s*OWNER\/aws-ship-suite\/(\S+)@main/g)].map(
        (match) => match[1] ?? '',
      );
      expect(suiteUses.length).toBeGreaterThan(0);
      for (const target of suiteUses) {
        const file = target.startsWith('.github/workflows/') ? target : `${target}/action.yml`;
        expect([target, existsSync(join(root, file))]).toEqual([target, true]);
      }
      expect(workflow.template.jobs.length).toBeGreaterThan(0);
    },
  );
});

describe('propertiesViolations catches a properties file that breaks the format', () => {
  it('names every problem', () => {
    expect(
      propertiesViolations(
        {
          description: '',
          iconName: 'rocket',
          categories: 'Deployment',
          filePatterns: ['('],
          colour: 1,
        },
        [],
      ),
    ).toEqual([
      'unknown key colour (known: name, description, iconName, categories, filePatterns)',
      'name is required text',
      'description is required text',
      'iconName is "octicon <name>" or an SVG beside the template',
      'categories is a list of text',
      'filePatterns entry ( is not a regular expression',
    ]);
    expect(propertiesViolations([], [])).toEqual(['must be a JSON object']);
  });

  it('accepts an SVG icon beside the template', () => {
    expect(
      propertiesViolations({ name: 'x', description: 'y', iconName: 'ship' }, ['ship.svg']),
    ).toEqual([]);
  });
});
