import { expect, it } from '@jest/globals';
import { rollBack, sendRollback } from '../../../../src/ecs/deploy/rollback-request.ts';
import { awsError } from './fake-ecs.ts';
import { watchOn } from './watch-fixture.ts';

it('keeps the first decision, and sends a refused request again at the next poll', async () => {
  let refuse = true;
  const f = await watchOn({
    fake: {
      fault: (call) =>
        call === 'rollBack' && refuse ? awsError('ThrottlingException', 400) : undefined,
    },
  });
  await f.seeAt(1);
  await rollBack(f.w, 'analysis', 'the canary fails', undefined);
  await rollBack(f.w, 'smoke-check', 'too late', undefined);
  expect(f.w.state.steering).toMatchObject({
    decision: { decidedBy: 'analysis', reason: 'the canary fails' },
    rollbackPending: true,
    actedAt: undefined,
  });
  expect(f.events.filter((e) => e.type === 'call-error' || e.type === 'rollback')).toMatchObject([
    { call: 'StopServiceDeployment', kind: 'throttled' },
    { call: 'StopServiceDeployment', kind: 'throttled' },
  ]);
  refuse = false;
  await sendRollback(f.w, undefined);
  expect(f.w.state.steering).toMatchObject({ rollbackPending: false, actedAt: f.time.now });
  expect(f.events.at(-1)).toMatchObject({
    type: 'rollback',
    decidedBy: 'analysis',
    reason: 'the canary fails',
    via: 'stop',
  });
});

it('goes back through the waiting hook, and takes that hook as answered', async () => {
  const f = await watchOn();
  const hook = (await f.seeAt(1.5)).hooks[0]!;
  await rollBack(f.w, 'analysis', 'the canary fails', hook.hookId);
  expect(f.events.at(-1)).toMatchObject({ type: 'rollback', via: 'hook' });
  expect(f.w.state.hooks.answered.get(hook.hookId)).toBe(f.time.now);
});

it('sends nothing without a decision', async () => {
  const f = await watchOn();
  await sendRollback(f.w, undefined);
  expect(f.ecs.count('rollBack')).toBe(0);
});
