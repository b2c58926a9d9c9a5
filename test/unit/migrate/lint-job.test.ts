// The parse and lint of a plan or apply, in its worker thread (lint-worker.ts, started on the
// sources here) and in this thread (a bundle without the worker file): the same findings, the same
// refusal of a file the parser refuses, and the files before it still linted; a failed read and a
// cancelled run end the job.
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LintOptions } from '../../../src/migrate/lint/lint.ts';
import { lintWorker, lintWorkerFile, startLint } from '../../../src/migrate/lint-job.ts';
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

const WORKER = lintWorkerFile();
const ways = [
  ['in its worker thread', WORKER],
  ['in this thread', undefined],
] as const;

it('finds the worker beside the module, in the sources and in a bundle, and nothing where there is none', () => {
  expect(WORKER).toMatch(/src\/migrate\/lint-worker\.ts$/);
  expect(existsSync(WORKER!)).toBe(true);
  expect(lintWorkerFile(pathToFileURL('/nowhere/807.index.js').href)).toBeUndefined();
});

it('lints in the worker only with another core to run it on', () => {
  expect(lintWorker(2, WORKER)).toBe(WORKER);
  expect(lintWorker(1, WORKER)).toBeUndefined();
});

it('ends with the error of a worker that fails, or that exits before it is done', async () => {
  const crashing = join(dir, 'crashing-worker.mjs');
  writeFileSync(crashing, "throw new Error('the worker broke');\n");
  await expect(
    startLint(Promise.resolve(FILES), OPTIONS, undefined, crashing).done,
  ).rejects.toThrow('the worker broke');
  const quitting = join(dir, 'quitting-worker.mjs');
  writeFileSync(quitting, 'process.exit(3);\n');
  await expect(
    startLint(Promise.resolve(FILES), OPTIONS, undefined, quitting).done,
  ).rejects.toThrow('the lint worker exited (3) before it was done');
});

describe.each(ways)('%s', (_, workerFile) => {
  it('lints every file, in order', async () => {
    const job = startLint(Promise.resolve([FILES[0]!, FILES[1]!]), OPTIONS, undefined, workerFile);
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
    const job = startLint(Promise.resolve(FILES), OPTIONS, undefined, workerFile);
    const { findings, failure } = await job.done;
    expect(failure?.message).toMatch(/^V3__broken\.sql:1:8: syntax error at or near "TABEL"/);
    expect(failure).toMatchObject({ script: 'V3__broken.sql', line: 1, column: 8 });
    expect(new Set(findings.map((f) => f.script))).toEqual(new Set(['V2__index.sql']));
    expect(job.refusal('V2__index.sql')).toBeUndefined();
    expect(job.refusal('V3__broken.sql')).toBe(failure);
    expect(job.refusal('V4__index.sql')).toBe(failure);
  });

  it('ends with the read error when the files could not be read', async () => {
    const job = startLint(
      Promise.reject(new Error('V1.sql: not a migration name')),
      OPTIONS,
      undefined,
      workerFile,
    );
    await expect(job.done).rejects.toThrow('V1.sql: not a migration name');
  });

  it('ends at once when the run was cancelled before it started', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('cancelled before'));
    const job = startLint(Promise.resolve(FILES), OPTIONS, cancel.signal, workerFile);
    await expect(job.done).rejects.toThrow('cancelled before');
  });

  it('ends when the run is cancelled', async () => {
    const cancel = new AbortController();
    const job = startLint(Promise.resolve(FILES), OPTIONS, cancel.signal, workerFile);
    cancel.abort(new Error('cancelled'));
    await expect(job.done).rejects.toThrow('cancelled');
  });
});
