// spa-deploy's inputs: the registry action.yml is checked against, and the one place their text
// becomes values. The build directory is checked here (there, a directory, inside the workspace
// once links are resolved) so a wrong path is refused before any call to AWS.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { resolveRegion } from '../../aws/region.ts';
import { type InputRegistry, readInputs } from '../../lib/action-io.ts';
import { parseDuration } from '../../lib/durations.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { parseBoolean, parseInteger } from '../../lib/parse.ts';
import type { CacheRule } from '../../spa/index.ts';
import { checkRoleArn } from '../shared/identifier-inputs.ts';
import {
  WEB_IDENTITY_INPUTS,
  type WebIdentitySettings,
  parseRoleToAssume,
} from '../shared/web-identity-inputs.ts';
import { isInside, realPath } from '../shared/workspace-paths.ts';

export const INPUTS = {
  mode: { kind: 'choice', default: 'deploy' },
  bucket: { kind: 'name', required: true },
  'distribution-id': { kind: 'name', required: true },
  source: { kind: 'path' },
  prefix: { kind: 'text' },
  'cache-rules': { kind: 'lines' },
  'keep-releases': { kind: 'integer', default: '3' },
  release: { kind: 'name' },
  'wait-for-invalidation': { kind: 'boolean', default: 'true' },
  'invalidate-all': { kind: 'boolean', default: 'false' },
  concurrency: { kind: 'integer', default: '8' },
  'request-timeout': { kind: 'duration', min: '1s', max: '10m', default: '60s' },
  timeout: { kind: 'duration', min: '10s', max: '6h', default: '30m' },
  'dry-run': { kind: 'boolean', default: 'false' },
  'aws-region': { kind: 'region' },
  'role-to-assume': { kind: 'arn', arn: 'iam-role' },
  ...WEB_IDENTITY_INPUTS,
} as const satisfies InputRegistry;

export const OUTPUTS = [
  'release',
  'uploaded',
  'unchanged',
  'deleted',
  'invalidation-id',
  'result',
] as const;

export const MODES = ['deploy', 'rollback'] as const;

export interface SpaDeployConfig {
  readonly mode: (typeof MODES)[number];
  readonly region: string;
  readonly bucket: string;
  readonly distributionId: string;
  /** Absolute; for mode deploy only. */
  readonly source: string | undefined;
  /** '' or ending in '/'. */
  readonly prefix: string;
  readonly rules: readonly CacheRule[];
  readonly keepReleases: number;
  /** deploy: the new release's id; rollback: the release to restore (undefined: the previous). */
  readonly release: string | undefined;
  readonly waitForInvalidation: boolean;
  readonly invalidateEverything: boolean;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  readonly assume: ({ roleArn: string } & WebIdentitySettings) | undefined;
}

/** S3's bucket naming rules (general purpose buckets). */
const BUCKET =
  /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DISTRIBUTION_ID = /^E[A-Z0-9]{12,13}$/;
const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function parseInputs(
  read: (name: string) => string | undefined,
  workspace: string,
  env: NodeJS.ProcessEnv,
): SpaDeployConfig {
  const { values: v } = readInputs(INPUTS, read);
  const mode = v.mode as SpaDeployConfig['mode'];
  if (!MODES.includes(mode)) {
    throw new UserError(`Input 'mode' is ${shown(v.mode)}: use deploy or rollback.`);
  }
  if (!BUCKET.test(v.bucket) || v.bucket.includes('..')) {
    throw new UserError(
      `Input 'bucket' is ${shown(v.bucket)}, which is not an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens (the name, not an ARN or s3:// URL).`,
    );
  }
  if (!DISTRIBUTION_ID.test(v['distribution-id'])) {
    throw new UserError(
      `Input 'distribution-id' is ${shown(v['distribution-id'])}, which is not a CloudFront distribution ID: use the ID like E2QWRUHAPOMQZL (not the domain name).`,
    );
  }
  if (v.release !== '' && !RELEASE_ID.test(v.release)) {
    throw new UserError(
      `Input 'release' is ${shown(v.release)}: use up to 100 letters, digits, dots, hyphens and underscores.`,
    );
  }
  return {
    mode,
    region: resolveRegion(v['aws-region'], env),
    bucket: v.bucket,
    distributionId: v['distribution-id'],
    source: mode === 'deploy' ? sourceDirectory(v.source, workspace) : undefined,
    prefix: parsePrefix(v.prefix),
    rules: parseCacheRules(v['cache-rules']),
    keepReleases: parseInteger('keep-releases', v['keep-releases'], 2, 100),
    release: v.release === '' ? undefined : v.release,
    waitForInvalidation: parseBoolean('wait-for-invalidation', v['wait-for-invalidation']),
    invalidateEverything: parseBoolean('invalidate-all', v['invalidate-all']),
    concurrency: parseInteger('concurrency', v.concurrency, 1, 64),
    requestTimeoutMs: parseDuration('request-timeout', v['request-timeout']),
    timeoutMs: parseDuration('timeout', v.timeout),
    dryRun: parseBoolean('dry-run', v['dry-run']),
    assume: parseRoleToAssume(v, env, checkRoleArn),
  };
}

function sourceDirectory(value: string, workspace: string): string {
  if (value === '') {
    throw new UserError(
      `Input 'source' is required with mode deploy: set it to the build directory (for example dist).`,
    );
  }
  const path = isAbsolute(value) ? value : resolve(workspace, value);
  if (!isInside(realPath(workspace), realPath(path))) {
    throw new UserError(
      `Input 'source' is ${shown(value)}, which is outside the workspace: build into the workspace and name the directory relative to it.`,
    );
  }
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch {
    throw new UserError(
      `Input 'source' is ${shown(value)}, which does not exist in the workspace: build the app first, or fix the path.`,
    );
  }
  if (!directory) {
    throw new UserError(
      `Input 'source' is ${shown(value)}, which is a file: name the build directory.`,
    );
  }
  return path;
}

function parsePrefix(value: string): string {
  const prefix = value.replace(/^\/+/, '');
  if (prefix === '') return '';
  if (
    prefix.split('/').some((segment) => segment === '.' || segment === '..') ||
    prefix.includes('//')
  ) {
    throw new UserError(
      `Input 'prefix' is ${shown(value)}: use a key prefix like app/ without '.', '..' or empty segments.`,
    );
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** `glob=Cache-Control` per line, e.g. `img/**=public, max-age=86400`; the first matching line wins. */
export function parseCacheRules(text: string): CacheRule[] {
  const rules: CacheRule[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const glob = eq === -1 ? '' : line.slice(0, eq).trim();
    const cacheControl = eq === -1 ? '' : line.slice(eq + 1).trim();
    if (glob === '' || cacheControl === '' || !/^[\x20-\x7e]+$/.test(cacheControl)) {
      throw new UserError(
        `Input 'cache-rules' line ${i + 1} is ${shown(line)}: write glob=Cache-Control, for example img/**=public, max-age=86400.`,
      );
    }
    rules.push({ glob, cacheControl });
  }
  return rules;
}
