import { describe, expect, it } from '@jest/globals';
import { runnerView } from './runner-view.ts';

describe('runnerView', () => {
  it('consumes commands, masks secrets and shows annotations as the runner does', () => {
    const view = runnerView({
      log: [
        '::add-mask::s3cr3t',
        'Assuming role with s3cr3t-suffix',
        '::debug::hidden',
        '::group::Details',
        '::error::failed%0Asecond with s3cr3t',
        '',
      ].join('\n'),
      masks: ['s3cr3t'],
    });
    expect(view).toEqual([
      'Assuming role with ***-suffix',
      '▸ Details',
      'Error: failed\nsecond with ***',
    ]);
  });
});
