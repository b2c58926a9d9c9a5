// Names and references: the registry's grammars for repository names and tags, and image
// references by digest.

export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The OCI distribution spec's tag grammar (ECR follows it). */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `host/repository@sha256:…`, what deploys pin. */
export const imageByDigest = (host: string, repository: string, digest: string): string =>
  `${host}/${repository}@${digest}`;
