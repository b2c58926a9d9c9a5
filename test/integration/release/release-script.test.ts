// scripts/release.ts on a temporary git repository with a bare remote, as the release workflow
// runs it: the release commit, its tags, what its files reference, and every refusal, which
// leaves tags, branches and the working tree as they were.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

const SCRIPT = new URL('../../../scripts/release.ts', import.meta.url).pathname;

const FILES: Record<string, string> = {
  '.github/workflows/deploy.yml': `on: workflow_call
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: OWNER/aws-ship-suite/actions/a@main
`,
  '.github/workflows/pipeline.yml': `on: workflow_call
permissions: {}
jobs:
  staging:
    permissions:
      contents: read
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
`,
  '.github/workflows/ci.yml': 'on: push\npermissions: {}\njobs: {}\n',
  'actions/a/action.yml': "name: a\nruns:\n  using: node24\n  main: '../../dist/a/index.js'\n",
  'actions/a/README.md': '```yaml\n- uses: OWNER/aws-ship-suite/actions/a@main\n```\n',
  'README.md':
    '# suite\n\n    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main\n    uses: OWNER/aws-ship-suite/actions/a@<full commit sha> # vX.Y.Z\n',
  'workflows-templates/deploy.yml': `on:
  push:
    branches: [$default-branch]
permissions: {}
jobs:
  deploy:
    permissions:
      contents: read
    uses: OWNER/aws-ship-suite/.github/workflows/pipeline.yml@main
`,
  'docs/notes.md': 'The suite names itself OWNER/aws-ship-suite/actions/a@main on main.\n',
  'src/a.js': 'console.log("a");\n',
  'scripts/build.ts': `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
mkdirSync('dist/a', { recursive: true });
writeFileSync('dist/a/index.js', '// bundled\\n' + readFileSync('src/a.js', 'utf8'));
`,
  'dist/a/index.js': '// bundled\nconsole.log("a");\n',
};

let root: string;
let work: string;
let remote: string;

function git(args: string[], cwd = work): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function write(path: string, text: string): void {
  mkdirSync(dirname(join(work, path)), { recursive: true });
  writeFileSync(join(work, path), text);
}

function commitAll(message: string): string {
  git(['add', '-A']);
  git(['commit', '-qm', message]);
  return git(['rev-parse', 'HEAD']);
}

function release(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [SCRIPT, '--repository', 'acme/ship', ...args], {
    cwd: work,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every tag of the remote with the commit it points at. */
function remoteTags(): Record<string, string> {
  const lines = git(['ls-remote', '--tags', remote], work).split('\n').filter(Boolean);
  const tags: Record<string, string> = {};
  for (const line of lines) {
    const [sha = '', ref = ''] = line.split('\t');
    if (ref.endsWith('^{}')) tags[ref.slice('refs/tags/'.length, -3)] = sha;
    else tags[ref.slice('refs/tags/'.length)] ??= sha;
  }
  return tags;
}

const show = (commit: string, path: string) => git(['show', `${commit}:${path}`]);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'release-test-'));
  work = join(root, 'work');
  remote = join(root, 'remote.git');
  mkdirSync(work);
  git(['init', '-q', '--bare', remote], root);
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.name', 'Release Test']);
  git(['config', 'user.email', 'release@example.com']);
  for (const [path, text] of Object.entries(FILES)) write(path, text);
  commitAll('the suite');
  git(['remote', 'add', 'origin', remote]);
  git(['push', '-q', 'origin', 'main']);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a release', () => {
  it('tags vX.Y.Z and vX on a commit on top of main whose references name only that release', () => {
    const main = git(['rev-parse', 'HEAD']);
    const { code, stdout, stderr } = release(['--version', '1.0.0', '--push', 'origin']);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const tags = remoteTags();
    expect(Object.keys(tags).sort()).toEqual(['v1', 'v1.0.0']);
    const commit = tags['v1.0.0'] ?? '';
    expect(tags.v1).toBe(commit);
    expect(git(['rev-parse', `${commit}^`])).toBe(main);
    // main, the working tree and the remote's main are as they were.
    expect(git(['rev-parse', 'HEAD'])).toBe(main);
    expect(git(['ls-remote', remote, 'refs/heads/main']).split('\t')[0]).toBe(main);
    expect(git(['status', '--porcelain'])).toBe('');
    expect(readFileSync(join(work, '.github/workflows/deploy.yml'), 'utf8')).toBe(
      FILES['.github/workflows/deploy.yml'],
    );

    // Only the files that name the suite changed, and only in those names.
    expect(git(['diff', '--name-only', main, commit]).split('\n').sort()).toEqual([
      '.github/workflows/deploy.yml',
      '.github/workflows/pipeline.yml',
      'README.md',
      'actions/a/README.md',
      'workflows-templates/deploy.yml',
    ]);
    expect(show(commit, '.github/workflows/deploy.yml')).toContain(
      '- uses: acme/ship/actions/a@v1.0.0',
    );
    expect(show(commit, '.github/workflows/pipeline.yml')).toContain(
      'uses: acme/ship/.github/workflows/deploy.yml@v1.0.0',
    );
    expect(show(commit, 'workflows-templates/deploy.yml')).toContain(
      'uses: acme/ship/.github/workflows/pipeline.yml@v1.0.0',
    );
    expect(show(commit, 'README.md')).toBe(
      '# suite\n\n    uses: acme/ship/.github/workflows/deploy.yml@v1.0.0\n    uses: OWNER/aws-ship-suite/actions/a@<full commit sha> # vX.Y.Z',
    );
    expect(show(commit, 'docs/notes.md')).toBe(FILES['docs/notes.md']?.trim());
    expect(show(commit, 'dist/a/index.js')).toBe(FILES['dist/a/index.js']?.trim());

    // Every uses: in what the release runs names the release itself, or a pinned third party.
    const running = git(['ls-tree', '-r', '--name-only', commit])
      .split('\n')
      .filter((path) => /\.ya?ml$/.test(path));
    const uses = running.flatMap((path) =>
      [...show(commit, path).matchAll(/uses:\s*(\S+)/g)].map((match) => match[1] ?? ''),
    );
    expect(uses.length).toBeGreaterThan(3);
    for (const reference of uses) {
      expect(reference).toMatch(/^(acme\/ship\/.+@v1\.0\.0|actions\/checkout@[0-9a-f]{40})$/);
    }
    expect(git(['cat-file', '-t', 'refs/tags/v1.0.0'], remote)).toBe('tag');
    expect(stdout).toContain(`released v1.0.0: v1.0.0, v1 → ${commit}`);
    expect(stdout).toContain('.github/workflows/pipeline.yml  1');
  });

  it('moves vX to each later release of major X, keeps vX.Y.Z, and starts vX+1 on a new major', () => {
    expect(release(['--version', '1.0.0', '--push', 'origin']).code).toBe(0);
    const first = remoteTags()['v1.0.0'];
    write('src/a.js', 'console.log("a2");\n');
    write('dist/a/index.js', '// bundled\nconsole.log("a2");\n');
    const second = commitAll('a2');
    git(['push', '-q', 'origin', 'main']);

    const moved = release(['--version', 'v1.1.0', '--push', 'origin']);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('tag v1 → ');
    expect(moved.stdout).toContain('(moved)');
    let tags = remoteTags();
    expect(tags['v1.0.0']).toBe(first);
    expect(tags.v1).toBe(tags['v1.1.0']);
    expect(git(['rev-parse', `${tags['v1.1.0']}^`])).toBe(second);

    expect(release(['--version', '2.0.0-rc.1', '--push', 'origin']).code).toBe(0);
    tags = remoteTags();
    expect(tags.v2).toBeUndefined();
    expect(tags.v1).toBe(tags['v1.1.0']);

    expect(release(['--version', '2.0.0', '--push', 'origin']).code).toBe(0);
    tags = remoteTags();
    expect(tags.v2).toBe(tags['v2.0.0']);
    expect(tags.v1).toBe(tags['v1.1.0']);
    expect(Object.keys(tags).sort()).toEqual([
      'v1',
      'v1.0.0',
      'v1.1.0',
      'v2',
      'v2.0.0',
      'v2.0.0-rc.1',
    ]);
  });

  it("writes the tag and commit as the step's outputs", () => {
    const outputs = join(root, 'github-output');
    writeFileSync(outputs, '');
    expect(release(['--version', '1.0.0-rc.1'], { GITHUB_OUTPUT: outputs }).code).toBe(0);
    const commit = git(['rev-parse', 'refs/tags/v1.0.0-rc.1^{commit}']);
    expect(readFileSync(outputs, 'utf8')).toBe(`tag=v1.0.0-rc.1\ncommit=${commit}\n`);
    expect(git(['tag', '--list'])).toBe('v1.0.0-rc.1');
  });

  it('plans without writing on --dry-run', () => {
    const { code, stdout } = release(['--version', '1.0.0', '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toContain('dry run: v1.0.0 would be released from');
    expect(git(['tag', '--list'])).toBe('');
  });

  it('masks the push credential it derives from GITHUB_TOKEN and prints the token nowhere', () => {
    const token = 'ghs_0123456789abcdefghijklmnopqrstuvwxyzAB';
    const encoded = Buffer.from(`x-access-token:${token}`).toString('base64');
    const { code, stdout, stderr } = release(['--version', '1.0.0', '--push', 'origin'], {
      GITHUB_TOKEN: token,
      GITHUB_ACTIONS: 'true',
    });
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`::add-mask::${encoded}`);
    const rest = stdout.split('\n').slice(1).join('\n') + stderr;
    expect(rest).not.toContain(token);
    expect(rest).not.toContain(encoded);
    expect(readFileSync(join(work, '.git/config'), 'utf8')).not.toContain(encoded);
  });
});

describe('a refused release changes nothing and says why in one line', () => {
  const refused = (args: string[], message: string | RegExp) => {
    const before = {
      head: git(['rev-parse', 'HEAD']),
      tags: git(['tag', '--list']),
      remote: remoteTags(),
    };
    const { code, stdout, stderr } = release(args);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(message);
    expect(stderr).not.toMatch(/\s+at\s.+:\d+:\d+/);
    expect(stdout).not.toContain('release commit');
    expect(git(['rev-parse', 'HEAD'])).toBe(before.head);
    expect(git(['tag', '--list'])).toBe(before.tags);
    expect(remoteTags()).toEqual(before.remote);
  };

  it('a version that is not semver', () => {
    refused(
      ['--version', '1.2', '--push', 'origin'],
      "release: Version '1.2' is not semantic versioning: give MAJOR.MINOR.PATCH such as 1.4.0 (or 1.4.0-rc.1 for a pre-release), without leading zeros.",
    );
  });

  it('a version not greater than the last tag, and one that exists', () => {
    expect(release(['--version', '1.2.0', '--push', 'origin']).code).toBe(0);
    refused(
      ['--version', '1.1.9', '--push', 'origin'],
      'release: Version 1.1.9 is not greater than the latest release v1.2.0: give a higher version.',
    );
    refused(['--version', '1.2.0', '--push', 'origin'], /Tag v1\.2\.0 already exists/);
    expect(Object.keys(remoteTags()).sort()).toEqual(['v1', 'v1.2.0']);
  });

  it('a dirty working tree, untracked files included', () => {
    write('notes.txt', 'draft\n');
    refused(
      ['--version', '1.0.0'],
      'release: The working tree has uncommitted changes: notes.txt: commit or stash them, then release again.',
    );
  });

  it('a dist/ that a fresh build changes', () => {
    write('src/a.js', 'console.log("changed");\n');
    commitAll('source without its bundle');
    refused(
      ['--version', '1.0.0', '--push', 'origin'],
      "release: dist/ differs from a fresh build of this commit (rebuilt in the working tree): dist/a/index.js: commit the rebuilt dist/ on main first ('npm run build'), then release again.",
    );
    expect(remoteTags()).toEqual({});
  });

  it('a workflow that names the suite at another ref', () => {
    write(
      '.github/workflows/other.yml',
      'jobs:\n  x:\n    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@v0\n',
    );
    commitAll('pinned');
    refused(
      ['--version', '1.0.0'],
      "release: .github/workflows/other.yml:3: 'OWNER/aws-ship-suite/.github/workflows/deploy.yml@v0' names the suite at 'v0': write the suite's own references @main, the release rewrites them.",
    );
  });

  it('a reference to an action the commit does not contain', () => {
    write(
      '.github/workflows/other.yml',
      'steps:\n  - uses: OWNER/aws-ship-suite/actions/gone@main\n',
    );
    commitAll('gone');
    refused(
      ['--version', '1.0.0'],
      /other\.yml:2: 'acme\/ship\/actions\/gone@v1\.0\.0' names actions\/gone, which this commit does not contain/,
    );
  });

  it('no repository, a malformed one, an unknown option', () => {
    const result = spawnSync(process.execPath, [SCRIPT, '--version', '1.0.0'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: root },
    });
    expect([result.status, result.stderr.trim()]).toEqual([
      1,
      'release: Name the suite repository: --repository owner/name (or set GITHUB_REPOSITORY).',
    ]);
    refused(['--version', '1.0.0', '--repository', 'acme'], /Repository 'acme' is not owner\/name/);
    refused(
      ['--version', '1.0.0', '--push=--mirror'],
      "release: Remote '--mirror' is not a git remote name or URL: give one such as origin.",
    );
    refused(
      ['--version', '1.0.0', '--tag', 'x'],
      /Unknown option '--tag'.*usage: node scripts\/release\.ts/,
    );
  });

  it('a push that fails puts the local tags back as they were', () => {
    expect(release(['--version', '1.0.0', '--push', 'origin']).code).toBe(0);
    const v1 = git(['rev-parse', 'refs/tags/v1']);
    git(['commit', '-q', '--allow-empty', '-m', 'next']);
    const { code, stderr } = release(['--version', '1.1.0', '--push', join(root, 'missing.git')]);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^release: git push failed in .*: '.*'\.$/);
    expect(git(['tag', '--list']).split('\n').sort()).toEqual(['v1', 'v1.0.0']);
    expect(git(['rev-parse', 'refs/tags/v1'])).toBe(v1);
    expect(Object.keys(remoteTags()).sort()).toEqual(['v1', 'v1.0.0']);
  });
});
