import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPerformance, readPerformanceFile } from '../../../../src/quality/performance/index.ts';
import { ReportError } from '../../../../src/quality/report-file.ts';

const fixture = (name: string) =>
  new URL(`../../../fixtures/quality/performance/${name}`, import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quality-performance-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('k6 summaries', () => {
  it("handleSummary's data: p95 in seconds, the failed-request rate, thresholds as k6 judged them", async () => {
    const report = await readPerformanceFile(fixture('k6-handle-summary.json'));
    expect(report).toEqual({
      file: fixture('k6-handle-summary.json'),
      source: 'k6-handle-summary',
      p95Seconds: 1.873412,
      errorRate: 0.013,
      requests: 6000,
      checks: { passes: 5922, fails: 78 },
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<2000', ok: true },
        { metric: 'http_req_failed', expression: 'rate<0.01', ok: false },
      ],
      notes: [],
    });
  });

  it('--summary-export: flattened values, rate as value, and thresholds true when they FAILED', async () => {
    const report = await readPerformanceFile(fixture('k6-summary-export.json'));
    expect(report).toMatchObject({
      source: 'k6-summary-export',
      errorRate: 0.0006666666666666666,
      requests: 3000,
      checks: { passes: 2998, fails: 2 },
      thresholds: [
        { metric: 'http_req_duration', expression: 'p(95)<2000', ok: false },
        { metric: 'http_req_duration', expression: 'p(99)<5000', ok: true },
        { metric: 'http_req_failed', expression: 'rate<0.01', ok: true },
      ],
    });
    expect(report.p95Seconds).toBeCloseTo(2.4127, 9);
  });

  it('a test without HTTP requests has no p95 and says why, never 0', async () => {
    const report = await readPerformanceFile(fixture('k6-no-http.json'));
    expect(report).toMatchObject({
      p95Seconds: undefined,
      errorRate: undefined,
      requests: undefined,
    });
    expect(report.notes).toEqual([
      'no http_req_duration: the test made no HTTP requests',
      'no http_req_failed rate',
    ]);
  });

  it('says so when summaryTrendStats left p(95) out, and counts requests from the failed rate', async () => {
    const file = await write('k6-p99.json', {
      metrics: {
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 10, 'p(99)': 40 } },
        http_req_failed: {
          type: 'rate',
          contains: 'default',
          values: { rate: 0.25, passes: 1, fails: 3 },
        },
      },
    });
    const report = await readPerformanceFile(file);
    expect(report).toMatchObject({ p95Seconds: undefined, errorRate: 0.25, requests: 4 });
    expect(report.notes).toEqual(['http_req_duration has no p(95): add it to summaryTrendStats']);
  });

  it('the machine-readable summary (--new-machine-readable-summary): metrics by name, no thresholds', async () => {
    const file = await write('k6-new.json', {
      version: '1.0.0',
      config: {},
      metadata: {},
      results: {
        metrics: [
          { name: 'http_req_duration', type: 'trend', values: { 'p(95)': 250 } },
          { name: 'http_req_failed', type: 'rate', values: { rate: 0.01 } },
          { name: 'http_reqs', type: 'counter', values: { count: 100 } },
        ],
        checks: [],
      },
    });
    expect(await readPerformanceFile(file)).toMatchObject({
      source: 'k6-machine-readable',
      p95Seconds: 0.25,
      errorRate: 0.01,
      requests: 100,
      thresholds: [],
    });
  });
});

describe("ecs-canary-deploy's result", () => {
  it("takes the canary's own figures from the gate that let it through", async () => {
    const report = await readPerformanceFile(fixture('canary-result.json'));
    expect(report).toEqual({
      file: fixture('canary-result.json'),
      source: 'ecs-canary-deploy',
      p95Seconds: 0.412,
      errorRate: 0.0021,
      requests: 4210,
      thresholds: [],
      notes: [
        "the canary's gate analysis at 2026-11-30T10:11:00.000Z (10% of production traffic, verdict pass)",
      ],
    });
  });

  it('takes the analysis that rolled back over a later gate', async () => {
    const result = JSON.parse(await readFile(fixture('canary-result.json'), 'utf8')) as {
      analyses: Record<string, unknown>[];
    };
    const gate = result.analyses[1]!;
    const rollback = {
      ...gate,
      kind: 'continuous',
      at: '2026-11-30T10:09:00.000Z',
      verdict: 'fail',
      traffic: { ...(gate['traffic'] as object), canaryRequests: 3000 },
      metrics: [{ name: 'p95-latency', against: 'limit', canary: 2.7, baseline: null, limit: 2 }],
      decision: { action: 'rollback', reason: 'p95 latency over the limit' },
    };
    const file = await write('rolled-back.json', {
      ...result,
      outcome: 'rolled-back',
      analyses: [rollback, gate],
    });
    const report = await readPerformanceFile(file);
    expect(report).toMatchObject({ p95Seconds: 2.7, errorRate: undefined, requests: 3000 });
    expect(report.notes).toContain('the analysis judged no error-rate');
  });

  it('fails a result with no analysis that measured the canary', async () => {
    const file = await write('dry-run.json', {
      version: 1,
      suiteVersion: '0.1.0',
      outcome: 'dry-run',
      plan: {},
    });
    await expect(readPerformanceFile(file)).rejects.toThrow(
      /dry-run\.json: the deployment \(outcome dry-run\) has no canary analysis with metrics/,
    );
  });

  it('refuses a result version newer than it reads', async () => {
    const text = (await readFile(fixture('canary-result.json'), 'utf8')).replace(
      '"version": 1',
      '"version": 2',
    );
    await expect(readPerformanceFile(await write('v2.json', text))).rejects.toThrow(
      /v2\.json: an ecs-canary-deploy result of version 2, this quality-gate reads up to 1/,
    );
  });
});

describe('bad performance reports', () => {
  it('names the byte where the JSON breaks', async () => {
    const text = '{"metrics": {"http_req_duration": {"p(95)": 12,, "avg": 3}}}';
    const error = (await readPerformanceFile(await write('broken.json', text)).catch(
      (e: unknown) => e,
    )) as ReportError;
    expect(error).toBeInstanceOf(ReportError);
    expect(error.message).toBe(
      `${dir}/broken.json (byte ${text.indexOf(',,') + 1}): not valid JSON (expected an object key)`,
    );
  });

  it('names a truncated summary, an empty one, and a file that is no performance report', async () => {
    const text = await readFile(fixture('k6-handle-summary.json'), 'utf8');
    await expect(readPerformanceFile(await write('cut.json', text.slice(0, 500)))).rejects.toThrow(
      /cut\.json \(byte 500\): not valid JSON/,
    );
    await expect(readPerformanceFile(await write('empty.json', ''))).rejects.toThrow(
      /empty\.json: the report is empty/,
    );
    await expect(readPerformanceFile(await write('other.json', '{"a":1}'))).rejects.toThrow(
      /other\.json: not a performance report this reads/,
    );
  });

  it('reads several files in order', async () => {
    const reports = await readPerformance([
      fixture('k6-summary-export.json'),
      fixture('canary-result.json'),
    ]);
    expect(reports.map((r) => r.source)).toEqual(['k6-summary-export', 'ecs-canary-deploy']);
  });
});
