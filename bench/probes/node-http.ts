// Probe: the same POST with node:http, for comparison with fetch.
import { request } from 'node:http';

await new Promise<void>((resolve, reject) => {
  const req = request(
    process.env['AWS_ENDPOINT_URL']!,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    (res) => res.resume().on('end', resolve),
  );
  req.on('error', reject);
  req.end('Action=GetCallerIdentity&Version=2011-06-15');
});
