// What the emulated ECR keeps: repositories with their settings, and per repository the images
// pushed through the registry front or PutImage (the manifests themselves live in the real
// registry), and the scans of those images.

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';

export const SEVERITIES: readonly Severity[] = [
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'INFORMATIONAL',
  'UNDEFINED',
];

/** A finding as a test scripts it; the emulator renders it as basic or enhanced scanning does. */
export interface ScriptedFinding {
  readonly name: string;
  readonly severity: Severity;
  readonly description?: string;
  readonly uri?: string;
  readonly packageName?: string;
  readonly packageVersion?: string;
}

/** How scans of new images in a repository go, set by a test. */
export interface ScanBehaviour {
  /** BASIC (ECR's own scan, status COMPLETE) or ENHANCED (Inspector, status ACTIVE). */
  readonly type?: 'BASIC' | 'ENHANCED';
  readonly findings?: readonly ScriptedFinding[];
  /** DescribeImageScanFindings calls answered IN_PROGRESS (PENDING for enhanced) first. */
  readonly pendingCalls?: number;
  /** The scan fails with this description (status FAILED). */
  readonly failure?: string;
  /** Never completes (status stays in progress). */
  readonly never?: boolean;
}

export interface Scan {
  readonly behaviour: ScanBehaviour;
  pendingCalls: number;
  completedAt: Date | undefined;
}

export interface Image {
  readonly digest: string;
  readonly mediaType: string;
  readonly sizeInBytes: number;
  readonly tags: Set<string>;
  pushedAt: Date;
  scan: Scan | undefined;
}

export interface Repository {
  readonly name: string;
  readonly registryId: string;
  readonly arn: string;
  readonly uri: string;
  readonly createdAt: Date;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  scanOnPush: boolean;
  readonly encryption: { encryptionType: 'AES256' | 'KMS'; kmsKey?: string };
  lifecyclePolicyText: string | undefined;
  readonly tags: readonly { Key: string; Value: string }[];
  /** By digest. */
  readonly images: Map<string, Image>;
}

/** The digest a tag points at, if any. */
export function digestOfTag(repository: Repository, tag: string): string | undefined {
  for (const image of repository.images.values()) if (image.tags.has(tag)) return image.digest;
  return undefined;
}

/** Sum of the blob sizes a manifest names (config and layers), as ECR's imageSizeInBytes. */
export function manifestSize(body: string): number {
  try {
    const parsed = JSON.parse(body) as {
      config?: { size?: number };
      layers?: { size?: number }[];
      manifests?: { size?: number }[];
    };
    const parts = [parsed.config, ...(parsed.layers ?? []), ...(parsed.manifests ?? [])];
    return parts.reduce((sum, part) => sum + (part?.size ?? 0), 0);
  } catch {
    return 0;
  }
}
