// dist/spa-deploy/index.js as the runner runs it, against the emulator's S3 and CloudFront, with the
// site read through a CloudFront-like edge (test/emulator/edge.ts): first deploy, an unchanged
// redeploy, a one-file change, a user loading pages during a deploy, a run killed halfway, rollback,
// pruning, throttling and 5xx, and bad inputs. Every log is scanned for the job's secret key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Edge, startEdge } from '../emulator/edge.ts';
import { type Emulator, startEmulator } from '../emulator/server.ts';
import { type ActionRun, type OidcIssuer, startOidcIssuer } from '../harness/index.ts';
import { useActionSteps } from './action-steps.ts';
import { expectFailure, expectSuccess, result } from './step-assertions.ts';

const ACCOUNT = '123456789012';
const KEYS = {
  accessKeyId: 'AKIASPADEPLOYE2E0001',
  secretAccessKey: 'spa-deploy-e2e-secret-access-key-00001',
};

const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/frontend-deployer`;
let emulator: Emulator;
let issuer: OidcIssuer;
const edges: Edge[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.sts.addCredentials({ ...KEYS, arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  issuer = await startOidcIssuer({ context: { environment: 'production' } });
  emulator.sts.addOidcProvider({
    url: issuer.url,
    clientIds: ['sts.amazonaws.com'],
    accountId: ACCOUNT,
  });
  emulator.sts.addRole({
    arn: DEPLOY_ROLE,
    trust: {
      webIdentity: {
        issuer: issuer.url,
        audience: 'sts.amazonaws.com',
        subject: 'repo:octo-org/octo-app:environment:production',
      },
    },
  });
  emulator.cloudfront.completionMs = 300;
});

const steps = useActionSteps('actions/spa-deploy/action.yml', {
  defaults: () => ({
    env: {
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: emulator.url,
    },
    timeoutMs: 40_000,
  }),
  secrets: (runs) => {
    expect(runs.length).toBeGreaterThan(0);
    return [
      KEYS.secretAccessKey,
      ...emulator.sts.issuedSecrets(),
      issuer.requestToken,
      ...issuer.issued.map((t) => t.token),
    ];
  },
  close: async () => {
    for (const edge of edges) await edge.close();
    await issuer?.close();
    await emulator?.close();
  },
});

/** A page naming `assets` hashed scripts, and the scripts. */
function build(
  version: string,
  assets = 3,
  extra: Record<string, string> = {},
): Record<string, string> {
  const files: Record<string, string> = { 'robots.txt': 'User-agent: *', ...extra };
  const names: string[] = [];
  for (let i = 0; i < assets; i += 1) {
    const name = `assets/chunk${i}.${hash(`${version}-${i}`)}.js`;
    names.push(name);
    files[name] = `console.log(${JSON.stringify(`${version}-${i}`)})`;
  }
  files['index.html'] =
    `<!doctype html><title>${version}</title>${names.map((n) => `<script src="/${n}"></script>`).join('')}`;
  return files;
}

const hash = (text: string) =>
  [...text]
    .reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)
    .toString(16)
    .padStart(8, 'a') + '1';

function workspace(files: Record<string, string>, directory = 'dist'): string {
  const dir = mkdtempSync(join(tmpdir(), 'spa-ws-'));
  mkdirSync(join(dir, directory), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, directory, path, '..'), { recursive: true });
    writeFileSync(join(dir, directory, path), content);
  }
  return dir;
}

async function site(name: string, edgeOptions: { minTtlMs?: number } = {}) {
  emulator.s3.createBucket(name);
  const distribution = emulator.cloudfront.createDistribution(name);
  const edge = await startEdge({
    s3: emulator.s3,
    cloudfront: emulator.cloudfront,
    distributionId: distribution.id,
    ...edgeOptions,
  });
  edges.push(edge);
  const inputs = (more: Record<string, string> = {}) => ({
    bucket: name,
    'distribution-id': distribution.id,
    source: 'dist',
    ...more,
  });
  const deploy = (files: Record<string, string>, more: Record<string, string> = {}) =>
    steps.run({ cwd: workspace(files), inputs: inputs(more) });
  return {
    name,
    distribution,
    edge,
    inputs,
    deploy,
    object: (key: string) => emulator.s3.bucket(name)!.objects.get(key),
  };
}

/** What a user gets: the page, then every script it names; the statuses of all of them. */
async function loadPage(edge: Edge): Promise<{ title: string; statuses: number[] }> {
  const page = await fetch(`${edge.url}/`);
  const html = await page.text();
  const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
  const statuses = [page.status];
  for (const script of scripts) statuses.push((await fetch(`${edge.url}${script}`)).status);
  return { title: /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '', statuses };
}

const callsDuring = async (run: () => Promise<ActionRun>) => {
  const before = emulator.calls.length;
  const r = await run();
  return {
    run: r,
    calls: emulator.calls.slice(before).filter((c) => ['s3', 'cloudfront'].includes(c.service)),
  };
};
const writes = (calls: typeof emulator.calls) =>
  calls.filter((c) =>
    ['PutObject', 'CopyObject', 'UploadPart', 'DeleteObjects', 'CreateInvalidation'].includes(
      c.action,
    ),
  );

describe('spa-deploy bundle', () => {
  it('deploys a build, then an unchanged redeploy uploads and invalidates nothing, then a one-file change', async () => {
    const s = await site('first-deploy');
    const first = await s.deploy(build('v1'));
    expectSuccess(first);
    expect(first.outputs).toMatchObject({ uploaded: '5', unchanged: '0', deleted: '0' });
    expect(first.outputs['invalidation-id']).toMatch(/^I/);
    expect(result(first)).toMatchObject({
      version: expect.any(Number),
      outcome: 'deployed',
      release: first.outputs.release,
      invalidation: { paths: ['/', '/index.html', '/robots.txt'], completed: true },
    });
    expect(first.summary).toContain(
      '| files | uploaded | bytes | unchanged | deleted | invalidated | time to live |',
    );
    expect(await loadPage(s.edge)).toEqual({ title: 'v1', statuses: [200, 200, 200, 200] });
    expect(s.object('index.html')).toMatchObject({
      cacheControl: 'no-cache',
      contentType: 'text/html; charset=utf-8',
    });
    expect(s.object('assets/chunk0.' + hash('v1-0') + '.js')).toMatchObject({
      cacheControl: 'public, max-age=31536000, immutable',
      contentType: 'text/javascript; charset=utf-8',
    });

    const again = await callsDuring(() => s.deploy(build('v1')));
    expectSuccess(again.run);
    expect(again.run.outputs).toMatchObject({
      uploaded: '0',
      unchanged: '5',
      'invalidation-id': '',
      release: first.outputs.release,
    });
    expect(result(again.run)).toMatchObject({
      outcome: 'unchanged',
      uploaded: { count: 0, bytes: 0 },
    });
    expect(writes(again.calls)).toEqual([]);

    const v2 = { ...build('v1'), 'robots.txt': 'User-agent: *\nDisallow: /admin' };
    const changed = await callsDuring(() => s.deploy(v2));
    expectSuccess(changed.run);
    expect(changed.run.outputs).toMatchObject({ uploaded: '1', unchanged: '4' });
    expect(result(changed.run)).toMatchObject({ invalidation: { paths: ['/robots.txt'] } });
    expect(writes(changed.calls).map((c) => c.action)).toEqual([
      'PutObject', // robots.txt, stored by its hash
      'CopyObject', // … and copied live
      'PutObject', // the release's manifest
      'PutObject', // the history index
      'CreateInvalidation',
    ]);
  }, 60_000);

  it('never gives a user loading the page during a deploy a missing asset', async () => {
    // An edge that asks the bucket for the page on every request (MinTTL 0): the harshest case.
    const s = await site('busy-site', { minTtlMs: 0 });
    expectSuccess(await s.deploy(build('v1', 8)));
    const slow = emulator.faults.inject({
      service: 's3',
      action: 'PutObject',
      kind: 'delay',
      delayMs: 100,
    });
    const loads: { title: string; statuses: number[] }[] = [];
    let deploying = true;
    const user = (async () => {
      while (deploying) loads.push(await loadPage(s.edge));
    })();
    const r = await s.deploy(build('v2', 8), { concurrency: '2' });
    // Until the old page's edge copy has expired everywhere and the user sees the new one.
    for (let i = 0; i < 100 && loads.at(-1)?.title !== 'v2'; i += 1)
      loads.push(await loadPage(s.edge));
    deploying = false;
    await user;
    slow.remove();
    expectSuccess(r);
    expect(loads.length).toBeGreaterThan(5);
    expect(new Set(loads.map((l) => l.title))).toEqual(new Set(['v1', 'v2']));
    expect(loads.flatMap((l) => l.statuses).filter((status) => status !== 200)).toEqual([]);
  }, 60_000);

  it('leaves the old release live and whole when killed halfway, and the next run finishes the job', async () => {
    const s = await site('killed-site');
    expectSuccess(await s.deploy(build('v1', 4)));
    const slow = emulator.faults.inject({
      service: 's3',
      action: 'PutObject',
      kind: 'delay',
      delayMs: 150,
    });
    const before = emulator.calls.length;
    const running = steps.start({
      cwd: workspace(build('v2', 12)),
      inputs: s.inputs({ concurrency: '2' }),
    });
    const puts = () => emulator.calls.slice(before).filter((c) => c.action === 'PutObject').length;
    for (let i = 0; i < 400 && puts() < 4; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(puts()).toBeGreaterThanOrEqual(4);
    running.kill('SIGKILL');
    const killed = await running.result;
    slow.remove();
    expect(killed.signal).toBe('SIGKILL');
    expect(emulator.calls.slice(before).some((c) => c.action === 'CopyObject')).toBe(false);
    expect(await loadPage(s.edge)).toEqual({ title: 'v1', statuses: [200, 200, 200, 200, 200] });
    const retried = await s.deploy(build('v2', 12));
    expectSuccess(retried);
    expect(Number(retried.outputs.uploaded)).toBeLessThan(13);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the edge's MinTTL for no-cache
    expect((await loadPage(s.edge)).title).toBe('v2');
  }, 60_000);

  it('stops cleanly when cancelled or out of time, the old release still live', async () => {
    const s = await site('cancelled-site');
    expectSuccess(await s.deploy(build('v1', 4)));
    const slow = emulator.faults.inject({
      service: 's3',
      action: 'PutObject',
      kind: 'delay',
      delayMs: 150,
    });
    const before = emulator.calls.length;
    const running = steps.start({
      cwd: workspace(build('v2', 12)),
      inputs: s.inputs({ concurrency: '2' }),
    });
    const puts = () => emulator.calls.slice(before).filter((c) => c.action === 'PutObject').length;
    for (let i = 0; i < 400 && puts() < 2; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const cancelled = await running.cancel({ sigintTimeoutMs: 5_000, sigtermTimeoutMs: 2_000 });
    expectFailure(cancelled, /^Stopped: the job was cancelled \(SIGINT\)\.$/);
    expect(result(cancelled)).toMatchObject({ outcome: 'failed' });

    slow.remove();
    // 13 uploads of a second each, one at a time: past the shortest timeout.
    const slower = emulator.faults.inject({
      service: 's3',
      action: 'PutObject',
      kind: 'delay',
      delayMs: 1000,
    });
    const late = await s.deploy(build('v3', 12), { timeout: '10s', concurrency: '1' });
    slower.remove();
    expectFailure(late, /^Stopped: the timeout of 10s ran out\.$/);
    expect(emulator.calls.slice(before).some((c) => c.action === 'CopyObject')).toBe(false);
    expect(await loadPage(s.edge)).toEqual({ title: 'v1', statuses: [200, 200, 200, 200, 200] });

    // The upload in flight when the timeout struck still ends at the emulator; let it land.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const dry = await callsDuring(() => s.deploy(build('v4', 12), { 'dry-run': 'true' }));
    expectSuccess(dry.run);
    expect(result(dry.run)).toMatchObject({ outcome: 'dry-run', uploaded: { count: 13 } });
    expect(writes(dry.calls)).toEqual([]);
  }, 60_000);

  it('rolls back to the previous release, and to a named one, rewriting only entry points', async () => {
    const s = await site('rollback-site');
    const r1 = await s.deploy(build('v1'), { release: 'one' });
    const r2 = await s.deploy(build('v2'), { release: 'two' });
    expectSuccess(r1);
    expectSuccess(r2);
    const back = await callsDuring(() =>
      steps.run({ inputs: s.inputs({ mode: 'rollback', source: '' }) }),
    );
    expectSuccess(back.run);
    expect(back.run.outputs).toMatchObject({ release: 'one' });
    expect(result(back.run)).toMatchObject({
      outcome: 'rolled-back',
      mode: 'rollback',
      previousRelease: 'two',
      rewritten: 1,
    });
    expect(writes(back.calls).map((c) => c.action)).toEqual([
      'CopyObject', // index.html from its stored copy
      'PutObject', // the restored release's manifest, with the new ETag
      'PutObject', // the history index: live is 'one'
      'CreateInvalidation',
    ]);
    expect(await loadPage(s.edge)).toEqual({ title: 'v1', statuses: [200, 200, 200, 200] });

    const named = await steps.run({ inputs: s.inputs({ mode: 'rollback', release: 'two' }) });
    expectSuccess(named);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await loadPage(s.edge)).title).toBe('v2');

    const unknown = await steps.run({ inputs: s.inputs({ mode: 'rollback', release: 'zero' }) });
    expectFailure(
      unknown,
      /^Release zero is not kept in this bucket: roll back to one of one, two\.$/,
    );
  }, 60_000);

  it('deletes what no kept release uses once the new release is live', async () => {
    const s = await site('pruned-site');
    for (const v of ['v1', 'v2'])
      expectSuccess(await s.deploy(build(v), { 'keep-releases': '2', release: v }));
    const oldAsset = `assets/chunk0.${hash('v1-0')}.js`;
    expect(s.object(oldAsset)).toBeDefined();
    const third = await s.deploy(build('v3'), { 'keep-releases': '2', release: 'v3' });
    expectSuccess(third);
    expect(third.outputs.deleted).toBe('4'); // v1's three scripts and its stored page
    expect(result(third)).toMatchObject({ prunedReleases: ['v1'] });
    expect(s.object(oldAsset)).toBeUndefined();
    expect(s.object(`assets/chunk0.${hash('v2-0')}.js`)).toBeDefined();
    const history = JSON.parse(s.object('.spa-deploy/releases.json')!.body.toString());
    expect(history.releases.map((r: { id: string }) => r.id)).toEqual(['v2', 'v3']);
  }, 60_000);

  it('survives throttling and 5xx from S3 and CloudFront', async () => {
    const s = await site('flaky-site');
    const faults = [
      emulator.faults.inject({ service: 's3', action: 'PutObject', kind: 'throttle', times: 3 }),
      emulator.faults.inject({
        service: 's3',
        action: 'ListObjectsV2',
        kind: 'server-error',
        times: 1,
      }),
      emulator.faults.inject({
        service: 's3',
        action: 'CopyObject',
        kind: 'server-error',
        status: 503,
        times: 1,
      }),
      emulator.faults.inject({
        service: 'cloudfront',
        action: 'CreateInvalidation',
        kind: 'throttle',
        times: 1,
      }),
      emulator.faults.inject({
        service: 'cloudfront',
        action: 'GetInvalidation',
        kind: 'server-error',
        times: 1,
      }),
    ];
    const r = await s.deploy(build('v1'));
    expectSuccess(r);
    expect(faults.map((f) => f.applied)).toEqual([3, 1, 1, 1, 1]);
    expect(await loadPage(s.edge)).toEqual({ title: 'v1', statuses: [200, 200, 200, 200] });
  }, 60_000);

  it("assumes role-to-assume with the job's OIDC token and deploys with it", async () => {
    emulator.s3.createBucket('role-site', (principal) => principal === DEPLOY_ROLE);
    const distribution = emulator.cloudfront.createDistribution('role-site');
    const inputs = { bucket: 'role-site', 'distribution-id': distribution.id, source: 'dist' };
    const denied = await steps.run({ cwd: workspace(build('v1')), inputs });
    expectFailure(denied, /^The role may not use bucket role-site \(HTTP 403\)/);
    const r = await steps.run({
      cwd: workspace(build('v1')),
      inputs: { ...inputs, 'role-to-assume': DEPLOY_ROLE },
      oidc: issuer,
    });
    expectSuccess(r);
    expect(r.log).toMatch(/Assumed .*frontend-deployer with the job's OIDC token/);
    expect(emulator.s3.bucket('role-site')!.objects.get('index.html')).toBeDefined();
  }, 60_000);

  describe('refuses bad inputs in one line before anything is uploaded', () => {
    const cases: [string, () => Promise<ActionRun>, RegExp][] = [
      [
        'a missing directory',
        async () =>
          steps.run({
            cwd: workspace({ 'index.html': 'x' }),
            inputs: (await site('bad-missing')).inputs({ source: 'build' }),
          }),
        /^Input 'source' is 'build', which does not exist in the workspace: build the app first, or fix the path\.$/,
      ],
      [
        'an empty directory',
        async () => steps.run({ cwd: workspace({}), inputs: (await site('bad-empty')).inputs() }),
        /^The build directory has no files: build the app before deploying it\.$/,
      ],
      [
        'a bucket that does not exist',
        async () => {
          const s = await site('bad-bucket');
          return steps.run({
            cwd: workspace(build('v1')),
            inputs: s.inputs({ bucket: 'no-such-bucket' }),
          });
        },
        /^Bucket no-such-bucket does not exist: check the bucket name/,
      ],
      [
        'a distribution that does not exist',
        async () =>
          steps.run({
            cwd: workspace(build('v1')),
            inputs: (await site('bad-distribution')).inputs({
              'distribution-id': 'E1NOSUCHDIST00',
            }),
          }),
        /^Distribution E1NOSUCHDIST00 does not exist: set distribution-id/,
      ],
      [
        'a source outside the workspace',
        async () =>
          steps.run({
            cwd: workspace(build('v1')),
            inputs: (await site('bad-outside')).inputs({ source: '../..' }),
          }),
        /^Input 'source' is '\.\.\/\.\.', which is outside the workspace/,
      ],
      [
        'a symbolic link out of the workspace',
        async () => {
          const cwd = workspace(build('v1'));
          symlinkSync('/etc/passwd', join(cwd, 'dist/passwd.txt'));
          return steps.run({ cwd, inputs: (await site('bad-symlink')).inputs() });
        },
        /^The build has passwd\.txt, a symbolic link to \/etc\/passwd, outside the workspace/,
      ],
      [
        'a malformed distribution ID',
        async () =>
          steps.run({
            cwd: workspace(build('v1')),
            inputs: (await site('bad-id')).inputs({
              'distribution-id': 'd111111abcdef8.cloudfront.net',
            }),
          }),
        /^Input 'distribution-id' is 'd111111abcdef8\.cloudfront\.net', which is not a CloudFront distribution ID/,
      ],
    ];
    it.each(cases)(
      '%s',
      async (_name, run, message) => {
        const before = emulator.calls.length;
        const r = await run();
        expectFailure(r, message);
        expect(result(r)).toMatchObject({ outcome: 'failed' });
        expect(writes(emulator.calls.slice(before))).toEqual([]);
      },
      30_000,
    );
  });
});

afterAll(() => undefined);
