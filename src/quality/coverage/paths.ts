// Report paths to workspace paths (issue 13: "paths in reports normalised against the
// workspace"). Reports name files in many ways: relative to a Cobertura `<source>`, absolute
// on the runner that made them (/home/runner/work/repo/repo/src/a.ts, D:\a\repo\repo\src\a.ts,
// /__w/repo/repo/… in containers), with Windows separators, `./` prefixes, or as a Go import
// path. A path that lands outside the workspace stays as given and is flagged.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';

export interface PathContext {
  /** The workspace root, absolute. */
  readonly workspace: string;
  /** Cobertura `<sources>`: folders the report's paths are relative to, tried in order. */
  readonly sources?: readonly string[];
  /** The Go module path (go.mod `module`), stripped from Go import paths. */
  readonly goModule?: string | undefined;
  /** Whether a workspace-relative path exists (defaults to looking on disk). */
  readonly exists?: (relative: string) => boolean;
}

export interface NormalisedPath {
  readonly path: string;
  readonly outsideWorkspace: boolean;
}

/** GitHub-hosted runner workspaces: <root>/work/<repo>/<repo>, D:\a\<repo>\<repo>, /__w/<repo>/<repo>. */
const RUNNER_WORKSPACE = /^(?:[A-Za-z]:)?(?:\/.*)?\/(?:work|a|_work|__w)\/([^/]+)\/\1\/(.+)$/;

function slashes(path: string): string {
  return path.trim().replace(/\\/g, '/');
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:\//.test(path);
}

/** A path relative to the workspace, or undefined when it is not inside it. */
function inside(absolute: string, workspace: string): string | undefined {
  const path = posix.normalize(absolute);
  const root = posix.normalize(`${workspace}/`);
  const caseless = /^[A-Za-z]:\//.test(root);
  const matches = caseless
    ? path.toLowerCase().startsWith(root.toLowerCase())
    : path.startsWith(root);
  return matches && path.length > root.length ? path.slice(root.length) : undefined;
}

/** Relative, normalised; undefined when it climbs out (`../`). */
function relative(path: string): string | undefined {
  const normal = posix.normalize(path).replace(/^(\.\/)+/, '');
  return normal === '..' || normal.startsWith('../') || normal === '.' ? undefined : normal;
}

/** Where an absolute path falls in this workspace, trying the path, then its runner workspace. */
function fromAbsolute(path: string, workspace: string): string | undefined {
  const direct = inside(path, workspace);
  if (direct !== undefined) return direct;
  const runner = RUNNER_WORKSPACE.exec(posix.normalize(path));
  return runner ? relative(runner[2]!) : undefined;
}

export function normalisePath(raw: string, context: PathContext): NormalisedPath {
  const workspace = slashes(context.workspace);
  let path = slashes(raw);
  if (context.goModule && path.startsWith(`${context.goModule}/`)) {
    path = path.slice(context.goModule.length + 1);
  }
  const candidates: string[] = [];
  if (isAbsolute(path)) {
    const found = fromAbsolute(path, workspace);
    if (found !== undefined) candidates.push(found);
  } else {
    for (const source of context.sources ?? []) {
      const base = slashes(source);
      const joined = isAbsolute(base)
        ? fromAbsolute(posix.join(base, path), workspace)
        : relative(posix.join(base, path));
      if (joined !== undefined) candidates.push(joined);
    }
    const plain = relative(path);
    if (plain !== undefined) candidates.push(plain);
  }
  if (candidates.length === 0) return { path, outsideWorkspace: true };
  const exists =
    context.exists ?? ((candidate: string) => existsSync(posix.join(workspace, candidate)));
  const existing =
    candidates.length > 1 ? candidates.find((candidate) => exists(candidate)) : undefined;
  return { path: existing ?? candidates[0]!, outsideWorkspace: false };
}
