import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAuthorization, isInsecure } from '../../../src/ecr/authorization.ts';
import { linkDockerState, removeAuthFile, writeAuthFile } from '../../../src/ecr/auth-file.ts';

describe('decodeAuthorization', () => {
  it('splits the token into user and password and the endpoint into host', () => {
    const token = Buffer.from('AWS:pa:ss').toString('base64');
    const login = decodeAuthorization(
      token,
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(login).toMatchObject({
      host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      endpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      username: 'AWS',
      password: 'pa:ss',
    });
    expect(isInsecure(login)).toBe(false);
    expect(isInsecure(decodeAuthorization(token, 'http://127.0.0.1:5000'))).toBe(true);
    expect(() =>
      decodeAuthorization(Buffer.from('nocolon').toString('base64'), 'https://x'),
    ).toThrow(/not user:password/);
  });
});

describe('the job auth file', () => {
  it('is a 0600 docker config in its own 0700 directory, and is removed whole', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'auth-test-'));
    const login = decodeAuthorization(
      Buffer.from('AWS:secret-pw').toString('base64'),
      'https://r.example',
    );
    const other = decodeAuthorization(
      Buffer.from('AWS:other-pw').toString('base64'),
      'https://s.example',
    );
    const file = await writeAuthFile(parent, [login, other]);
    expect(file.path).toBe(join(file.directory, 'config.json'));
    expect((await stat(file.path)).mode & 0o777).toBe(0o600);
    expect((await stat(file.directory)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file.path, 'utf8'))).toEqual({
      auths: {
        'r.example': { auth: Buffer.from('AWS:secret-pw').toString('base64') },
        's.example': { auth: Buffer.from('AWS:other-pw').toString('base64') },
      },
    });
    await removeAuthFile(file.directory);
    expect(existsSync(file.directory)).toBe(false);
  });

  it('shares the builders, plugins and contexts of the previous docker config, and never deletes them', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'auth-test-'));
    const previous = join(parent, 'dot-docker');
    await mkdir(join(previous, 'buildx', 'instances'), { recursive: true });
    await writeFile(join(previous, 'buildx', 'current'), '{"Name":"ship"}');
    await mkdir(join(previous, 'cli-plugins'));
    const login = decodeAuthorization(
      Buffer.from('AWS:pw').toString('base64'),
      'https://r.example',
    );
    const file = await writeAuthFile(parent, [login]);
    expect(await linkDockerState(file.directory, previous)).toEqual(['buildx', 'cli-plugins']);
    expect(await readFile(join(file.directory, 'buildx', 'current'), 'utf8')).toBe(
      '{"Name":"ship"}',
    );
    await removeAuthFile(file.directory);
    expect(existsSync(join(previous, 'buildx', 'current'))).toBe(true);
    expect(existsSync(join(previous, 'cli-plugins'))).toBe(true);
  });
});
