// Probe: one POST with the global fetch, which loads Node's own bundled undici on first use.
const response = await fetch(process.env['AWS_ENDPOINT_URL']!, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'Action=GetCallerIdentity&Version=2011-06-15',
});
await response.text();
