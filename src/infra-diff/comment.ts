// The pull request's infrastructure comment: a headline, one table row per stack, and each changed
// stack's diff in a collapsed block. Stack names and diff lines come from the pull request's own
// templates, so names are escaped for markdown and HTML, and each block's fence is longer than any
// run of backticks inside it.
import type { CdkDiff, StackDiff } from './cdk-diff.ts';

export const INFRA_DIFF_MARKER = '<!-- aws-ship-suite infra-diff -->';

/** Room for the diff blocks; GitHub takes 65,536 characters, the rest is for the table. */
export const DIFF_BUDGET_CHARACTERS = 55_000;
const FAILURE_TAIL_LINES = 30;

export interface CommentFacts {
  readonly diff: CdkDiff;
  readonly exitCode: number;
  /** The commit whose synthesized templates were diffed. */
  readonly commit?: string | undefined;
  /** The workflow run, for the whole log. */
  readonly runUrl?: string | undefined;
}

export function renderComment(facts: CommentFacts, budget = DIFF_BUDGET_CHARACTERS): string {
  const { diff, exitCode } = facts;
  const lines = [INFRA_DIFF_MARKER, '## Infrastructure diff', ''];
  if (exitCode !== 0) {
    lines.push(
      `**\`cdk diff\` failed (exit code ${exitCode})**: the stacks below may be incomplete.${facts.runUrl ? ` [The run's log](${facts.runUrl}) has the whole output.` : ''}`,
      '',
    );
    const tail = diff.other.slice(-FAILURE_TAIL_LINES);
    if (tail.length > 0) lines.push(...fenced(tail), '');
  }
  lines.push(headline(diff.stacks), '');
  if (exitCode === 0 && diff.stacks.length === 0 && diff.other.length > 0) {
    // Nothing diffed and nothing failed: what was said instead is the whole story.
    lines.push(...fenced(diff.other.slice(-FAILURE_TAIL_LINES)), '');
  }
  if (diff.stacks.length > 0) {
    lines.push(
      '| stack | added | changed | removed | replaced | IAM or security groups |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const stack of diff.stacks) {
      lines.push(
        stack.changed
          ? `| ${escapeCell(stack.name)} | ${stack.added} | ${stack.modified} | ${stack.removed} | ${stack.replaced > 0 ? `**${stack.replaced}**` : '0'} | ${stack.security ? '**changed**' : '–'} |`
          : `| ${escapeCell(stack.name)} | – | – | – | – | no differences |`,
      );
    }
    lines.push('');
  }
  let room = budget;
  for (const stack of diff.stacks.filter((s) => s.changed)) {
    const block = details(stack, room);
    room -= block.length;
    lines.push(block, '');
  }
  const from = facts.commit ? `\`${facts.commit.slice(0, 12)}\`` : 'this pull request';
  lines.push(
    `<sub>Templates synthesized from ${from}, compared with the deployed stacks (\`cdk diff\`, no change set).${facts.runUrl ? ` [Run](${facts.runUrl})` : ''}</sub>`,
  );
  return lines.join('\n');
}

function headline(stacks: readonly StackDiff[]): string {
  const changed = stacks.filter((s) => s.changed);
  if (stacks.length === 0) return 'No stack was diffed.';
  if (changed.length === 0)
    return `No differences in ${stacks.length} stack${stacks.length === 1 ? '' : 's'}.`;
  const replaced = changed.reduce((sum, s) => sum + s.replaced, 0);
  const removed = changed.reduce((sum, s) => sum + s.removed, 0);
  const warnings = [
    replaced > 0 ? `**${replaced} resource${replaced === 1 ? '' : 's'} replaced**` : '',
    removed > 0 ? `**${removed} removed**` : '',
    changed.some((s) => s.security) ? '**IAM or security-group changes**' : '',
  ].filter((w) => w !== '');
  return `${changed.length} of ${stacks.length} stack${stacks.length === 1 ? '' : 's'} with differences${warnings.length > 0 ? `: ${warnings.join(', ')}` : ''}.`;
}

function details(stack: StackDiff, room: number): string {
  const open = `<details><summary>${escapeHtml(stack.name)}</summary>\n\n`;
  const close = '\n\n</details>';
  let shown = stack.lines;
  let note = '';
  const size = (lines: readonly string[]) =>
    open.length + fenced(lines).join('\n').length + close.length + 80;
  while (shown.length > 0 && size(shown) > room)
    shown = shown.slice(0, Math.floor(shown.length / 2));
  if (shown.length < stack.lines.length) {
    note = `\n\n_${stack.lines.length - shown.length} more lines in the run's log._`;
  }
  return `${open}${fenced(shown).join('\n')}${note}${close}`;
}

function fenced(lines: readonly string[]): string[] {
  const longest = Math.max(
    0,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, ...lines, fence];
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeCell(text: string): string {
  return escapeHtml(text).replace(/[|\\`*_[\]]/g, (c) => `\\${c}`);
}
