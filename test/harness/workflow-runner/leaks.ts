// A workflow run scanned for secrets the way the harness scans one action: every step's log
// (add-mask lines aside), summary and annotations, and every job's shown log.
import { parseWorkflowCommand } from '../workflow-commands.ts';
import { findLeaksIn, type Channel } from '../secrets.ts';
import type { WorkflowRun } from './types.ts';

/** One line per leak; `secrets` defaults to every token and secret the run handed out. */
export function findLeakedSecretsInRun(run: WorkflowRun, secrets = run.secrets): string[] {
  const channels: Channel[] = run.jobs.flatMap((job) => [
    { name: `${job.id}: log`, text: job.log.join('\n') },
    ...job.steps.flatMap((step) => [
      {
        name: `${job.id}: ${step.name}: log`,
        text: step.log
          .filter((line) => parseWorkflowCommand(line)?.command !== 'add-mask')
          .join('\n'),
      },
      { name: `${job.id}: ${step.name}: summary`, text: step.summary },
      {
        name: `${job.id}: ${step.name}: annotations`,
        text: step.annotations
          .map((annotation) =>
            [annotation.message, ...Object.values(annotation.properties)].join('\n'),
          )
          .join('\n'),
      },
    ]),
  ]);
  return findLeaksIn(channels, secrets);
}
