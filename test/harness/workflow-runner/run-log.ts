// A run as a person reads it on GitHub: one heading per job with its result and why, then its
// steps' output (masked with the job's secrets, workflow commands shown as GitHub shows them).
import type { JobRun, WorkflowRun } from './types.ts';

export function formatRunLog(
  run: Pick<WorkflowRun, 'jobs' | 'conclusion' | 'notTriggered'>,
): string[] {
  if (run.notTriggered !== undefined) return [`Run ${run.notTriggered}.`];
  const lines: string[] = [];
  for (const job of run.jobs) {
    lines.push(`● ${job.id}: ${headline(job)}`);
    lines.push(...job.log.map((line) => `  ${line}`));
  }
  lines.push(`Run ${run.conclusion}.`);
  return lines;
}

function headline(job: JobRun): string {
  const facts = [
    job.environment === undefined ? '' : `environment ${job.environment}`,
    job.calls === undefined ? '' : `calls ${job.calls}`,
  ].filter((fact) => fact !== '');
  const why = job.reason === undefined ? '' : `: ${job.reason}`;
  return `${job.result}${why}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}
