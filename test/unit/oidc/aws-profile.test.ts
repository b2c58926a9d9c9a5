import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeProfile, writeProfile } from '../../../src/oidc/aws-profile.ts';

let dir: string;
let files: { credentialsFile: string; configFile: string };
const creds = (n: number) => ({
  accessKeyId: `AK${n}`,
  secretAccessKey: `SK${n}`,
  sessionToken: `ST${n}`,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'profile-'));
  files = {
    credentialsFile: join(dir, 'aws', 'credentials'),
    configFile: join(dir, 'aws', 'config'),
  };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('named profiles', () => {
  it('writes 0600 files that hold several profiles side by side', async () => {
    await writeProfile(files, 'staging', creds(1), 'eu-west-1');
    await writeProfile(files, 'prod', creds(2), 'us-east-1');
    const credentials = await readFile(files.credentialsFile, 'utf8');
    expect(credentials).toContain('[staging]\naws_access_key_id = AK1');
    expect(credentials).toContain(
      '[prod]\naws_access_key_id = AK2\naws_secret_access_key = SK2\naws_session_token = ST2',
    );
    expect(await readFile(files.configFile, 'utf8')).toContain(
      '[profile prod]\nregion = us-east-1',
    );
    expect((await stat(files.credentialsFile)).mode & 0o777).toBe(0o600);
    expect((await stat(files.configFile)).mode & 0o777).toBe(0o600);
  });

  it('replaces a profile of the same name and keeps what others wrote', async () => {
    await writeFile(join(dir, 'keep'), '');
    await writeProfile(files, 'staging', creds(1), 'eu-west-1');
    await writeFile(
      files.credentialsFile,
      `# team profile\n[team]\naws_access_key_id = TEAM\n\n${await readFile(files.credentialsFile, 'utf8')}`,
    );
    await writeProfile(files, 'staging', creds(3), 'eu-west-1');
    const text = await readFile(files.credentialsFile, 'utf8');
    expect(text.match(/\[staging\]/g)).toHaveLength(1);
    expect(text).toContain('AK3');
    expect(text).not.toContain('AK1');
    expect(text).toContain('[team]\naws_access_key_id = TEAM');
  });

  it('removes only its own profile, and the files once empty', async () => {
    await writeProfile(files, 'staging', creds(1), 'eu-west-1');
    await writeProfile(files, 'prod', creds(2), 'us-east-1');
    await removeProfile(files, 'staging');
    const text = await readFile(files.credentialsFile, 'utf8');
    expect(text).not.toContain('staging');
    expect(text).toContain('[prod]');
    await removeProfile(files, 'prod');
    await expect(stat(files.credentialsFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(files.configFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to write through a symbolic link', async () => {
    const target = join(dir, 'elsewhere');
    await writeFile(target, 'untouched');
    await writeProfile(files, 'x', creds(1), 'eu-west-1');
    await rm(files.credentialsFile);
    await symlink(target, files.credentialsFile);
    await expect(writeProfile(files, 'x', creds(2), 'eu-west-1')).rejects.toThrow(
      /Refusing to write AWS credentials through the symbolic link/,
    );
    expect(await readFile(target, 'utf8')).toBe('untouched');
  });
});
