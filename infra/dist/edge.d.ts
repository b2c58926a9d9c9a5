import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
export interface EdgeProps {
    /** Host name on the ALB's certificate that resolves to the ALB. */
    readonly apiOriginDomainName: string;
    /** ARN of a CLOUDFRONT-scope WAF web ACL (it lives in us-east-1). */
    readonly webAclArn: string;
    /** The SPA's own domain and its us-east-1 ACM certificate; default CloudFront's domain. */
    readonly site?: {
        readonly domainName: string;
        readonly certificateArn: string;
    };
    readonly logBucket: s3.IBucket;
    readonly removalPolicy: RemovalPolicy;
}
export declare class Edge extends Construct {
    readonly bucket: s3.Bucket;
    readonly distribution: cloudfront.Distribution;
    readonly headers: cloudfront.ResponseHeadersPolicy;
    readonly customDomain: boolean;
    constructor(scope: Construct, id: string, props: EdgeProps);
}
