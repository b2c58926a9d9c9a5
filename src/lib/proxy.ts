// Corporate proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), as curl and the AWS CLI
// read them. Node 24 does the work (agents with `proxyEnv`, and the global agents and fetch
// through http.setGlobalProxyFromEnv); this decides when to ask it. ecr-login users lost their
// NO_PROXY this way (aws-actions/amazon-ecr-login#812). node:http and node:https (with node:tls,
// about 12 ms of CPU at start, bench/README.md) load only when a proxy is set.
import type http from 'node:http';
import type https from 'node:https';

const httpModule = () => process.getBuiltinModule('node:http');
const httpsModule = () => process.getBuiltinModule('node:https');

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
  if (proxyEnv === undefined) return;
  // Node 24 has both; the command line bundle may run on an older Node, which goes direct.
  const http = typeof process.getBuiltinModule === 'function' ? httpModule() : undefined;
  if (typeof http?.setGlobalProxyFromEnv === 'function') {
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
    httpAgent: new (httpModule().Agent)({ keepAlive: true, proxyEnv }),
    httpsAgent: new (httpsModule().Agent)({ keepAlive: true, proxyEnv }),
  };
}
