import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
export declare const MIGRATION_CONTAINER = "migrate";
export interface MigrationTaskProps {
    readonly prefix: string;
    readonly vpc: ec2.IVpc;
    readonly image: ecs.ContainerImage;
    readonly command: readonly string[];
    readonly databaseSecret: secretsmanager.ISecret;
    readonly logRetention: logs.RetentionDays;
    readonly removalPolicy: RemovalPolicy;
}
export declare class MigrationTask extends Construct {
    readonly taskDefinition: ecs.FargateTaskDefinition;
    readonly securityGroup: ec2.SecurityGroup;
    readonly logGroup: logs.LogGroup;
    constructor(scope: Construct, id: string, props: MigrationTaskProps);
}
