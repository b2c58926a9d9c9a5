// The job's registry credentials: a docker config.json (mode 0600) in a fresh directory (0700)
// under RUNNER_TEMP, used as DOCKER_CONFIG by docker and as --authfile by buildah. Never the
// shared ~/.docker, so concurrent jobs on one runner neither see nor log out each other.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

export async function removeAuthFile(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}
