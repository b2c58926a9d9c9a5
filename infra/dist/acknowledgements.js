// cdk-nag findings acknowledged, each with its reason. Anything not listed here fails the
// infra tests (infra/test/nag.test.ts).
import { Validations } from 'aws-cdk-lib';
function ack(scope, id, reason) {
    Validations.of(scope).acknowledge({ id, reason });
}
export function acknowledgeFindings(stack) {
    const protect = stack.protectData;
    ack(stack.network.endpointSecurityGroup, 'AwsSolutions-EC23', 'Ingress is HTTPS from the VPC CIDR only (a token cdk-nag cannot read), not from the internet.');
    ack(stack.api.albSecurityGroup, 'AwsSolutions-EC23', 'The internet-facing ALB is the CloudFront origin for /api/*; set albIngressPrefixListId to the CloudFront origin-facing prefix list to narrow it.');
    ack(stack.data.instance, 'AwsSolutions-RDS11', 'The default port is reachable only from the proxy, the migration task and the rotation function security groups.');
    if (!protect) {
        ack(stack.data.instance, 'AwsSolutions-RDS3', 'Staging runs a single-AZ instance to halve its cost; production is Multi-AZ (validated in config).');
        ack(stack.data.instance, 'AwsSolutions-RDS10', 'Staging is disposable; production has deletion protection (asserted in infra/test).');
    }
    if (stack.data.replica) {
        ack(stack.data.replica, 'AwsSolutions-RDS3', 'A read replica is a read scale-out; the primary it follows is Multi-AZ.');
        ack(stack.data.replica, 'AwsSolutions-RDS11', 'The default port is reachable only from the same security groups as the primary.');
    }
    ack(stack.data.instance.node.findChild('MonitoringRole'), 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]', 'Enhanced Monitoring needs exactly AmazonRDSEnhancedMonitoringRole, maintained by AWS.');
    ack(stack.api.trafficRole, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]', "ECS-native deployments move listener-rule weights with AWS's AmazonECSInfrastructureRolePolicyForLoadBalancers, kept current by AWS as those deployments change.");
    ack(stack.appSecrets, 'AwsSolutions-SMG4', 'The session signing key is rotated by the app (it accepts the previous key during a rotation); the database secret rotates every 30 days.');
    for (const task of [
        stack.api.taskDefinition,
        stack.worker.taskDefinition,
        stack.migration.taskDefinition,
    ])
        ack(task, 'AwsSolutions-ECS2', 'The environment carries only non-secret settings (proxy host, database name, queue URL, secret ARN); secrets come from Secrets Manager.');
    ack(stack.edge.distribution, 'AwsSolutions-CFR1', 'The app serves every country; WAF rate-limits and filters instead.');
    if (!stack.edge.customDomain)
        ack(stack.edge.distribution, 'AwsSolutions-CFR4', 'Without a site domain CloudFront serves its default *.cloudfront.net certificate, whose TLS floor CloudFront sets; give site.domainName and site.certificateArn to pin TLSv1.2_2021.');
    acknowledgeDeployWildcards(stack);
    acknowledgeDiffStackReads(stack);
}
/** The diff role reads its stacks by name; CloudFormation puts a generated id after it. */
function acknowledgeDiffStackReads(stack) {
    for (const t of stack.infra.readStacks)
        ack(stack.infra.diffRole, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${t.region}:${t.account}:stack/${t.stackName}/*]`, "One stack of this app, by name: CloudFormation's stack ARN ends in an id generated at creation.");
}
/**
 * The deploy role's wildcards, each acknowledged by its exact finding, so a new wildcard fails
 * the tests. Each is the narrowest AWS allows; the statements are asserted one by one in
 * infra/test/delivery.test.ts.
 */
function acknowledgeDeployWildcards(stack) {
    const ref = (construct) => stack.resolve(stack.getLogicalId(construct.node.defaultChild));
    const arn = (service, rest) => `arn:<AWS::Partition>:${service}:${stack.region}:${stack.account}:${rest}`;
    const cluster = `<${ref(stack.api.cluster)}>`;
    const findings = [
        [
            '*',
            'Only for actions without resource-level permissions (ecr:GetAuthorizationToken, ecs:RegisterTaskDefinition, ecs:DescribeTaskDefinition, elasticloadbalancing:Describe*, cloudwatch:GetMetricData) and ecs:ListTasks, which is held to this cluster by an ecs:cluster condition.',
        ],
        [
            `<${ref(stack.edge.bucket)}.Arn>/*`,
            "Objects of this stack's site bucket: the SPA upload writes and deletes files by name.",
        ],
        [arn('ecs', `task/${cluster}/*`), 'Tasks of this cluster: ECS names them with generated ids.'],
    ];
    for (const task of [
        stack.api.taskDefinition,
        stack.worker.taskDefinition,
        stack.migration.taskDefinition,
    ])
        findings.push([
            arn('ecs', `task-definition/${task.family}:*`),
            `Revisions of the ${task.family} family, registered by deploys (tagged on creation; the migration family also run).`,
        ]);
    for (const service of [stack.api.service, stack.worker.service]) {
        const name = `<${ref(service)}.Name>`;
        findings.push([
            arn('ecs', `service-deployment/${cluster}/${name}/*`),
            'Deployments of this service: ECS generates their ids.',
        ], [
            arn('ecs', `service-revision/${cluster}/${name}/*`),
            'Revisions of this service: ECS generates their ids.',
        ]);
    }
    for (const group of [stack.api.logGroup, stack.worker.logGroup, stack.migration.logGroup])
        findings.push([
            arn('logs', `log-group:<${ref(group)}>:log-stream:*`),
            "Streams of this stack's log group: named per task.",
        ]);
    for (const [resource, reason] of findings)
        ack(stack.deploy.role, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
}
