import type { SeedCredentials } from './credentials.ts';
import type { StsSetup } from './sts.ts';

/** The CLI's --config file: `{ "sts": { "oidcProviders": [], "roles": [], "credentials": [] } }`. */
export interface EmulatorConfigFile {
  readonly sts?: StsSetup;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the file's outline and turns credential `expiration` strings into Dates. */
export function parseConfigFile(json: unknown): EmulatorConfigFile {
  if (!isObject(json)) throw new Error('config: expected a JSON object');
  const unknownKeys = Object.keys(json).filter((key) => key !== 'sts');
  if (unknownKeys.length > 0) throw new Error(`config: unknown keys ${unknownKeys.join(', ')}`);
  const sts = json['sts'];
  if (sts === undefined) return {};
  if (!isObject(sts)) throw new Error('config: "sts" must be an object');
  for (const key of ['oidcProviders', 'roles', 'credentials']) {
    if (sts[key] !== undefined && !Array.isArray(sts[key]))
      throw new Error(`config: sts.${key} must be an array`);
  }
  const credentials = ((sts['credentials'] ?? []) as unknown[]).map((entry, i): SeedCredentials => {
    if (!isObject(entry)) throw new Error(`config: sts.credentials[${i}] must be an object`);
    const { expiration, ...rest } = entry;
    if (expiration === undefined) return rest as unknown as SeedCredentials;
    const date = new Date(String(expiration));
    if (Number.isNaN(date.getTime()))
      throw new Error(`config: sts.credentials[${i}].expiration is not a date`);
    return { ...rest, expiration: date } as unknown as SeedCredentials;
  });
  return { sts: { ...(sts as StsSetup), credentials } };
}
