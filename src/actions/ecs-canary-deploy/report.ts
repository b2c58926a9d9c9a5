// What ecs-canary-deploy prints: the engine's events as log lines, the deployment's summary
// tables, the trouble report, and the task definition as the `result` output records it.
import type { DeployEvent, DeployResult, UnfinishedRollback } from '../../ecs/deploy/index.ts';
import type { PreparedTaskDefinition } from '../../ecs/task-definition/prepare.ts';
import { formatDuration } from '../../lib/durations.ts';
import type { Summary } from '../../runner/summary.ts';
import { analysisLines } from './analysis-lines.ts';

export function taskDefinitionRecord(prepared: PreparedTaskDefinition) {
  return {
    arn: prepared.arn,
    family: prepared.family,
    revision: prepared.revision,
    registered: prepared.registered,
    ...(prepared.differences ? { differences: prepared.differences } : {}),
  };
}

export function taskDefinitionLines(prepared: PreparedTaskDefinition): string[] {
  return prepared.registered
    ? [`Registered ${prepared.arn}`, ...(prepared.differences ?? []).map((line) => `  ${line}`)]
    : [`Reusing ${prepared.arn}: an equal revision is already registered`];
}

/**
 * The engine's events as log text. Stateful: a hook answered on the analysis printed just before
 * it says so instead of repeating that analysis's reasoning.
 */
export function eventDescriber(): (event: DeployEvent) => string | undefined {
  let lastAnalysisReason: string | undefined;
  return (event) => {
    if (event.type === 'hook' && event.reason === lastAnalysisReason) {
      return `Hook at ${event.stage}: ${event.action}${event.until ? ` until ${event.until}` : ''} (the analysis above)`;
    }
    lastAnalysisReason = event.type === 'analysis' ? event.analysis.decision.reason : undefined;
    return describeEvent(event);
  };
}

function describeEvent(event: DeployEvent): string | undefined {
  switch (event.type) {
    case 'busy':
      return `Another deployment is in flight: ${event.serviceDeploymentArn} (${event.taskDefinition ?? 'another task definition'}, ${event.status}); ${event.action === 'wait' ? 'waiting for it' : 'failing (on-busy: fail)'}`;
    case 'deployment':
      return `${event.attached ? 'Watching the deployment already in flight for this task definition' : 'Started deployment'} ${event.serviceDeploymentArn}`;
    case 'stage':
      return `Status ${event.status}${event.stage ? `, stage ${event.stage}` : ''}${event.reason ? `: ${event.reason}` : ''}`;
    case 'traffic':
      return `Traffic on the new revision: production ${percent(event.production)}, test ${percent(event.test)}`;
    case 'tasks':
      return `Tasks: new revision ${event.target.running}/${event.target.requested} running (${event.target.pending} pending); old ${event.sources.running} running`;
    case 'monitors':
      return `Monitors: ${event.triggeredAlarms.length > 0 ? `alarms in ALARM: ${event.triggeredAlarms.join(', ')}` : 'no alarm triggered'}${event.circuitBreaker?.status ? `; circuit breaker ${event.circuitBreaker.status}${event.circuitBreaker.failureCount === undefined ? '' : ` (${event.circuitBreaker.failureCount} failed tasks)`}` : ''}`;
    case 'smoke-check':
      return `Smoke check ${event.ok ? 'passed' : 'failed'}: ${event.detail}`;
    case 'analysis':
      return analysisLines(event.analysis).join('\n');
    case 'hook':
      return `Hook at ${event.stage}: ${event.action}${event.until ? ` until ${event.until}` : ''}: ${event.reason}`;
    case 'rollback':
      return `Rolling back (${event.decidedBy}, via ${event.via === 'hook' ? 'the paused hook' : 'StopServiceDeployment'}): ${event.reason}`;
    case 'call-error':
      return `${event.call} failed (${event.kind}, ${event.consecutive} in a row): ${event.error}; retrying in ${formatDuration(event.retryInMs)}`;
    case 'trouble':
      return undefined; // printed with the result
  }
}

export function troubleLines(result: DeployResult): string[] {
  const trouble = result.trouble;
  if (!trouble) return [];
  return [
    ...trouble.stoppedTasks.map(
      (t) =>
        `Stopped task ${t.taskArn}${t.taskDefinitionArn ? ` (${t.taskDefinitionArn.replace(/^.*:task-definition\//, '')})` : ''}: ${t.stopCode ? `${t.stopCode}, ` : ''}${t.stoppedReason ?? 'no reason'}${t.containers.map((c) => `; ${c.name} exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`).join('')}`,
    ),
    ...trouble.logTails.flatMap((tail) => [
      `Last log lines of ${tail.container} (${tail.logGroup}/${tail.logStream}):`,
      ...tail.lines.map((line) => `  ${line}`),
    ]),
    ...trouble.events.slice(0, 10).map((e) => `Service event ${e.at}: ${e.message}`),
    ...trouble.unavailable.map((u) => `Not available: ${u}`),
  ];
}

/** What the post step did with a deployment main left unfinished. */
export function rollbackLine(
  arn: string,
  outcome: Exclude<UnfinishedRollback, { action: 'failed' }>,
): string {
  return outcome.action === 'none'
    ? `Nothing to do: ${outcome.reason} (${outcome.status}).`
    : `Asked ECS to roll back ${arn} (was ${outcome.status}, via ${outcome.via === 'hook' ? 'the paused hook' : 'StopServiceDeployment'}); ECS finishes the rollback.`;
}

/** Why the step fails when the deployment did not succeed. */
export function failureMessage(result: Exclude<DeployResult, { outcome: 'succeeded' }>): string {
  return result.outcome === 'rolled-back'
    ? `Rolled back (${result.decidedBy}): ${result.reason}`
    : `Deployment failed: ${result.reason}`;
}

/**
 * A deployment that succeeded although the analysis that let it through (the last gate's, else
 * the last look's) was inconclusive: promoted without evidence. One line for the warning
 * annotation and the summary; undefined otherwise.
 */
export function promotedWithoutEvidence(result: DeployResult): string | undefined {
  if (result.outcome !== 'succeeded') return undefined;
  const deciding = result.analyses.findLast((a) => a.kind === 'gate') ?? result.analyses.at(-1);
  if (deciding?.verdict !== 'inconclusive') return undefined;
  const n = deciding.traffic.canaryRequests;
  return `Promoted without evidence: ${n} canary ${n === 1 ? 'request' : 'requests'}; the canary analysis was inconclusive (${deciding.reasons.join('; ')})`;
}

export function summarize(
  summary: Summary,
  result: DeployResult,
  prepared: PreparedTaskDefinition,
): void {
  const decision =
    result.outcome === 'succeeded'
      ? 'Succeeded'
      : result.outcome === 'rolled-back'
        ? `Rolled back (${result.decidedBy}): ${result.reason}`
        : `Failed: ${result.reason}`;
  summary.paragraph(`**Decision:** ${decision}`);
  const unproven = promotedWithoutEvidence(result);
  if (unproven !== undefined) summary.paragraph(`**Warning:** ${unproven}`);
  summary.table(
    ['', ''],
    [
      ['Task definition', `\`${prepared.arn}\` (${prepared.registered ? 'registered' : 'reused'})`],
      [
        'Service deployment',
        result.serviceDeploymentArn ? `\`${result.serviceDeploymentArn}\`` : '—',
      ],
      ['Status', result.status ?? '—'],
      ['Verdict', result.verdict ?? '—'],
      ['Rollback reason', result.rollbackReason ?? '—'],
      ['Started', result.startedAt],
      ['Finished', result.finishedAt],
    ],
  );
  if (result.timeline.length > 0) {
    summary.heading('Timeline', 3);
    summary.table(
      ['at', 'status', 'stage'],
      result.timeline.map((t) => [t.at, t.status, t.stage ?? '']),
    );
  }
  if (result.trafficSteps.length > 0) {
    summary.heading('Traffic steps', 3);
    summary.table(
      ['at', 'production', 'test'],
      result.trafficSteps.map((s) => [s.at, percent(s.production), percent(s.test)]),
    );
  }
  if (result.analyses.length > 0) {
    summary.heading('Canary analysis', 3);
    summary.table(
      ['at', 'kind', 'canary %', 'requests (canary / baseline)', 'verdict', 'decision'],
      result.analyses.map((a) => [
        a.at,
        `${a.kind}${a.stage ? ` ${a.stage}` : ''}`,
        percent(a.productionWeight),
        `${a.traffic.canaryRequests} / ${a.traffic.baselineRequests}`,
        `${a.verdict}${a.cause ? ` (${a.cause})` : ''}`,
        `${a.decision.action}: ${a.decision.reason}`,
      ]),
    );
    const last = [...result.analyses].reverse().find((a) => a.metrics && a.metrics.length > 0);
    if (last?.metrics) {
      summary.paragraph(`Canary vs baseline at ${last.at}:`);
      summary.table(
        ['metric', 'canary', 'baseline', 'limit', 'outcome'],
        last.metrics.map((m) => [
          m.name,
          figure(m.canary),
          figure(m.baseline),
          figure(m.limit),
          m.why,
        ]),
      );
    }
  }
}

function percent(n: number): string {
  return `${Math.round(n * 10) / 10}%`;
}

function figure(n: number | null): string {
  return n === null ? '—' : String(Math.round(n * 10_000) / 10_000);
}
