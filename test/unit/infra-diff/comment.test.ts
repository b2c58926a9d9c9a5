import { describe, expect, it } from '@jest/globals';
import { parseCdkDiff } from '../../../src/infra-diff/cdk-diff.ts';
import { INFRA_DIFF_MARKER, renderComment } from '../../../src/infra-diff/comment.ts';
import { RECORDED, RISKY } from './samples.ts';

const SHA = 'a3f1c9e07b5d2e4f6a8b0c1d2e3f4a5b6c7d8e9f';

describe('renderComment', () => {
  it('leads with the marker, a headline and one row per stack, each diff collapsed', () => {
    const body = renderComment({ diff: parseCdkDiff(RECORDED), exitCode: 0, commit: SHA });
    expect(body.startsWith(`${INFRA_DIFF_MARKER}\n## Infrastructure diff\n`)).toBe(true);
    expect(body).toContain('2 of 2 stacks with differences.');
    expect(body).toContain(
      '| staging/App (shop-staging) (aws://123456789012/us-east-1) | 0 | 1 | 0 | 0 | – |',
    );
    expect(body).toContain(
      '<details><summary>staging/App (shop-staging) (aws://123456789012/us-east-1)</summary>',
    );
    expect(body).toContain('     └─ [+] alerts');
    expect(body).not.toContain('Lookup role');
    expect(body).toContain('`a3f1c9e07b5d`');
  });

  it('puts replacements, removals and IAM changes in the headline', () => {
    const body = renderComment({ diff: parseCdkDiff(RISKY), exitCode: 0 });
    expect(body).toContain(
      '1 of 2 stacks with differences: **1 resource replaced**, **1 removed**, **IAM or security-group changes**.',
    );
    expect(body).toContain('| staging/Edge (shop-staging-edge) | – | – | – | – | no differences |');
    expect(body.match(/<details>/g)).toHaveLength(1);
  });

  it('says a diff failed and shows the end of its output', () => {
    const body = renderComment({
      diff: parseCdkDiff('Error: Need to perform AWS calls for account 123456789012\n'),
      exitCode: 1,
      runUrl: 'https://github.com/o/r/actions/runs/5',
    });
    expect(body).toContain('**`cdk diff` failed (exit code 1)**');
    expect(body).toContain('Error: Need to perform AWS calls for account 123456789012');
    expect(body).toContain('[Run](https://github.com/o/r/actions/runs/5)');
    expect(body).toContain('No stack was diffed.');
  });

  it('shows what was said instead when nothing was diffed and nothing failed', () => {
    const body = renderComment({
      diff: parseCdkDiff('The base commit has no infra/package-lock.json: nothing to diff with.\n'),
      exitCode: 0,
    });
    expect(body).toContain(
      'No stack was diffed.\n\n```\nThe base commit has no infra/package-lock.json',
    );
  });

  it('escapes what the pull request controls: names and backtick runs', () => {
    const hostile = [
      'Stack staging/<img src=x onerror=alert(1)>|x',
      'Resources',
      '[+] AWS::SNS::Topic App/T T1 ```` </details>',
      '',
    ].join('\n');
    const body = renderComment({ diff: parseCdkDiff(hostile), exitCode: 0 });
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;\\|x');
    expect(body).toContain(
      '\n`````\nResources\n[+] AWS::SNS::Topic App/T T1 ```` </details>\n`````',
    );
  });

  it('cuts a stack that does not fit and says how many lines are left out', () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `[+] AWS::SNS::Topic App/T${i} T${i}`);
    const text = `Stack staging/Big\nResources\n${lines.join('\n')}\n`;
    const body = renderComment({ diff: parseCdkDiff(text), exitCode: 0 }, 20_000);
    expect(body.length).toBeLessThan(25_000);
    expect(body).toMatch(/_\d+ more lines in the run's log\._/);
    expect(body).toContain('| staging/Big | 4000 | 0 | 0 | 0 | – |');
  });
});
