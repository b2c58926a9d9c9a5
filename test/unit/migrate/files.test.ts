// Discovery and naming of migration files: Flyway's rules, numeric version order, duplicates.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOf, discoverMigrations, parseFileName } from '../../../src/migrate/files.ts';
import { compareVersions, formatVersion, parseVersion } from '../../../src/migrate/version.ts';

function directory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('versions', () => {
  it('compare numerically part by part, missing parts as zero', () => {
    expect(compareVersions(parseVersion('1.10'), parseVersion('1.9'))).toBe(1);
    expect(compareVersions(parseVersion('2'), parseVersion('10'))).toBe(-1);
    expect(compareVersions(parseVersion('1'), parseVersion('1.0.0'))).toBe(0);
    expect(formatVersion(parseVersion('1_2_3'))).toBe('1.2.3');
    expect(compareVersions(parseVersion('20260101120000'), parseVersion('20260101115959'))).toBe(1);
  });
});

describe('parseFileName', () => {
  it('reads versioned and repeatable names', () => {
    expect(parseFileName('V1_2__add_orders.sql')).toEqual({
      kind: 'versioned',
      version: [1n, 2n],
      description: 'add orders',
    });
    expect(parseFileName('R__refresh_views.sql')).toEqual({
      kind: 'repeatable',
      version: undefined,
      description: 'refresh views',
    });
  });

  it.each([
    'V1_add.sql',
    'v1__add.sql',
    'V1.x__add.sql',
    'Vx__add.sql',
    'U1__undo.sql',
    'V1__.sql',
  ])('refuses %s with one line that says how to name it', (name) => {
    expect(() => parseFileName(name)).toThrow(new RegExp(`'${name.replace(/\./g, '\\.')}'`));
  });
});

describe('discoverMigrations', () => {
  it('orders versions numerically, repeatables last, subdirectories included, other files ignored', async () => {
    const dir = directory({
      'V1.10__ten.sql': 'SELECT 10;',
      'V1.9__nine.sql': 'SELECT 9;',
      'sub/V2__two.sql': 'SELECT 2;',
      'R__b.sql': 'SELECT 1;',
      'R__a.sql': 'SELECT 1;',
      'README.md': '# notes',
    });
    const found = await discoverMigrations(dir);
    expect(found.map((f) => f.script)).toEqual([
      'V1.9__nine.sql',
      'V1.10__ten.sql',
      'sub/V2__two.sql',
      'R__a.sql',
      'R__b.sql',
    ]);
    expect(found[0]!.checksum).toBe(checksumOf('SELECT 9;'));
  });

  it('names a file in nested subdirectories by its path from the directory, with slashes', async () => {
    const dir = directory({ 'a/b/V3__deep.sql': 'SELECT 3;', 'a/V2__mid.sql': 'SELECT 2;' });
    const found = await discoverMigrations(dir);
    expect(found.map((f) => [f.script, f.text])).toEqual([
      ['a/V2__mid.sql', 'SELECT 2;'],
      ['a/b/V3__deep.sql', 'SELECT 3;'],
    ]);
  });

  it('reads CRLF and LF alike for the checksum', () => {
    expect(checksumOf('SELECT 1;\r\nSELECT 2;\r\n')).toBe(checksumOf('SELECT 1;\nSELECT 2;\n'));
    expect(checksumOf('SELECT 1;')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses duplicate versions, naming both files', async () => {
    const dir = directory({ 'V1__a.sql': '', 'V1.0__b.sql': '' });
    await expect(discoverMigrations(dir)).rejects.toThrow(
      "Migrations 'V1.0__b.sql' and 'V1__a.sql' both have version 1",
    );
  });

  it('refuses a malformed .sql name', async () => {
    const dir = directory({ 'V1__ok.sql': '', 'V2-add.sql': '' });
    await expect(discoverMigrations(dir)).rejects.toThrow(
      "Migration file 'V2-add.sql' is not named",
    );
  });

  it('refuses a missing directory', async () => {
    await expect(discoverMigrations('/nonexistent/migrations')).rejects.toThrow(
      "Migrations directory '/nonexistent/migrations' does not exist",
    );
  });
});
