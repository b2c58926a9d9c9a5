import { describe, expect, it } from '@jest/globals';
import { branchTag, renderTags } from '../../../../src/actions/ecr-build-push/tags.ts';
import { UserError } from '../../../../src/lib/errors.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('renderTags', () => {
  it('fills the commit, branch and run variables', () => {
    const out = renderTags(['{sha}', '{short-sha}', '{branch}-{run-number}'], {
      sha: SHA,
      ref: 'refs/heads/feature/Login_v2',
      runNumber: '42',
    });
    expect(out).toEqual({ tags: [SHA, '0123456', 'feature-Login_v2-42'], skipped: [] });
  });

  it('makes semver tags from a release tag and skips templates a branch push cannot fill', () => {
    const templates = ['{sha}', 'v{version}', 'v{minor}', 'v{major}'];
    expect(
      renderTags(templates, { sha: SHA, ref: 'refs/tags/v1.2.3', runNumber: '1' }).tags,
    ).toEqual([SHA, 'v1.2.3', 'v1.2', 'v1']);
    const pre = renderTags(templates, { sha: SHA, ref: 'refs/tags/v2.0.0-rc.1', runNumber: '1' });
    expect(pre.tags).toEqual([SHA, 'v2.0.0-rc.1']);
    expect(pre.skipped.map((s) => s.missing)).toEqual(['minor', 'major']);
    const branch = renderTags(templates, { sha: SHA, ref: 'refs/heads/main', runNumber: '1' });
    expect(branch.tags).toEqual([SHA]);
  });

  it('refuses a tag outside the registry grammar, an unknown variable, or no tag at all', () => {
    const context = { sha: SHA, ref: 'refs/heads/main', runNumber: '1' };
    expect(() => renderTags(['-bad'], context)).toThrow(
      "Input 'tags' has '-bad', which is not a valid image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.",
    );
    expect(() => renderTags(['a'.repeat(129)], context)).toThrow(UserError);
    expect(() => renderTags(['x:y'], context)).toThrow(/not a valid image tag/);
    expect(() => renderTags(['{commit}'], context)).toThrow(/unknown variable \{commit\}/);
    expect(() => renderTags(['v{version}'], context)).toThrow(
      "Input 'tags' gives no tag for this run (v{version} needs {version}): add a template this run can fill, such as {sha}.",
    );
  });

  it('drops duplicates and keeps the order given', () => {
    expect(
      renderTags(['latest', '{sha}', 'latest'], { sha: SHA, ref: undefined, runNumber: undefined })
        .tags,
    ).toEqual(['latest', SHA]);
  });
});

describe('branchTag', () => {
  it('replaces characters a tag cannot hold and never starts with . or -', () => {
    expect(branchTag('dependabot/npm/@types+node')).toBe('dependabot-npm--types-node');
    expect(branchTag('-x')).toBe('x');
  });
});
