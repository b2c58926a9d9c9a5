// Reads every actions/<name>/action.yml and renders the inputs and outputs tables of its README.
// Used by scripts/docs.ts (write and --check) and by the contract test in test/contract, so the
// README tables, action.yml and the input registries cannot drift apart.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';

export interface ActionInputMetadata {
  name: string;
  description: string;
  required: boolean;
  /** The default exactly as written in action.yml; undefined when there is none. */
  default: string | undefined;
}

export interface ActionOutputMetadata {
  name: string;
  description: string;
}

export interface ActionMetadata {
  /** The folder name under actions/. */
  name: string;
  /** The `name:` field of action.yml. */
  title: string;
  description: string;
  inputs: ActionInputMetadata[];
  outputs: ActionOutputMetadata[];
  /** The `runs:` mapping with every scalar as a string. */
  runs: Record<string, unknown>;
  /** Absolute paths. */
  actionYmlPath: string;
  readmePath: string;
}

export type SectionKind = 'inputs' | 'outputs';

export const SECTION_KINDS: readonly SectionKind[] = ['inputs', 'outputs'];

export const repositoryRoot = (): string => fileURLToPath(new URL('..', import.meta.url));

/** The names of every folder under actions/ that holds an action.yml, sorted. */
export function listActionNames(root: string = repositoryRoot()): string[] {
  const actionsDirectory = join(root, 'actions');
  if (!existsSync(actionsDirectory)) return [];
  return readdirSync(actionsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((name) => existsSync(join(actionsDirectory, name, 'action.yml')))
    .sort();
}

export function loadAction(name: string, root: string = repositoryRoot()): ActionMetadata {
  const actionYmlPath = join(root, 'actions', name, 'action.yml');
  return parseActionYml(readFileSync(actionYmlPath, 'utf8'), {
    name,
    actionYmlPath,
    readmePath: join(root, 'actions', name, 'README.md'),
  });
}

/**
 * The root action's folder name under src/actions/ and dist/: action.yml at the repository's root
 * runs dist/deploy/index.js, and its tables live in the root README's marked sections.
 */
export const ROOT_ACTION = 'deploy';

/** The root action (action.yml at the repository's root), or undefined when there is none. */
export function loadRootAction(root: string = repositoryRoot()): ActionMetadata | undefined {
  const actionYmlPath = join(root, 'action.yml');
  if (!existsSync(actionYmlPath)) return undefined;
  return parseActionYml(readFileSync(actionYmlPath, 'utf8'), {
    name: ROOT_ACTION,
    actionYmlPath,
    readmePath: join(root, 'README.md'),
  });
}

export function loadActions(root: string = repositoryRoot()): ActionMetadata[] {
  const rootAction = loadRootAction(root);
  return [
    ...listActionNames(root).map((name) => loadAction(name, root)),
    ...(rootAction ? [rootAction] : []),
  ];
}

/**
 * Parses action.yml with the failsafe schema, so every scalar stays the string it is written as
 * (`default: 1.10` is '1.10', as the runner passes it), and throws on a shape the runner rejects.
 */
export function parseActionYml(
  text: string,
  where: { name: string; actionYmlPath: string; readmePath: string },
): ActionMetadata {
  const file = where.actionYmlPath;
  const root = mapping(parse(text, { schema: 'failsafe' }) as unknown, file);
  const inputs = Object.entries(mapping(root.inputs ?? {}, `${file}: inputs`)).map(
    ([name, value]): ActionInputMetadata => {
      const spec = mapping(value ?? {}, `${file}: inputs.${name}`);
      return {
        name,
        description: scalar(spec.description, `${file}: inputs.${name}.description`) ?? '',
        required: flag(spec.required, `${file}: inputs.${name}.required`),
        default: scalar(spec.default, `${file}: inputs.${name}.default`),
      };
    },
  );
  const outputs = Object.entries(mapping(root.outputs ?? {}, `${file}: outputs`)).map(
    ([name, value]): ActionOutputMetadata => {
      const spec = mapping(value ?? {}, `${file}: outputs.${name}`);
      return {
        name,
        description: scalar(spec.description, `${file}: outputs.${name}.description`) ?? '',
      };
    },
  );
  return {
    name: where.name,
    title: scalar(root.name, `${file}: name`) ?? where.name,
    description: scalar(root.description, `${file}: description`) ?? '',
    inputs,
    outputs,
    runs: mapping(root.runs ?? {}, `${file}: runs`),
    actionYmlPath: file,
    readmePath: where.readmePath,
  };
}

function mapping(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function scalar(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where} must be a string`);
  return value;
}

/** YAML 1.2 core-schema booleans; absent is false. */
function flag(value: unknown, where: string): boolean {
  const text = scalar(value, where);
  if (text === undefined || ['false', 'False', 'FALSE'].includes(text)) return false;
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  throw new Error(`${where} must be true or false, not '${text}'`);
}

/**
 * A description as one table cell: `|` escaped everywhere (GFM splits cells on it even inside code
 * spans), line breaks as `<br>`, and outside code spans backslashes and `<` escaped so text like
 * `arn:aws:iam::<account>` is shown rather than taken for an HTML tag.
 */
export function escapeCell(text: string): string {
  const oneLine = text.trim().replace(/\r\n?/g, '\n');
  return oneLine
    .split(/(`+[^`]*?`+)/)
    .map((part, index) =>
      index % 2 === 1 ? part : part.replace(/\\/g, '\\\\').replace(/</g, '&lt;'),
    )
    .join('')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, '<br>');
}

/** A code span that holds any value: fenced with more backticks than it contains. */
export function codeCell(value: string): string {
  if (value === '') return '`""`';
  const text = value.replace(/\r\n?/g, '\n').replace(/\n/g, '\\n').replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The inputs table as GitHub-flavoured Markdown (not yet laid out by Prettier). */
export function renderInputsTable(action: ActionMetadata): string {
  if (action.inputs.length === 0) return '_This action has no inputs._';
  return table(
    ['input', 'description', 'required', 'default'],
    action.inputs.map((input) => [
      codeCell(input.name),
      escapeCell(input.description),
      input.required ? 'yes' : 'no',
      input.default === undefined ? '' : codeCell(input.default),
    ]),
  );
}

/** The outputs table as GitHub-flavoured Markdown (not yet laid out by Prettier). */
export function renderOutputsTable(action: ActionMetadata): string {
  if (action.outputs.length === 0) return '_This action has no outputs._';
  return table(
    ['output', 'description'],
    action.outputs.map((output) => [codeCell(output.name), escapeCell(output.description)]),
  );
}

/** Lays Markdown out the way `prettier --check` expects it for the given file. */
async function prettierMarkdown(markdown: string, filepath: string): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(markdown, { ...options, filepath, parser: 'markdown' });
}

/** A section's content as it belongs between its markers: the table, laid out by Prettier. */
export async function renderSection(kind: SectionKind, action: ActionMetadata): Promise<string> {
  const markdown = kind === 'inputs' ? renderInputsTable(action) : renderOutputsTable(action);
  return (await prettierMarkdown(markdown, action.readmePath)).trim();
}

export const startMarker = (kind: SectionKind): string => `<!-- ${kind}:start -->`;
export const endMarker = (kind: SectionKind): string => `<!-- ${kind}:end -->`;

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    found.push(at);
  }
  return found;
}

/**
 * Where a marked section's content is: undefined when the text has neither marker; throws when
 * the markers are unpaired, repeated or out of order, rather than guess what to replace.
 */
export function findSection(
  text: string,
  kind: SectionKind,
): { start: number; end: number } | undefined {
  const starts = occurrences(text, startMarker(kind));
  const ends = occurrences(text, endMarker(kind));
  if (starts.length === 0 && ends.length === 0) return undefined;
  if (starts.length !== 1 || ends.length !== 1 || ends[0]! < starts[0]!) {
    throw new Error(
      `expected one '${startMarker(kind)}' followed by one '${endMarker(kind)}', found ${starts.length} start and ${ends.length} end marker(s)${starts.length === 1 && ends.length === 1 ? ' in the wrong order' : ''}`,
    );
  }
  return { start: starts[0]! + startMarker(kind).length, end: ends[0]! };
}

/** The content between a section's markers, trimmed; undefined when the markers are absent. */
export function extractSection(text: string, kind: SectionKind): string | undefined {
  const section = findSection(text, kind);
  return section && text.slice(section.start, section.end).trim();
}

const heading = (kind: SectionKind) => (kind === 'inputs' ? '## Inputs' : '## Outputs');

const marked = (kind: SectionKind, content: string) =>
  `${startMarker(kind)}\n\n${content}\n\n${endMarker(kind)}`;

/** A new README: title, description, a Usage placeholder and both marked sections. */
export function readmeTemplate(action: ActionMetadata, sections: Record<SectionKind, string>) {
  return [
    `# ${action.title}`,
    ...(action.description.trim() ? [action.description.trim()] : []),
    '## Usage',
    '<!-- Show a workflow step that uses this action and say what it does; text outside the marked sections is kept by npm run docs. -->',
    ...SECTION_KINDS.flatMap((kind) => [heading(kind), marked(kind, sections[kind])]),
  ].join('\n\n');
}

/**
 * The README with fresh tables between its markers; the text outside them is kept as it is. A
 * README without a section's markers gets that section appended; a missing README (`undefined`)
 * is created from the template.
 */
export async function updateReadme(
  text: string | undefined,
  action: ActionMetadata,
): Promise<string> {
  const sections = {
    inputs: await renderSection('inputs', action),
    outputs: await renderSection('outputs', action),
  };
  if (text === undefined) return `${readmeTemplate(action, sections)}\n`;
  let result = text;
  for (const kind of SECTION_KINDS) {
    const section = findSection(result, kind);
    if (section) {
      result = `${result.slice(0, section.start)}\n\n${sections[kind]}\n\n${result.slice(section.end)}`;
    } else {
      result = `${result.trimEnd()}\n\n${heading(kind)}\n\n${marked(kind, sections[kind])}\n`;
    }
  }
  return result;
}

/** A path relative to the repository root, for messages. */
export function displayPath(path: string, root: string = repositoryRoot()): string {
  return relative(root, path);
}
