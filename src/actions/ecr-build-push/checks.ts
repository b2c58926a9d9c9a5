// The checks of ecr-build-push's inputs that need more than a pattern: values shown in messages,
// KMS key forms, builder attestation options and repository
// names given as image URIs. Every refusal is one line that names the input.
import { UserError, shown } from '../../lib/errors.ts';

// ECR's private registry host, in any partition: <account>.dkr.ecr[-fips].<region>.<dns suffix>.
const ECR_REGISTRY_PREFIX = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\./;
// Registry hosts that are never the first part of an ECR repository name ('my.team/app' is one).
const OTHER_REGISTRY =
  /^(?:localhost|public\.ecr\.aws|docker\.io|index\.docker\.io|registry-1\.docker\.io|ghcr\.io|quay\.io|gcr\.io|[a-z0-9.-]+\.(?:amazonaws\.com|amazonaws\.com\.cn|azurecr\.io|pkg\.dev))$/;

/**
 * A repository name given as an image reference: a registry host in front, a tag or a digest
 * behind. Refused with the name to give instead; anything else is left to the name grammar.
 */
export function refuseImageReference(input: string, value: string, region: string): void {
  const [first = '', ...rest] = value.split('/');
  const ecr = ECR_REGISTRY_PREFIX.exec(first);
  const name = rest.join('/').replace(/[@:].*$/, '');
  if (ecr && rest.length > 0) {
    const [, account, hostRegion] = ecr;
    const elsewhere = hostRegion === region ? '' : `, and aws-region: ${hostRegion}`;
    throw new UserError(
      `Input '${input}' is ${shown(value)}, a full registry URI: give the repository name alone (${shown(name, 60)}), with registry-id: ${account} if that account is not the credentials' own${elsewhere}.`,
    );
  }
  if (rest.length > 0 && (first.includes(':') || OTHER_REGISTRY.test(first))) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}, which starts with the registry host ${shown(first, 60)}: give the ECR repository name alone (e.g. team/web); the registry is the account's (or registry-id's) in aws-region.`,
    );
  }
  if (/[@:]/.test(value)) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}, an image reference: give the repository name without a tag or digest (tags go in 'tags').`,
    );
  }
}

const KEY_ID =
  '(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})';
// KMS alias names: `alias/` then letters, digits, '/', '_' and '-', 256 characters in all.
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const KMS_KEY = new RegExp(`^(?:${KEY_ID}|${ALIAS})$`);
const KMS_ARN = new RegExp(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):\\d{12}:(?:key/${KEY_ID}|${ALIAS})$`);

/**
 * ECR's encryption key: a key id (or multi-Region `mrk-` id), a key ARN, an alias name
 * (`alias/…`) or an alias ARN. The key must be in the repository's region.
 */
export function checkKmsKey(input: string, value: string, region: string): string {
  const arn = KMS_ARN.exec(value);
  if (!arn && !KMS_KEY.test(value)) {
    throw new UserError(
      `Input '${input}' is ${shown(value)}, which is not a KMS key: give a key id, a key ARN (arn:aws:kms:<region>:<account>:key/<id>), an alias (alias/<name>) or an alias ARN.`,
    );
  }
  if (arn && arn[1] !== region) {
    throw new UserError(
      `Input '${input}' names a key in ${arn[1]}, but the repository is in ${region}: ECR encrypts with a key of the repository's own region; give a key there.`,
    );
  }
  return value;
}

// Go's strconv.ParseBool, which buildx uses for the short form (--provenance=true).
const GO_BOOLEAN = [
  '1',
  't',
  'T',
  'TRUE',
  'true',
  'True',
  '0',
  'f',
  'F',
  'FALSE',
  'false',
  'False',
];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** The attestation options buildx passes on to BuildKit, by attestation type. */
const ATTEST_KEYS = {
  provenance: {
    mode: /^(?:min|max)$/,
    version: /^(?:v0\.2|v1)$/,
    'builder-id': /^\S{1,2048}$/,
    reproducible: /^(?:[01tTfF]|true|false|TRUE|FALSE|True|False)$/,
    'inline-only': /^(?:[01tTfF]|true|false|TRUE|FALSE|True|False)$/,
    filename: /^[A-Za-z0-9._-]{1,255}$/,
    disabled: /^(?:[01tTfF]|true|false|TRUE|FALSE|True|False)$/,
  },
  sbom: {
    generator: /^[a-z0-9][a-z0-9._/:@-]{0,254}$/,
    disabled: /^(?:[01tTfF]|true|false|TRUE|FALSE|True|False)$/,
  },
} as const;

const EXAMPLES = {
  provenance: 'true, false, or options such as mode=max or mode=min,version=v1',
  sbom: 'true, false, or generator=<scanner image>',
};

/**
 * buildx's `--provenance` / `--sbom`: a Go boolean, or comma-separated key=value options of that
 * attestation (never `type`, which the flag sets). Returns undefined for "off".
 */
export function checkAttestation(input: 'provenance' | 'sbom', value: string): string | undefined {
  if (value === '') return undefined;
  if (GO_BOOLEAN.includes(value)) return FALSE.includes(value) ? undefined : value;
  const keys: Record<string, RegExp> = ATTEST_KEYS[input];
  const seen = new Set<string>();
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = eq === -1 ? '' : field.slice(0, eq).trim().toLowerCase();
    const option = keys[key];
    if (eq === -1 || option === undefined || seen.has(key)) {
      throw new UserError(
        `Input '${input}' is ${shown(value)}${eq === -1 || key === '' ? '' : seen.has(key) ? ` (${shown(key, 30)} twice)` : ` (unknown option ${shown(key, 30)})`}: use ${EXAMPLES[input]}; the options are ${Object.keys(keys).join(', ')}.`,
      );
    }
    seen.add(key);
    if (!option.test(field.slice(eq + 1))) {
      throw new UserError(
        `Input '${input}' has ${shown(field)}, which is not a valid value of ${key}: use ${EXAMPLES[input]}.`,
      );
    }
  }
  return value;
}

// The operating systems and architectures the builders' platform parser (containerd's
// platforms.Parse, in BuildKit and buildah) knows, with the aliases it normalizes.
const KNOWN_OS = new Set(
  'aix android darwin dragonfly freebsd hurd illumos ios js linux macos nacl netbsd openbsd plan9 solaris windows zos'.split(
    ' ',
  ),
);
const KNOWN_ARCH = new Set(
  '386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm i386 x86_64 aarch64 armhf armel'.split(
    ' ',
  ),
);

/** `os/arch[/variant]` whose os and arch the builders know; else a line naming the input. */
export function checkPlatform(input: string, platform: string): string {
  const [os = '', arch = ''] = platform.split('/');
  const problem = !KNOWN_OS.has(os)
    ? `operating system ${shown(os, 30)}`
    : !KNOWN_ARCH.has(arch)
      ? `architecture ${shown(arch, 30)}`
      : undefined;
  if (problem !== undefined) {
    throw new UserError(
      `Input '${input}' has ${shown(platform)}, whose ${problem} the builders do not know: use os/arch[/variant] such as linux/amd64, linux/arm64 or linux/arm/v7.`,
    );
  }
  return platform;
}
