// The region data in src/lib/partitions.ts is a copy of the bundled SDK's: this test fails when the
// SDK's data changes, and prints what the copy should hold.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PARTITIONS, isRegionName } from '../../../src/lib/partitions.ts';
import { resolveRegion } from '../../../src/aws/region.ts';

interface SdkPartitions {
  partitions: { id: string; regionRegex: string; regions: Record<string, unknown> }[];
}

function sdkPartitions(): SdkPartitions {
  const require = createRequire(import.meta.url);
  const core = dirname(require.resolve('@aws-sdk/core/package.json'));
  const text = readFileSync(
    join(core, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js'),
    'utf8',
  );
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as SdkPartitions;
}

describe('the partitions copy', () => {
  it('holds exactly the bundled SDK’s partitions, patterns and regions', () => {
    const sdk = sdkPartitions().partitions.map((p) => ({
      id: p.id,
      regionRegex: p.regionRegex,
      regions: Object.keys(p.regions),
    }));
    expect(PARTITIONS).toEqual(sdk);
  });
});

describe('isRegionName', () => {
  it('accepts a region of every partition', () => {
    for (const partition of PARTITIONS) {
      for (const region of partition.regions.filter((r) => !r.endsWith('-global'))) {
        expect({ region, ok: isRegionName(region) }).toEqual({ region, ok: true });
      }
    }
    expect(isRegionName('eusc-de-east-1')).toBe(true);
    expect(isRegionName('us-isof-south-1')).toBe(true);
  });

  it('accepts a region its partition’s pattern allows but the data does not list yet', () => {
    expect(isRegionName('ap-east-9')).toBe(true);
  });

  it.each([
    '',
    'europe',
    'Frankfurt',
    'EU-WEST-1',
    'xx-nowhere-1',
    'eu_west-1',
    'aws-global',
    'eu-west-1 ',
  ])('refuses %p', (name) => expect(isRegionName(name)).toBe(false));
});

describe('resolveRegion', () => {
  it('names the input, or the variable the region came from', () => {
    expect(() => resolveRegion('europe', {})).toThrow(
      "Input 'aws-region': 'europe' is not an AWS region name",
    );
    expect(() => resolveRegion('x', {}, 'source-region')).toThrow("Input 'source-region': 'x'");
    expect(() => resolveRegion('', { AWS_REGION: 'nowhere' })).toThrow(
      "The job's AWS_REGION: 'nowhere' is not an AWS region name",
    );
    expect(() => resolveRegion('', {}, 'source-region')).toThrow(
      "No AWS region: set the 'source-region' input",
    );
  });

  it('accepts every partition’s regions', () => {
    expect(resolveRegion('eusc-de-east-1', {})).toBe('eusc-de-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'cn-north-1' })).toBe('cn-north-1');
  });

  it('shortens a long value it echoes', () => {
    expect(() => resolveRegion('x'.repeat(5000), {})).toThrow(/…' \(5000 characters\)/);
  });
});
