import { describe, expect, it } from '@jest/globals';

describe('toolchain', () => {
  it('runs the tests on Node 24 or newer', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});
