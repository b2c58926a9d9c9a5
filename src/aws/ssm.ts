// The ParameterStore port over the SDK's SSM client, with the suite's client configuration.
import type { ParameterStore } from '../deploy-document/ports.ts';
import type { ClientOptions } from './client-factory.ts';
import { sendOptions } from './explain.ts';

export function sdkParameterStore(options: ClientOptions): ParameterStore {
  return {
    async getParameter(name, signal) {
      // Loaded on first use: a run that reads no document never loads the SSM client.
      const [{ GetParameterCommand, SSMClient }, { clientConfig }] = await Promise.all([
        import('@aws-sdk/client-ssm'),
        import('./client-factory.ts'),
      ]);
      const client = new SSMClient(clientConfig('SSM', options));
      try {
        const out = await client.send(new GetParameterCommand({ Name: name }), sendOptions(signal));
        const value = out.Parameter?.Value;
        if (value === undefined) throw new Error(`SSM returned no value for ${name}`);
        return value;
      } finally {
        client.destroy();
      }
    },
  };
}
