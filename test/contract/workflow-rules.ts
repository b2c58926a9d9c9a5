// The security rules every workflow the suite ships must follow
// (../shared/reference/security.md), checked on what GitHub's own parser reads. Each rule
// returns one line per violation, naming the file, the job and the step.
import type { LoadedWorkflow } from '../harness/workflow-runner/index.ts';
import { asString } from '../harness/workflow-runner/index.ts';
import { at, child, items, literal } from '../harness/workflow-runner/tokens.ts';

/** `owner/repo` prefix of the suite's own actions and workflows in `uses:`. */
export const SUITE_USES_PREFIX = 'OWNER/aws-ship-suite/';

const FULL_SHA = /@[0-9a-f]{40}$/;

export interface RuleContext {
  /** Loads another workflow of the same repository (for calls), by its path in the repository. */
  sibling(path: string): LoadedWorkflow | undefined;
}

export function workflowViolations(workflow: LoadedWorkflow, context: RuleContext): string[] {
  const violations: string[] = [];
  const say = (where: string, message: string) =>
    violations.push(`${workflow.path}${where === '' ? '' : `: ${where}`}: ${message}`);
  const root = workflow.root;

  // 8. permissions: {} at the top.
  const top = literal(child(root, 'permissions'));
  if (!isEmptyMapping(top)) say('', 'the workflow must start from permissions: {} (rule 8)');

  // 13. No pull_request_target.
  if (eventsOf(literal(child(root, 'on'))).includes('pull_request_target')) {
    say('', 'pull_request_target is not allowed (rule 13)');
  }

  for (const job of workflow.template.jobs) {
    const id = job.id.value;
    const raw = at(root, 'jobs', id);
    const where = `job ${id}`;
    const permissions = literal(child(raw, 'permissions'));
    if (permissions === undefined) say(where, 'every job names its permissions (rule 8)');
    else if (typeof permissions !== 'object' || permissions === null) {
      say(where, `permissions: ${asString(permissions)} grants more than the job needs (rule 8)`);
    }
    const idToken =
      typeof permissions === 'object' &&
      permissions !== null &&
      (permissions as Record<string, unknown>)['id-token'] === 'write';

    if (job.type === 'reusableWorkflowJob') {
      if (job['inherit-secrets'])
        say(where, 'secrets: inherit passes every secret; pass them by name (rule 11)');
      if (idToken) {
        if (!assumesRole(calledWorkflow(job.ref.value, context), context)) {
          say(
            where,
            'id-token: write only for a called workflow whose environment jobs assume a role (rule 8)',
          );
        }
      }
      checkUses(job.ref.value, where, say);
      continue;
    }

    const environment = literal(child(raw, 'environment'));
    if (idToken && environment === undefined) {
      say(where, 'id-token: write only in a job with an environment (rule 8, rule 7)');
    }
    if (environment !== undefined) {
      const name = asString(
        typeof environment === 'object' && environment !== null
          ? (environment as Record<string, unknown>)['name']
          : environment,
      );
      const concurrency = literal(child(raw, 'concurrency')) ?? literal(child(root, 'concurrency'));
      const group =
        typeof concurrency === 'object' && concurrency !== null
          ? asString((concurrency as Record<string, unknown>)['group'])
          : asString(concurrency);
      const cancels =
        typeof concurrency === 'object' && concurrency !== null
          ? (concurrency as Record<string, unknown>)['cancel-in-progress']
          : undefined;
      // `${{ inputs.environment }}` reads back as that text, and the group as `${{ format(…,
      // inputs.environment) }}`: the group must mention the environment's name or expression.
      const key = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(name)?.[1] ?? name;
      if (concurrency === undefined || !group.includes(key)) {
        say(
          where,
          `a job in environment ${name} needs a concurrency group per environment (rule 15)`,
        );
      } else if (cancels !== false) {
        say(where, 'its concurrency group must say cancel-in-progress: false (rule 15)');
      }
    }

    for (const [index, step] of job.steps.entries()) {
      const rawStep = items(child(raw, 'steps'))[index];
      const stepWhere = `${where}, step ${asString(literal(child(rawStep, 'name'))) || step.id}`;
      if ('run' in step && asString(literal(child(rawStep, 'run'))).includes('${{')) {
        say(stepWhere, 'no ${{ }} in run: scripts; pass values through env: (rule 5, rule 16)');
      }
      if (!('uses' in step)) continue;
      const uses = step.uses.value;
      checkUses(uses, stepWhere, say);
      const name = uses.replace(/@.*$/, '').toLowerCase();
      if (
        name === 'actions/checkout' &&
        asString(literal(at(rawStep, 'with', 'persist-credentials'))) !== 'false'
      ) {
        say(stepWhere, 'actions/checkout needs persist-credentials: false (rule 10)');
      }
      if (name === 'actions/cache' && environment !== undefined) {
        say(stepWhere, 'no Actions cache in a deploy job (rule 14)');
      }
    }
  }
  return violations;
}

function checkUses(
  uses: string,
  where: string,
  say: (where: string, message: string) => void,
): void {
  if (uses.startsWith('./') || uses.startsWith(SUITE_USES_PREFIX)) return;
  if (!FULL_SHA.test(uses)) say(where, `${uses} must be pinned to a full commit SHA (rule 9)`);
}

function isEmptyMapping(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

function eventsOf(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(asString);
  if (typeof on === 'object' && on !== null) return Object.keys(on);
  return [];
}

function calledWorkflow(ref: string, context: RuleContext): LoadedWorkflow | undefined {
  if (ref.startsWith('./')) return context.sibling(ref.slice(2));
  return ref.startsWith(SUITE_USES_PREFIX)
    ? context.sibling(ref.slice(SUITE_USES_PREFIX.length).replace(/@.*$/, ''))
    : undefined;
}

/** Whether a job of `callee`, or of a workflow it calls with id-token: write, assumes a role. */
function assumesRole(callee: LoadedWorkflow | undefined, context: RuleContext, depth = 0): boolean {
  if (callee === undefined || depth > 10) return false;
  return callee.template.jobs.some((calleeJob) => {
    const idToken =
      asString(literal(at(callee.root, 'jobs', calleeJob.id.value, 'permissions', 'id-token'))) ===
      'write';
    if (!idToken) return false;
    if (calleeJob.type === 'job') return calleeJob.environment !== undefined;
    return assumesRole(calledWorkflow(calleeJob.ref.value, context), context, depth + 1);
  });
}
