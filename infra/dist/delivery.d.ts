import type { RemovalPolicy } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
export declare const GITHUB_ISSUER_HOST = "token.actions.githubusercontent.com";
export declare const GITHUB_AUDIENCE = "sts.amazonaws.com";
/**
 * The suite's workflows that assume the deploy role: deploy.yml, and pipeline.yml at the same ref
 * (its build job pushes the release into staging's repository before deploy.yml runs it).
 * [issue 17, helper pipeline: a small hunk in infra]
 */
export declare function trustedWorkflowRefs(deployWorkflowRef: string): string[];
/** The token subject of a job in a GitHub environment (security.md rule 12). */
export declare function deploySubject(repository: string, environment: string): string;
/**
 * GitHub jobs of one subject running one of the given workflows: StringEquals on aud, sub and
 * job_workflow_ref, which STS evaluates since February 2026 (shared/reference/workflows.md [STS]).
 */
export declare function githubJobPrincipal(providerArn: string, subject: string, workflowRefs: string | readonly string[]): iam.WebIdentityPrincipal;
export interface RepositoryProps {
    readonly name: string;
    readonly removalPolicy: RemovalPolicy;
}
export declare function imageRepository(scope: Construct, id: string, props: RepositoryProps): ecr.Repository;
export interface DeployTargets {
    readonly repositoryArn: string;
    readonly clusterArn: string;
    readonly clusterName: string;
    readonly serviceArns: readonly string[];
    readonly serviceNames: readonly string[];
    /** Families the deploy registers revisions of (tags copied onto them need ecs:TagResource). */
    readonly taskFamilies: readonly string[];
    /** Families the deploy may run as one-off tasks (the migration). */
    readonly runTaskFamilies: readonly string[];
    /** Task and execution roles the deploy may hand to ECS. */
    readonly passRoleArns: readonly string[];
    readonly alarmArns: readonly string[];
    readonly logGroupNames: readonly string[];
    /** The SSM parameter holding this environment's deploy document. */
    readonly deployDocumentParameterArn: string;
    readonly siteBucketArn: string;
    readonly distributionArn: string;
    /** The alarm topic a failed or rolled-back deploy is announced on, and its KMS key. */
    readonly notificationTopicArn: string;
    readonly notificationKeyArn: string;
}
export interface DeployRoleProps {
    readonly roleName: string;
    readonly environment: string;
    readonly repository: string;
    readonly deployWorkflowRef: string;
    readonly oidcProvider: 'create' | 'existing';
    readonly targets: DeployTargets;
}
export declare class DeployRole extends Construct {
    readonly role: iam.Role;
    readonly providerArn: string;
    readonly subject: string;
    constructor(scope: Construct, id: string, props: DeployRoleProps);
}
/** What each action calls (their READMEs' permission lists), on this stack's resources only. */
export declare function deployStatements(stack: Stack, t: DeployTargets): iam.PolicyStatement[];
