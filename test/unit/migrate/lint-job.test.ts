// The parse and lint of a plan or apply: nothing until the run starts it, then the findings, the
// refusal of a file the parser refuses, and the files before it still linted; a failed read and a
// cancelled run (started or not) end the job.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LintOptions } from '../../../src/migrate/lint/lint.ts';
import { startLint } from '../../../src/migrate/lint-job.ts';
import { readMigrations } from '../../../src/migrate/migration-set.ts';

const OPTIONS: LintOptions = {
  allowDestructive: false,
  lockTimeoutMs: 5000,
  statementTimeoutMs: 0,
};

const dir = mkdtempSync(join(tmpdir(), 'lint-job-'));
for (const [name, text] of Object.entries({
  'V1__orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);',
  'V2__index.sql': 'CREATE INDEX orders_note ON orders (note);',
  'V3__broken.sql': 'CREATE TABEL broken (id int);',
  'V4__index.sql': 'CREATE INDEX orders_id ON orders (id);',
}))
  writeFileSync(join(dir, name), text);
const FILES = await readMigrations(dir);

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

it('parses nothing until it is started, then lints', async () => {
  const job = startLint(Promise.resolve(FILES), OPTIONS);
  let settled = false;
  void job.done.then(() => (settled = true));
  await turns(20);
  expect(settled).toBe(false);
  expect(job.refusal('V3__broken.sql')).toBeUndefined();
  job.start();
  job.start(); // idempotent
  const { failure } = await job.done;
  expect(job.refusal('V3__broken.sql')).toBe(failure);
});

describe('once started', () => {
  it('lints every file, in order', async () => {
    const job = startLint(Promise.resolve([FILES[0]!, FILES[1]!]), OPTIONS);
    job.start();
    const { findings, failure } = await job.done;
    expect(failure).toBeUndefined();
    expect(findings.filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({
        script: 'V2__index.sql',
        rule: 'require-concurrent-index-creation',
        line: 1,
      }),
    ]);
    expect(job.refusal('V2__index.sql')).toBeUndefined();
  });

  it('stops at the first file the parser refuses: the ones before are linted, that one and the later ones are refused', async () => {
    const job = startLint(Promise.resolve(FILES), OPTIONS);
    job.start();
    const { findings, failure } = await job.done;
    expect(failure?.message).toMatch(/^V3__broken\.sql:1:8: syntax error at or near "TABEL"/);
    expect(failure).toMatchObject({ script: 'V3__broken.sql', line: 1, column: 8 });
    expect(new Set(findings.map((f) => f.script))).toEqual(new Set(['V2__index.sql']));
    expect(job.refusal('V2__index.sql')).toBeUndefined();
    expect(job.refusal('V3__broken.sql')).toBe(failure);
    expect(job.refusal('V4__index.sql')).toBe(failure);
  });

  it('ends with the read error when the files could not be read', async () => {
    const job = startLint(Promise.reject(new Error('V1.sql: not a migration name')), OPTIONS);
    job.start();
    await expect(job.done).rejects.toThrow('V1.sql: not a migration name');
  });

  it('ends at once, unstarted, when the run was cancelled before', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('cancelled before'));
    const job = startLint(Promise.resolve(FILES), OPTIONS, cancel.signal);
    await expect(job.done).rejects.toThrow('cancelled before');
  });

  it('ends when the run is cancelled, started or not', async () => {
    const cancel = new AbortController();
    const job = startLint(Promise.resolve(FILES), OPTIONS, cancel.signal);
    cancel.abort(new Error('cancelled'));
    await expect(job.done).rejects.toThrow('cancelled');
  });
});
