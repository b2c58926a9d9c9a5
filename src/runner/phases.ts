// The runner starts the same bundle for an action's main step and, at the end of the job, for
// its post step: the state main saves first is how the second run knows it is the post step.
import type { Runner } from './runner.ts';

export function runMainOrPost(
  runner: Runner,
  steps: { main(runner: Runner): Promise<void>; post(runner: Runner): Promise<void> },
): Promise<void> {
  if (runner.state('phase') === 'main') return steps.post(runner);
  runner.saveState('phase', 'main');
  return steps.main(runner);
}
