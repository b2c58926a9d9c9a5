// ECR authorization tokens: base64 of `AWS:<password>`, valid 12 hours, for the registry host the
// proxy endpoint names. The password is a secret from the moment it is decoded.

export interface RegistryLogin {
  /** e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com (host[:port], no scheme). */
  host: string;
  /** https://host, or http://host for a local test registry. */
  endpoint: string;
  username: string;
  password: string;
  expiresAt: Date | undefined;
}

export function decodeAuthorization(
  token: string,
  proxyEndpoint: string,
  expiresAt?: Date,
): RegistryLogin {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    throw new Error('ECR returned an authorization token that is not user:password');
  }
  let url: URL;
  try {
    url = new URL(proxyEndpoint);
  } catch {
    throw new Error(`ECR returned a proxy endpoint that is not a URL: ${proxyEndpoint}`);
  }
  return {
    host: url.host,
    endpoint: `${url.protocol}//${url.host}`,
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    expiresAt,
  };
}

/** The registry speaks plain HTTP: only a local test registry does; ECR is always HTTPS. */
export const isInsecure = (login: RegistryLogin): boolean => login.endpoint.startsWith('http:');

/** The Basic authorization header value for the registry's /v2 API. */
export const basicAuthorization = (login: Pick<RegistryLogin, 'username' | 'password'>): string =>
  `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
