import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
export interface CloudFrontWafProps {
    readonly name: string;
    /** Requests per 5 minutes from one IP before it is blocked. */
    readonly rateLimit: number;
}
export declare class CloudFrontWaf extends Construct {
    readonly webAcl: wafv2.CfnWebACL;
    constructor(scope: Construct, id: string, props: CloudFrontWafProps);
}
