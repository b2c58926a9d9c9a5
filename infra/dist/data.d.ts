import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DatabaseConfig } from './config.ts';
export interface DataProps {
    readonly vpc: ec2.IVpc;
    readonly database: DatabaseConfig;
    /** Deletion protection, a final snapshot kept on delete. */
    readonly protectData: boolean;
    readonly databaseName: string;
}
export declare const POSTGRES_PORT = 5432;
export declare class Data extends Construct {
    readonly instance: rds.DatabaseInstance;
    readonly secret: secretsmanager.ISecret;
    readonly proxy: rds.DatabaseProxy;
    readonly replica: rds.DatabaseInstanceReadReplica | undefined;
    readonly instanceSecurityGroup: ec2.SecurityGroup;
    readonly proxySecurityGroup: ec2.SecurityGroup;
    readonly databaseName: string;
    constructor(scope: Construct, id: string, props: DataProps);
    /** Lets a client through the proxy (IAM auth, TLS). */
    allowProxyClient(client: ec2.SecurityGroup, description: string): void;
    /** Lets a client straight to the instance (the migration task: DDL and its advisory lock). */
    allowDirectClient(client: ec2.SecurityGroup, description: string): void;
}
