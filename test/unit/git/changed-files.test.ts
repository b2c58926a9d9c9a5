// git's `diff --name-status -z` read into changes: renames carry both paths, copies count as added.
import { expect, it } from '@jest/globals';
import { parseNameStatus } from '../../../src/git/changed-files.ts';

it('reads added, modified, type-changed, deleted, renamed and copied entries', () => {
  const output = [
    'A',
    'V3__new.sql',
    'M',
    'V1__a b.sql',
    'T',
    'V2__link.sql',
    'D',
    'V0__gone.sql',
    'R087',
    'V4__old.sql',
    'sub/V4__new.sql',
    'C100',
    'V1__a b.sql',
    'V5__copy.sql',
    '',
  ].join('\0');
  expect(parseNameStatus(output)).toEqual([
    { status: 'added', path: 'V3__new.sql' },
    { status: 'modified', path: 'V1__a b.sql' },
    { status: 'modified', path: 'V2__link.sql' },
    { status: 'deleted', path: 'V0__gone.sql' },
    { status: 'renamed', path: 'sub/V4__new.sql', from: 'V4__old.sql' },
    { status: 'added', path: 'V5__copy.sql' },
  ]);
  expect(parseNameStatus('')).toEqual([]);
});
