// Adapter: runner inputs -> the quality gate -> outputs, result file, summary, annotations and,
// with a token on a pull request, the sticky comment.
import { readFileSync, writeFileSync } from 'node:fs';
import { createStickyComments } from '../../github/pull-request-comments.ts';
import { gitChangedLines } from '../../git/changed-lines.ts';
import { oneLine } from '../../lib/errors.ts';
import { RESULT_VERSION, SUITE_VERSION } from '../../lib/version.ts';
import type { PullRequestRef, StickyCommentPort } from '../../quality/comment-port.ts';
import { readCoverage } from '../../quality/coverage/read-coverage.ts';
import { readFindings } from '../../quality/findings/index.ts';
import { evaluateGate } from '../../quality/gate.ts';
import { readPerformance } from '../../quality/performance/index.ts';
import { readTestResults } from '../../quality/tests/read-test-results.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { OUTPUTS, parseInputs } from './inputs.ts';
import {
  COMMENT_BUDGET_BYTES,
  SUMMARY_BUDGET_BYTES,
  annotate,
  gateMarkdown,
  logLines,
  resultBody,
} from './report.ts';

type Output = (typeof OUTPUTS)[number];

export interface QualityGateWorld {
  /** The sticky-comment port for a token (the GitHub REST one unless a test gives another). */
  stickyComments?: (token: string, apiUrl: string) => StickyCommentPort;
  now?: () => number;
}

export function run(runner: Runner = createRunner(), world: QualityGateWorld = {}): Promise<void> {
  return runAction(
    { name: 'quality-gate', outputs: OUTPUTS, main: (step) => main(step, world) },
    runner,
  );
}

async function main(step: MainStep<Output>, world: QualityGateWorld): Promise<void> {
  const { runner } = step;
  const token = runner.input('github-token')?.trim();
  if (token) runner.setSecret(token);
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const config = parseInputs((name) => runner.input(name), workspace, runner.env);

  const result = await evaluateGate(config.gate, {
    readers: {
      coverage: readCoverage,
      tests: readTestResults,
      findings: (files) => readFindings(files),
      performance: (files) => readPerformance(files),
    },
    changedLines: gitChangedLines,
    now: world.now ?? (() => Date.now()),
  });

  for (const line of logLines(result)) runner.info(line);
  annotate(runner, result, workspace);
  step.summary.paragraph(gateMarkdown(result, SUMMARY_BUDGET_BYTES, workspace));
  const body = resultBody(result, config.mode);
  step.setOutput('verdict', result.verdict);
  step.setOutput('failed-rules', result.failedRules.join(','));
  step.setResult(body);
  if (config.resultFile) {
    writeFileSync(
      config.resultFile,
      `${JSON.stringify({ version: RESULT_VERSION, suiteVersion: SUITE_VERSION, ...body }, null, 2)}\n`,
    );
    runner.info(`Result written to ${config.resultFile}.`);
  }

  if (config.githubToken) {
    const pr = pullRequestOf(runner.env);
    if (pr) {
      const factory =
        world.stickyComments ??
        ((t: string, apiUrl: string) =>
          createStickyComments({
            token: t,
            apiUrl,
            signal: step.signal,
            log: (line) => runner.debug(line),
          }));
      try {
        const comment = await factory(
          config.githubToken,
          runner.env.GITHUB_API_URL || 'https://api.github.com',
        ).upsert(
          pr,
          marker(runner.env),
          `${marker(runner.env)}\n## quality-gate\n\n${gateMarkdown(result, COMMENT_BUDGET_BYTES, workspace)}`,
        );
        runner.info(`Pull-request comment ${comment.action}: ${comment.url}`);
      } catch (error) {
        runner.annotate('warning', `The pull-request comment was not written: ${oneLine(error)}`, {
          title: 'quality-gate',
        });
      }
    } else {
      runner.info('Not a pull request: no comment.');
    }
  }

  if (result.verdict === 'fail') {
    // Not thrown: the summary already leads with the verdict, and the result stands as it is.
    if (config.mode === 'evaluate')
      runner.setFailed(`Quality gate failed: ${result.failedRules.join(', ')}.`);
    else
      runner.info(
        `Quality gate failed (${result.failedRules.join(', ')}); mode report does not fail the step.`,
      );
  }
}

/** One comment per job: several gates in one workflow keep one each. */
function marker(env: NodeJS.ProcessEnv): string {
  const job = (env.GITHUB_JOB ?? '').replace(/[^A-Za-z0-9_.-]/g, '').replace(/-{2,}/g, '-');
  return `<!-- aws-ship-suite quality-gate${job ? ` ${job}` : ''} -->`;
}

/** The pull request this run is for, from the event payload; undefined for other events. */
function pullRequestOf(env: NodeJS.ProcessEnv): PullRequestRef | undefined {
  const event = env.GITHUB_EVENT_NAME;
  if (event !== 'pull_request' && event !== 'pull_request_target') return undefined;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  let number: unknown;
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as {
      pull_request?: { number?: unknown };
      number?: unknown;
    };
    number = payload.pull_request?.number ?? payload.number;
  } catch {
    return undefined;
  }
  if (!owner || !repo || typeof number !== 'number') return undefined;
  return { owner, repo, number };
}
