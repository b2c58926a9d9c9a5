// Adapter: runner inputs -> postInfraDiff -> outputs, log table and summary.
import { createStickyComments } from '../../github/pull-request-comments.ts';
import { postInfraDiff } from '../../infra-diff/post.ts';
import type { StickyCommentPort } from '../../quality/comment-port.ts';
import { type MainStep, runAction } from '../../runner/action.ts';
import { type Runner, createRunner } from '../../runner/runner.ts';
import { OUTPUTS, parseInputs } from './inputs.ts';

type Output = (typeof OUTPUTS)[number];

export interface InfraDiffWorld {
  stickyComments?: (token: string, apiUrl: string) => StickyCommentPort;
}

export function run(runner: Runner = createRunner(), world: InfraDiffWorld = {}): Promise<void> {
  return runAction(
    { name: 'infra-diff', outputs: OUTPUTS, main: (step) => main(step, world) },
    runner,
  );
}

async function main(step: MainStep<Output>, world: InfraDiffWorld): Promise<void> {
  const { runner } = step;
  const token = runner.input('github-token')?.trim();
  if (token) runner.setSecret(token);
  const workspace = runner.env.GITHUB_WORKSPACE || process.cwd();
  const config = parseInputs((name) => runner.input(name), workspace, runner.env);
  const apiUrl = runner.env.GITHUB_API_URL || 'https://api.github.com';
  const comments =
    world.stickyComments?.(config.githubToken, apiUrl) ??
    createStickyComments({
      token: config.githubToken,
      apiUrl,
      signal: step.signal,
      log: (line) => runner.debug(line),
    });

  const result = await postInfraDiff(
    {
      output: config.output,
      exitCode: config.exitCode,
      pullRequest: config.pullRequest,
      commit: config.commit,
      runUrl: config.runUrl,
    },
    { comments },
  );

  const changed = result.diff.stacks.filter((s) => s.changed);
  runner.info(`${'stack'.padEnd(48)} added changed removed replaced security`);
  for (const s of result.diff.stacks) {
    runner.info(
      s.changed
        ? `${s.name.slice(0, 47).padEnd(48)} ${String(s.added).padStart(5)} ${String(s.modified).padStart(7)} ${String(s.removed).padStart(7)} ${String(s.replaced).padStart(8)} ${s.security ? 'changed' : '-'}`
        : `${s.name.slice(0, 47).padEnd(48)} no differences`,
    );
  }
  runner.info(`Pull-request comment ${result.comment.action}: ${result.comment.url}`);
  step.summary.paragraph(
    `${changed.length} of ${result.diff.stacks.length} stacks with differences; comment ${result.comment.action}: ${result.comment.url}`,
  );
  step.setOutput('outcome', result.outcome);
  step.setOutput('stacks-changed', String(changed.length));
  step.setOutput('comment-id', String(result.comment.id));
  step.setOutput('comment-url', result.comment.url);
  step.setResult({
    outcome: result.outcome,
    exitCode: config.exitCode,
    stacks: result.diff.stacks.map(({ lines: _lines, ...facts }) => facts),
    comment: result.comment,
  });
}
