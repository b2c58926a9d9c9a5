import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const PROBE = join(import.meta.dirname, 'fixtures/relaunch-probe.ts');

function probe(env: Record<string, string>, onStarted?: (pid: number) => void) {
  const child = spawn(process.execPath, [PROBE], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let started = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (!started && out.includes('\n')) {
      started = true;
      onStarted?.(child.pid!);
    }
  });
  return new Promise<{ code: number | null; lines: string[]; pid: number }>((resolve) =>
    // 'close', not 'exit': the relaunched child writes to the same pipe, and its last line may
    // still be unread when the parent's 'exit' fires.
    child.on('close', (code) => resolve({ code, lines: out.trim().split('\n'), pid: child.pid! })),
  );
}

describe('relaunchedWith', () => {
  it('becomes node with the flags in the same process, with its exit code', async () => {
    const run = await probe({ PROBE_EXIT: '3' });
    const report = JSON.parse(run.lines[0]!) as { pid: number; execArgv: string[] };
    expect(report.execArgv).toContain('--liftoff-only');
    expect(report.pid).toBe(run.pid);
    expect(run.code).toBe(3);
  });

  it('without execve, runs a child with the flags and exits with its code', async () => {
    const run = await probe({ PROBE_NO_EXECVE: '1', PROBE_EXIT: '5' });
    const report = JSON.parse(run.lines[0]!) as { pid: number; execArgv: string[] };
    expect(report.execArgv).toContain('--liftoff-only');
    expect(report.pid).not.toBe(run.pid);
    expect(run.code).toBe(5);
  });

  it("without execve, passes the runner's SIGTERM on to the child once", async () => {
    const run = await probe({ PROBE_NO_EXECVE: '1', PROBE_WAIT: '1' }, (pid) =>
      process.kill(pid, 'SIGTERM'),
    );
    expect(run.lines).toContain('child got SIGTERM');
    expect(run.code).toBe(7);
  });
});
