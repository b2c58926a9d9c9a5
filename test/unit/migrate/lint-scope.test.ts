// Which migrations lint with a base ref judges: added, edited and renamed ones; deleted ones reported.
import { expect, it } from '@jest/globals';
import { lintScope } from '../../../src/migrate/lint-scope.ts';

const SCRIPTS = ['V1__a.sql', 'V2__b.sql', 'sub/V3__c.sql', 'V4__d.sql', 'R__views.sql'];

it('judges added, modified and renamed migrations, in migration order; reports deleted and renamed', () => {
  const scope = lintScope(SCRIPTS, {
    base: 'origin/main',
    mergeBase: 'a'.repeat(40),
    changes: [
      { status: 'added', path: 'V4__d.sql' },
      { status: 'modified', path: 'R__views.sql' },
      { status: 'renamed', path: 'sub/V3__c.sql', from: 'V3__c.sql' },
      { status: 'deleted', path: 'V0__gone.sql' },
      { status: 'added', path: 'README.md' },
      { status: 'deleted', path: 'notes.txt' },
    ],
  });
  expect(scope).toEqual({
    base: 'origin/main',
    mergeBase: 'a'.repeat(40),
    judged: ['sub/V3__c.sql', 'V4__d.sql', 'R__views.sql'],
    deleted: ['V0__gone.sql'],
    renamed: [{ from: 'V3__c.sql', to: 'sub/V3__c.sql' }],
  });
});

it('nothing changed: nothing judged', () => {
  expect(lintScope(SCRIPTS, { base: 'main', mergeBase: 'b', changes: [] })).toMatchObject({
    judged: [],
    deleted: [],
    renamed: [],
  });
});
