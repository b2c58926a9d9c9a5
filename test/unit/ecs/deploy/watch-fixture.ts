// A Watch (the state the watch's pieces share) on the harness's fakes in virtual time, for the
// pieces' own tests: a deployment (canary by default) started on the fake ECS, judged every minute.
import {
  validateAnalysisConfig,
  validateInconclusivePolicy,
} from '../../../../src/canary/analysis/index.ts';
import type { AnalysisSettings } from '../../../../src/ecs/deploy/continuous-analysis.ts';
import { deploymentConfiguration } from '../../../../src/ecs/deploy/deployment-configuration.ts';
import { observe } from '../../../../src/ecs/deploy/deployment-progress.ts';
import { POLLING_DEFAULTS } from '../../../../src/ecs/deploy/poll-cadence.ts';
import { revisionLookup } from '../../../../src/ecs/deploy/revisions.ts';
import type { WatchDeps, WatchRequest } from '../../../../src/ecs/deploy/watch.ts';
import { newWatch } from '../../../../src/ecs/deploy/watch-state.ts';
import { CLUSTER, SERVICE, TD_NEW } from './fake-ecs.ts';
import { type SetUp, setUp } from './harness.ts';
import { MINUTE, START } from './virtual-time.ts';

export const ANALYSIS: AnalysisSettings = {
  config: validateAnalysisConfig({ minRequests: 300 }),
  policy: validateInconclusivePolicy({ onInconclusive: 'continue' }),
  intervalMs: MINUTE,
  periodSeconds: 60,
};

export interface WatchSetUp extends Pick<SetUp, 'strategy' | 'fake' | 'scenario'> {
  request?: Partial<WatchRequest>;
  deps?: Partial<WatchDeps>;
}

export async function watchOn(options: WatchSetUp = {}) {
  const { strategy, fake, scenario } = options;
  const h = setUp({
    ...(strategy === undefined ? {} : { strategy }),
    ...(fake === undefined ? {} : { fake }),
    ...(scenario === undefined ? {} : { scenario }),
  });
  const { serviceDeploymentArn } = await h.ecs.start({
    taskDefinitionArn: TD_NEW,
    deploymentConfiguration: deploymentConfiguration(h.request.strategy, {
      hookTimeoutMinutes: 30,
      smokeCheck: options.deps?.smokeCheck !== undefined,
    }) as Record<string, unknown>,
  });
  const w = newWatch(
    {
      cluster: CLUSTER,
      service: SERVICE,
      serviceDeploymentArn,
      strategy: h.request.strategy,
      attached: false,
      analysis: ANALYSIS,
      hookTimeoutMinutes: 30,
      polling: POLLING_DEFAULTS,
      startedAt: START,
      deadlineAt: Number.POSITIVE_INFINITY,
      ...options.request,
    },
    {
      ...h.deps,
      revisions: revisionLookup(h.ecs),
      deadline: () => new AbortController().signal,
      ...options.deps,
    },
  );
  return {
    ...h,
    w,
    /** Moves virtual time to `minutes` after START and shows the watch the deployment then. */
    async seeAt(minutes: number) {
      h.time.now = START + minutes * MINUTE;
      const snapshot = await h.ecs.describe(serviceDeploymentArn);
      observe(w, snapshot);
      return snapshot;
    },
  };
}
