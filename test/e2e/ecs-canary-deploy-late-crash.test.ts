// dist/ecs-canary-deploy/index.js against the AWS emulator at 120× with a release that starts
// healthy and crashes under load: its tasks pass their health checks, take the canary's share of
// production, and exit after a few hundred requests each (a leak); ECS stops and replaces them,
// and each replacement passes its health checks first, so the circuit breaker never trips. The
// load balancer's requests to a dead container fail until ECS deregisters it. CloudWatch publishes
// the ALB metrics a minute or more (emulated) late. Same setup as ecs-canary-deploy.test.ts.
import { describe, expect, it } from '@jest/globals';
import {
  CANARY_TRAFFIC,
  expectRolledBack,
  revision,
  useEcsDeployWorld,
} from './ecs-deploy-world.ts';
import { errors } from './step-assertions.ts';

const KEYS = {
  accessKeyId: 'AKIAECSCANARYE2E0004',
  secretAccessKey: 'ecs-canary-e2e-late-crash-secret-key-00000',
};

const world = useEcsDeployWorld({ keys: KEYS, seed: 23 });
const { app, inputsFor, start, running } = world;

describe('ecs-canary-deploy bundle and a release that crashes once it takes traffic', () => {
  it('rolls the release back on the canary analysis and says why', async () => {
    const a = app('leaky');
    const v2 = revision(a, 2);
    world.emulator.scenario.setBehaviour(v2, {
      crash: { exitCode: 137, reason: 'OutOfMemoryError: Container killed', afterRequests: 300 },
    });
    const step = start(inputsFor(a, 'v2'));
    // Its tasks started and passed their health checks: the canary took production traffic.
    await step.waitForOutput(CANARY_TRAFFIC, 20_000);
    const r = await step.result;

    expectRolledBack(r, 'analysis');
    const reason = errors(r)[0]!.message;
    expect(reason).toMatch(
      /^Rolled back \(analysis\): Canary analysis failed at 20 % .*canary connection error rate [\d.]+ % \(\d+\/\d+\) vs baseline 0 %/,
    );
    // The log names the crashes; ECS's circuit breaker saw nothing (each replacement was healthy).
    expect(r.log).toMatch(
      /Stopped task \S+ \(leaky:2\): EssentialContainerExited, Essential container in task exited; app exit 137 \(OutOfMemoryError: Container killed\)/,
    );
    expect(r.log).toMatch(/circuit breaker MONITORING_COMPLETE/);
    expect(running(a)).toEqual([a.v1]);

    // The crashes came from the traffic (the test listener has none): every stopped task had been
    // sent its 300 requests of production first.
    const crashed = world.emulator.ecs
      .tasks()
      .filter((t) => t.taskDefinitionArn === v2 && t.stopCode === 'EssentialContainerExited');
    expect(crashed.length).toBeGreaterThanOrEqual(2);
    for (const task of crashed) {
      const ip = task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address');
      expect(world.emulator.traffic.served(ip?.value ?? '').requests).toBeGreaterThanOrEqual(300);
      expect(task.containers?.[0]).toMatchObject({
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed',
      });
    }
    // The requests sent to dead containers failed, on the canary's target group only.
    expect(world.emulator.traffic.totals(a.alb.green.arn).connectionErrors).toBeGreaterThan(0);
    expect(world.emulator.traffic.totals(a.alb.blue.arn).connectionErrors).toBe(0);
  }, 60_000);
});
