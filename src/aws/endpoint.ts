/**
 * The endpoint override for a service, as the AWS SDKs define it: AWS_ENDPOINT_URL_<SERVICE>
 * (service id upper-cased, spaces as underscores) wins over AWS_ENDPOINT_URL, and
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns both off.
 */
export function endpointOverride(serviceId: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const specific = env[`AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[ -]/g, '_')}`];
  return specific?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}
