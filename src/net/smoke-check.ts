// The deploy engine's smoke check (SmokeCheck): one GET against the test listener with
// node:http(s), not fetch (see docs/design.md), ok when it answers the expected status.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SmokeCheck } from '../ecs/deploy/index.ts';
import { formatDuration } from '../lib/durations.ts';
import { oneLine } from '../lib/errors.ts';
import { SUITE_VERSION } from '../lib/version.ts';

const TIMEOUT_MS = 10_000;

export function httpSmokeCheck(
  settings: { url: URL; expectStatus: number },
  action: string,
  timeoutMs = TIMEOUT_MS,
): SmokeCheck {
  const { url, expectStatus } = settings;
  const target = `GET ${url.origin}${url.pathname}`;
  return (signal) =>
    new Promise((resolve) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const started = Date.now();
      const request = send(
        url,
        {
          method: 'GET',
          signal,
          timeout: timeoutMs,
          headers: { 'user-agent': `aws-ship-suite/${SUITE_VERSION} ${action}` },
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          resolve({
            ok: status === expectStatus,
            detail: `${target} answered ${status} in ${Date.now() - started} ms (expected ${expectStatus})`,
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${formatDuration(timeoutMs)}`)),
      );
      request.on('error', (error) =>
        resolve({ ok: false, detail: `${target} failed: ${oneLine(error)}` }),
      );
      request.end();
    });
}
