// Names and references: repository names, digests, and image references for deploys.
import { UserError } from '../lib/errors.ts';

export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const ACCOUNT_ID = /^\d{12}$/;

export function checkRepositoryName(input: string, name: string): string {
  if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)) {
    throw new UserError(
      `Input '${input}' is '${name}', which is not an ECR repository name: use lower-case letters, digits and '.', '_', '-' separated path parts, e.g. team/web.`,
    );
  }
  return name;
}

export function checkDigest(input: string, digest: string): string {
  if (!DIGEST.test(digest)) {
    throw new UserError(
      `Input '${input}' is '${digest}', which is not a digest: use sha256: and 64 hex digits.`,
    );
  }
  return digest;
}

/** `host/repository@sha256:…`, what deploys pin. */
export const imageByDigest = (host: string, repository: string, digest: string): string =>
  `${host}/${repository}@${digest}`;
