// What each DescribeServiceDeployments answer shows: the stage, the traffic weights, the task
// counts and ECS's monitors, recorded and reported when they change. A change seen now is dated
// to the earliest it can have happened: just after the previous answer.
import { restartLooks } from './analysis-schedule.ts';
import type { DeploymentSnapshot } from './ports.ts';
import { iso } from './result.ts';
import { type Watch, emit, now } from './watch-state.ts';

export function observe(w: Watch, s: DeploymentSnapshot): void {
  const seen = w.state.seen;
  const at = now(w);
  // Attaching, the first change can have happened no earlier than the deployment began.
  const since = seen.lastPollAt ?? Math.min(at, s.startedAt?.getTime() ?? at);
  seen.lastPollAt = at;
  seen.snapshot = s;
  observeStage(w, s, since);
  observeTraffic(w, s, since);
  observeTasks(w, s);
  observeMonitors(w, s);
}

function observeStage(w: Watch, s: DeploymentSnapshot, since: number): void {
  const seen = w.state.seen;
  if (s.status === seen.status && s.lifecycleStage === seen.stage) return;
  if (s.lifecycleStage !== seen.stage) {
    seen.stageSince = since;
    // The final bake: the answer that let ECS move on has, and its end is known (poll-cadence.ts).
    if (s.lifecycleStage === 'BAKE_TIME') w.state.steering.actedAt = undefined;
  }
  seen.status = s.status;
  seen.stage = s.lifecycleStage;
  const at = iso(now(w));
  const stage = s.lifecycleStage === undefined ? {} : { stage: s.lifecycleStage };
  w.state.report.timeline.push({ at, status: s.status, ...stage });
  const reason = s.status === 'IN_PROGRESS' ? undefined : s.statusReason;
  emit(w, {
    type: 'stage',
    at,
    status: s.status,
    ...stage,
    ...(reason === undefined ? {} : { reason }),
  });
}

function observeTraffic(w: Watch, s: DeploymentSnapshot, since: number): void {
  const production = s.target?.requestedProductionTrafficWeight;
  const test = s.target?.requestedTestTrafficWeight;
  if (production === undefined && test === undefined) return;
  const { seen, report } = w.state;
  const p = production ?? 0;
  const t = test ?? 0;
  const first = report.traffic.length === 0;
  if (first || p !== seen.weight || t !== seen.testWeight) {
    const at = iso(now(w));
    report.traffic.push({ at, production: p, test: t });
    emit(w, { type: 'traffic', at, production: p, test: t });
  }
  if (p !== seen.weight || (first && p > 0)) {
    seen.weightSince = since;
    // What the engine's answer set moving has moved: back to the pace the next step needs.
    if (!first) w.state.steering.actedAt = undefined;
    if (p > 0 && seen.exposureSince === undefined) seen.exposureSince = since;
    restartLooks(w, since);
  }
  seen.weight = p;
  seen.testWeight = t;
}

function observeTasks(w: Watch, s: DeploymentSnapshot): void {
  const counts = (revisions: DeploymentSnapshot['sources']) => ({
    requested: revisions.reduce((n, r) => n + r.requestedTaskCount, 0),
    running: revisions.reduce((n, r) => n + r.runningTaskCount, 0),
    pending: revisions.reduce((n, r) => n + r.pendingTaskCount, 0),
  });
  const target = counts(s.target ? [s.target] : []);
  const sources = counts(s.sources);
  const key = JSON.stringify([target, sources]);
  if (key === w.state.seen.tasksKey) return;
  w.state.seen.tasksKey = key;
  emit(w, { type: 'tasks', at: iso(now(w)), target, sources });
}

/** Alarms and the circuit breaker, when they change; a quiet start says nothing. */
function observeMonitors(w: Watch, s: DeploymentSnapshot): void {
  const seen = w.state.seen;
  const triggeredAlarms = s.alarms?.triggeredAlarmNames ?? [];
  const breaker = s.circuitBreaker;
  const key = JSON.stringify([triggeredAlarms, breaker?.status, breaker?.failureCount]);
  if (key === seen.monitorsKey) return;
  const quiet = seen.monitorsKey === '' && triggeredAlarms.length === 0 && !breaker?.failureCount;
  seen.monitorsKey = key;
  if (quiet) return;
  emit(w, {
    type: 'monitors',
    at: iso(now(w)),
    triggeredAlarms: [...triggeredAlarms],
    ...(breaker === undefined ? {} : { circuitBreaker: { ...breaker } }),
  });
}
