import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ServiceSizeConfig } from './config.ts';
export interface WorkerProps {
    readonly prefix: string;
    readonly cluster: ecs.ICluster;
    readonly image: ecs.ContainerImage;
    readonly command: readonly string[];
    readonly size: ServiceSizeConfig;
    readonly environment: Record<string, string>;
    readonly secrets: Record<string, ecs.Secret>;
    readonly logRetention: logs.RetentionDays;
    readonly removalPolicy: RemovalPolicy;
}
export declare class Worker extends Construct {
    readonly queue: sqs.Queue;
    readonly deadLetterQueue: sqs.Queue;
    readonly service: ecs.FargateService;
    readonly taskDefinition: ecs.FargateTaskDefinition;
    readonly securityGroup: ec2.SecurityGroup;
    readonly logGroup: logs.LogGroup;
    constructor(scope: Construct, id: string, props: WorkerProps);
}
