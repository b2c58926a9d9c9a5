import { describe, expect, it } from '@jest/globals';
import { shown } from '../../../../src/lib/errors.ts';
import { dockerfileStages } from '../../../../src/actions/ecr-build-push/dockerfile-stages.ts';

describe('dockerfileStages', () => {
  it('reads FROM … AS names without case, across CRLF, flags and continuations', () => {
    expect(
      dockerfileStages(
        'FROM node:20 as Deps\r\nFROM --platform=$BUILDPLATFORM deps \\\r\n\r\n   AS build\r\nfrom scratch\r\n',
      ),
    ).toEqual({ names: ['deps', 'build'], count: 3 });
  });

  it('knows the Dockerfile frontend in any version, and no other', () => {
    for (const syntax of [
      'docker/dockerfile:1',
      'docker/dockerfile:1.7-labs',
      'docker.io/docker/dockerfile-upstream:master',
      `docker/dockerfile:1@sha256:${'a'.repeat(64)}`,
    ]) {
      expect(dockerfileStages(`# syntax=${syntax}\nFROM a AS b\n`)).toEqual({
        names: ['b'],
        count: 1,
      });
    }
    expect(dockerfileStages('# syntax = example.com/other:1\nFROM a AS b\n')).toBeUndefined();
    // A comment after the first instruction is no directive.
    expect(dockerfileStages('FROM a AS b\n# syntax=example.com/other:1\n')).toEqual({
      names: ['b'],
      count: 1,
    });
  });

  it('answers "unknown" for a file without FROM', () => {
    expect(dockerfileStages('')).toBeUndefined();
    expect(dockerfileStages('# just a comment\nRUN x\n')).toBeUndefined();
  });
});

describe('shown', () => {
  it('quotes, escapes control characters and shortens', () => {
    expect(shown('team/web')).toBe("'team/web'");
    expect(shown('a\nb\r\u0007\u2028')).toBe("'a\\u000ab\\u000d\\u0007\\u2028'");
    const long = shown('x'.repeat(100_000));
    expect(long).toBe(`'${'x'.repeat(60)}…' (100000 characters)`);
  });
});
