// One deployment at a time per service. A deployment already in flight for the same task
// definition is the one a re-run watches (a re-run never starts a second deployment); one for
// another task definition makes this run wait or fail (`on-busy`); one that is already rolling
// back or stopping is waited out.
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import { classifyAwsError, describeAwsError } from '../../lib/aws-errors.ts';
import type { Clock, Sleep } from '../../lib/clock.ts';
import { UserError, oneLine } from '../../lib/errors.ts';
import type { DeployEvent } from './events.ts';
import {
  type PollingSettings,
  classifyWatchError,
  recoveredBackoff,
  throttledBackoff,
} from './poll-cadence.ts';
import type { DeploymentPort, DeploymentSnapshot, DeploymentStatus } from './ports.ts';
import { iso } from './result.ts';
import type { RevisionLookup } from './revisions.ts';

export type OnBusy = 'wait' | 'fail';

export interface AttachOrStartRequest {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  deploymentConfiguration: DeploymentConfiguration;
  onBusy: OnBusy;
}

export interface AttachOrStartDeps {
  deployments: DeploymentPort;
  revisions: RevisionLookup;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
  /** Clock time after which the engine gives up (its `timeout`); Infinity for none. */
  deadlineAt: number;
  polling: PollingSettings;
  onEvent?: ((event: DeployEvent) => void) | undefined;
}

export type AttachOrStart =
  | { kind: 'started'; serviceDeploymentArn: string }
  | { kind: 'attached'; serviceDeploymentArn: string; snapshot: DeploymentSnapshot }
  /** Cancelled or timed out while another deployment was in flight: nothing was started. */
  | { kind: 'gave-up'; by: 'cancelled' | 'timeout'; reason: string };

/** Deployments that are going forward (as opposed to rolling back or stopping). */
const ACTIVE: ReadonlySet<DeploymentStatus> = new Set(['PENDING', 'IN_PROGRESS']);

/** Same task definition, whether named by ARN or by family:revision. */
export function sameTaskDefinition(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const key = (s: string) => s.replace(/^.*:task-definition\//, '');
  return a === b || key(a) === key(b);
}

export async function attachOrStart(
  request: AttachOrStartRequest,
  deps: AttachOrStartDeps,
): Promise<AttachOrStart> {
  const { clock, polling } = deps;
  const where = `service ${request.service} in cluster ${request.cluster}`;
  let errors = 0;
  let backoff = 0;
  let reported = '';
  let waitingFor: string | undefined;
  for (;;) {
    const gaveUp = stopped(deps, where, waitingFor);
    if (gaveUp !== undefined) return gaveUp;

    let inFlight: DeploymentSnapshot[];
    let ours: DeploymentSnapshot | undefined;
    try {
      inFlight = await deps.deployments.unfinished(request.cluster, request.service, deps.signal);
      const targets = inFlight.flatMap((d) => (d.target ? [d.target.arn] : []));
      const details = targets.length > 0 ? await deps.revisions(targets, deps.signal) : new Map();
      const taskDefinition = (d: DeploymentSnapshot) =>
        d.target ? details.get(d.target.arn)?.taskDefinition : undefined;
      ours = inFlight.find(
        (d) =>
          ACTIVE.has(d.status) && sameTaskDefinition(taskDefinition(d), request.taskDefinitionArn),
      );
      const busy = inFlight.find((d) => d !== ours);
      if (ours === undefined && busy !== undefined) {
        const active = ACTIVE.has(busy.status);
        const action: OnBusy = active ? request.onBusy : 'wait';
        const td = taskDefinition(busy);
        waitingFor = busy.arn;
        const key = `${busy.arn} ${busy.status}`;
        if (key !== reported || action === 'fail') {
          reported = key;
          deps.onEvent?.({
            type: 'busy',
            at: iso(clock.now()),
            serviceDeploymentArn: busy.arn,
            status: busy.status,
            ...(td === undefined ? {} : { taskDefinition: td }),
            action,
          });
        }
        if (action === 'fail') throw busyFailure(where, busy, td);
      }
      errors = 0;
      backoff = recoveredBackoff(backoff, polling);
      if (ours === undefined && inFlight.length === 0) break;
      if (ours !== undefined) {
        return { kind: 'attached', serviceDeploymentArn: ours.arn, snapshot: ours };
      }
      // An active deployment of another revision can take its whole bake: look less often.
      const activeBusy = inFlight.some((d) => ACTIVE.has(d.status));
      await pause(deps, Math.max(backoff, activeBusy ? busyInterval(polling) : polling.intervalMs));
    } catch (error) {
      if (error instanceof UserError) throw error;
      if (deps.signal.aborted) continue;
      const kind = classifyWatchError(error);
      errors += 1;
      if (kind === 'fatal' || errors > polling.maxConsecutiveErrors) {
        throw new UserError(
          `Could not list the deployments of the ${where}: ${describeAwsError(error)}`,
          { cause: error },
        );
      }
      if (kind === 'throttled') backoff = throttledBackoff(backoff, polling);
      const retryInMs = Math.max(backoff, polling.intervalMs);
      deps.onEvent?.({
        type: 'call-error',
        at: iso(clock.now()),
        call: 'ListServiceDeployments',
        error: describeAwsError(error),
        kind,
        consecutive: errors,
        retryInMs,
      });
      await pause(deps, retryInMs);
    }
  }

  try {
    const { serviceDeploymentArn } = await deps.deployments.start({
      cluster: request.cluster,
      service: request.service,
      taskDefinitionArn: request.taskDefinitionArn,
      deploymentConfiguration: { ...request.deploymentConfiguration },
    });
    return { kind: 'started', serviceDeploymentArn };
  } catch (error) {
    // The request may have reached ECS before the connection broke: look before failing.
    if (classifyAwsError(error) !== 'client') {
      const found = await findOurs(request, deps).catch(() => undefined);
      if (found !== undefined) {
        return { kind: 'attached', serviceDeploymentArn: found.arn, snapshot: found };
      }
    }
    throw new UserError(
      `ECS did not start the deployment (UpdateService on the ${where}): ${describeAwsError(error)}`,
      { cause: error },
    );
  }
}

/** How often to look while another revision's deployment is active: 60 s at the default 10 s poll. */
export function busyInterval(polling: PollingSettings): number {
  return Math.min(polling.maxIntervalMs, polling.intervalMs * 6);
}

function busyFailure(where: string, busy: DeploymentSnapshot, taskDefinition: string | undefined) {
  return new UserError(
    `Another deployment is in flight on the ${where} (${busy.arn}, ${taskDefinition ?? 'another task definition'}, ${busy.status}) and on-busy is fail: wait for it to finish, or set on-busy: wait.`,
  );
}

/**
 * For `on-busy: fail`, before a new task definition revision is registered: a deployment going
 * forward on the service cannot be for a revision that does not exist yet, so it is another's,
 * and the run fails without leaving a revision behind.
 */
export async function refuseIfBusy(
  target: { cluster: string; service: string },
  deps: { deployments: DeploymentPort; signal?: AbortSignal | undefined },
): Promise<void> {
  const inFlight = await deps.deployments.unfinished(target.cluster, target.service, deps.signal);
  const busy = inFlight.find((d) => ACTIVE.has(d.status));
  if (busy === undefined) return;
  const details = busy.target
    ? await deps.deployments.revisions([busy.target.arn], deps.signal)
    : [];
  const where = `service ${target.service} in cluster ${target.cluster}`;
  throw busyFailure(where, busy, details[0]?.taskDefinition);
}

async function findOurs(
  request: AttachOrStartRequest,
  deps: AttachOrStartDeps,
): Promise<DeploymentSnapshot | undefined> {
  const inFlight = await deps.deployments.unfinished(request.cluster, request.service);
  const targets = inFlight.flatMap((d) => (d.target ? [d.target.arn] : []));
  const details = await deps.revisions(targets);
  return inFlight.find(
    (d) =>
      d.target !== undefined &&
      sameTaskDefinition(details.get(d.target.arn)?.taskDefinition, request.taskDefinitionArn),
  );
}

function stopped(
  deps: AttachOrStartDeps,
  where: string,
  waitingFor: string | undefined,
): AttachOrStart | undefined {
  const timedOut = deps.clock.now() >= deps.deadlineAt;
  if (!deps.signal.aborted && !timedOut) return undefined;
  const by = abortKind(deps.signal, timedOut);
  const why =
    by === 'timeout'
      ? 'the timeout passed'
      : `the job was cancelled (${oneLine(deps.signal.reason)})`;
  return {
    kind: 'gave-up',
    by,
    reason:
      waitingFor === undefined
        ? `Nothing was deployed: ${why}.`
        : `Nothing was deployed: ${why} while deployment ${waitingFor} was in flight on the ${where}.`,
  };
}

/** A timeout is our own deadline or an abort whose reason is a TimeoutError (AbortSignal.timeout). */
export function abortKind(signal: AbortSignal, deadlinePassed: boolean): 'cancelled' | 'timeout' {
  if (signal.aborted) {
    const reason = signal.reason as { name?: unknown } | undefined;
    return reason?.name === 'TimeoutError' ? 'timeout' : 'cancelled';
  }
  return deadlinePassed ? 'timeout' : 'cancelled';
}

async function pause(deps: AttachOrStartDeps, ms: number): Promise<void> {
  const wait = Math.min(ms, deps.deadlineAt - deps.clock.now());
  if (wait <= 0) return;
  try {
    await deps.sleep(wait, deps.signal);
  } catch {
    // Aborted: the loop sees it.
  }
}
