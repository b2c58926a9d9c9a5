import { describe, expect, it } from '@jest/globals';
import { asString, evaluate, isTruthy } from './expressions.ts';

const contexts = {
  github: { event_name: 'push', event: { commits: [{ id: 'a' }, { id: 'b' }] } },
  inputs: { environment: 'staging', count: 3, loud: false },
  needs: { build: { result: 'success', outputs: { digest: 'sha256:abc' } } },
};

describe('expressions through @actions/expressions', () => {
  it('evaluates operators, functions and case-insensitive context access as GitHub does', () => {
    expect(evaluate("github.event_name == 'PUSH'", contexts)).toBe(true);
    expect(evaluate("format('{0}-{1}', inputs.environment, inputs.count)", contexts)).toBe(
      'staging-3',
    );
    expect(evaluate('NEEDS.build.Outputs.digest', contexts)).toBe('sha256:abc');
    expect(evaluate("contains(github.event.commits.*.id, 'b')", contexts)).toBe(true);
    expect(evaluate('fromJSON(\'{"a":[1,2]}\').a[1]', contexts)).toBe(2);
    expect(evaluate('inputs.missing', contexts)).toBeNull();
    expect(evaluate('steps.release.outputs.url', contexts)).toBeNull();
    expect(evaluate("inputs.loud && 'yes' || 'no'", contexts)).toBe('no');
  });

  it('answers status functions from the facts given, and refuses them where none are', () => {
    const failed = { success: false, failure: true, cancelled: false };
    expect(evaluate('failure()', contexts, failed)).toBe(true);
    expect(evaluate('success() && true', contexts, failed)).toBe(false);
    expect(evaluate('always()', contexts)).toBe(true);
    expect(() => evaluate('success()', contexts)).toThrow(
      "cannot evaluate '${{ success() }}': success() is not allowed here",
    );
  });

  it('reports a syntax error with the expression', () => {
    expect(() => evaluate('inputs.environment ==', contexts)).toThrow(
      /^cannot evaluate '\$\{\{ inputs.environment == \}\}'/,
    );
  });

  it("unescapes every '' of a string literal, as GitHub's lexer does", () => {
    expect(evaluate("'''a'' and ''b'''", contexts)).toBe("'a' and 'b'");
    // What the workflow parser makes of `run: echo '${{ inputs.environment }}' 'x'`.
    expect(evaluate("format('echo ''{0}'' ''x''', inputs.environment)", contexts)).toBe(
      "echo 'staging' 'x'",
    );
  });

  it("words fromJSON of an empty string as the runner's JSON reader does", () => {
    expect(() => evaluate('fromJSON(inputs.missing)', contexts)).toThrow(
      "cannot evaluate '${{ fromJSON(inputs.missing) }}': Error reading JToken from JsonReader. Path '', line 0, position 0.",
    );
  });

  it("converts results to GitHub's strings and truthiness", () => {
    expect(asString(true)).toBe('true');
    expect(asString(null)).toBe('');
    expect(asString(3)).toBe('3');
    expect(asString({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect([0, '', null, false].map(isTruthy)).toEqual([false, false, false, false]);
    expect(['0', 'false', 1, {}].map(isTruthy)).toEqual([true, true, true, true]);
  });
});
