import { describe, expect, it } from '@jest/globals';
import {
  checkReleased,
  findReferences,
  isExecutedFile,
  isReleasedFile,
  rewriteFile,
} from '../../../src/release/references.ts';

const WORKFLOW = `jobs:
  deploy:
    uses: OWNER/aws-ship-suite/.github/workflows/deploy.yml@main
  steps:
    - uses: OWNER/aws-ship-suite/actions/oidc-assume@main
    - uses: OWNER/aws-ship-suite/actions/ecs-canary-deploy@main # the canary
    - uses: OWNER/aws-ship-suite@main
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    - uses: OWNER/aws-ship-suite-extra/actions/x@main
    - uses: NOTOWNER/aws-ship-suite/actions/x@main
`;

describe('which files a release rewrites', () => {
  it.each([
    ['.github/workflows/deploy.yml', true, true],
    ['.github/workflows/sub/x.yml', false, false],
    ['action.yml', true, true],
    ['actions/oidc-assume/action.yml', true, true],
    ['actions/oidc-assume/README.md', true, false],
    ['README.md', true, false],
    ['workflows-templates/deploy.yml', true, true],
    ['workflows-templates/deploy.properties.json', false, false],
    ['docs/design.md', false, false],
    ['src/release/references.ts', false, false],
  ])('%s: rewritten %p, runs %p', (path, released, executed) => {
    expect([isReleasedFile(path), isExecutedFile(path)]).toEqual([released, executed]);
  });
});

describe('rewriteFile', () => {
  it("rewrites the suite's own @main references to the release and nothing else", () => {
    const { after, references } = rewriteFile('w.yml', WORKFLOW, 'acme/ship', 'v1.4.0');
    expect(references).toBe(4);
    expect(after).toBe(`jobs:
  deploy:
    uses: acme/ship/.github/workflows/deploy.yml@v1.4.0
  steps:
    - uses: acme/ship/actions/oidc-assume@v1.4.0
    - uses: acme/ship/actions/ecs-canary-deploy@v1.4.0 # the canary
    - uses: acme/ship@v1.4.0
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    - uses: OWNER/aws-ship-suite-extra/actions/x@main
    - uses: NOTOWNER/aws-ship-suite/actions/x@main
`);
  });

  it('leaves a ref that only starts with main, and README placeholders', () => {
    const text =
      'uses: OWNER/aws-ship-suite/actions/a@maintenance\n' +
      'uses: OWNER/aws-ship-suite/actions/a@<full commit sha> # vX.Y.Z\n';
    expect(rewriteFile('README.md', text, 'acme/ship', 'v1.0.0').after).toBe(text);
  });

  it('refuses, where it is, a running file that names the suite at another ref', () => {
    const text = 'steps:\n  - uses: OWNER/aws-ship-suite/actions/a@v1\n';
    expect(() => rewriteFile('.github/workflows/x.yml', text, 'acme/ship', 'v1.0.0')).toThrow(
      ".github/workflows/x.yml:2: 'OWNER/aws-ship-suite/actions/a@v1' names the suite at 'v1': write the suite's own references @main, the release rewrites them.",
    );
  });
});

describe('checkReleased', () => {
  const tree = new Set(['actions/a/action.yml', '.github/workflows/deploy.yml', 'action.yml']);
  const file = (text: string) => [{ path: '.github/workflows/x.yml', text }];

  it('accepts references at the tag to what the commit contains', () => {
    expect(() =>
      checkReleased(
        file(
          'uses: acme/ship/actions/a@v1.0.0\nuses: acme/ship/.github/workflows/deploy.yml@v1.0.0\nuses: acme/ship@v1.0.0',
        ),
        'acme/ship',
        'v1.0.0',
        tree,
      ),
    ).not.toThrow();
  });

  it('refuses a reference to the released repository at another ref', () => {
    expect(() =>
      checkReleased(file('uses: acme/ship/actions/a@v0.9.0'), 'acme/ship', 'v1.0.0', tree),
    ).toThrow(/x\.yml:1: 'acme\/ship\/actions\/a@v0\.9\.0' would not be this release/);
  });

  it('refuses a reference to an action the commit does not contain', () => {
    expect(() =>
      checkReleased(file('uses: acme/ship/actions/gone@v1.0.0'), 'acme/ship', 'v1.0.0', tree),
    ).toThrow(
      ".github/workflows/x.yml:1: 'acme/ship/actions/gone@v1.0.0' names actions/gone, which this commit does not contain: fix the path or add it.",
    );
  });

  it('finds references case-insensitively, as GitHub resolves owners', () => {
    expect(findReferences('x', 'uses: Acme/Ship/actions/a@v1', 'acme/ship')).toHaveLength(1);
  });
});
