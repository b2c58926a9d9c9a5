// The roles the suite's infra.yml runs cdk as: per environment, a deploy role its staging or
// production job assumes, and a read-only diff role for a pull request's `cdk diff`. Neither
// touches a resource itself: cdk reaches the stacks through the account's CDK bootstrap roles
// (cdk bootstrap), so CloudFormation's execution role, not a GitHub role, holds the stacks'
// permissions.
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { deploySubject, githubJobPrincipal } from "./delivery.js";
/** cdk bootstrap's default qualifier (its roles are cdk-<qualifier>-<kind>-role-<account>-<region>). */
export const CDK_BOOTSTRAP_QUALIFIER = 'hnb659fds';
/** infra.yml's default `diff-environment`. */
export const INFRA_DIFF_ENVIRONMENT = 'infra-diff';
/** The suite's infra workflow at the deploy workflow's ref (the job_workflow_ref of its jobs). */
export function infraWorkflowRef(deployWorkflowRef) {
    return deployWorkflowRef.replace(/\/[^/@]+\.ya?ml@/, '/infra.yml@');
}
export function bootstrapRoleArn(stack, kind, target) {
    return stack.formatArn({
        service: 'iam',
        region: '',
        account: target.account,
        resource: 'role',
        resourceName: `cdk-${CDK_BOOTSTRAP_QUALIFIER}-${kind}-role-${target.account}-${target.region}`,
    });
}
export class InfraRoles extends Construct {
    deployRole;
    diffRole;
    /** The stacks of this account the diff role reads with its own credentials. */
    readStacks;
    constructor(scope, id, props) {
        super(scope, id);
        const stack = Stack.of(this);
        const places = (targets) => [
            ...new Map(targets.map((t) => [`${t.account}/${t.region}`, t])).values(),
        ];
        this.deployRole = new iam.Role(this, 'DeployRole', {
            roleName: `${props.prefix}-infra`,
            description: `cdk deploy by infra.yml for ${props.repository} in environment ${props.environment}`,
            // cdk re-assumes the bootstrap roles (chained sessions last an hour) with these credentials
            // for as long as the job may run (infra.yml's timeout-minutes: 120).
            maxSessionDuration: Duration.hours(2),
            assumedBy: githubJobPrincipal(props.providerArn, deploySubject(props.repository, props.environment), props.workflowRef),
        });
        const deployPlaces = places(props.deployTargets);
        this.deployRole.addToPolicy(new iam.PolicyStatement({
            sid: 'CdkBootstrapRoles',
            actions: ['sts:AssumeRole'],
            resources: deployPlaces.flatMap((place) => ['deploy', 'file-publishing', 'image-publishing'].map((kind) => bootstrapRoleArn(stack, kind, place))),
        }));
        this.diffRole = new iam.Role(this, 'DiffRole', {
            roleName: `${props.prefix}-infra-diff`,
            description: `cdk diff of ${props.repository}'s pull requests by infra.yml (read-only)`,
            maxSessionDuration: Duration.hours(1),
            assumedBy: githubJobPrincipal(props.providerArn, deploySubject(props.repository, props.diffEnvironment), props.workflowRef),
        });
        this.diffRole.addToPolicy(new iam.PolicyStatement({
            sid: 'CdkLookupRoles',
            actions: ['sts:AssumeRole'],
            resources: places(props.diffTargets).map((place) => bootstrapRoleArn(stack, 'lookup', place)),
        }));
        // Without a lookup role (an account bootstrapped without --trust-for-lookup), cdk diff reads
        // with the role's own credentials: the stacks of this account, read-only. ListStacks is left
        // out: it has no resource-level permission and cdk diff does not call it.
        const ownStacks = (this.readStacks = props.diffTargets.filter((t) => t.account === stack.account));
        if (ownStacks.length > 0)
            this.diffRole.addToPolicy(new iam.PolicyStatement({
                sid: 'ReadStacks',
                actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
                resources: ownStacks.map((t) => stack.formatArn({
                    service: 'cloudformation',
                    region: t.region,
                    account: t.account,
                    resource: 'stack',
                    resourceName: `${t.stackName}/*`,
                })),
            }));
    }
}
