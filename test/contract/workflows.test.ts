// Every workflow the suite ships, read by GitHub's own parser, follows the security rules of
// ../shared/reference/security.md (test/contract/workflow-rules.ts); each rule is shown to catch
// a workflow that breaks it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  loadWorkflow,
  parseWorkflowText,
  type LoadedWorkflow,
} from '../harness/workflow-runner/index.ts';
import { workflowViolations } from './workflow-rules.ts';

const root = new URL('../..', import.meta.url).pathname;
const DIRECTORIES = ['.github/workflows', 'workflows-templates'];
const paths = DIRECTORIES.flatMap((directory) => {
  try {
    return readdirSync(join(root, directory))
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => `${directory}/${name}`);
  } catch {
    return [];
  }
});

const loaded = new Map<string, LoadedWorkflow>();
const context = { sibling: (path: string) => loaded.get(path) };

beforeAll(async () => {
  for (const path of paths) loaded.set(path, await loadWorkflow(root, path));
});

describe('the shipped workflows', () => {
  it('include the reusable deploy workflow', () => {
    expect(paths).toContain('.github/workflows/deploy.yml');
  });

  it.each(paths)('%s parses and follows every rule', (path) => {
    const workflow = loaded.get(path);
    if (workflow === undefined) throw new Error(`${path} did not load`);
    expect(workflowViolations(workflow, context)).toEqual([]);
  });
});

describe('each rule catches a workflow that breaks it', () => {
  const violationsOf = async (text: string) =>
    workflowViolations(await parseWorkflowText('bad.yml', text), context);

  it('finds every violation in one bad workflow, naming file, job and step', async () => {
    const violations = await violationsOf(`
on:
  pull_request_target:
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - name: Greet
        run: echo "\${{ github.event.pull_request.title }}"
  deploy:
    runs-on: ubuntu-24.04
    environment: production
    concurrency:
      group: deploys
    permissions: write-all
    steps:
      - uses: actions/cache@0c45773b623bea8c8e75f6c82b208c3cf94ea4f9
  release:
    uses: ./.github/workflows/deploy.yml
    secrets: inherit
`);
    expect(violations).toEqual([
      'bad.yml: the workflow must start from permissions: {} (rule 8)',
      'bad.yml: pull_request_target is not allowed (rule 13)',
      'bad.yml: job build: id-token: write only in a job with an environment (rule 8, rule 7)',
      'bad.yml: job build, step __actions_checkout: actions/checkout@v4 must be pinned to a full commit SHA (rule 9)',
      'bad.yml: job build, step __actions_checkout: actions/checkout needs persist-credentials: false (rule 10)',
      'bad.yml: job build, step Greet: no ${{ }} in run: scripts; pass values through env: (rule 5, rule 16)',
      'bad.yml: job deploy: permissions: write-all grants more than the job needs (rule 8)',
      'bad.yml: job deploy: a job in environment production needs a concurrency group per environment (rule 15)',
      'bad.yml: job deploy, step __actions_cache: no Actions cache in a deploy job (rule 14)',
      'bad.yml: job release: every job names its permissions (rule 8)',
      'bad.yml: job release: secrets: inherit passes every secret; pass them by name (rule 11)',
    ]);
  });

  it('requires cancel-in-progress: false on the environment group', async () => {
    const violations = await violationsOf(`
on: workflow_dispatch
permissions: {}
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: staging
    concurrency:
      group: deploy-staging
      cancel-in-progress: true
    permissions:
      id-token: write
    steps:
      - run: echo deploying
`);
    expect(violations).toEqual([
      'bad.yml: job deploy: its concurrency group must say cancel-in-progress: false (rule 15)',
    ]);
  });

  it('lets a calling job grant id-token: write only to a workflow whose environment jobs use it', async () => {
    const violations = await violationsOf(`
on: push
permissions: {}
jobs:
  staging:
    permissions:
      contents: read
      id-token: write
    uses: ./.github/workflows/deploy.yml
  ci:
    permissions:
      id-token: write
    uses: ./.github/workflows/ci.yml
`);
    expect(violations).toEqual([
      'bad.yml: job ci: id-token: write only for a called workflow whose environment jobs assume a role (rule 8)',
    ]);
  });
});
