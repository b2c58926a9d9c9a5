import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
/** cdk bootstrap's default qualifier (its roles are cdk-<qualifier>-<kind>-role-<account>-<region>). */
export declare const CDK_BOOTSTRAP_QUALIFIER = "hnb659fds";
/** infra.yml's default `diff-environment`. */
export declare const INFRA_DIFF_ENVIRONMENT = "infra-diff";
export type BootstrapRoleKind = 'deploy' | 'file-publishing' | 'image-publishing' | 'lookup';
/** One stack cdk deploys or diffs: where it lives, so its bootstrap roles can be named. */
export interface InfraTarget {
    readonly account: string;
    readonly region: string;
    readonly stackName: string;
}
/** The suite's infra workflow at the deploy workflow's ref (the job_workflow_ref of its jobs). */
export declare function infraWorkflowRef(deployWorkflowRef: string): string;
export declare function bootstrapRoleArn(stack: Stack, kind: BootstrapRoleKind, target: {
    readonly account: string;
    readonly region: string;
}): string;
export interface InfraRolesProps {
    /** Role names are `<prefix>-infra` and `<prefix>-infra-diff`. */
    readonly prefix: string;
    readonly repository: string;
    /** The GitHub environment of the deploy job (the stage's name). */
    readonly environment: string;
    /** The GitHub environment of the diff job (infra.yml's diff-environment). */
    readonly diffEnvironment: string;
    /** ORG/REPO/.github/workflows/infra.yml@REF: the only workflow either role trusts. */
    readonly workflowRef: string;
    readonly providerArn: string;
    /** The stacks this environment's `cdk deploy` updates (this account's bootstrap roles). */
    readonly deployTargets: readonly InfraTarget[];
    /** The stacks a pull request's diff reads, in every environment (their lookup roles). */
    readonly diffTargets: readonly InfraTarget[];
}
export declare class InfraRoles extends Construct {
    readonly deployRole: iam.Role;
    readonly diffRole: iam.Role;
    /** The stacks of this account the diff role reads with its own credentials. */
    readonly readStacks: readonly InfraTarget[];
    constructor(scope: Construct, id: string, props: InfraRolesProps);
}
