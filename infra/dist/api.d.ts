import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ServiceSizeConfig } from './config.ts';
export declare const APP_PORT = 8080;
export declare const HEALTH_PATH = "/health";
export declare const TEST_LISTENER_PORT = 9443;
export declare const APP_CONTAINER = "app";
/** Target of the request-based scaling: requests per running task per minute. */
export declare const REQUESTS_PER_TASK_PER_MINUTE = 1000;
export interface ApiProps {
    readonly prefix: string;
    readonly vpc: ec2.IVpc;
    readonly certificateArn: string;
    readonly image: ecs.ContainerImage;
    readonly size: ServiceSizeConfig;
    readonly environment: Record<string, string>;
    readonly secrets: Record<string, ecs.Secret>;
    readonly testListenerCidrs: readonly string[];
    readonly albIngressPrefixListId?: string;
    readonly accessLogs: s3.IBucket;
    readonly logRetention: logs.RetentionDays;
    readonly removalPolicy: RemovalPolicy;
    readonly deletionProtection: boolean;
}
export declare class Api extends Construct {
    readonly cluster: ecs.Cluster;
    readonly loadBalancer: elbv2.ApplicationLoadBalancer;
    readonly httpsListener: elbv2.ApplicationListener;
    readonly testListener: elbv2.ApplicationListener;
    readonly blueTargetGroup: elbv2.ApplicationTargetGroup;
    readonly greenTargetGroup: elbv2.ApplicationTargetGroup;
    readonly productionRule: elbv2.ApplicationListenerRule;
    readonly testRule: elbv2.ApplicationListenerRule;
    readonly trafficRole: iam.Role;
    readonly taskDefinition: ecs.FargateTaskDefinition;
    readonly service: ecs.FargateService;
    readonly serviceSecurityGroup: ec2.SecurityGroup;
    readonly albSecurityGroup: ec2.SecurityGroup;
    readonly logGroup: logs.LogGroup;
    readonly scaling: ecs.ScalableTaskCount;
    constructor(scope: Construct, id: string, props: ApiProps);
}
