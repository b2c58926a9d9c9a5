// Corporate proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), as curl and the AWS CLI
// read them. Node 24 does the work (agents with `proxyEnv`, and the global agents and fetch
// through http.setGlobalProxyFromEnv); this decides when to ask it. ecr-login users lost their
// NO_PROXY this way (aws-actions/amazon-ecr-login#812).
import http from 'node:http';
import https from 'node:https';

const VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const;

/** The proxy variables of `env`, or undefined when no proxy is set. */
export function proxyEnvOf(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined {
  const found: NodeJS.ProcessEnv = {};
  for (const name of VARIABLES) {
    const value = env[name] ?? env[name.toLowerCase()];
    if (value) found[name] = value;
  }
  return found.HTTPS_PROXY || found.HTTP_PROXY ? found : undefined;
}

/**
 * Routes the process's own requests (node:http's global agents, fetch) through the proxy the
 * environment names. Call once at a step's start; nothing changes without a proxy variable.
 */
export function useProxyFromEnv(env: NodeJS.ProcessEnv): void {
  const proxyEnv = proxyEnvOf(env);
  // Node 24 has it; the command line bundle may run on an older Node, which goes direct.
  if (proxyEnv !== undefined && typeof http.setGlobalProxyFromEnv === 'function') {
    http.setGlobalProxyFromEnv(proxyEnv);
  }
}

/** Keep-alive agents for the AWS SDK's handler that honour the proxy; undefined without one. */
export function proxyAgents(
  env: NodeJS.ProcessEnv,
): { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined {
  const proxyEnv = proxyEnvOf(env);
  if (proxyEnv === undefined) return undefined;
  return {
    httpAgent: new http.Agent({ keepAlive: true, proxyEnv }),
    httpsAgent: new https.Agent({ keepAlive: true, proxyEnv }),
  };
}
