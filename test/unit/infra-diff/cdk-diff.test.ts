import { describe, expect, it } from '@jest/globals';
import { parseCdkDiff } from '../../../src/infra-diff/cdk-diff.ts';
import { RECORDED, RECORDED_IAM_AND_REPLACEMENT, RISKY } from './samples.ts';

describe('parseCdkDiff', () => {
  it('splits the output by stack and keeps cdk notices out of the sections', () => {
    const diff = parseCdkDiff(RECORDED);
    expect(diff.stacks.map((s) => s.name)).toEqual([
      'staging/App (shop-staging) (aws://123456789012/us-east-1)',
      'production/App (shop-production) (aws://123456789012/us-east-1)',
    ]);
    expect(diff.stacks[0]?.lines).toEqual([
      'Resources',
      '[~] AWS::SNS::Topic App/Alerts Alerts91F83244',
      ' └─ [~] DisplayName',
      '     ├─ [-] old',
      '     └─ [+] alerts',
    ]);
    expect(diff.other).toEqual([
      expect.stringMatching(/^current credentials could not be used/),
      expect.stringMatching(/^Lookup role .* was not assumed/),
    ]);
  });

  it('counts resources by change, not parameters or property lines', () => {
    const [staging, production] = parseCdkDiff(RECORDED).stacks;
    expect(staging).toMatchObject({
      changed: true,
      added: 0,
      modified: 1,
      removed: 0,
      replaced: 0,
    });
    expect(production).toMatchObject({ changed: true, added: 1, modified: 0, removed: 0 });
  });

  it('finds replacements, removals and IAM changes, and stacks without differences', () => {
    const [data, edge] = parseCdkDiff(RISKY).stacks;
    expect(data).toMatchObject({
      name: 'staging/Data (shop-staging-data)',
      added: 1,
      modified: 1,
      removed: 1,
      replaced: 1,
      security: true,
    });
    expect(data?.lines[0]).toBe('IAM Statement Changes');
    expect(edge).toMatchObject({ changed: false, security: false });
  });

  it("reads cdk's own IAM table and replacement marks", () => {
    const [stack, ...more] = parseCdkDiff(RECORDED_IAM_AND_REPLACEMENT).stacks;
    expect(more).toEqual([]);
    expect(stack).toMatchObject({
      name: 'staging/App (shop-staging) (aws://123456789012/us-east-1)',
      added: 1,
      modified: 2,
      removed: 0,
      replaced: 1,
      security: true,
    });
    expect(stack?.lines).toContain(
      '│ + │ ${App/Worker.Arn} │ Allow  │ sts:AssumeRole │ Service:lambda.amazonaws.com │           │',
    );
  });

  it('reads nothing from output without stacks', () => {
    expect(parseCdkDiff('Error: no stacks match the name(s) staging/*\n')).toEqual({
      stacks: [],
      other: ['Error: no stacks match the name(s) staging/*'],
    });
  });
});
