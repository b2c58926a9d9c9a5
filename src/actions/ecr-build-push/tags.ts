// Image tags from templates: `{sha}`, `{short-sha}`, `{branch}`, `{version}`, `{major}`,
// `{minor}`, `{patch}`, `{run-number}`, checked against the registry's tag grammar before any
// build starts.
import { TAG } from '../../ecr/references.ts';
import { UserError, shown } from '../../lib/errors.ts';

export interface TagContext {
  /** GITHUB_SHA: the full commit SHA. */
  sha: string | undefined;
  /** GITHUB_REF, e.g. refs/heads/main or refs/tags/v1.2.3. */
  ref: string | undefined;
  runNumber: string | undefined;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const VARIABLE = /\{([a-z-]+)\}/g;
const KNOWN = new Set([
  'sha',
  'short-sha',
  'branch',
  'version',
  'major',
  'minor',
  'patch',
  'run-number',
]);

/** A branch name as a tag: characters the grammar refuses become '-', at most 128. */
export function branchTag(branch: string): string {
  return branch
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

function variables(context: TagContext): Record<string, string | undefined> {
  const branch = context.ref?.startsWith('refs/heads/') ? context.ref.slice(11) : undefined;
  const tagName = context.ref?.startsWith('refs/tags/') ? context.ref.slice(10) : undefined;
  const semver = tagName === undefined ? null : SEMVER.exec(tagName);
  const [, major, minor, patch, pre] = semver ?? [];
  return {
    sha: context.sha,
    'short-sha': context.sha?.slice(0, 7),
    branch: branch === undefined ? undefined : branchTag(branch),
    version: semver ? `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}` : undefined,
    // A pre-release does not move the floating major and minor tags.
    major: semver && !pre ? major : undefined,
    minor: semver && !pre ? `${major}.${minor}` : undefined,
    patch: semver ? `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}` : undefined,
    'run-number': context.runNumber,
  };
}

export interface RenderedTags {
  tags: string[];
  /** Templates left out because this run has no value for one of their variables. */
  skipped: { template: string; missing: string }[];
}

/**
 * Renders every template. A template whose variable this run lacks (`{version}` on a branch push)
 * is skipped; an unknown variable, a result outside the grammar, or no tag at all is an error.
 */
export function renderTags(templates: readonly string[], context: TagContext): RenderedTags {
  const values = variables(context);
  const tags: string[] = [];
  const skipped: RenderedTags['skipped'] = [];
  for (const template of templates) {
    let missing: string | undefined;
    const tag = template.replace(VARIABLE, (_, name: string) => {
      if (!KNOWN.has(name)) {
        throw new UserError(
          `Input 'tags' has ${shown(template)} with the unknown variable ${shown(`{${name}}`, 40).slice(1, -1)}: use {sha}, {short-sha}, {branch}, {version}, {major}, {minor}, {patch} or {run-number}.`,
        );
      }
      const value = values[name];
      if (value === undefined || value === '') missing ??= name;
      return value ?? '';
    });
    if (missing !== undefined) {
      skipped.push({ template, missing });
      continue;
    }
    if (!TAG.test(tag)) {
      throw new UserError(
        `Input 'tags' has ${shown(template)}, which ${tag === template ? 'is' : `makes ${shown(tag)},`} not a valid image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.`,
      );
    }
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length === 0) {
    throw new UserError(
      `Input 'tags' gives no tag for this run (${skipped
        .slice(0, 5)
        .map((s) => `${shown(s.template, 40).slice(1, -1)} needs {${s.missing}}`)
        .join(
          ', ',
        )}${skipped.length > 5 ? ', …' : ''}): add a template this run can fill, such as {sha}.`,
    );
  }
  return { tags, skipped };
}
