// The runner's small modules on their own: matrix expansion, permissions, references, inputs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { matchesLast, notTriggeredBy } from './event-filters.ts';
import { bindInputs, bindSecrets } from './inputs.ts';
import { parseWorkflowText } from './load-workflow.ts';
import { combinationLabel, expandMatrix } from './matrix.ts';
import {
  checkWithinCeiling,
  defaultPermissions,
  granted,
  parsePermissions,
} from './permissions.ts';
import { resolveAction, resolveWorkflow } from './references.ts';
import { expressionOf } from './scalars.ts';
import { at } from './tokens.ts';

describe('expandMatrix', () => {
  it('takes the product, drops exclusions, extends matches and adds the rest', () => {
    const combinations = expandMatrix({
      node: [22, 24],
      os: ['linux', 'mac'],
      exclude: [{ node: 22, os: 'mac' }],
      include: [
        { os: 'linux', arch: 'arm' },
        { node: 26, os: 'linux' },
      ],
    });
    expect(combinations).toEqual([
      { node: 22, os: 'linux', arch: 'arm' },
      { node: 24, os: 'linux', arch: 'arm' },
      { node: 24, os: 'mac' },
      { node: 26, os: 'linux' },
    ]);
    expect(combinationLabel({ node: 24, os: 'linux' })).toBe('24, linux');
  });

  it('refuses what is not a matrix', () => {
    expect(() => expandMatrix(['a'])).toThrow('strategy.matrix must be a mapping');
    expect(() => expandMatrix({ os: 'linux' })).toThrow('strategy.matrix.os must be a sequence');
  });
});

async function token(yaml: string, ...path: string[]) {
  const workflow = await parseWorkflowText(
    'w.yml',
    `on: push\njobs:\n  a:\n    runs-on: x\n${yaml}    steps:\n      - run: echo\n`,
  );
  return at(workflow.root, 'jobs', 'a', ...path);
}

describe('permissions', () => {
  it('reads a mapping, with every scope not named at none', async () => {
    const parsed = parsePermissions(
      await token('    permissions:\n      contents: read\n      id-token: write\n', 'permissions'),
      'w.yml',
    );
    expect(parsed && granted(parsed)).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('reads read-all and write-all (id-token has no read)', async () => {
    const all = parsePermissions(await token('    permissions: read-all\n', 'permissions'), 'w');
    expect(all?.['id-token']).toBe('none');
    expect(all?.['pull-requests']).toBe('read');
    expect(granted(defaultPermissions('restricted'))).toEqual({
      contents: 'read',
      packages: 'read',
    });
  });

  it('refuses a called job that asks for more than its caller holds', () => {
    const ceiling = { ...defaultPermissions('restricted'), issues: 'write' as const };
    const wanted = { ...ceiling, deployments: 'write' as const, contents: 'write' as const };
    expect(() => checkWithinCeiling(wanted, ceiling, 'call / deploy')).toThrow(
      "The nested job 'call / deploy' is requesting 'contents: write', 'deployments: write', but is only allowed 'contents: read', 'deployments: none'.",
    );
    expect(checkWithinCeiling(ceiling, ceiling, 'x')).toBe(ceiling);
  });
});

describe('references', () => {
  const checkout = mkdtempSync(join(tmpdir(), 'references-'));
  mkdirSync(join(checkout, 'actions/echo'), { recursive: true });
  writeFileSync(join(checkout, 'actions/echo/action.yml'), 'name: echo\n');
  mkdirSync(join(checkout, '.github/workflows'), { recursive: true });
  writeFileSync(join(checkout, '.github/workflows/deploy.yml'), 'on: workflow_call\n');
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));
  const scope = {
    checkout,
    suiteRepository: 'OWNER/aws-ship-suite',
    repository: 'octo-org/octo-app',
    ref: 'refs/heads/main',
  };

  it("resolves the checkout's and the suite's workflows, with the job_workflow_ref each gives", () => {
    expect(resolveWorkflow('./.github/workflows/deploy.yml', scope, 'w')).toEqual({
      uses: './.github/workflows/deploy.yml',
      path: '.github/workflows/deploy.yml',
      jobWorkflowRef: 'octo-org/octo-app/.github/workflows/deploy.yml@refs/heads/main',
    });
    expect(
      resolveWorkflow('owner/AWS-SHIP-SUITE/.github/workflows/deploy.yml@v1', scope, 'w')
        .jobWorkflowRef,
    ).toBe('owner/AWS-SHIP-SUITE/.github/workflows/deploy.yml@refs/tags/v1');
    expect(
      resolveWorkflow('OWNER/aws-ship-suite/.github/workflows/deploy.yml@main', scope, 'w')
        .jobWorkflowRef,
    ).toBe('OWNER/aws-ship-suite/.github/workflows/deploy.yml@refs/heads/main');
    const sha = 'a'.repeat(40);
    expect(
      resolveWorkflow(`OWNER/aws-ship-suite/.github/workflows/deploy.yml@${sha}`, scope, 'w')
        .jobWorkflowRef,
    ).toBe(`OWNER/aws-ship-suite/.github/workflows/deploy.yml@${sha}`);
  });

  it("refuses other repositories' workflows and files outside .github/workflows", () => {
    expect(() =>
      resolveWorkflow('evil/repo/.github/workflows/x.yml@v1', scope, 'w: job a'),
    ).toThrow(
      "w: job a: uses: evil/repo/.github/workflows/x.yml@v1 is not the suite's own workflow (OWNER/aws-ship-suite); the local runner refuses other repositories' workflows",
    );
    expect(() => resolveWorkflow('./ci/deploy.yml', scope, 'w')).toThrow(
      'reusable workflows must sit directly in .github/workflows/',
    );
  });

  it('resolves suite actions and stand-ins, and refuses anything else by name', () => {
    expect(resolveAction('OWNER/aws-ship-suite/actions/echo@main', scope, 'w')).toEqual({
      kind: 'suite-action',
      uses: 'OWNER/aws-ship-suite/actions/echo@main',
      actionYml: join(checkout, 'actions/echo/action.yml'),
    });
    expect(resolveAction('actions/checkout@' + 'a'.repeat(40), scope, 'w')).toMatchObject({
      kind: 'stand-in',
      name: 'actions/checkout',
    });
    expect(() => resolveAction('OWNER/aws-ship-suite/actions/nope@main', scope, 'w')).toThrow(
      `w: uses: OWNER/aws-ship-suite/actions/nope@main: no action.yml in ${join(checkout, 'actions/nope')}`,
    );
    expect(() => resolveAction('docker://alpine:3', scope, 'w')).toThrow(
      'the local runner does not run containers',
    );
    expect(() => resolveAction('actions/cache@v4', scope, 'w')).toThrow(
      'w: uses: actions/cache@v4 is refused: the local runner has no stand-in for actions/cache',
    );
  });
});

describe('inputs and secrets', () => {
  const definitions = async () => {
    const workflow = await parseWorkflowText(
      'called.yml',
      `on:
  workflow_call:
    inputs:
      environment: { type: string, required: true }
      percent: { type: number, default: 10 }
      dry-run: { type: boolean, default: false }
      who: { type: string, default: '\${{ github.actor }}' }
    secrets:
      token: { required: true }
      optional: {}
jobs:
  a:
    runs-on: x
    steps:
      - run: echo
`,
    );
    return at(workflow.root, 'on', 'workflow_call');
  };

  it('binds given values, typed, and evaluates defaults', async () => {
    const call = await definitions();
    expect(
      bindInputs(at(call, 'inputs'), { environment: 'staging', 'DRY-RUN': 'true' }, 'c', {
        github: { actor: 'octocat' },
      }),
    ).toEqual({ environment: 'staging', percent: 10, 'dry-run': true, who: 'octocat' });
  });

  it('refuses a wrong type', async () => {
    const call = await definitions();
    expect(() =>
      bindInputs(at(call, 'inputs'), { environment: 'x', 'dry-run': 'yes' }, 'c', {}),
    ).toThrow("c: input dry-run expects a boolean, got 'yes'");
  });

  it('binds secrets by their declared names and refuses unknown or missing ones', async () => {
    const call = await definitions();
    expect(bindSecrets(at(call, 'secrets'), { TOKEN: 't' }, 'c', false)).toEqual({ token: 't' });
    expect(() => bindSecrets(at(call, 'secrets'), { token: 't', other: 'o' }, 'c', false)).toThrow(
      'c: Invalid secret, other is not defined in the referenced workflow.',
    );
    expect(() => bindSecrets(at(call, 'secrets'), {}, 'c', false)).toThrow(
      'c: Secret token is required, but not provided while calling.',
    );
    expect(bindSecrets(at(call, 'secrets'), { any: 'a' }, 'c', true)).toEqual({ any: 'a' });
  });
});

describe('loading', () => {
  it("refuses what GitHub would refuse, in the parser's words, with the file and position", async () => {
    await expect(
      parseWorkflowText(
        'bad.yml',
        'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event_name == }}\n',
      ),
    ).rejects.toThrow("bad.yml (Line: 6, Col: 14): Unexpected end of expression: '=='");
    await expect(
      parseWorkflowText(
        'bad.yml',
        'on: push\njobs:\n  a:\n    needs: b\n    runs-on: x\n    steps:\n      - run: echo\n',
      ),
    ).rejects.toThrow(
      'bad.yml (Line: 3, Col: 3): The workflow must contain at least one job with no dependencies.',
    );
  });
});

describe('event filters', () => {
  it('matches branch and path patterns as the docs describe them, the last match deciding', () => {
    expect(matchesLast(['main', 'releases/**'], 'releases/beta/mona')).toBe(true);
    expect(matchesLast(['feature/*'], 'feature/a')).toBe(true);
    expect(matchesLast(['feature/*'], 'feature/a/b')).toBe(false);
    expect(matchesLast(['releases/**', '!releases/**-alpha'], 'releases/1-alpha')).toBe(false);
    expect(
      matchesLast(['releases/**', '!releases/**-alpha', 'releases/2*'], 'releases/2-alpha'),
    ).toBe(true);
    expect(matchesLast(['*.jsx?'], 'page.js')).toBe(true);
    expect(matchesLast(['*.jsx?'], 'page.jsx')).toBe(true);
    expect(matchesLast(['*.jsx?'], 'dir/page.js')).toBe(false);
    expect(matchesLast(['v[12].[0-9]+.[0-9]+'], 'v2.10.1')).toBe(true);
    expect(matchesLast(['v[12].[0-9]+.[0-9]+'], 'v3.1.1')).toBe(false);
    expect(matchesLast(['**.js'], 'a/b/c.js')).toBe(true);
    expect(matchesLast(['**/README.md'], 'README.md')).toBe(true);
    expect(matchesLast(['**/README.md'], 'a/b/README.md')).toBe(true);
    expect(matchesLast(['**/README.md'], 'NOT-README.md')).toBe(false);
    expect(matchesLast(['main\\+x'], 'main+x')).toBe(true);
  });

  const push = (ref: string, payload: Record<string, unknown> = {}) => ({
    name: 'push',
    payload,
    ref,
    baseRef: '',
  });

  it('filters pushes by branch or tag, tags not running a branches-only workflow', () => {
    const on = { push: { branches: ['main'] } };
    expect(notTriggeredBy(on, push('refs/heads/main'), 'w.yml')).toBeUndefined();
    expect(notTriggeredBy(on, push('refs/heads/feature'), 'w.yml')).toBe(
      'push to branch feature matches none of on.push.branches (main)',
    );
    expect(notTriggeredBy(on, push('refs/tags/v1'), 'w.yml')).toBe(
      'push of tag v1: on.push filters branches only',
    );
    const both = { push: { branches: ['main'], tags: ['v*'] } };
    expect(notTriggeredBy(both, push('refs/tags/v1'), 'w.yml')).toBeUndefined();
    expect(notTriggeredBy({ push: { tags: ['v*'] } }, push('refs/heads/main'), 'w.yml')).toBe(
      'push to branch main: on.push filters tags only',
    );
    expect(
      notTriggeredBy(
        { push: { 'branches-ignore': ['wip/**'] } },
        push('refs/heads/wip/a'),
        'w.yml',
      ),
    ).toBe('push to branch wip/a matches on.push.branches-ignore (wip/**)');
    expect(notTriggeredBy({ push: null }, push('refs/heads/any'), 'w.yml')).toBeUndefined();
  });

  it('filters paths on the changed files, from the push payload or as given', () => {
    const on = { push: { paths: ['src/**', '!src/**/*.md'] } };
    const commits = (...files: string[]) => ({ commits: [{ added: [], modified: files }] });
    expect(
      notTriggeredBy(on, push('refs/heads/main', commits('src/a.ts')), 'w.yml'),
    ).toBeUndefined();
    expect(
      notTriggeredBy(on, push('refs/heads/main', commits('src/a.md', 'README.md')), 'w.yml'),
    ).toBe('push to branch main changes no file matching on.push.paths (src/**, !src/**/*.md)');
    const ignore = { pull_request: { 'paths-ignore': ['docs/**'] } };
    const pr = { name: 'pull_request', payload: { action: 'opened' }, ref: '', baseRef: 'main' };
    expect(notTriggeredBy(ignore, { ...pr, changedFiles: ['docs/a.md'] }, 'w.yml')).toBe(
      'pull_request into branch main changes only files matching on.pull_request.paths-ignore (docs/**)',
    );
    expect(notTriggeredBy(ignore, { ...pr, changedFiles: ['docs/a.md', 'src/a'] }, 'w.yml')).toBe(
      undefined,
    );
    expect(() => notTriggeredBy(ignore, pr, 'w.yml')).toThrow(
      'w.yml: on.pull_request filters paths: pass the changed files as event.changedFiles',
    );
    // Tags are not filtered by paths.
    expect(
      notTriggeredBy({ push: { tags: ['v*'], paths: ['src/**'] } }, push('refs/tags/v1'), 'w.yml'),
    ).toBeUndefined();
  });

  it('filters activity types, pull requests defaulting to opened, synchronize and reopened', () => {
    const comment = (action: string) => ({
      name: 'issue_comment',
      payload: { action },
      ref: 'refs/heads/main',
      baseRef: '',
    });
    const on = { issue_comment: { types: ['created'] }, pull_request: null };
    expect(notTriggeredBy(on, comment('created'), 'w.yml')).toBeUndefined();
    expect(notTriggeredBy(on, comment('edited'), 'w.yml')).toBe(
      'issue_comment of type edited is not one of on.issue_comment.types (created)',
    );
    const pr = (action: string) => ({
      name: 'pull_request',
      payload: { action, pull_request: { base: { ref: 'main' } } },
      ref: 'refs/pull/1/merge',
      baseRef: '',
    });
    expect(notTriggeredBy(on, pr('synchronize'), 'w.yml')).toBeUndefined();
    expect(notTriggeredBy(on, pr('closed'), 'w.yml')).toBe(
      'pull_request of type closed is not the default types of on.pull_request.types (opened, synchronize, reopened)',
    );
    expect(
      notTriggeredBy({ pull_request: { branches: ['release/*'] } }, pr('opened'), 'w.yml'),
    ).toBe('pull_request into branch main matches none of on.pull_request.branches (release/*)');
    // `on: [push, pull_request]` names no filter, but the default types still apply.
    expect(notTriggeredBy(['push', 'pull_request'], pr('closed'), 'w.yml')).toMatch(
      /^pull_request of type closed is not the default types/,
    );
  });
});

describe('expressionOf (a multi-line scalar value templated as GitHub does)', () => {
  it('escapes quotes and braces of the text, keeps one expression alone, and reads }} in strings', () => {
    expect(expressionOf("echo '{a}'\n${{ x }}\n")).toBe("format('echo ''{{a}}''\n{0}\n', x)");
    expect(expressionOf('${{\n  github.x\n}}')).toBe('github.x');
    expect(expressionOf("${{ format('}}{0}', x) }} and ${{ y }}")).toBe(
      "format('{0} and {1}', format('}}{0}', x), y)",
    );
    expect(expressionOf('no expression')).toBeUndefined();
    expect(expressionOf('${{ not closed')).toBeUndefined();
  });
});
