import { Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Api } from './api.ts';
import { type EnvironmentConfig } from './config.ts';
import { Data } from './data.ts';
import { DeployRole } from './delivery.ts';
import { Edge } from './edge.ts';
import { InfraRoles, type InfraTarget } from './infra-roles.ts';
import { MigrationTask } from './migration.ts';
import { Network } from './network.ts';
import { Observability } from './observability.ts';
import { Worker } from './worker.ts';
export declare const DEPLOY_DOCUMENT_VERSION = 1;
export declare const DEPLOY_DOCUMENT_PREFIX = "/aws-ship-suite/";
export interface ShipStackProps extends StackProps {
    /** Short lower-case name of the app; names are `<app>-<environment>-…`. */
    readonly app: string;
    readonly config: EnvironmentConfig;
    /** ARN of the CLOUDFRONT-scope web ACL (from the us-east-1 stack). */
    readonly webAclArn: string;
    /**
     * The stacks infra.yml's roles reach through the CDK bootstrap roles: `deploy`, this
     * environment's (its stage's stacks); `diff`, every environment's, which a pull request's diff
     * reads. Default: this stack alone.
     */
    readonly infraTargets?: {
        readonly deploy: readonly InfraTarget[];
        readonly diff: readonly InfraTarget[];
    };
}
export declare class ShipStack extends Stack {
    readonly prefix: string;
    readonly network: Network;
    readonly data: Data;
    readonly api: Api;
    readonly worker: Worker;
    readonly edge: Edge;
    readonly observability: Observability;
    readonly deploy: DeployRole;
    /** The roles infra.yml runs `cdk deploy` and `cdk diff` as. */
    readonly infra: InfraRoles;
    readonly migration: MigrationTask;
    readonly appSecrets: secretsmanager.Secret;
    readonly protectData: boolean;
    /** The deploy document's fields (tokens until deployed). */
    readonly deployDocument: Record<string, unknown>;
    constructor(scope: Construct, id: string, props: ShipStackProps);
}
