// .github/workflows/release.yml run through the local workflow runner on a copy of the release
// machinery (scripts/release.ts and its engine) in a temporary repository with a bare remote:
// the checkout stand-in clones the remote, `npm` and `gh` are local stand-ins on the PATH (one
// links the suite's node_modules, the other records the release it would publish), and `.ci/run`
// stands for the suite's CI. What is real: the workflow file, its jobs, permissions, environment
// review, steps, and the release script pushing tags to the remote.
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  findLeakedSecretsInRun,
  runWorkflow,
  type WorkflowRun,
  type ReviewDecision,
} from '../harness/workflow-runner/index.ts';

const suiteRoot = new URL('../..', import.meta.url).pathname;

const COPIED = [
  '.github/workflows/release.yml',
  'scripts/release.ts',
  'src/release/ports.ts',
  'src/release/references.ts',
  'src/release/release.ts',
  'src/release/version.ts',
  'src/git/release-repository.ts',
  'src/lib/errors.ts',
];

const FIXTURE: Record<string, string> = {
  'package.json': '{ "private": true, "type": "module" }\n',
  '.gitignore': 'node_modules\n',
  // The suite's CI installs (./dev setup) and checks; this one installs by linking.
  '.ci/run':
    '#!/usr/bin/env bash\nln -sfn "$SUITE_NODE_MODULES" node_modules\necho "ci ran on $(git rev-parse HEAD)" >> "$CI_LOG"\n',
  '.github/workflows/deploy.yml': `on: workflow_call
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: OWNER/aws-ship-suite/actions/a@main
`,
  'actions/a/action.yml': "name: a\nruns:\n  using: node24\n  main: '../../dist/a/index.js'\n",
  'src/a.js': 'console.log("a");\n',
  'scripts/build.ts': `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
mkdirSync('dist/a', { recursive: true });
writeFileSync('dist/a/index.js', '// bundled\\n' + readFileSync('src/a.js', 'utf8'));
`,
  'dist/a/index.js': '// bundled\nconsole.log("a");\n',
};

const STAND_INS: Record<string, string> = {
  npm: '#!/usr/bin/env bash\n[ "$1" = ci ] && ln -sfn "$SUITE_NODE_MODULES" node_modules\n',
  gh: '#!/usr/bin/env bash\n[ -n "$GH_TOKEN" ] || { echo "gh: no GH_TOKEN" >&2; exit 4; }\necho "$*" >> "$GH_LOG"\n',
};

let root: string;
let work: string;
let remote: string;
let main: string;

function git(args: string[], cwd = work): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function put(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

function remoteTags(): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const line of git(['ls-remote', '--tags', remote]).split('\n').filter(Boolean)) {
    const [sha = '', ref = ''] = line.split('\t');
    if (ref.endsWith('^{}')) tags[ref.slice('refs/tags/'.length, -3)] = sha;
    else tags[ref.slice('refs/tags/'.length)] ??= sha;
  }
  return tags;
}

const readOr = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

function dispatch(
  version: string,
  options: { ref?: string; review?: ReviewDecision } = {},
): Promise<WorkflowRun> {
  return runWorkflow({
    checkout: work,
    workflow: '.github/workflows/release.yml',
    event: { name: 'workflow_dispatch', payload: { inputs: { version } } },
    inputs: { version },
    context: {
      owner: 'acme',
      repo: 'ship',
      ref: options.ref ?? 'refs/heads/main',
      sha: main,
      eventName: 'workflow_dispatch',
      workflow: 'release',
      workflowPath: '.github/workflows/release.yml',
    },
    suiteRepository: 'OWNER/aws-ship-suite',
    environments: { release: { reviewers: ['maintainer'] } },
    review: async () => options.review ?? 'approve',
    workspaceRepository: remote,
    machineEnv: {
      PATH: `${join(root, 'bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      SUITE_NODE_MODULES: join(suiteRoot, 'node_modules'),
      CI_LOG: join(root, 'ci.log'),
      GH_LOG: join(root, 'gh.log'),
    },
    stepTimeoutMs: 60_000,
  });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'release-workflow-'));
  work = join(root, 'work');
  remote = join(root, 'remote.git');
  for (const path of COPIED) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    copyFileSync(join(suiteRoot, path), join(work, path));
  }
  for (const [path, text] of Object.entries(FIXTURE)) {
    put(join(work, path), text, path === '.ci/run' ? 0o755 : 0o644);
  }
  for (const [name, text] of Object.entries(STAND_INS)) put(join(root, 'bin', name), text, 0o755);
  git(['init', '-q', '--bare', remote], root);
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  git(['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '-qm', 'suite']);
  git(['push', '-q', remote, 'main']);
  main = git(['rev-parse', 'HEAD']);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the release workflow', () => {
  it('checks with contents: read, then the approved push job alone writes: tags, moved vX, GitHub release', async () => {
    const run = await dispatch('1.0.0');
    const log = run.jobs
      .flatMap((job) => job.steps.flatMap((step) => [step.name, ...step.log]))
      .join('\n');
    expect([run.conclusion, log]).toEqual(['success', log]);

    const check = run.job('check');
    const release = run.job('release');
    expect(check.permissions).toEqual({ contents: 'read' });
    expect(release.permissions).toEqual({ contents: 'write' });
    expect([check.idToken, release.idToken]).toEqual([false, false]);
    expect(release.environment).toBe('release');
    expect(release.approval?.decision).toBe('approve');
    expect(release.concurrency).toEqual({
      group: 'aws-ship-suite-release',
      cancelInProgress: false,
    });
    expect(readOr(join(root, 'ci.log'))).toBe(`ci ran on ${main}\n`);
    expect(check.steps.map((step) => step.outcome)).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(check.steps[3]?.log.join('\n')).toContain('dry run: v1.0.0 would be released from');

    const tags = remoteTags();
    expect(Object.keys(tags).sort()).toEqual(['v1', 'v1.0.0']);
    const commit = tags['v1.0.0'] ?? '';
    expect(tags.v1).toBe(commit);
    expect(git(['rev-parse', `${commit}^`], remote)).toBe(main);
    expect(git(['show', `${commit}:.github/workflows/deploy.yml`], remote)).toContain(
      'uses: acme/ship/actions/a@v1.0.0',
    );
    expect(git(['ls-remote', remote, 'refs/heads/main']).split('\t')[0]).toBe(main);
    expect(release.steps.find((step) => step.name === 'Tag and push')?.outputs).toEqual({
      tag: 'v1.0.0',
      commit,
    });
    expect(readOr(join(root, 'gh.log'))).toBe(
      'release create v1.0.0 --verify-tag --generate-notes --title v1.0.0\n',
    );
    expect(findLeakedSecretsInRun(run)).toEqual([]);
  });

  it('publishes a pre-release as one, and moves no vX', async () => {
    const run = await dispatch('2.0.0-rc.1');
    expect(run.conclusion).toBe('success');
    expect(Object.keys(remoteTags())).toEqual(['v2.0.0-rc.1']);
    expect(readOr(join(root, 'gh.log'))).toBe(
      'release create v2.0.0-rc.1 --verify-tag --generate-notes --title v2.0.0-rc.1 --prerelease\n',
    );
  });

  it('refuses a branch other than main before anything, and the push job never runs', async () => {
    const run = await dispatch('1.0.0', { ref: 'refs/heads/feature' });
    expect(run.conclusion).toBe('failure');
    expect(run.job('check').steps[0]?.annotations.map((a) => a.message)).toEqual([
      'A release is made from main: run this workflow on the main branch.',
      'Process completed with exit code 1.',
    ]);
    expect(run.job('release').result).toBe('skipped');
    expect(remoteTags()).toEqual({});
    expect(readOr(join(root, 'ci.log'))).toBe('');
  });

  it('stops at the dry run for a bad version, in one line', async () => {
    const run = await dispatch('1.2');
    expect(run.conclusion).toBe('failure');
    const plan = run.job('check').steps[3];
    expect(plan?.outcome).toBe('failure');
    expect(plan?.log.filter((line) => line.startsWith('release:'))).toEqual([
      "release: Version '1.2' is not semantic versioning: give MAJOR.MINOR.PATCH such as 1.4.0 (or 1.4.0-rc.1 for a pre-release), without leading zeros.",
    ]);
    expect(run.job('release').result).toBe('skipped');
    expect(remoteTags()).toEqual({});
  });

  it("pushes nothing when the release environment's reviewer rejects", async () => {
    const run = await dispatch('1.0.0', { review: { decision: 'reject', reviewer: 'maintainer' } });
    expect(run.job('release').result).toBe('failure');
    expect(remoteTags()).toEqual({});
    expect(readOr(join(root, 'gh.log'))).toBe('');
  });
});
