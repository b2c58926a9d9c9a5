import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer.ts';
import { cleanupActionRuns, runAction, type ActionRun, type StepRun } from './run-action.ts';
import { encodedForms, expectNoSecretsIn, findLeakedSecrets } from './secrets.ts';

const fixture = (name: string): string =>
  new URL(`./fixtures/${name}/action.yml`, import.meta.url).pathname;

function stepWith(fields: Partial<StepRun>): StepRun {
  return {
    step: 'main',
    outcome: 'success',
    exitCode: 0,
    signal: null,
    outputs: {},
    exportedEnv: {},
    paths: [],
    state: {},
    masks: [],
    annotations: [],
    debug: [],
    groups: [],
    summary: '',
    log: '',
    stdout: '',
    stderr: '',
    durationMs: 0,
    env: {},
    runnerTemp: '',
    home: '',
    workspace: '',
    ...fields,
  };
}

describe('encodedForms', () => {
  it('includes the raw, JSON, URL and base64 forms', () => {
    const values = encodedForms('a b/c"d').map((form) => form.value);
    expect(values).toEqual(
      expect.arrayContaining([
        'a b/c"d',
        'a b/c\\"d',
        'a%20b%2Fc%22d',
        'a+b%2Fc%22d',
        'YSBiL2MiZA==',
      ]),
    );
  });
});

describe('findLeakedSecrets', () => {
  const secret = 'AKIAEXAMPLESECRET/wJalrXUtnFEMI+K7MDENG';

  it('finds a secret, its encodings and a base64 blob that contains it, without printing it', () => {
    const basicAuth = Buffer.from(`user:${secret}`).toString('base64');
    const step = stepWith({
      log: `first\nkey=${secret}`,
      stderr: `Authorization: Basic ${basicAuth}`,
      summary: `[x](https://e.test/?s=${encodeURIComponent(secret)})`,
      annotations: [
        {
          level: 'error',
          message: 'bad',
          properties: { title: JSON.stringify({ secret }) },
          source: 'action',
        },
      ],
    });
    const leaks = findLeakedSecrets(step, [secret]);
    expect(leaks).toEqual([
      'secret #1 (raw) in main.log at line 2',
      'secret #1 (base64 (inside a larger value, offset 2)) in main.stderr at line 1',
      'secret #1 (url-encoded) in main.summary at line 1',
      'secret #1 (raw) in main.annotations at line 2',
    ]);
    expect(leaks.join('\n')).not.toContain(secret);
  });

  it('ignores add-mask lines, empty secrets, and the channels that carry credentials', () => {
    const step = stepWith({
      log: `::add-mask::${secret}`,
      stdout: `::add-mask::${secret}\n`,
      outputs: { secret },
      exportedEnv: { AWS_SECRET_ACCESS_KEY: secret },
      state: { secret },
    });
    expect(findLeakedSecrets(step, [secret, ''])).toEqual([]);
  });

  it('scans the pre and post steps too', () => {
    const run = {
      ...stepWith({}),
      step: 'main' as const,
      post: stepWith({ step: 'post', log: secret }),
      githubToken: 'ghs_x',
      cleanup: () => Promise.resolve(),
    } satisfies ActionRun;
    expect(findLeakedSecrets(run, [secret])).toEqual(['secret #1 (raw) in post.log at line 1']);
    expect(() => expectNoSecretsIn(run, [secret])).toThrow(/secrets leaked into visible output/);
  });
});

describe('expectNoSecretsIn on real runs', () => {
  let issuer: OidcIssuer;
  const leakingRun = async (leak: string): Promise<{ run: ActionRun; token: string }> => {
    const run = await runAction({ action: fixture('oidc-token'), oidc: issuer, inputs: { leak } });
    const token = issuer.issued.at(-1)?.token ?? '';
    return { run, token };
  };

  beforeAll(async () => {
    issuer = await startOidcIssuer();
  });
  afterAll(async () => {
    await issuer.close();
    await cleanupActionRuns();
  });

  it('passes a run that only masks its token', async () => {
    const { run, token } = await leakingRun('none');
    expect(run.outcome).toBe('success');
    expect(() =>
      expectNoSecretsIn(run, [token, issuer.requestToken, run.githubToken]),
    ).not.toThrow();
  });

  it.each([
    ['raw', /\(raw\) in main\.log/],
    ['after-mask', /\(raw\) in main\.log/],
    ['base64-basic-auth', /base64 \(inside a larger value, offset \d\)\) in main\.log/],
    ['summary-url', /in main\.summary/],
  ])('catches a token leaked as %s', async (leak, expected) => {
    const { run, token } = await leakingRun(leak);
    expect(findLeakedSecrets(run, [token]).join('\n')).toMatch(expected);
  });
});
