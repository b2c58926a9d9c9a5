import { describe, expect, it } from '@jest/globals';
import { parseWorkflowCommand, WorkflowCommandProcessor } from './workflow-commands.ts';
import { LineSplitter } from './step-process.ts';

describe('parseWorkflowCommand', () => {
  it('parses name, properties and data, unescaping each with its own table', () => {
    expect(
      parseWorkflowCommand('::error file=a%2Cb.ts,line=3,title=x%3Ay%25::50%25 done%0Anext'),
    ).toEqual({
      command: 'error',
      properties: { file: 'a,b.ts', line: '3', title: 'x:y%' },
      data: '50% done\nnext',
    });
  });

  it('unescapes in the runner order, so an escaped escape stays literal', () => {
    expect(parseWorkflowCommand('::debug::%250A')?.data).toBe('%0A');
  });

  it('does not unescape : and , in data', () => {
    expect(parseWorkflowCommand('::notice::a%3Ab%2Cc')?.data).toBe('a%3Ab%2Cc');
  });

  it('accepts leading whitespace and any case, and ignores unknown commands', () => {
    expect(parseWorkflowCommand('   ::WARNING::x')?.command).toBe('warning');
    expect(parseWorkflowCommand('::made-up::x')).toBeUndefined();
    expect(parseWorkflowCommand('text ::error::x')).toBeUndefined();
    expect(parseWorkflowCommand('::error x')).toBeUndefined();
  });

  it('skips malformed properties like the runner', () => {
    expect(parseWorkflowCommand('::error =x,y=,z==1::m')?.properties).toEqual({ z: '=1' });
  });

  it('parses the legacy ##[command] form', () => {
    expect(parseWorkflowCommand('##[warning file=a%3Bb]old%5D')).toEqual({
      command: 'warning',
      properties: { file: 'a;b' },
      data: 'old]',
    });
  });
});

describe('WorkflowCommandProcessor', () => {
  const run = (...lines: string[]): WorkflowCommandProcessor => {
    const processor = new WorkflowCommandProcessor();
    for (const line of lines) processor.processLine(line);
    return processor;
  };

  it('records masks, annotations, debug messages and groups', () => {
    const processor = run(
      '::add-mask::hunter2',
      '::group::Build',
      '::endgroup::',
      '::error title=T::boom',
      '::debug::detail',
    );
    expect(processor.masks).toEqual(['hunter2']);
    expect(processor.groups).toEqual(['Build']);
    expect(processor.debug).toEqual(['detail']);
    expect(processor.annotations).toEqual([
      { level: 'error', message: 'boom', properties: { title: 'T' }, source: 'action' },
    ]);
    expect(processor.failed).toBe(false);
  });

  it('ignores commands between stop-commands and its token', () => {
    const processor = run(
      '::stop-commands::tok',
      '::error::no',
      '::add-mask::no',
      '::tok::',
      '::error::yes',
    );
    expect(processor.annotations.map((a) => a.message)).toEqual(['yes']);
    expect(processor.masks).toEqual([]);
  });

  it('applies the deprecated set-output and save-state with the runner warning', () => {
    const processor = run('::set-output name=a::1', '::save-state name=s::2');
    expect(processor.outputs).toEqual({ a: '1' });
    expect(processor.state).toEqual({ s: '2' });
    expect(processor.annotations.map((a) => [a.level, a.source])).toEqual([
      ['warning', 'runner'],
      ['warning', 'runner'],
    ]);
    expect(processor.annotations[0]?.message).toMatch(/`set-output` command is deprecated/);
  });

  it('fails the step on set-env and add-path unless unsecure commands are allowed', () => {
    const refused = run('::set-env name=A::1');
    expect(refused.failed).toBe(true);
    expect(refused.env).toEqual({});
    expect(refused.annotations[1]?.message).toMatch(/`set-env` command is disabled/);

    const allowed = new WorkflowCommandProcessor({ allowUnsecureCommands: true });
    allowed.processLine('::set-env name=A::1');
    allowed.processLine('::add-path::/opt/bin');
    expect(allowed.env).toEqual({ A: '1' });
    expect(allowed.paths).toEqual(['/opt/bin']);
    expect(allowed.failed).toBe(false);
  });

  it('warns about an empty mask instead of registering it', () => {
    const processor = run('::add-mask::  ');
    expect(processor.masks).toEqual([]);
    expect(processor.annotations[0]?.level).toBe('warning');
  });
});

describe('LineSplitter', () => {
  it('splits on LF, CRLF and CR, including a CRLF cut between chunks', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\nb\r')).toEqual(['a']);
    expect(splitter.push('\nc\rd')).toEqual(['b', 'c']);
    expect(splitter.flush()).toEqual(['d']);
    expect(splitter.flush()).toEqual([]);
  });
});
