import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
export const GITHUB_ISSUER_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_AUDIENCE = 'sts.amazonaws.com';
/**
 * The suite's workflows that assume the deploy role: deploy.yml, and pipeline.yml at the same ref
 * (its build job pushes the release into staging's repository before deploy.yml runs it).
 * [issue 17, helper pipeline: a small hunk in infra]
 */
export function trustedWorkflowRefs(deployWorkflowRef) {
    return [deployWorkflowRef, deployWorkflowRef.replace(/\/[^/@]+\.ya?ml@/, '/pipeline.yml@')];
}
/** The token subject of a job in a GitHub environment (security.md rule 12). */
export function deploySubject(repository, environment) {
    return `repo:${repository}:environment:${environment}`;
}
/**
 * GitHub jobs of one subject running one of the given workflows: StringEquals on aud, sub and
 * job_workflow_ref, which STS evaluates since February 2026 (shared/reference/workflows.md [STS]).
 */
export function githubJobPrincipal(providerArn, subject, workflowRefs) {
    return new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
            [`${GITHUB_ISSUER_HOST}:aud`]: GITHUB_AUDIENCE,
            [`${GITHUB_ISSUER_HOST}:sub`]: subject,
            [`${GITHUB_ISSUER_HOST}:job_workflow_ref`]: typeof workflowRefs === 'string' ? workflowRefs : [...workflowRefs],
        },
    });
}
export function imageRepository(scope, id, props) {
    return new ecr.Repository(scope, id, {
        repositoryName: props.name,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        imageScanOnPush: true,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: props.removalPolicy,
        emptyOnDelete: false,
        lifecycleRules: [
            {
                description: 'untagged images after 7 days',
                tagStatus: ecr.TagStatus.UNTAGGED,
                maxImageAge: Duration.days(7),
                rulePriority: 1,
            },
            {
                description: 'keep the newest 200 images',
                tagStatus: ecr.TagStatus.ANY,
                maxImageCount: 200,
                rulePriority: 2,
            },
        ],
    });
}
export class DeployRole extends Construct {
    role;
    providerArn;
    subject;
    constructor(scope, id, props) {
        super(scope, id);
        const stack = Stack.of(this);
        this.providerArn =
            props.oidcProvider === 'create'
                ? new iam.OidcProviderNative(this, 'GitHubOidc', {
                    url: `https://${GITHUB_ISSUER_HOST}`,
                    clientIds: [GITHUB_AUDIENCE],
                }).oidcProviderArn
                : stack.formatArn({
                    service: 'iam',
                    region: '',
                    resource: 'oidc-provider',
                    resourceName: GITHUB_ISSUER_HOST,
                });
        this.subject = deploySubject(props.repository, props.environment);
        this.role = new iam.Role(this, 'Role', {
            roleName: props.roleName,
            description: `GitHub deploy jobs of ${props.repository} in environment ${props.environment}`,
            maxSessionDuration: Duration.hours(2),
            // Only the suite's deploy and pipeline workflows.
            assumedBy: githubJobPrincipal(this.providerArn, this.subject, trustedWorkflowRefs(props.deployWorkflowRef)),
        });
        for (const statement of deployStatements(stack, props.targets))
            this.role.addToPolicy(statement);
    }
}
/** What each action calls (their READMEs' permission lists), on this stack's resources only. */
export function deployStatements(stack, t) {
    const arn = (service, resource, resourceName) => stack.formatArn({ service, resource, resourceName });
    const statement = (sid, actions, resources, conditions) => new iam.PolicyStatement({ sid, actions, resources, ...(conditions ? { conditions } : {}) });
    return [
        // ecr-build-push
        statement('EcrLogin', ['ecr:GetAuthorizationToken'], ['*']),
        statement('EcrPushPull', [
            'ecr:DescribeRepositories',
            'ecr:DescribeImages',
            'ecr:DescribeImageScanFindings',
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:InitiateLayerUpload',
            'ecr:UploadLayerPart',
            'ecr:CompleteLayerUpload',
            'ecr:PutImage',
        ], [t.repositoryArn]),
        // ecs-canary-deploy
        statement('EcsTaskDefinitions', ['ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'], ['*']),
        statement('EcsServices', ['ecs:DescribeServices', 'ecs:UpdateService'], [...t.serviceArns]),
        statement('EcsServiceDeployments', [
            'ecs:ListServiceDeployments',
            'ecs:DescribeServiceDeployments',
            'ecs:DescribeServiceRevisions',
            'ecs:ContinueServiceDeployment',
            'ecs:StopServiceDeployment',
        ], [
            ...t.serviceArns,
            ...t.serviceNames.map((name) => arn('ecs', 'service-deployment', `${t.clusterName}/${name}/*`)),
            ...t.serviceNames.map((name) => arn('ecs', 'service-revision', `${t.clusterName}/${name}/*`)),
        ]),
        statement('EcsListTasks', ['ecs:ListTasks'], ['*'], {
            ArnEquals: { 'ecs:cluster': t.clusterArn },
        }),
        statement('EcsTasks', ['ecs:DescribeTasks', 'ecs:StopTask'], [arn('ecs', 'task', `${t.clusterName}/*`)]),
        // rds-migrate mode: ecs-task
        statement('EcsRunMigration', ['ecs:RunTask'], t.runTaskFamilies.map((family) => arn('ecs', 'task-definition', `${family}:*`)), { ArnEquals: { 'ecs:cluster': t.clusterArn } }),
        // ecs-canary-deploy registers a revision with its source revision's tags: tag-on-create only.
        statement('EcsTagNewRevisions', ['ecs:TagResource'], t.taskFamilies.map((family) => arn('ecs', 'task-definition', `${family}:*`)), { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } }),
        statement('PassTaskRoles', ['iam:PassRole'], [...t.passRoleArns], {
            StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        }),
        statement('LoadBalancerReads', [
            'elasticloadbalancing:DescribeRules',
            'elasticloadbalancing:DescribeTargetGroups',
            'elasticloadbalancing:DescribeTargetHealth',
        ], ['*']),
        statement('Metrics', ['cloudwatch:GetMetricData'], ['*']),
        statement('Alarms', ['cloudwatch:DescribeAlarms'], [...t.alarmArns]),
        statement('TaskLogs', ['logs:GetLogEvents'], t.logGroupNames.map((group) => stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${group}:log-stream:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }))),
        // the workflows read the environment's deploy document
        statement('DeployDocument', ['ssm:GetParameter'], [t.deployDocumentParameterArn]),
        // deploy-command finish announces a failed or rolled-back deploy on the alarm topic; SNS uses
        // the topic's key as the publisher (GenerateDataKey for the message, Decrypt for its data key)
        statement('Notifications', ['sns:Publish'], [t.notificationTopicArn]),
        statement('NotificationsKey', ['kms:GenerateDataKey', 'kms:Decrypt'], [t.notificationKeyArn], {
            StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` },
        }),
        // the SPA: objects in the site bucket, invalidations of the distribution
        statement('SiteObjects', ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], [`${t.siteBucketArn}/*`]),
        statement('SiteBucket', ['s3:ListBucket'], [t.siteBucketArn]),
        statement('Invalidations', ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'], [t.distributionArn]),
    ];
}
