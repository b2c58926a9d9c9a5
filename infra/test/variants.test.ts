// The optional settings: an existing OIDC provider, CloudFront's origin-facing prefix list on the
// ALB, the smoke check's ranges on the test listener, the SPA's own domain.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { staging } from '../bin/environments.ts';
import type { EnvironmentConfig } from '../lib/config.ts';
import { synthesize } from './synth.ts';

const variant: EnvironmentConfig = {
  ...staging,
  oidcProvider: 'existing',
  albIngressPrefixListId: 'pl-4fa04526',
  testListenerCidrs: ['203.0.113.0/24'],
  site: {
    domainName: 'shop.example.com',
    certificateArn:
      'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000003',
  },
};
let t: Template;
beforeAll(() => {
  // cdk-nag runs too: CFR4 is acknowledged only without a site domain, so this synth proves the
  // custom-domain distribution passes it.
  t = synthesize([variant]).templates['staging'] as Template;
});

it("trusts the account's existing GitHub OIDC provider by ARN, creating none", () => {
  t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
  t.hasResourceProperties('AWS::IAM::Role', {
    RoleName: 'shop-staging-deploy',
    AssumeRolePolicyDocument: {
      Statement: [
        Match.objectLike({
          Principal: {
            Federated: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':iam::111111111111:oidc-provider/token.actions.githubusercontent.com',
                ],
              ],
            },
          },
        }),
      ],
    },
  });
});

it('opens the ALB to the prefix list only, and the test listener to the listed ranges only', () => {
  const [sgId, sg] =
    Object.entries(t.findResources('AWS::EC2::SecurityGroup')).find(([id]) =>
      id.startsWith('ApiAlbSg'),
    ) ?? [];
  type Rule = Record<string, unknown>;
  const inline =
    (sg as { Properties: { SecurityGroupIngress?: Rule[] } }).Properties.SecurityGroupIngress ?? [];
  const separate = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress'))
    .map((r) => (r as { Properties: Rule }).Properties)
    .filter(
      (p) => JSON.stringify(p['GroupId']) === JSON.stringify({ 'Fn::GetAtt': [sgId, 'GroupId'] }),
    );
  const sources = [...inline, ...separate].map((r) => [
    r['FromPort'],
    r['SourcePrefixListId'] ?? r['CidrIp'],
  ]);
  expect(sources.sort()).toEqual([
    [443, 'pl-4fa04526'],
    [80, 'pl-4fa04526'],
    [9443, '203.0.113.0/24'],
  ]);
});

it('serves the SPA on its own domain with TLS 1.2 or later', () => {
  t.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['shop.example.com'],
      ViewerCertificate: {
        AcmCertificateArn: variant.site?.certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    }),
  });
});
