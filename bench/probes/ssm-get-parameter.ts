// One GetParameter in a fresh process, for bench/ssm-get-parameter.ts: `suite` through
// src/aws/ssm.ts (one signed AWS JSON call), `client-ssm` through @aws-sdk/client-ssm with the
// factory's configuration (the ParameterStore as it was until dd0ae22). Prints
// `<ms from the first import to the value> <peak RSS bytes>`.
const started = performance.now();
const options = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  env: { AWS_ENDPOINT_URL: process.env.BENCH_ENDPOINT },
};
const signal = new AbortController().signal;
let value: string | undefined;
if (process.argv[2] === 'suite') {
  const { ssmParameterStore } = await import('../../src/aws/ssm.ts');
  value = await ssmParameterStore(options).getParameter('/aws-ship-suite/deploy', signal);
} else {
  const [{ GetParameterCommand, SSMClient }, { clientConfig }] = await Promise.all([
    import('@aws-sdk/client-ssm'),
    import('../../src/aws/client-factory.ts'),
  ]);
  const client = new SSMClient(clientConfig('SSM', options));
  const out = await client.send(new GetParameterCommand({ Name: '/aws-ship-suite/deploy' }), {
    abortSignal: signal,
  });
  value = out.Parameter?.Value;
  client.destroy();
}
if (value !== '{"version":1}') throw new Error(`unexpected value ${value}`);
console.log(`${(performance.now() - started).toFixed(2)} ${process.resourceUsage().maxRSS * 1024}`);
