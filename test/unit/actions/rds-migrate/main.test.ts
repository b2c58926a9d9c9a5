// The adapter on a terminal runner (as the command line runs it), without a database: lint's
// outputs and summary, and a failure's full report as the failed result, its comment before the
// "**Failed:**" line.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appliedBy, run } from '../../../../src/actions/rds-migrate/main.ts';
import { createTerminalRunner } from '../../../../src/runner/terminal-runner.ts';

afterEach(() => {
  process.exitCode = undefined;
});

async function lint(files: Record<string, string>, inputs: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'rds-migrate-main-'));
  mkdirSync(join(cwd, 'migrations'));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(cwd, 'migrations', name), text);
  }
  const out: string[] = [];
  const err: string[] = [];
  const summaryFile = join(cwd, 'summary.md');
  const runner = createTerminalRunner({
    inputs: { command: 'lint', ...inputs },
    env: { GITHUB_WORKSPACE: cwd, PATH: '' },
    verbose: false,
    summaryFile,
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
  });
  await run(runner);
  return {
    outputs: runner.outputs,
    result: JSON.parse(runner.outputs.result ?? '{}') as Record<string, unknown>,
    out: out.join(''),
    err: err.join(''),
    summary: readFileSync(summaryFile, 'utf8'),
    exitCode: process.exitCode,
  };
}

describe('rds-migrate adapter', () => {
  it('lints: outputs, summary and a result without a failure', async () => {
    const r = await lint({ 'V1__orders.sql': 'CREATE TABLE orders (id bigint);' });
    expect(r.exitCode).toBeUndefined();
    expect(r.out).toContain('Found 1 migration in ');
    expect(r.outputs).toMatchObject({ applied: '0', pending: '0', findings: '0' });
    expect(r.result).toMatchObject({ command: 'lint', outcome: 'ok', findings: [] });
    expect(r.result).not.toHaveProperty('reason');
    expect(r.summary).toContain('### Lint\n\nLint: no findings.');
  });

  it('fails on a finding: annotated on its file, the report as the failed result, the comment before the failure', async () => {
    const r = await lint({ 'V1__i.sql': 'SELECT 1;\nCREATE INDEX i ON orders (x);' });
    expect(r.exitCode).toBe(1);
    expect(r.err).toContain(
      'migrations/V1__i.sql:2:1: error: require-concurrent-index-creation: index on orders.',
    );
    expect(r.err).toMatch(/^error: Lint: 1 finding would lock or break the live database/m);
    expect(r.outputs).toMatchObject({ findings: '1' });
    expect(r.result).toMatchObject({
      version: 1,
      command: 'lint',
      outcome: 'failed',
      reason: expect.stringMatching(/^Lint: 1 finding/),
      applied: [],
      pending: [],
      failed: null,
      findings: [expect.objectContaining({ rule: 'require-concurrent-index-creation' })],
    });
    expect(r.summary.indexOf('| error |')).toBeGreaterThan(0);
    expect(r.summary.indexOf('| error |')).toBeLessThan(r.summary.indexOf('**Failed:** Lint:'));
  });

  it('reports the command as given when the inputs fail', async () => {
    const r = await lint({}, { command: 'migrate' });
    expect(r.exitCode).toBe(1);
    expect(r.result).toMatchObject({
      command: 'migrate',
      outcome: 'failed',
      reason: "Input 'command' is 'migrate': use one of lint, plan, apply, validate.",
      findings: [],
    });
    expect(r.outputs.comment).toBe('### Lint\n\nLint: no findings.');
  });
});

it('appliedBy names the workflow run, or user@host outside one', () => {
  expect(appliedBy({ GITHUB_RUN_ID: '7', GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ATTEMPT: '2' })).toBe(
    'https://github.com/o/r/actions/runs/7/attempts/2',
  );
  expect(appliedBy({})).toMatch(/^.+@.+$/);
});
