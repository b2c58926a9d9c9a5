import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeData, escapeProperty, workflowCommand } from '../../../src/runner/commands.ts';
import { createRunner } from '../../../src/runner/runner.ts';
import { Summary } from '../../../src/runner/summary.ts';

let dir: string;
let env: NodeJS.ProcessEnv;
let out: string;
const make = () => createRunner({ env, write: (t) => void (out += t) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runner-'));
  out = '';
  env = {};
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
    env[name] = join(dir, name);
    await writeFile(env[name]!, '');
  }
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('runner protocol', () => {
  it('reads inputs the way the runner names them', () => {
    env['INPUT_ROLE-TO-ASSUME'] = 'arn';
    env.INPUT_MY_INPUT = 'spaced';
    const runner = make();
    expect(runner.input('role-to-assume')).toBe('arn');
    expect(runner.input('my input')).toBe('spaced');
    expect(runner.input('absent')).toBeUndefined();
  });

  it('writes outputs, env and state as heredoc file commands, multi-line values intact', async () => {
    const runner = make();
    runner.setOutput('result', '{"a":1}\nsecond line');
    runner.exportVariable('AWS_REGION', 'eu-west-1');
    runner.saveState('phase', 'main');
    const output = await readFile(env.GITHUB_OUTPUT!, 'utf8');
    expect(output).toMatch(/^result<<(ghadelimiter_[0-9a-f-]+)\n\{"a":1\}\nsecond line\n\1\n$/);
    expect(await readFile(env.GITHUB_ENV!, 'utf8')).toMatch(
      /^AWS_REGION<<ghadelimiter_.*\neu-west-1\n/,
    );
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(await readFile(env.GITHUB_STATE!, 'utf8')).toContain('\nmain\n');
    expect(out).toBe('');
  });

  it('masks values and each of their lines once, escaped', () => {
    const runner = make();
    runner.setSecret('line1\nline2%');
    runner.setSecret('line1');
    expect(out).toBe('::add-mask::line1%0Aline2%25\n::add-mask::line1\n::add-mask::line2%25\n');
  });

  it('fails the step with an exit code, not an exit', () => {
    const before = process.exitCode;
    try {
      make().setFailed('it broke: badly');
      expect(out).toBe('::error::it broke: badly\n');
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
  });

  it('writes the summary once it has content', async () => {
    const runner = make();
    runner.writeSummary(new Summary());
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('');
    runner.writeSummary(new Summary().heading('t').table(['a', 'b'], [['1|2', 'x\ny']]));
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe(
      '## t\n\n| a | b |\n| --- | --- |\n| 1\\|2 | x y |\n',
    );
  });

  it('groups log lines and closes the group when the body throws', async () => {
    const runner = make();
    await expect(runner.group('g', async () => Promise.reject(new Error('x')))).rejects.toThrow(
      'x',
    );
    expect(out).toBe('::group::g\n::endgroup::\n');
  });
});

describe('command escaping', () => {
  it('escapes data and properties like the toolkit', () => {
    expect(escapeData('a%b\r\nc')).toBe('a%25b%0D%0Ac');
    expect(escapeProperty('f:1,2')).toBe('f%3A1%2C2');
    expect(workflowCommand('warning', 'msg', { file: 'a,b', line: 3, title: undefined })).toBe(
      '::warning file=a%2Cb,line=3::msg\n',
    );
  });
});
