// The ParameterStore port: SSM's GetParameter as one signed AWS JSON 1.1 call (aws-json-call.ts)
// rather than @aws-sdk/client-ssm, whose one module holds all 155 SSM operations (199,573 B
// bundled) for this one call. Request {"Name"}, answer {"Parameter": {"Value", …}}, errors
// `__type` + message (ParameterNotFound, AccessDeniedException, …), per the SSM API reference
// (GetParameter) and the SDK's model of it.
import type { ParameterStore } from '../deploy-document/ports.ts';
import type { ClientOptions } from './client-factory.ts';

export const GET_PARAMETER = {
  serviceId: 'SSM',
  signingName: 'ssm',
  target: 'AmazonSSM.GetParameter',
} as const;

export function ssmParameterStore(options: ClientOptions): ParameterStore {
  return {
    async getParameter(name, signal) {
      // Loaded on first use: a run that reads no document never loads the signer's call path.
      const { callAwsJson } = await import('./aws-json-call.ts');
      const out = await callAwsJson(GET_PARAMETER, { Name: name }, options, signal);
      const value = (out.Parameter as { Value?: unknown } | undefined)?.Value;
      if (typeof value !== 'string') throw new Error(`SSM returned no value for ${name}`);
      return value;
    },
  };
}
