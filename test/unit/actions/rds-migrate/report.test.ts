// What lint with a base ref says it judged: one line, renamed and deleted migrations included.
import { expect, it } from '@jest/globals';
import { describeScope } from '../../../../src/actions/rds-migrate/report.ts';

const AT = { base: 'origin/main', mergeBase: '0123456789abcdef0123' };

it('names what it judges, what was renamed and what was deleted', () => {
  expect(
    describeScope({
      ...AT,
      judged: ['V3__c.sql', 'V4__d.sql'],
      renamed: [{ from: 'V2__b.sql', to: 'V3__c.sql' }],
      deleted: ['V1__a.sql'],
    }),
  ).toBe(
    'Linting the 2 migrations added or changed since origin/main (merge base 0123456789ab): V3__c.sql, V4__d.sql; renamed: V2__b.sql -> V3__c.sql; deleted: V1__a.sql.',
  );
});

it('says when there is nothing to judge', () => {
  expect(describeScope({ ...AT, judged: [], renamed: [], deleted: [] })).toBe(
    'Linting no migration: none added or changed since origin/main (merge base 0123456789ab).',
  );
});
