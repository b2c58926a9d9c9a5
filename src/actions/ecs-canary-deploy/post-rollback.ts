// The post step of ecs-canary-deploy and of the root action: rolls back a service deployment main
// started and did not see to the end. The ECS client and the engine load only when there is one,
// so a post step with nothing to do reads its state and exits.
import type { ClientOptions } from '../../aws/client-factory.ts';
import { UserError } from '../../lib/errors.ts';
import type { Runner } from '../../runner/runner.ts';

export async function rollBackAfterMain(
  runner: Runner,
  clients: () => Promise<ClientOptions>,
): Promise<void> {
  const arn = runner.state('service-deployment-arn');
  if (!arn || runner.state('finished') === 'true') {
    runner.info('Nothing to roll back: the main step left no unfinished deployment.');
    return;
  }
  runner.info(`The main step did not finish: rolling back ${arn} if it is still in flight`);
  const [{ sdkDeploymentPort }, { rollBackUnfinished }, { rollbackLine }] = await Promise.all([
    import('../../aws/ecs-deployments.ts'),
    import('../../ecs/deploy/index.ts'),
    import('./report.ts'),
  ]);
  const deployments = sdkDeploymentPort(await clients());
  const outcome = await rollBackUnfinished(arn, { deployments }, AbortSignal.timeout(30_000));
  if (outcome.action === 'failed') throw new UserError(outcome.reason);
  runner.info(rollbackLine(arn, outcome));
}
