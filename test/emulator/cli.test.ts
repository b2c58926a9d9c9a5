import { describe, expect, it } from '@jest/globals';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const cli = new URL('./cli.ts', import.meta.url).pathname;

describe('cli', () => {
  it('serves the configured credentials until SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
    const config = join(dir, 'emulator.json');
    const user = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    await writeFile(
      config,
      JSON.stringify({
        sts: {
          credentials: [
            {
              ...user,
              arn: 'arn:aws:iam::123456789012:user/rehearsal',
              expiration: '2999-01-01T00:00:00Z',
            },
          ],
          roles: [
            {
              arn: 'arn:aws:iam::123456789012:role/deploy',
              trust: { principals: ['arn:aws:iam::123456789012:user/rehearsal'] },
            },
          ],
        },
      }),
      { mode: 0o600 },
    );
    const child = spawn(process.execPath, [cli, '--port', '0', '--config', config], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      expect(line).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.replace('emulator listening on ', '');
      const sts = new STSClient({
        endpoint: url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: user,
      });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe('arn:aws:iam::123456789012:user/rehearsal');
      sts.destroy();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
