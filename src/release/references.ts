// The suite's references to itself: on main every workflow, action and snippet names the suite's
// own actions and workflows as `OWNER/aws-ship-suite/<path>@main`; a release rewrites each to
// `<owner>/<repo>/<path>@vX.Y.Z`, so everything a released commit runs is that release.
import { UserError, shown } from '../lib/errors.ts';

/** How the suite names itself on main (the README's placeholder owner). */
export const SOURCE_REPOSITORY = 'OWNER/aws-ship-suite';
/** The ref its own references carry on main. */
export const SOURCE_REF = 'main';

/** Files whose references a release rewrites: the workflows, actions, templates and READMEs. */
export function isReleasedFile(path: string): boolean {
  return (
    /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
    /^(actions\/[^/]+\/)?action\.ya?ml$/.test(path) ||
    /^workflows-templates\/[^/]+\.ya?ml$/.test(path) ||
    /^(actions\/[^/]+\/)?README\.md$/.test(path)
  );
}

/** Files that run: what GitHub resolves a `uses:` in. The READMEs only show snippets. */
export function isExecutedFile(path: string): boolean {
  return isReleasedFile(path) && !path.endsWith('.md');
}

export interface Reference {
  path: string;
  line: number;
  /** The path inside the suite (`actions/oidc-assume`, `.github/workflows/deploy.yml`), '' for the root action. */
  target: string;
  ref: string;
  text: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every mention of `repository[/path]@ref` in `text`. */
export function findReferences(path: string, text: string, repository: string): Reference[] {
  const pattern = new RegExp(
    `(?<![\\w.-])${escape(repository)}(?:/([\\w./-]*[\\w-]))?@([\\w./-]*[\\w-]|<[^>\\n]*>)`,
    'gi',
  );
  const found: Reference[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    for (const match of line.matchAll(pattern)) {
      found.push({
        path,
        line: index + 1,
        target: match[1] ?? '',
        ref: match[2] ?? '',
        text: match[0],
      });
    }
  }
  return found;
}

/** A placeholder such as `<full commit sha>` in a README snippet: shown to people, never run. */
const isPlaceholder = (ref: string) => ref.startsWith('<');

export interface Rewrite {
  path: string;
  before: string;
  after: string;
  references: number;
}

/**
 * Rewrites `OWNER/aws-ship-suite/<path>@main` to `<repository>/<path>@<tag>` in one file.
 * A file that runs may name the suite only that way: a reference at another ref would survive
 * the release still pointing elsewhere, so it is refused with where it is.
 */
export function rewriteFile(path: string, text: string, repository: string, tag: string): Rewrite {
  const references = findReferences(path, text, SOURCE_REPOSITORY);
  for (const reference of references) {
    if (reference.ref === SOURCE_REF || isPlaceholder(reference.ref)) continue;
    if (!isExecutedFile(path)) continue;
    throw new UserError(
      `${path}:${reference.line}: ${shown(reference.text, 120)} names the suite at ${shown(reference.ref)}: write the suite's own references @${SOURCE_REF}, the release rewrites them.`,
    );
  }
  const pattern = new RegExp(
    `(?<![\\w.-])${escape(SOURCE_REPOSITORY)}((?:/[\\w./-]*[\\w-])?)@${SOURCE_REF}(?![\\w./-])`,
    'gi',
  );
  let count = 0;
  const after = text.replace(pattern, (_whole, target: string) => {
    count += 1;
    return `${repository}${target}@${tag}`;
  });
  return { path, before: text, after, references: count };
}

/** Where a reference's target lives in the tree: its action.yml, or the workflow file itself. */
export function targetFiles(target: string): string[] {
  if (target === '') return ['action.yml', 'action.yaml'];
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(target)) return [target];
  return [`${target}/action.yml`, `${target}/action.yaml`];
}

/**
 * After the rewrite, every reference a running file makes to the released repository is at
 * the release tag and names something the release contains: the released commit runs only
 * itself.
 */
export function checkReleased(
  files: readonly { path: string; text: string }[],
  repository: string,
  tag: string,
  tree: ReadonlySet<string>,
): void {
  for (const { path, text } of files) {
    if (!isExecutedFile(path)) continue;
    for (const name of [SOURCE_REPOSITORY, repository]) {
      for (const reference of findReferences(path, text, name)) {
        if (reference.ref !== tag || name !== repository) {
          throw new UserError(
            `${path}:${reference.line}: ${shown(reference.text, 120)} would not be this release after the rewrite: name the suite as ${SOURCE_REPOSITORY}/<path>@${SOURCE_REF}.`,
          );
        }
        if (!targetFiles(reference.target).some((file) => tree.has(file))) {
          throw new UserError(
            `${path}:${reference.line}: ${shown(reference.text, 120)} names ${reference.target || 'the root action'}, which this commit does not contain: fix the path or add it.`,
          );
        }
      }
    }
  }
}
