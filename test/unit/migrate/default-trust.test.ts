import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { defaultTrust, rdsCertificateAuthorities } from '../../../src/migrate/default-trust.ts';

describe('the default TLS trust of rds-migrate', () => {
  it('holds the Amazon RDS certificate authorities of every region, all parseable CA certificates', async () => {
    const certificates = (await rdsCertificateAuthorities()).map((pem) => new X509Certificate(pem));
    expect(certificates.length).toBeGreaterThan(100);
    expect(certificates.every((c) => c.ca)).toBe(true);
    // RDS's own CAs, and the Amazon Trust Services roots RDS Proxy's certificates chain to.
    expect(certificates.every((c) => /O=Amazon|Starfield/.test(c.subject))).toBe(true);
    expect(certificates.filter((c) => /CN=Amazon RDS /.test(c.subject)).length).toBeGreaterThan(
      100,
    );
    // The 2024 roots RDS instances use now, in two regions, valid for decades.
    const now = Date.now();
    for (const region of ['us-east-1', 'eu-west-1']) {
      const current = certificates.filter(
        (c) =>
          c.subject.includes(`Amazon RDS ${region} Root CA`) &&
          Date.parse(c.validFrom) <= now &&
          Date.parse(c.validTo) > now + 10 * 365 * 86_400_000,
      );
      expect(current.length).toBeGreaterThan(0);
    }
  });

  it("adds them to the system's public roots rather than replacing them", async () => {
    const trust = await defaultTrust();
    const rds = await rdsCertificateAuthorities();
    expect(trust).toHaveLength(rootCertificates.length + rds.length);
    expect(trust).toEqual(expect.arrayContaining([...rootCertificates.slice(0, 3), rds[0]]));
  });
});
