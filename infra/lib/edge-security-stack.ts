// The us-east-1 stack holding one environment's CloudFront web ACL.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CloudFrontWaf } from './waf.ts';

export interface EdgeSecurityStackProps extends StackProps {
  readonly name: string;
  readonly rateLimit: number;
}

export class EdgeSecurityStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeSecurityStackProps) {
    super(scope, id, props);
    if (props.env?.region !== 'us-east-1')
      throw new Error('CloudFront web ACLs must be created in us-east-1.');
    this.webAclArn = new CloudFrontWaf(this, 'Waf', {
      name: props.name,
      rateLimit: props.rateLimit,
    }).webAcl.attrArn;
  }
}
