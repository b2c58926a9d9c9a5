import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
export interface NetworkProps {
    readonly cidr: string;
    readonly availabilityZones: number;
    readonly natGateways: number;
    readonly logRetention: logs.RetentionDays;
    readonly removalPolicy: RemovalPolicy;
}
export declare class Network extends Construct {
    readonly vpc: ec2.Vpc;
    readonly endpointSecurityGroup: ec2.SecurityGroup;
    constructor(scope: Construct, id: string, props: NetworkProps);
}
