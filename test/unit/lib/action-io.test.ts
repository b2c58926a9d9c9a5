import { describe, expect, it } from '@jest/globals';
import {
  type InputRegistry,
  MAX_LENGTH,
  checkInput,
  isMultiLine,
  readInputs,
} from '../../../src/lib/action-io.ts';
import { MAX_DURATION_MS, parseDuration } from '../../../src/lib/durations.ts';
import { INPUTS as ECR } from '../../../src/actions/ecr-build-push/inputs.ts';
import { INPUTS as ECS } from '../../../src/actions/ecs-canary-deploy/inputs.ts';
import { INPUTS as OIDC } from '../../../src/actions/oidc-assume/inputs.ts';
import { INPUTS as RDS } from '../../../src/actions/rds-migrate/inputs.ts';

const REGISTRY = {
  name: { kind: 'name', required: true },
  list: { kind: 'list' },
  flag: { kind: 'boolean', default: 'false' },
  wait: { kind: 'duration', max: '10m', default: '5s' },
  region: { kind: 'region' },
} as const satisfies InputRegistry;

const read = (values: Record<string, string>) => (name: string) => values[name];

describe('readInputs', () => {
  it('trims, fills defaults and tells explicit inputs', () => {
    const { values, explicit } = readInputs(REGISTRY, read({ name: '  web \n', list: 'a\r\nb' }));
    expect(values).toEqual({ name: 'web', list: 'a\nb', flag: 'false', wait: '5s', region: '' });
    expect([...explicit]).toEqual(['name', 'list']);
  });

  it('refuses a required input that is empty or blank', () => {
    for (const name of ['', '   ']) {
      expect(() => readInputs(REGISTRY, read({ name }))).toThrow(
        "Input 'name' is required: set it in the step's 'with:'.",
      );
    }
  });

  it.each([
    ['a line break', 'x\n::add-mask::x', 'a line break at character 2'],
    ['a carriage return', 'x\ry', 'a control character (U+000D) at character 2'],
    ['a tab', 'x\ty', 'a control character (U+0009)'],
    ['an escape', 'x\u001b[31my', 'a control character (U+001B)'],
    ['DEL', 'x\u007fy', 'a control character (U+007F)'],
    ['a C1 next-line', 'x\u0085y', 'a control character (U+0085)'],
    ['a line separator', 'x\u2028::error::y', 'a control character (U+2028)'],
    ['a paragraph separator', 'x\u2029y', 'a control character (U+2029)'],
  ])('refuses %s in a one-line input, naming the input', (_, value, what) => {
    expect(() => readInputs(REGISTRY, read({ name: value }))).toThrow(`Input 'name' has ${what}`);
  });

  it('takes LF and CRLF in a multi-line input, and nothing else', () => {
    expect(readInputs(REGISTRY, read({ name: 'n', list: 'a\r\nb\nc' })).values.list).toBe(
      'a\nb\nc',
    );
    expect(() => readInputs(REGISTRY, read({ name: 'n', list: 'a\rb' }))).toThrow(
      "Input 'list' has a control character (U+000D) on line 1: only new lines may separate its lines; remove it.",
    );
    expect(() => readInputs(REGISTRY, read({ name: 'n', list: 'a\nb\u001bc' }))).toThrow(
      "Input 'list' has a control character (U+001B) on line 2",
    );
  });

  it('refuses a value over its kind’s length without echoing it', () => {
    const huge = 'a'.repeat(100 * 1024);
    let message = '';
    try {
      readInputs(REGISTRY, read({ name: huge }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `Input 'name' is 102400 characters long; it takes at most ${MAX_LENGTH.name}: shorten it.`,
    );
  });

  it('checks booleans, regions and durations at the edge', () => {
    expect(() => readInputs(REGISTRY, read({ name: 'n', flag: 'yes' }))).toThrow(
      "Input 'flag' is 'yes': use true or false.",
    );
    expect(() => readInputs(REGISTRY, read({ name: 'n', region: 'europe' }))).toThrow(
      "Input 'region': 'europe' is not an AWS region name",
    );
    expect(readInputs(REGISTRY, read({ name: 'n', region: 'eusc-de-east-1' })).values.region).toBe(
      'eusc-de-east-1',
    );
    expect(() => readInputs(REGISTRY, read({ name: 'n', wait: '11m' }))).toThrow(
      "Input 'wait' is '11m', longer than the 10m it accepts: give 10m or less.",
    );
    expect(() => readInputs(REGISTRY, read({ name: 'n', wait: '1000000h' }))).toThrow(
      "Input 'wait' is '1000000h', longer than the 10m it accepts",
    );
  });
});

describe('checkInput', () => {
  it('knows which kinds are multi-line', () => {
    expect(isMultiLine('lines')).toBe(true);
    expect(isMultiLine('json')).toBe(true);
    expect(isMultiLine('text')).toBe(false);
  });

  it('lets an empty optional value through', () => {
    expect(() => checkInput('x', { kind: 'duration' }, '')).not.toThrow();
  });
});

describe.each([
  ['oidc-assume', OIDC],
  ['ecr-build-push', ECR],
  ['ecs-canary-deploy', ECS],
  ['rds-migrate', RDS],
] as const)('the %s registry', (_, registry: InputRegistry) => {
  it('has duration bounds that parse, under the timer limit, and defaults that pass', () => {
    for (const [name, spec] of Object.entries(registry)) {
      for (const bound of [spec.min, spec.max]) {
        if (bound !== undefined) {
          expect(parseDuration(name, bound)).toBeLessThanOrEqual(MAX_DURATION_MS);
        }
      }
      if (spec.default !== undefined) {
        expect(() => checkInput(name, spec, spec.default!)).not.toThrow();
      }
    }
  });
});
