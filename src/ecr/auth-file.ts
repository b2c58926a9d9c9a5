// The job's registry credentials: a docker config.json (mode 0600) in a fresh directory (0700)
// under RUNNER_TEMP, used as DOCKER_CONFIG by docker and as --authfile by buildah. Never the
// shared ~/.docker, so concurrent jobs on one runner neither see nor log out each other.
import { access, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryLogin } from './authorization.ts';

export interface AuthFile {
  /** The directory: DOCKER_CONFIG. */
  directory: string;
  /** Its config.json: buildah's --authfile and REGISTRY_AUTH_FILE. */
  path: string;
}

export function authConfig(logins: readonly RegistryLogin[]): string {
  const auths: Record<string, { auth: string }> = {};
  for (const login of logins) {
    auths[login.host] = {
      auth: Buffer.from(`${login.username}:${login.password}`).toString('base64'),
    };
  }
  return `${JSON.stringify({ auths }, null, 2)}\n`;
}

export async function writeAuthFile(
  parent: string,
  logins: readonly RegistryLogin[],
): Promise<AuthFile> {
  const directory = await mkdtemp(join(parent, 'ecr-auth-'));
  const path = join(directory, 'config.json');
  // mkdtemp creates 0700; the file is 0600 from its first byte (flag wx: never an existing file).
  await writeFile(path, authConfig(logins), { mode: 0o600, flag: 'wx' });
  return { directory, path };
}

/** What docker keeps in its config directory besides credentials, shared with the job's one. */
const DOCKER_STATE = ['buildx', 'cli-plugins', 'contexts'];

/**
 * Links the builders (buildx, e.g. from docker/setup-buildx-action), CLI plugins and contexts of
 * the docker config directory the job had, so docker under the job's DOCKER_CONFIG still finds
 * them; only the credentials are the job's own. Removing the directory removes the links only.
 */
export async function linkDockerState(authDirectory: string, previous: string): Promise<string[]> {
  const linked: string[] = [];
  for (const name of DOCKER_STATE) {
    const target = join(previous, name);
    try {
      await access(target);
    } catch {
      continue;
    }
    await symlink(target, join(authDirectory, name));
    linked.push(name);
  }
  return linked;
}

export async function removeAuthFile(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
