import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
export interface EdgeSecurityStackProps extends StackProps {
    readonly name: string;
    readonly rateLimit: number;
}
export declare class EdgeSecurityStack extends Stack {
    readonly webAclArn: string;
    constructor(scope: Construct, id: string, props: EdgeSecurityStackProps);
}
