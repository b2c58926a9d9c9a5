// Progress the deploy engine reports as it happens; the adapter turns these into log lines,
// groups and annotations. Times are ISO strings.
import type { DeploymentStatus } from './ports.ts';
import type { AnalysisRecord, DecidedBy, HookRecord } from './result.ts';
import type { TroubleReport } from './trouble-report.ts';

export interface TaskCounts {
  requested: number;
  running: number;
  pending: number;
}

export type DeployEvent =
  /** Another deployment is in flight on the service. */
  | {
      type: 'busy';
      at: string;
      serviceDeploymentArn: string;
      status: DeploymentStatus;
      taskDefinition?: string;
      action: 'wait' | 'fail';
    }
  /** The deployment the engine watches: started now, or one already running for the same task definition. */
  | { type: 'deployment'; at: string; serviceDeploymentArn: string; attached: boolean }
  | { type: 'stage'; at: string; status: DeploymentStatus; stage?: string; reason?: string }
  | { type: 'traffic'; at: string; production: number; test: number }
  | { type: 'tasks'; at: string; target: TaskCounts; sources: TaskCounts }
  | {
      type: 'monitors';
      at: string;
      triggeredAlarms: string[];
      circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
    }
  | { type: 'smoke-check'; at: string; ok: boolean; detail: string }
  | { type: 'analysis'; analysis: AnalysisRecord }
  | ({ type: 'hook' } & HookRecord)
  | { type: 'rollback'; at: string; decidedBy: DecidedBy; reason: string; via: 'hook' | 'stop' }
  /** A call failed; the watch goes on (`retryInMs`) unless the errors persist. */
  | {
      type: 'call-error';
      at: string;
      call: string;
      error: string;
      kind: WatchErrorKind;
      consecutive: number;
      retryInMs: number;
    }
  | { type: 'trouble'; at: string; trouble: TroubleReport };

export type WatchErrorKind = 'throttled' | 'transient' | 'credentials' | 'fatal';
