// The `log-options` input: awslogs driver options, `key=value` per line for every container that
// logs with awslogs (or has no log configuration yet), `container:key=value` for one container.
import { inputLines, lineError, parseAssignment, quote } from './line-grammar.ts';
import type { LogOptionOverride } from '../../../ecs/task-definition/types.ts';

const INPUT = 'log-options';
const EXPECTED = 'key=value or container:key=value';

/** Short key -> awslogs driver option. The full option names are accepted too. */
export const AWSLOGS_OPTIONS: Readonly<Record<string, string>> = {
  group: 'awslogs-group',
  region: 'awslogs-region',
  'stream-prefix': 'awslogs-stream-prefix',
  'create-group': 'awslogs-create-group',
  'datetime-format': 'awslogs-datetime-format',
  'multiline-pattern': 'awslogs-multiline-pattern',
  endpoint: 'awslogs-endpoint',
  mode: 'mode',
  'max-buffer-size': 'max-buffer-size',
};

const CHECKS: Readonly<Record<string, { pattern: RegExp; expected: string }>> = {
  'awslogs-group': {
    pattern: /^[\w./#-]{1,512}$/,
    expected: "a log group name (letters, digits, '_', '-', '/', '.', '#')",
  },
  'awslogs-region': {
    // Every partition's form: us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1.
    pattern: /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/,
    expected: 'a region such as eu-west-1',
  },
  'awslogs-stream-prefix': {
    pattern: /^[^:*\s]{1,512}$/,
    expected: "a stream prefix without ':', '*' or spaces",
  },
  'awslogs-create-group': { pattern: /^(?:true|false)$/, expected: 'true or false' },
  mode: { pattern: /^(?:blocking|non-blocking)$/, expected: 'blocking or non-blocking' },
  'max-buffer-size': { pattern: /^\d+[kmg]?$/i, expected: 'a size such as 25m' },
};

export function parseLogOptions(text: string): LogOptionOverride[] {
  const seen = new Set<string>();
  return inputLines(text).map((line) => {
    const { container, key, value } = parseAssignment(INPUT, line, EXPECTED);
    const option = AWSLOGS_OPTIONS[key.replace(/^awslogs-/, '')];
    if (option === undefined) {
      throw lineError(
        INPUT,
        line,
        `unknown awslogs option ${quote(key)}; use one of ${Object.keys(AWSLOGS_OPTIONS).join(', ')}`,
      );
    }
    const check = CHECKS[option];
    if (value === '' || (check && !check.pattern.test(value))) {
      throw lineError(INPUT, line, `${key} must be ${check?.expected ?? 'a value'}`);
    }
    const scoped = `${container ?? ''}:${option}`;
    if (seen.has(scoped)) {
      throw lineError(
        INPUT,
        line,
        `${option} is set a second time${container === undefined ? '' : ` for container '${container}'`}: keep one`,
      );
    }
    seen.add(scoped);
    return container === undefined ? { option, value } : { container, option, value };
  });
}
