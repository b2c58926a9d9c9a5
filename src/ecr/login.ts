// The job's registry login: an ECR authorization for every registry the job pushes to or reads
// from, each password masked the moment it is decoded, all of them in the job's own auth file
// (never ~/.docker).
import { UserError } from '../lib/errors.ts';
import { type AuthFile, linkDockerState, writeAuthFile } from './auth-file.ts';
import { type RegistryLogin, decodeAuthorization } from './authorization.ts';
import type { AuthorizationData, EcrPort } from './ports.ts';

export interface LoginRequest {
  /** The registries pushed to, the target's first; none: the caller's own account. */
  registryIds: readonly string[];
  /** A promotion's source: the ECR of its region, its account, and the host its name gives. */
  source: { ecr: EcrPort; registryIds: readonly string[]; host: string | undefined } | undefined;
  /** Where the auth file's directory is made. */
  jobDirectory: string;
  /** The job's docker config directory, whose builders the auth file's directory links. */
  dockerConfig: string;
}

export interface LoginPorts {
  /** The target registry's region. */
  ecr: EcrPort;
  mask(secret: string): void;
  /** Called as soon as the auth file exists, before anything else can fail. */
  keepAuthFile(file: AuthFile): void;
  signal: AbortSignal;
}

export interface Login {
  target: RegistryLogin;
  /** The promotion's source registry. */
  source: RegistryLogin | undefined;
  /** Every registry in the auth file. */
  hosts: string[];
  authFile: AuthFile;
}

export async function logIn(request: LoginRequest, ports: LoginPorts): Promise<Login> {
  const decode = (data: AuthorizationData[]) =>
    data.map((entry) => {
      ports.mask(entry.token);
      const login = decodeAuthorization(entry.token, entry.proxyEndpoint, entry.expiresAt);
      ports.mask(login.password);
      return login;
    });
  const logins = decode(await ports.ecr.getAuthorization(request.registryIds, ports.signal));
  const target = logins[0];
  if (target === undefined) throw new Error('ECR returned no authorization data');
  let source: RegistryLogin | undefined;
  if (request.source) {
    const { ecr, registryIds, host } = request.source;
    [source] = decode(await ecr.getAuthorization(registryIds, ports.signal));
    if (source === undefined) throw new Error('ECR returned no authorization data');
    if (host !== undefined && host !== source.host) {
      throw new UserError(
        `The source image names registry ${host}, but ECR's login for the source is for ${source.host}: check the source image's registry and region.`,
      );
    }
    const sourceHost = source.host;
    if (!logins.some((login) => login.host === sourceHost)) logins.push(source);
  }
  const authFile = await writeAuthFile(request.jobDirectory, logins);
  ports.keepAuthFile(authFile);
  await linkDockerState(authFile.directory, request.dockerConfig);
  return { target, source, hosts: logins.map((login) => login.host), authFile };
}
