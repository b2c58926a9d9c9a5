// A loose check of the Docker image reference grammar ([registry[:port]/]path[:tag][@digest]):
// enough to catch an empty output, a stray space or a half-written digest before ECS does.

const DOMAIN =
  /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** Why `ref` is not an image reference, or undefined when it is one. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref === '') return 'the image is empty';
  if (/\s/.test(ref)) return 'an image reference has no spaces';
  const [nameAndTag = '', digest, extra] = ref.split('@');
  if (extra !== undefined) return "an image reference has at most one '@'";
  if (digest !== undefined) {
    if (!DIGEST.test(digest) || (digest.startsWith('sha256:') && !SHA256.test(digest))) {
      return `'${digest}' is not a digest (sha256: and 64 lowercase hex digits)`;
    }
  }
  const slash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) {
    return `'${tag}' is not a tag (up to 128 letters, digits, '_', '.', '-')`;
  }
  const components = name.split('/');
  const first = components[0] ?? '';
  if (
    components.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost')
  ) {
    if (!DOMAIN.test(first)) return `'${first}' is not a registry host`;
    components.shift();
  }
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      return /[A-Z]/.test(component)
        ? `repository '${components.join('/')}' must be lowercase`
        : `'${component}' is not a repository path component (lowercase letters, digits, '.', '_', '-')`;
    }
  }
  return undefined;
}
