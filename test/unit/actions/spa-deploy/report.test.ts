import { describe, expect, it } from '@jest/globals';
import { deployBody, deploySummary, eventLine } from '../../../../src/actions/spa-deploy/report.ts';
import { Summary } from '../../../../src/runner/summary.ts';
import type { DeployResult } from '../../../../src/spa/index.ts';

const deployed: DeployResult = {
  outcome: 'deployed',
  release: 'r2',
  previousRelease: 'r1',
  files: 2000,
  uploaded: { count: 2, bytes: 3 * 1024 * 1024 },
  copied: 0,
  unchanged: 1998,
  deleted: 5,
  prunedReleases: ['r0'],
  invalidation: { id: 'I1', paths: ['/', '/index.html'], completed: true },
  timeToLiveMs: 1500,
};

describe('spa-deploy report', () => {
  it('puts a deploy in one table row', () => {
    const summary = new Summary();
    deploySummary(summary, deployed, 's3://site/ behind E1');
    const text = summary.stringify();
    expect(text).toContain('**Deployed** release r2 to s3://site/ behind E1.');
    expect(text).toContain(
      '| 2000 | 2 | 3.0 MiB | 1998 | 5 | `/` `/index.html` (I1, completed) | 1.5 s |',
    );
  });

  it('keeps long path lists short in the log', () => {
    const paths = Array.from({ length: 12 }, (_, i) => `/p${i}.html`);
    expect(eventLine({ type: 'invalidation-started', id: 'I2', paths })).toBe(
      `Invalidation I2 of ${paths.slice(0, 10).join(' ')} and 2 more`,
    );
  });

  it('writes the result with nulls for what did not happen', () => {
    expect(
      deployBody({ ...deployed, invalidation: undefined, previousRelease: undefined }),
    ).toMatchObject({
      outcome: 'deployed',
      mode: 'deploy',
      previousRelease: null,
      invalidation: null,
      uploaded: { count: 2, bytes: 3145728 },
    });
  });
});
