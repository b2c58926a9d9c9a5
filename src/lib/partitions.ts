// The AWS partitions and their regions, as the bundled AWS SDK knows them: a copy of the data in
// @aws-sdk/core 3.981.0 (dist-es/submodules/client/util-endpoints/lib/aws/partitions.js). The SDK
// exports no way to read it that does not load the whole SDK client core (about 580 KB, which
// rds-migrate loads only when it talks to AWS); test/unit/lib/regions.test.ts fails when the SDK
// data changes, and prints the new text for this file.

export interface Partition {
  readonly id: string;
  /** The SDK's pattern for the partition's region names, future ones included. */
  readonly regionRegex: string;
  readonly regions: readonly string[];
}

export const PARTITIONS: readonly Partition[] = [
  {
    id: 'aws',
    regionRegex: '^(us|eu|ap|sa|ca|me|af|il|mx)\\-\\w+\\-\\d+$',
    regions: [
      'af-south-1',
      'ap-east-1',
      'ap-east-2',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-south-1',
      'ap-south-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-southeast-3',
      'ap-southeast-4',
      'ap-southeast-5',
      'ap-southeast-6',
      'ap-southeast-7',
      'aws-global',
      'ca-central-1',
      'ca-west-1',
      'eu-central-1',
      'eu-central-2',
      'eu-north-1',
      'eu-south-1',
      'eu-south-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'il-central-1',
      'me-central-1',
      'me-south-1',
      'me-west-1',
      'mx-central-1',
      'sa-east-1',
      'sa-west-1',
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
    ],
  },
  {
    id: 'aws-cn',
    regionRegex: '^cn\\-\\w+\\-\\d+$',
    regions: ['aws-cn-global', 'cn-north-1', 'cn-northwest-1'],
  },
  {
    id: 'aws-eusc',
    regionRegex: '^eusc\\-(de)\\-\\w+\\-\\d+$',
    regions: ['eusc-de-east-1'],
  },
  {
    id: 'aws-iso',
    regionRegex: '^us\\-iso\\-\\w+\\-\\d+$',
    regions: ['aws-iso-global', 'us-iso-east-1', 'us-iso-west-1'],
  },
  {
    id: 'aws-iso-b',
    regionRegex: '^us\\-isob\\-\\w+\\-\\d+$',
    regions: ['aws-iso-b-global', 'us-isob-east-1', 'us-isob-west-1'],
  },
  {
    id: 'aws-iso-e',
    regionRegex: '^eu\\-isoe\\-\\w+\\-\\d+$',
    regions: ['aws-iso-e-global', 'eu-isoe-west-1'],
  },
  {
    id: 'aws-iso-f',
    regionRegex: '^us\\-isof\\-\\w+\\-\\d+$',
    regions: ['aws-iso-f-global', 'us-isof-east-1', 'us-isof-south-1'],
  },
  {
    id: 'aws-us-gov',
    regionRegex: '^us\\-gov\\-\\w+\\-\\d+$',
    regions: ['aws-us-gov-global', 'us-gov-east-1', 'us-gov-west-1'],
  },
];

/** Pseudo-regions for global endpoints (aws-global, aws-cn-global, …): not where a resource lives. */
const GLOBAL = /-global$/;

const KNOWN = new Set(
  PARTITIONS.flatMap((partition) => partition.regions).filter((name) => !GLOBAL.test(name)),
);
const PATTERNS = PARTITIONS.map((partition) => new RegExp(partition.regionRegex));

/**
 * A region of a partition the bundled SDK knows: one of its listed regions, or a name its
 * partition's pattern accepts (a region launched after this SDK release), in lower case.
 */
export function isRegionName(name: string): boolean {
  if (!/^[a-z0-9-]{1,64}$/.test(name)) return false;
  return KNOWN.has(name) || PATTERNS.some((pattern) => pattern.test(name));
}
