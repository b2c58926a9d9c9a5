// Releases the suite: checks, then a release commit (on no branch) whose own references read
// @vX.Y.Z, tagged vX.Y.Z and vX (moved), pushed atomically. The engine is src/release/release.ts;
// .github/workflows/release.yml runs this. See the README, "Releasing the suite".
//
//   node scripts/release.ts --version 1.4.0 [--repository owner/name] [--push origin] [--dry-run] [--dir .]
//
// --repository defaults to $GITHUB_REPOSITORY; a push authenticates with $GITHUB_TOKEN when it is
// set. dist/ is rebuilt with the repository's own scripts/build.ts and must come out unchanged.
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gitReleaseRepository } from '../src/git/release-repository.ts';
import { UserError, isUserError, oneLine, shown } from '../src/lib/errors.ts';
import { release, type ReleaseEvent, type ReleaseResult } from '../src/release/release.ts';

const USAGE =
  'usage: node scripts/release.ts --version X.Y.Z [--repository owner/name] [--push REMOTE] [--dry-run] [--dir PATH]';

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(
    `release: ${isUserError(error) ? error.message : `unexpected error: ${oneLine(error)}`}`,
  );
  process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseOptions(argv);
  const dir = resolve(values.dir ?? '.');
  const version = values.version;
  if (version === undefined) throw new UserError(`--version is required: ${USAGE}`);
  const repository = values.repository ?? process.env.GITHUB_REPOSITORY ?? '';
  if (repository === '') {
    throw new UserError(
      'Name the suite repository: --repository owner/name (or set GITHUB_REPOSITORY).',
    );
  }
  const token = process.env.GITHUB_TOKEN;
  const repo = gitReleaseRepository(dir, {
    ...(token === undefined ? {} : { token }),
    onMask: (secret) => {
      if (process.env.GITHUB_ACTIONS === 'true') console.log(`::add-mask::${secret}`);
    },
  });
  const result = await release(
    { version, repository, remote: values.push, dryRun: values['dry-run'] ?? false },
    repo,
    { rebuild: () => rebuildDist(dir) },
    print,
  );
  report(result);
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        version: { type: 'string' },
        repository: { type: 'string' },
        push: { type: 'string' },
        'dry-run': { type: 'boolean' },
        dir: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UserError(`${oneLine(error)}: ${USAGE}`);
  }
}

function rebuildDist(dir: string): Promise<void> {
  const script = join(dir, 'scripts/build.ts');
  if (!existsSync(script)) {
    return Promise.reject(
      new UserError(`${script} is missing: a release rebuilds dist/ to check it is current.`),
    );
  }
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [script],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
      (error, _out, stderr) => {
        if (error === null) done();
        else {
          const why = stderr.trim().split('\n').pop() ?? '';
          fail(
            new UserError(
              `Rebuilding dist/ failed (${shown(why, 200)}): fix the build on main, then release again.`,
            ),
          );
        }
      },
    );
  });
}

function print(event: ReleaseEvent): void {
  switch (event.kind) {
    case 'checked':
      console.log(`✓ ${event.what}`);
      break;
    case 'committed':
      console.log(`release commit ${event.commit}`);
      break;
    case 'tagged':
      console.log(
        `tag ${event.tag} → ${event.commit.slice(0, 12)}${event.moved ? ' (moved)' : ''}`,
      );
      break;
    case 'pushed':
      console.log(`pushed ${event.refspecs.join(' ')} to ${event.remote}`);
      break;
  }
}

function report(result: ReleaseResult): void {
  const width = Math.max(4, ...result.rewrites.map(({ path }) => path.length));
  const lines = [
    `${'file'.padEnd(width)}  references`,
    ...result.rewrites.map(({ path, references }) => `${path.padEnd(width)}  ${references}`),
  ];
  console.log(lines.join('\n'));
  const verdict =
    result.commit === undefined
      ? `dry run: v${result.version} would be released from ${result.parent.slice(0, 12)} as ${result.tags.join(', ')}`
      : `released v${result.version}: ${result.tags.join(', ')} → ${result.commit}${result.pushed ? '' : ' (local tags only, not pushed)'}`;
  console.log(verdict);
  // The step's outputs: the tag and commit, for the step that publishes the GitHub release.
  const outputs = process.env.GITHUB_OUTPUT;
  if (outputs !== undefined && outputs !== '' && result.commit !== undefined) {
    appendFileSync(outputs, `tag=${result.tags[0] ?? ''}\ncommit=${result.commit}\n`);
  }
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary !== undefined && summary !== '') {
    appendFileSync(
      summary,
      [
        `### ${verdict}`,
        '',
        '| file | references |',
        '| --- | --- |',
        ...result.rewrites.map(({ path, references }) => `| \`${path}\` | ${references} |`),
        '',
      ].join('\n'),
    );
  }
}
