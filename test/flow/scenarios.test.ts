// What the rehearsal does with a scenario that throws (a workflow the runner refuses, a world
// that broke): one failed verdict naming why, and the next scenario still runs.
import { describe, expect, it } from '@jest/globals';
import {
  type Flow,
  playScenario,
  SCENARIOS,
  startFlow,
  waitAfterFailedCanary,
} from './scenarios.ts';
import type { FlowWorld } from './world.ts';

describe('playScenario', () => {
  it('turns a scenario that throws into a failed verdict and a line, and goes on', async () => {
    const lines: string[] = [];
    const flow: Flow = startFlow({} as FlowWorld, (line) => lines.push(line));
    const played: string[] = [];
    await playScenario(flow, {
      name: 'refused',
      play: async () => {
        played.push('refused');
        throw new Error('uses: evil/action@v1 is not a declared stand-in');
      },
    });
    await playScenario(flow, {
      name: 'next',
      play: async () => {
        played.push('next');
      },
    });

    expect(played).toEqual(['refused', 'next']);
    expect(flow.verdicts).toEqual([
      {
        scenario: 'refused',
        expected: 'runs to the end',
        got: 'stopped: uses: evil/action@v1 is not a declared stand-in',
        ok: false,
        ms: expect.any(Number),
      },
    ]);
    expect(lines).toEqual([
      '  → EXPECTED runs to the end, GOT stopped: uses: evil/action@v1 is not a declared stand-in: refused',
    ]);
  });

  it('plays the scenarios in the order they build on each other', () => {
    expect(SCENARIOS.map((s) => s.name)).toEqual([
      'push to main',
      'a pull request and its comments',
      'a release whose canary fails',
      'promote by workflow_dispatch',
      'rollback by workflow_dispatch',
      'the trust policies',
    ]);
  });
});

describe('waitAfterFailedCanary', () => {
  const at = (time: string) => Date.parse(`2026-12-07T${time}Z`);

  it('waits for the wall-clock minute of the failed canary to end (its metric period)', () => {
    // The failing run: v3's canary ended at 19:59:10, the rollback began at 19:59:42 and its
    // gate judged from 19:59:00.
    expect(waitAfterFailedCanary(at('19:59:10'), at('19:59:42'))).toBe(18_000);
    expect(waitAfterFailedCanary(at('19:59:59.999'), at('19:59:59.999'))).toBe(1);
  });

  it('does not wait once that minute is over, nor when no canary failed', () => {
    expect(waitAfterFailedCanary(at('19:59:10'), at('20:00:00'))).toBe(0);
    expect(waitAfterFailedCanary(at('19:58:50'), at('19:59:42'))).toBe(0);
    expect(waitAfterFailedCanary(undefined, at('19:59:42'))).toBe(0);
  });
});
