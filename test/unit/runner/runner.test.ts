import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeData, escapeProperty, workflowCommand } from '../../../src/runner/commands.ts';
import { createRunner } from '../../../src/runner/runner.ts';
import { Summary } from '../../../src/runner/summary.ts';
import { createTerminalRunner } from '../../../src/runner/terminal-runner.ts';
import { WorkflowCommandProcessor } from '../../harness/workflow-commands.ts';

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
afterEach(async () => {
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

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

describe('log lines no value can turn into a workflow command', () => {
  const FORGERIES = [
    'audience x\n::add-mask::visible',
    'db\r::error::forged annotation',
    '  ::warning file=a.ts::indented',
    '\t##[set-output name=image;]evil',
    'a value with ##[add-mask]inside it',
    'name\n::stop-commands::pwned\n::error::after stop',
  ];

  it.each(FORGERIES)('prints %j as text, not as a command', (text) => {
    const runner = make();
    runner.info(`Assuming ${text}`);
    runner.setFailed('the real failure');
    const processor = new WorkflowCommandProcessor();
    for (const line of out.split(/\r\n|\r|\n/)) processor.processLine(line);
    expect(processor.masks).toEqual([]);
    expect(processor.outputs).toEqual({});
    // Our own error still gets through: the stop token was resumed.
    expect(processor.annotations).toEqual([
      expect.objectContaining({ level: 'error', message: 'the real failure' }),
    ]);
    // And the person still reads the text as it was.
    expect(out).toContain(`Assuming ${text}`);
  });

  it('leaves ordinary lines, with colons anywhere but the start, as they are', () => {
    const runner = make();
    runner.info('Tags: a::b, c');
    expect(out).toBe('Tags: a::b, c\n');
  });

  it('uses a new resume token every time', () => {
    const runner = make();
    runner.info('::error::one');
    runner.info('::error::two');
    const tokens = [...out.matchAll(/^::stop-commands::(.+)$/gm)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    expect(new Set(tokens).size).toBe(2);
  });
});

describe('the terminal runner', () => {
  const printed = (env: NodeJS.ProcessEnv) => {
    const lines: string[] = [];
    const runner = createTerminalRunner({
      inputs: {},
      env,
      verbose: false,
      summaryFile: undefined,
      out: (t) => void lines.push(t),
      err: (t) => void lines.push(t),
    });
    runner.info('x\n::add-mask::y');
    return lines.join('');
  };

  it('prints text as it is in a terminal', () => {
    expect(printed({})).toBe('x\n::add-mask::y\n');
  });

  it('keeps command-like lines inert inside a workflow step', () => {
    const processor = new WorkflowCommandProcessor();
    for (const line of printed({ GITHUB_ACTIONS: 'true' }).split('\n')) processor.processLine(line);
    expect(processor.masks).toEqual([]);
  });
});
