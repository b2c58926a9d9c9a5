// Reads what `cdk diff` prints (aws-cdk 2.x, template diff) into one section per stack: its header
// `Stack <display name> …`, the lines under it, and the counts a reviewer looks at first. Lines
// that belong to no section (warnings about roles, notices, SDK messages) are kept apart, so the
// comment shows the diff and not the tool's chatter.

export interface StackDiff {
  /** As cdk prints it, e.g. `staging/App (shop-staging) (aws://123456789012/us-east-1)`. */
  readonly name: string;
  readonly lines: readonly string[];
  readonly changed: boolean;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  /** Resources cdk marks `(requires replacement)` or `(may cause replacement)`. */
  readonly replaced: number;
  /** IAM statement, IAM policy or security-group changes. */
  readonly security: boolean;
}

export interface CdkDiff {
  readonly stacks: readonly StackDiff[];
  /** Lines outside every stack's section. */
  readonly other: readonly string[];
}

const STACK_HEADER = /^Stack (\S.*)$/;
const NO_DIFFERENCES = /^There were no differences$/;
const SECTION_HEADINGS = new Set([
  'Resources',
  'Parameters',
  'Outputs',
  'Conditions',
  'Mappings',
  'Metadata',
  'Rules',
  'Transform',
  'Description',
  'AWSTemplateFormatVersion',
  'Template',
  'Other Changes',
  'IAM Statement Changes',
  'IAM Policy Changes',
  'Security Group Changes',
  'Resource Tags',
]);
const SECURITY_HEADINGS = new Set([
  'IAM Statement Changes',
  'IAM Policy Changes',
  'Security Group Changes',
]);
/** Lines that continue a section: changes, their trees and tables, notes, blank lines. */
const SECTION_LINE = /^(\[[+~-]\]|[\s│├└┌┐┘┬┴┼─]|\(|$)/u;
const FOOTER = /^✨\s+Number of stacks with differences:/u;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function parseCdkDiff(output: string): CdkDiff {
  const stacks: StackDiff[] = [];
  const other: string[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const close = () => {
    if (current !== undefined) stacks.push(summarise(current.name, trimBlank(current.lines)));
    current = undefined;
  };
  for (const raw of output.replace(ANSI, '').split(/\r?\n/)) {
    const line = raw.trimEnd();
    const header = STACK_HEADER.exec(line);
    if (header?.[1] !== undefined) {
      close();
      current = { name: header[1], lines: [] };
    } else if (FOOTER.test(line)) {
      close();
    } else if (
      current !== undefined &&
      (SECTION_HEADINGS.has(line) || SECTION_LINE.test(line) || NO_DIFFERENCES.test(line))
    ) {
      current.lines.push(line);
    } else if (line !== '') {
      other.push(line);
    }
  }
  close();
  return { stacks, other };
}

function summarise(name: string, lines: readonly string[]): StackDiff {
  let heading = '';
  let added = 0;
  let modified = 0;
  let removed = 0;
  let replaced = 0;
  let security = false;
  let resourceReplaced = false;
  for (const line of lines) {
    if (SECTION_HEADINGS.has(line)) {
      heading = line;
      if (SECURITY_HEADINGS.has(line)) security = true;
      continue;
    }
    if (heading !== 'Resources') continue;
    const change = /^\[([+~-])\]/.exec(line)?.[1];
    if (change !== undefined) {
      resourceReplaced = false;
      if (change === '+') added += 1;
      else if (change === '-') removed += 1;
      else modified += 1;
    }
    if (!resourceReplaced && /\((requires|may cause) replacement\)/.test(line)) {
      resourceReplaced = true;
      replaced += 1;
    }
  }
  const changed = !lines.some((line) => NO_DIFFERENCES.test(line)) && lines.length > 0;
  return { name, lines, changed, added, modified, removed, replaced, security };
}

function trimBlank(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start] === '') start += 1;
  while (end > start && lines[end - 1] === '') end -= 1;
  return lines.slice(start, end);
}
