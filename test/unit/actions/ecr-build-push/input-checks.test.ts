// Every ecr-build-push input that used to be noticed only after an AWS call or a build started:
// refused by parseInputs in one line that names the input, and every valid form accepted.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInputs } from '../../../../src/actions/ecr-build-push/inputs.ts';
import { UserError } from '../../../../src/lib/errors.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK = `mrk-${'0123456789abcdef'.repeat(2)}`;
let workspace: string;
let outside: string;
let env: NodeJS.ProcessEnv;

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'FROM --platform=$BUILDPLATFORM node:20 AS deps',
  'RUN echo deps',
  '',
  '# the build stage, on two lines',
  'FROM deps \\',
  '  # a comment inside the instruction',
  '  AS Build.Stage_1',
  'FROM scratch',
  'COPY --from=build.stage_1 /x /x',
  '',
].join('\n');

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'ecr-checks-'));
  workspace = join(root, 'ws');
  outside = join(root, 'outside');
  await mkdir(join(workspace, 'app'), { recursive: true });
  await mkdir(outside);
  await mkdir(join(workspace, 'empty'));
  await writeFile(join(workspace, 'Dockerfile'), DOCKERFILE);
  await writeFile(join(workspace, 'app', 'Containerfile'), 'FROM scratch\n');
  await writeFile(join(outside, 'Dockerfile'), 'FROM scratch\n');
  await writeFile(
    join(workspace, 'Other.Dockerfile'),
    '# syntax=example.com/frontends/custom:1\nwhatever grammar\n',
  );
  await writeFile(
    join(workspace, 'Backtick.Dockerfile'),
    '# escape=`\nFROM mcr.microsoft.com/windows `\n  AS win\nFROM scratch\n',
  );
  await symlink(outside, join(workspace, 'linked-out'));
  await symlink(join(workspace, 'app'), join(workspace, 'linked-in'));
  await symlink(join(outside, 'Dockerfile'), join(workspace, 'Escape.Dockerfile'));
  await mkdir(join(workspace, 'ctx-with-link'));
  await symlink(join(outside, 'Dockerfile'), join(workspace, 'ctx-with-link', 'Dockerfile'));
  env = {
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    AWS_REGION: 'eu-west-1',
  };
});

const parse = (inputs: Record<string, string>) =>
  parseInputs((name) => ({ repository: 'team/web', ...inputs })[name], env);
const build = (inputs: Record<string, string>) => {
  const config = parse(inputs);
  if (config.mode !== 'build') throw new Error('expected a build');
  return config.build;
};

/** Refused with one UserError line that names the input (and matches `message`). */
function refused(inputs: Record<string, string>, input: string, message?: RegExp): string {
  let error: unknown;
  try {
    parse(inputs);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(UserError);
  const text = (error as UserError).message;
  expect(text).not.toMatch(/[\n\r]/);
  expect(text).toContain(`'${input}'`);
  expect(text.length).toBeLessThan(600);
  if (message) expect(text).toMatch(message);
  return text;
}

describe('repository', () => {
  it('refuses a full registry URI and says to give the name and registry-id', () => {
    expect(
      refused({ repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app' }, 'repository'),
    ).toBe(
      "Input 'repository' is '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', a full registry URI: give the repository name alone ('app'), with registry-id: 123456789012 if that account is not the credentials' own.",
    );
    refused(
      { repository: '123456789012.dkr.ecr.us-east-2.amazonaws.com/team/app:v1' },
      'repository',
      /\('team\/app'\), with registry-id: 123456789012 .*, and aws-region: us-east-2\.$/,
    );
    refused(
      { repository: '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app' },
      'repository',
      /full registry URI/,
    );
    refused({ repository: 'public.ecr.aws/team/app' }, 'repository', /registry host/);
    refused({ repository: 'localhost:5000/app' }, 'repository', /registry host/);
    refused({ repository: 'team/web:latest' }, 'repository', /without a tag or digest/);
    refused({ repository: `team/web@${DIGEST}` }, 'repository', /without a tag or digest/);
  });

  it('accepts names whose first part has dots, and refuses what is no name', () => {
    expect(parse({ repository: 'my.team/web' }).repository).toBe('my.team/web');
    expect(parse({ repository: 'a-b_c.d/e/f' }).repository).toBe('a-b_c.d/e/f');
    refused({ repository: 'Team/Web' }, 'repository', /not an ECR repository name/);
    refused({ repository: 'x'.repeat(257) }, 'repository', /not an ECR repository name/);
  });

  it('refuses a repository too long to have its <repository>-cache beside it', () => {
    const long = `t/${'a'.repeat(250)}`;
    expect(parse({ repository: long, builder: 'docker' }).repository).toBe(long);
    refused({ repository: long, builder: 'buildah' }, 'repository', /set 'cache-repository'/);
    expect(
      build({ repository: long, builder: 'buildah', 'cache-repository': 't/cache' })
        .cacheRepository,
    ).toBe('t/cache');
  });
});

describe('kms-key', () => {
  it.each([
    KEY_ID,
    KEY_ID.toUpperCase(),
    MRK,
    `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
    `arn:aws:kms:eu-west-1:111122223333:key/${MRK}`,
    'alias/ecr-images',
    'alias/team/ecr_images-1',
    'alias/aws/ecr',
    `alias/${'a'.repeat(250)}`,
    'arn:aws:kms:eu-west-1:111122223333:alias/ecr-images',
  ])('accepts %s', (key) => {
    expect(parse({ 'kms-key': key, 'create-repository': 'true' }).kmsKey).toBe(key);
  });

  it('accepts the ARNs of other partitions in their regions', () => {
    const cn = `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`;
    expect(parse({ 'aws-region': 'cn-north-1', 'kms-key': cn }).kmsKey).toBe(cn);
    const gov = 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/images';
    expect(parse({ 'aws-region': 'us-gov-west-1', 'kms-key': gov }).kmsKey).toBe(gov);
  });

  it.each([
    'my-key',
    '1234abcd-12ab-34cd-56ef',
    'alias/',
    'alias/has space',
    `alias/${'a'.repeat(251)}`,
    `arn:aws:iam::111122223333:role/${KEY_ID}`,
    `arn:aws:kms:eu-west-1:1111:key/${KEY_ID}`,
    `arn:aws:kms:eu-west-1:111122223333:key/not-a-key`,
  ])('refuses %s', (key) => {
    refused({ 'kms-key': key }, 'kms-key', /is not a KMS key: give a key id/);
  });

  it('refuses a 100 KB value in a short line', () => {
    refused({ 'kms-key': 'k'.repeat(100_000) }, 'kms-key');
  });

  it("refuses a key of another region: ECR needs one in the repository's", () => {
    expect(
      refused({ 'kms-key': `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}` }, 'kms-key'),
    ).toBe(
      "Input 'kms-key' names a key in us-east-1, but the repository is in eu-west-1: ECR encrypts with a key of the repository's own region; give a key there.",
    );
  });
});

describe('target', () => {
  it('accepts the stages the Dockerfile names, without case', () => {
    expect(build({ target: 'deps' }).target).toBe('deps');
    expect(build({ target: 'build.stage_1' }).target).toBe('build.stage_1');
    expect(build({ target: 'BUILD.Stage_1' }).target).toBe('BUILD.Stage_1');
    expect(build({ target: 'deps', builder: 'buildah' }).target).toBe('deps');
    expect(build({}).target).toBeUndefined();
  });

  it("accepts a stage's position with buildah only", () => {
    expect(build({ target: '0', builder: 'buildah' }).target).toBe('0');
    expect(build({ target: '2', builder: 'buildah' }).target).toBe('2');
    refused({ target: '3', builder: 'buildah' }, 'target', /no such stage/);
    refused({ target: '1', builder: 'docker' }, 'target', /not a build stage name/);
  });

  it('refuses a name outside the stage grammar, and a stage the Dockerfile lacks', () => {
    for (const target of ['-x', 'a b', 'stage:1', '1abc', 'é', 'a/b']) {
      refused({ target }, 'target', /not a build stage name: use the name after AS/);
    }
    // Refused by the input's kind or by the stage grammar, whichever comes first.
    refused({ target: 'x\n::error::y' }, 'target');
    expect(refused({ target: 'tests' }, 'target')).toBe(
      "Input 'target' is 'tests', but the Dockerfile has no such stage (named stages: deps, build.stage_1): give one of its stage names, or leave target out to build the last stage.",
    );
    refused({ target: `a${'b'.repeat(100_000)}` }, 'target');
  });

  it("reads the escape directive, and leaves another frontend's file to the builder", () => {
    expect(build({ target: 'win', file: 'Backtick.Dockerfile' }).target).toBe('win');
    refused({ target: 'linux', file: 'Backtick.Dockerfile' }, 'target', /named stages: win/);
    expect(build({ target: 'anything', file: 'Other.Dockerfile' }).target).toBe('anything');
  });
});

describe('provenance and sbom', () => {
  it.each([
    ['provenance', 'true'],
    ['provenance', '1'],
    ['provenance', 'True'],
    ['provenance', 'mode=max'],
    ['provenance', 'mode=min'],
    ['provenance', 'mode=max,version=v1'],
    ['provenance', 'version=v0.2'],
    ['provenance', 'mode=max,builder-id=https://github.com/o/r/actions/runs/1'],
    ['provenance', 'reproducible=true,inline-only=false,filename=provenance.json'],
    ['provenance', 'disabled=false,mode=max'],
    ['sbom', 'true'],
    ['sbom', 't'],
    ['sbom', 'generator=docker/buildkit-syft-scanner:stable-1'],
    ['sbom', `generator=registry.example.com/scanner@${DIGEST}`],
  ] as const)('docker: %s %s is passed on', (input, value) => {
    expect(build({ [input]: value })[input]).toBe(value);
  });

  it.each(['false', 'False', '0', 'f', ''])('%s is off', (value) => {
    expect(build({ provenance: value, sbom: value })).toMatchObject({
      provenance: undefined,
      sbom: undefined,
    });
    expect(build({ provenance: value, sbom: value, builder: 'buildah' })).toMatchObject({
      provenance: undefined,
      sbom: undefined,
    });
  });

  it.each([
    ['provenance', 'yes', /use true, false, or options such as mode=max/],
    ['provenance', 'max', /use true, false, or options such as mode=max/],
    ['provenance', 'mode=full', /'mode=full', which is not a valid value of mode/],
    ['provenance', 'mdoe=max', /unknown option 'mdoe'/],
    ['provenance', 'type=sbom', /unknown option 'type'/],
    ['provenance', 'mode=max,mode=min', /'mode' twice/],
    ['provenance', 'version=v2', /not a valid value of version/],
    ['provenance', 'mode=max,', /use true, false/],
    ['sbom', 'syft', /use true, false, or generator=<scanner image>/],
    ['sbom', 'generator=', /not a valid value of generator/],
    ['sbom', 'mode=max', /unknown option 'mode'/],
  ] as const)('refuses %s %j', (input, value, message) => {
    refused({ [input]: value }, input, message);
  });

  it('refuses either with buildah, which cannot make them', () => {
    expect(refused({ sbom: 'true', builder: 'buildah' }, 'sbom')).toBe(
      "Input 'sbom' needs builder: docker; buildah makes no SBOM attestations (its --sbom writes files this action does not ask for): use builder: docker, or leave sbom out.",
    );
    refused({ provenance: 'true', builder: 'buildah' }, 'provenance', /needs builder: docker/);
  });
});

describe('context and file', () => {
  it('accepts paths inside the workspace, relative, absolute or through a link that stays in', () => {
    expect(build({ context: 'app' })).toMatchObject({
      context: join(workspace, 'app'),
      file: join(workspace, 'app', 'Containerfile'),
    });
    expect(build({ context: 'linked-in' }).context).toBe(join(workspace, 'linked-in'));
    expect(build({ file: join(workspace, 'Dockerfile') }).file).toBe(join(workspace, 'Dockerfile'));
    expect(build({ context: './app/../app' }).context).toBe(join(workspace, 'app'));
  });

  it('refuses a context outside the workspace: ../, absolute, or through a symlink', () => {
    refused({ context: '..' }, 'context', /is a directory outside the workspace/);
    refused({ context: '../outside' }, 'context', /is a directory outside the workspace/);
    refused({ context: outside }, 'context', /is a directory outside the workspace/);
    refused({ context: '/' }, 'context', /outside the workspace/);
    refused(
      { context: 'linked-out' },
      'context',
      /resolves through a symlink to a directory outside the workspace/,
    );
  });

  it('refuses a file outside the workspace: ../, absolute, or through a symlink', () => {
    refused({ file: '../outside/Dockerfile' }, 'file', /is a file outside the workspace/);
    refused({ file: join(outside, 'Dockerfile') }, 'file', /is a file outside the workspace/);
    refused(
      { file: 'Escape.Dockerfile' },
      'file',
      /resolves through a symlink to a file outside the workspace/,
    );
    refused({ context: 'ctx-with-link' }, 'context', /whose Dockerfile resolves through a symlink/);
  });

  it('refuses a missing context or file in one line, the value shortened', () => {
    refused({ context: 'nope' }, 'context', /not a directory in the workspace/);
    refused({ context: 'Dockerfile' }, 'context', /not a directory in the workspace/);
    refused({ file: 'nope/Dockerfile' }, 'file', /but there is no such file/);
    refused({ file: 'app' }, 'file', /but there is no such file/);
    expect(refused({ context: 'empty' }, 'context')).toBe(
      "Input 'context' is 'empty', which has no Dockerfile or Containerfile: add one, or set the 'file' input.",
    );
    const long = refused({ file: `x\n::error::${'y'.repeat(100_000)}` }, 'file');
    expect(long).not.toContain(
      '::error::yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',
    );
    expect(long.length).toBeLessThan(250);
  });
});

describe('platforms', () => {
  it('accepts the platforms and aliases the builders know', () => {
    const platforms =
      'linux/amd64,linux/arm64,linux/arm/v7,linux/arm64/v8,linux/x86_64,linux/aarch64,linux/386,linux/ppc64le,linux/s390x,linux/riscv64,windows/amd64,linux/amd64/v3';
    expect(build({ platforms }).platforms).toEqual(platforms.split(','));
  });

  it('refuses an operating system or architecture they do not know', () => {
    expect(refused({ platforms: 'linux/amd64,linux/amd65' }, 'platforms')).toBe(
      "Input 'platforms' has 'linux/amd65', whose architecture 'amd65' the builders do not know: use os/arch[/variant] such as linux/amd64, linux/arm64 or linux/arm/v7.",
    );
    refused({ platforms: 'lnux/amd64' }, 'platforms', /whose operating system 'lnux'/);
    refused({ platforms: 'linux' }, 'platforms', /use os\/arch\[\/variant\]/);
  });
});

describe('source-image', () => {
  it("reads the account and region of an ECR host in any partition's DNS suffix", () => {
    for (const [host, region] of [
      ['111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
      ['111122223333.dkr.ecr.us-iso-east-1.c2s.ic.gov', 'us-iso-east-1'],
      ['111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ]) {
      const config = parse({ mode: 'promote', 'source-image': `${host}/staging/web@${DIGEST}` });
      expect(config.mode === 'promote' && config.source).toMatchObject({
        host,
        registryId: '111122223333',
        region,
      });
    }
  });
});

describe('regions and tags name their input', () => {
  it('refuses a bad source-region, and a source-image host whose region is none', () => {
    const source = { mode: 'promote', 'source-image': `staging/web@${DIGEST}` };
    refused(
      { ...source, 'source-region': 'mars-1' },
      'source-region',
      /'mars-1'.* not an AWS region/,
    );
    refused(
      { ...source, 'source-image': `111122223333.dkr.ecr.nowhere.amazonaws.com/web@${DIGEST}` },
      'source-image',
      /names the region 'nowhere', which is not an AWS region/,
    );
  });

  it('names the tags input for a tag outside the grammar', () => {
    expect(refused({ tags: 'release/1' }, 'tags')).toBe(
      "Input 'tags' has 'release/1', which is not a valid image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.",
    );
    refused({ tags: '{short-sha}/x' }, 'tags', /'\{short-sha\}\/x', which makes '0123456\/x', not/);
  });

  it('names registry-ids when there are more than 10 registries', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `1111222233${String(i).padStart(2, '0')}`);
    refused(
      { 'registry-id': '999988887777', 'registry-ids': ids.join(',') },
      'registry-ids',
      /makes 11 registries .* at most 10/,
    );
    refused({ 'registry-id': '123' }, 'registry-id', /not a 12-digit AWS account id/);
  });
});

describe('durations have a maximum', () => {
  it.each(['timeout', 'scan-timeout', 'request-timeout', 'scan-poll-interval'])(
    '%s: 1000000h is refused',
    (input) => {
      const inputs: Record<string, string> = { [input]: '1000000h' };
      if (input === 'request-timeout') inputs.timeout = '168h';
      if (input === 'scan-poll-interval') inputs['scan-timeout'] = '24h';
      refused(inputs, input, /'1000000h', longer than the (168h|24h|1h|10m) it accepts/);
    },
  );

  it('accepts every maximum, and refuses one step beyond', () => {
    const config = parse({
      timeout: '168h',
      'request-timeout': '1h',
      'scan-timeout': '24h',
      'scan-poll-interval': '10m',
      'wait-for-scan': 'true',
    });
    expect(config).toMatchObject({
      timeoutMs: 168 * 3_600_000,
      requestTimeoutMs: 3_600_000,
      scan: { timeoutMs: 86_400_000, pollIntervalMs: 600_000 },
    });
    refused({ timeout: '168h1s' }, 'timeout', /longer than the 168h it accepts: give 168h or less/);
    refused({ timeout: '2h', 'request-timeout': '1h1s' }, 'request-timeout', /the 1h it accepts/);
    refused({ 'scan-timeout': '24h0.5s' }, 'scan-timeout', /the 24h it accepts/);
    refused({ 'scan-poll-interval': '601s' }, 'scan-poll-interval', /the 10m it accepts/);
    refused({ 'scan-timeout': '9'.repeat(30) }, 'scan-timeout', /the 24h it accepts/);
  });
});
