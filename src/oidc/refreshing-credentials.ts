// Credentials for a run that may outlive them: the SDK clients share one provider that assumes
// the role again before the session expires. The refresh runs beside the calls that keep using
// the credentials in hand, so a slow or failing STS does not hold up a deployment that still has
// minutes of valid credentials; only calls made in the last seconds before expiry wait for it.
import type { AwsCredentials } from './ports.ts';
import type { Clock } from '../lib/clock.ts';

export type ObtainCredentials = () => Promise<Required<AwsCredentials>>;

export interface RefreshingCredentialsOptions {
  clock: Clock;
  /** Refresh this long before expiry, or at half the session's life when that is shorter. */
  refreshBeforeMs?: number;
  /** A refresh succeeded; the first assume is not a refresh. */
  onRefresh?(credentials: Required<AwsCredentials>): void;
  /** A refresh failed while the credentials in hand were still valid; it is tried again later. */
  onRefreshFailed?(error: unknown, validUntil: Date): void;
}

/** AWS SDK clients refresh 5 minutes before expiry too (memoizeIdentityProvider). */
export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
/** Closer than this to expiry a call waits for the refresh instead of using what is in hand. */
const LAST_MOMENT_MS = 10_000;
/** After a failed refresh, the next try waits this long (or a quarter of what is left). */
const RETRY_AFTER_MS = 30_000;

export function refreshingCredentials(
  obtain: ObtainCredentials,
  options: RefreshingCredentialsOptions,
): () => Promise<Required<AwsCredentials>> {
  const { clock } = options;
  const refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
  let current: Required<AwsCredentials> | undefined;
  let refreshAt = 0;
  let pending: Promise<Required<AwsCredentials>> | undefined;

  const expiresAt = () => current?.expiration.getTime() ?? 0;

  const refresh = (): Promise<Required<AwsCredentials>> => {
    const first = current === undefined;
    const obtainedAt = clock.now();
    pending ??= obtain()
      .then((credentials) => {
        current = credentials;
        const lifetime = credentials.expiration.getTime() - obtainedAt;
        refreshAt = credentials.expiration.getTime() - Math.min(refreshBeforeMs, lifetime / 2);
        if (!first) options.onRefresh?.(credentials);
        return credentials;
      })
      .catch((error: unknown) => {
        if (current !== undefined) {
          const left = expiresAt() - clock.now();
          refreshAt = clock.now() + Math.min(RETRY_AFTER_MS, Math.max(0, left / 4));
          if (left > 0) options.onRefreshFailed?.(error, current.expiration);
        }
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return async () => {
    const now = clock.now();
    if (current === undefined) return refresh();
    if (now < refreshAt) return current;
    const inFlight = refresh();
    if (expiresAt() - now > LAST_MOMENT_MS) {
      // The callers carry on with what is in hand; the refresh's outcome is reported by itself.
      inFlight.catch(() => undefined);
      return current;
    }
    return inFlight;
  };
}
