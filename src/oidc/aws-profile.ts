// Writes credentials as a named profile in the shared credentials and config files, so one job can
// hold several roles, and removes that profile again in the post step. Files are 0600 and a
// symlink in their place is refused: a link planted on a shared runner must not redirect secrets.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { UserError } from '../lib/errors.ts';

export interface ProfileFiles {
  credentialsFile: string;
  configFile: string;
}

export const PROFILE_NAME = /^[\w.-]{1,64}$/;

type Section = { header: string; lines: string[] };

function parseIni(text: string): Section[] {
  const sections: Section[] = [{ header: '', lines: [] }];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\[.*\]\s*$/.test(line)) sections.push({ header: line.trim(), lines: [] });
    else sections.at(-1)!.lines.push(line);
  }
  return sections;
}

function renderIni(sections: Section[]): string {
  const blocks = sections
    .map((s) => [s.header, ...s.lines].filter((line) => line.trim() !== '').join('\n'))
    .filter((block) => block !== '');
  return blocks.length > 0 ? `${blocks.join('\n\n')}\n` : '';
}

async function refuseSymlink(path: string): Promise<boolean> {
  try {
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) {
      throw new UserError(
        `Refusing to write AWS credentials through the symbolic link ${path}: remove it, or point AWS_SHARED_CREDENTIALS_FILE elsewhere.`,
      );
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function readIfExists(path: string): Promise<string> {
  if (!(await refuseSymlink(path))) return '';
  return readFile(path, 'utf8');
}

/** Writes through a new 0600 file and a rename, so a reader never sees half a file. */
async function writePrivate(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await refuseSymlink(path);
  const temp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(text, 'utf8');
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

async function replaceSection(
  path: string,
  header: string,
  lines: string[] | undefined,
): Promise<void> {
  const sections = parseIni(await readIfExists(path)).filter((s) => s.header !== header);
  if (lines) sections.push({ header, lines });
  const text = renderIni(sections);
  if (text.trim() === '') {
    await unlink(path).catch(() => undefined);
    return;
  }
  await writePrivate(path, text);
}

export async function writeProfile(
  files: ProfileFiles,
  profile: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  region: string,
): Promise<void> {
  await replaceSection(files.credentialsFile, `[${profile}]`, [
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    `aws_session_token = ${credentials.sessionToken}`,
  ]);
  await replaceSection(files.configFile, configHeader(profile), [`region = ${region}`]);
}

/** Removes the profile; a file left with nothing in it is deleted. */
export async function removeProfile(files: ProfileFiles, profile: string): Promise<void> {
  await replaceSection(files.credentialsFile, `[${profile}]`, undefined);
  await replaceSection(files.configFile, configHeader(profile), undefined);
}

function configHeader(profile: string): string {
  return profile === 'default' ? '[default]' : `[profile ${profile}]`;
}
