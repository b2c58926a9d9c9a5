// What a `uses:` names, decided before anything runs: a workflow or action of the checkout
// (`./…`, or the suite's own `OWNER/REPO/…@ref`), a declared stand-in for a third-party action,
// or a refusal that names it, so nothing a workflow uses passes unseen.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowError } from './load-workflow.ts';

export const STAND_IN_NAMES = [
  'actions/checkout',
  'actions/upload-artifact',
  'actions/download-artifact',
] as const;
export type StandInName = (typeof STAND_IN_NAMES)[number];

export type ActionReference =
  | { kind: 'suite-action'; uses: string; actionYml: string }
  | { kind: 'stand-in'; uses: string; name: StandInName; ref: string };

export interface WorkflowReference {
  uses: string;
  /** Path inside the checkout. */
  path: string;
  /** `owner/repo/path@ref` for the OIDC job_workflow_ref claim. */
  jobWorkflowRef: string;
}

export interface ReferenceScope {
  checkout: string;
  /** `owner/repo` of the suite; its references resolve to the checkout. */
  suiteRepository: string;
  /** `owner/repo` and ref of the run, for `./` workflow references. */
  repository: string;
  ref: string;
}

/**
 * The ref as GitHub writes it in job_workflow_ref: `@main` is claimed as `@refs/heads/main`, a
 * tag as `@refs/tags/v1`, a commit as its SHA. The checkout has no refs of its own to look the
 * name up in, so a `v<major>[.<minor>[.<patch>]]` name (the suite's release tags) is a tag and any
 * other name a branch.
 */
export function qualifiedRef(ref: string): string {
  if (/^[0-9a-f]{40}$/.test(ref) || ref.startsWith('refs/')) return ref;
  return /^v\d+(\.\d+){0,2}$/.test(ref) ? `refs/tags/${ref}` : `refs/heads/${ref}`;
}

export function resolveWorkflow(
  uses: string,
  scope: ReferenceScope,
  where: string,
): WorkflowReference {
  if (uses.startsWith('./')) {
    const path = uses.slice(2);
    requireWorkflowPath(path, uses, where);
    return { uses, path, jobWorkflowRef: `${scope.repository}/${path}@${scope.ref}` };
  }
  const match = /^([^/@]+\/[^/@]+)\/(\.github\/workflows\/[^/@]+\.ya?ml)@(.+)$/.exec(uses);
  if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
    if (match[1].toLowerCase() !== scope.suiteRepository.toLowerCase()) {
      throw new WorkflowError(
        `${where}: uses: ${uses} is not the suite's own workflow (${scope.suiteRepository}); the local runner refuses other repositories' workflows`,
      );
    }
    requireWorkflowPath(match[2], uses, where);
    if (!existsSync(join(scope.checkout, match[2]))) {
      throw new WorkflowError(`${where}: uses: ${uses}: ${match[2]} is not in the checkout`);
    }
    return {
      uses,
      path: match[2],
      jobWorkflowRef: `${match[1]}/${match[2]}@${qualifiedRef(match[3])}`,
    };
  }
  throw new WorkflowError(
    `${where}: uses: ${uses} is neither ./.github/workflows/<file> nor ${scope.suiteRepository}/.github/workflows/<file>@<ref>`,
  );
}

export function resolveAction(uses: string, scope: ReferenceScope, where: string): ActionReference {
  if (uses.startsWith('./')) return suiteAction(uses, join(scope.checkout, uses.slice(2)), where);
  if (uses.startsWith('docker://')) {
    throw new WorkflowError(`${where}: uses: ${uses}: the local runner does not run containers`);
  }
  const at = uses.lastIndexOf('@');
  const name = at < 0 ? uses : uses.slice(0, at);
  const ref = at < 0 ? '' : uses.slice(at + 1);
  if (ref === '') throw new WorkflowError(`${where}: uses: ${uses} has no @ref`);
  const suitePrefix = `${scope.suiteRepository.toLowerCase()}/`;
  if (name.toLowerCase().startsWith(suitePrefix)) {
    const path = name.slice(suitePrefix.length);
    return suiteAction(uses, join(scope.checkout, path), where);
  }
  const standIn = STAND_IN_NAMES.find((known) => known === name.toLowerCase());
  if (standIn !== undefined) return { kind: 'stand-in', uses, name: standIn, ref };
  throw new WorkflowError(
    `${where}: uses: ${uses} is refused: the local runner has no stand-in for ${name} (declared stand-ins: ${STAND_IN_NAMES.join(', ')})`,
  );
}

function suiteAction(uses: string, directory: string, where: string): ActionReference {
  const actionYml = ['action.yml', 'action.yaml']
    .map((file) => join(directory, file))
    .find((file) => existsSync(file));
  if (actionYml === undefined) {
    throw new WorkflowError(`${where}: uses: ${uses}: no action.yml in ${directory}`);
  }
  return { kind: 'suite-action', uses, actionYml };
}

function requireWorkflowPath(path: string, uses: string, where: string): void {
  if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) {
    throw new WorkflowError(
      `${where}: uses: ${uses}: reusable workflows must sit directly in .github/workflows/`,
    );
  }
}
