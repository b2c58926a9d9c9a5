// A real OCI registry for the ECR emulator: Debian's docker-registry (distribution 2.8) on
// 127.0.0.1 with a free port, filesystem storage in a temp directory and htpasswd basic auth
// for the user AWS, whose password is the one ECR's GetAuthorizationToken hands out.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';

export interface DockerRegistry {
  /** e.g. http://127.0.0.1:40211 */
  readonly url: string;
  readonly username: 'AWS';
  close(): Promise<void>;
}

const STARTUP_MS = 10_000;

export async function startDockerRegistry(password: string): Promise<DockerRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'docker-registry-'));
  await writeFile(join(dir, 'htpasswd'), `AWS:${bcrypt.hashSync(password, 5)}\n`, { mode: 0o600 });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'config.yml'), config(dir, port));
    const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', REGISTRY_HTTP_SECRET: 'emulator' },
    });
    let stderr = '';
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)),
    );
    const url = `http://127.0.0.1:${port}`;
    if (await ready(url, child)) {
      return {
        url,
        username: 'AWS',
        async close() {
          await stop(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stop(child);
    // Another process may have taken the port between probing and binding: try another one.
    if (attempt >= 3) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start on ${url}: ${stderr.trim()}`);
    }
  }
}

function config(dir: string, port: number): string {
  return [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: '127.0.0.1:${port}' }`,
    `auth: { htpasswd: { realm: ecr, path: ${join(dir, 'htpasswd')} } }`,
    '',
  ].join('\n');
}

async function ready(url: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${url}/v2/`);
      await response.arrayBuffer();
      if (response.status === 401) return true;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
