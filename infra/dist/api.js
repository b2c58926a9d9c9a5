import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
export const APP_PORT = 8080;
export const HEALTH_PATH = '/health';
export const TEST_LISTENER_PORT = 9443;
export const APP_CONTAINER = 'app';
/** Target of the request-based scaling: requests per running task per minute. */
export const REQUESTS_PER_TASK_PER_MINUTE = 1000;
export class Api extends Construct {
    cluster;
    loadBalancer;
    httpsListener;
    testListener;
    blueTargetGroup;
    greenTargetGroup;
    productionRule;
    testRule;
    trafficRole;
    taskDefinition;
    service;
    serviceSecurityGroup;
    albSecurityGroup;
    logGroup;
    scaling;
    constructor(scope, id, props) {
        super(scope, id);
        const { vpc } = props;
        this.cluster = new ecs.Cluster(this, 'Cluster', {
            vpc,
            clusterName: props.prefix,
            containerInsightsV2: ecs.ContainerInsights.ENABLED,
        });
        const albSecurityGroup = (this.albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSg', {
            vpc,
            description: 'ALB: HTTPS from CloudFront or the internet, the test listener from listed ranges',
            allowAllOutbound: false,
        }));
        const httpsPeer = props.albIngressPrefixListId
            ? ec2.Peer.prefixList(props.albIngressPrefixListId)
            : ec2.Peer.anyIpv4();
        albSecurityGroup.addIngressRule(httpsPeer, ec2.Port.tcp(443), 'HTTPS');
        albSecurityGroup.addIngressRule(httpsPeer, ec2.Port.tcp(80), 'HTTP, redirected to HTTPS');
        for (const cidr of props.testListenerCidrs)
            albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(TEST_LISTENER_PORT), 'test listener');
        this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
            vpc,
            internetFacing: true,
            vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
            securityGroup: albSecurityGroup,
            dropInvalidHeaderFields: true,
            deletionProtection: props.deletionProtection,
        });
        this.loadBalancer.logAccessLogs(props.accessLogs, 'alb');
        // Not addRedirect: it opens port 80 to 0.0.0.0/0 whatever the ingress above says.
        this.loadBalancer.addListener('Http', {
            port: 80,
            protocol: elbv2.ApplicationProtocol.HTTP,
            defaultAction: elbv2.ListenerAction.redirect({
                protocol: 'HTTPS',
                port: '443',
                permanent: true,
            }),
            open: false,
        });
        const certificates = [elbv2.ListenerCertificate.fromArn(props.certificateArn)];
        const notFound = elbv2.ListenerAction.fixedResponse(404, {
            contentType: 'text/plain',
            messageBody: 'not found',
        });
        this.httpsListener = this.loadBalancer.addListener('Https', {
            port: 443,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates,
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            defaultAction: notFound,
            open: false,
        });
        this.testListener = this.loadBalancer.addListener('Test', {
            port: TEST_LISTENER_PORT,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates,
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            defaultAction: notFound,
            open: false,
        });
        const targetGroup = (name) => new elbv2.ApplicationTargetGroup(this, name, {
            vpc,
            port: APP_PORT,
            protocol: elbv2.ApplicationProtocol.HTTP,
            targetType: elbv2.TargetType.IP,
            deregistrationDelay: Duration.seconds(30),
            healthCheck: {
                path: HEALTH_PATH,
                healthyHttpCodes: '200',
                interval: Duration.seconds(10),
                timeout: Duration.seconds(5),
                healthyThresholdCount: 2,
                unhealthyThresholdCount: 2,
            },
        });
        this.blueTargetGroup = targetGroup('Blue');
        this.greenTargetGroup = targetGroup('Green');
        // Forward-only rules: ECS moves the weights between the two groups on every deployment.
        const forwardBoth = elbv2.ListenerAction.weightedForward([
            { targetGroup: this.blueTargetGroup, weight: 100 },
            { targetGroup: this.greenTargetGroup, weight: 0 },
        ]);
        this.productionRule = new elbv2.ApplicationListenerRule(this, 'ProductionRule', {
            listener: this.httpsListener,
            priority: 1,
            conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
            action: forwardBoth,
        });
        this.testRule = new elbv2.ApplicationListenerRule(this, 'TestRule', {
            listener: this.testListener,
            priority: 1,
            conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
            action: forwardBoth,
        });
        this.logGroup = new logs.LogGroup(this, 'Logs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
        });
        this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
            family: `${props.prefix}-api`,
            cpu: props.size.cpu,
            memoryLimitMiB: props.size.memoryMiB,
            runtimePlatform: {
                cpuArchitecture: ecs.CpuArchitecture.ARM64,
                operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
            },
        });
        this.taskDefinition.addContainer(APP_CONTAINER, {
            image: props.image,
            essential: true,
            portMappings: [{ containerPort: APP_PORT, name: 'http' }],
            environment: props.environment,
            secrets: props.secrets,
            readonlyRootFilesystem: true,
            logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api', logGroup: this.logGroup }),
        });
        this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSg', {
            vpc,
            description: 'API tasks: from the ALB; out to the VPC endpoints, the proxy and HTTPS',
            allowAllOutbound: false,
        });
        this.serviceSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS (endpoints, AWS APIs)');
        this.serviceSecurityGroup.addIngressRule(albSecurityGroup, ec2.Port.tcp(APP_PORT), 'from the ALB');
        albSecurityGroup.addEgressRule(this.serviceSecurityGroup, ec2.Port.tcp(APP_PORT), 'to the tasks');
        this.service = new ecs.FargateService(this, 'Service', {
            cluster: this.cluster,
            serviceName: `${props.prefix}-api`,
            taskDefinition: this.taskDefinition,
            // The suite's deploy action registers new revisions; a stack update must not roll them back.
            taskDefinitionRevision: ecs.TaskDefinitionRevision.LATEST,
            desiredCount: props.size.minTasks,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [this.serviceSecurityGroup],
            assignPublicIp: false,
            deploymentController: { type: ecs.DeploymentControllerType.ECS },
            circuitBreaker: { enable: true, rollback: true },
            deploymentStrategy: ecs.DeploymentStrategy.CANARY,
            canaryConfiguration: { stepPercent: 10, stepBakeTime: Duration.minutes(10) },
            bakeTime: Duration.minutes(10),
            minHealthyPercent: 100,
            maxHealthyPercent: 200,
            healthCheckGracePeriod: Duration.seconds(60),
            enableExecuteCommand: false,
            propagateTags: ecs.PropagatedTagSource.SERVICE,
        });
        this.trafficRole = new iam.Role(this, 'TrafficRole', {
            assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
            description: 'ECS moves traffic between the blue and green target groups during deployments',
            // AWS's policy for exactly this role, kept current by AWS as ECS's traffic moves change.
            managedPolicies: [
                iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers'),
            ],
        });
        this.blueTargetGroup.addTarget(this.service.loadBalancerTarget({
            containerName: APP_CONTAINER,
            containerPort: APP_PORT,
            alternateTarget: new ecs.AlternateTarget('Green', {
                alternateTargetGroup: this.greenTargetGroup,
                productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionRule),
                testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.testRule),
                role: this.trafficRole,
            }),
        }));
        this.scaling = this.service.autoScaleTaskCount({
            minCapacity: props.size.minTasks,
            maxCapacity: props.size.maxTasks,
        });
        this.scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
        // Requests per task across both target groups: ECS swaps the groups' roles on every
        // deployment, so ALBRequestCountPerTarget of one group would read zero after the first swap.
        // Target tracking takes metric math only through the L1 resource.
        const target = this.scaling.node.findChild('Target');
        new appscaling.CfnScalingPolicy(this, 'RequestsPerTask', {
            policyName: `${props.prefix}-api-requests-per-task`,
            policyType: 'TargetTrackingScaling',
            scalingTargetId: target.scalableTargetId,
            targetTrackingScalingPolicyConfiguration: {
                targetValue: REQUESTS_PER_TASK_PER_MINUTE,
                scaleInCooldown: 300,
                scaleOutCooldown: 60,
                customizedMetricSpecification: {
                    metrics: [
                        {
                            id: 'requests',
                            metricStat: {
                                metric: {
                                    namespace: 'AWS/ApplicationELB',
                                    metricName: 'RequestCount',
                                    dimensions: [
                                        { name: 'LoadBalancer', value: this.loadBalancer.loadBalancerFullName },
                                    ],
                                },
                                stat: 'Sum',
                            },
                            returnData: false,
                        },
                        {
                            id: 'tasks',
                            metricStat: {
                                metric: {
                                    namespace: 'ECS/ContainerInsights',
                                    metricName: 'RunningTaskCount',
                                    dimensions: [
                                        { name: 'ClusterName', value: this.cluster.clusterName },
                                        { name: 'ServiceName', value: this.service.serviceName },
                                    ],
                                },
                                stat: 'Average',
                            },
                            returnData: false,
                        },
                        {
                            id: 'perTask',
                            expression: 'requests / tasks',
                            label: 'requests per task per minute',
                            returnData: true,
                        },
                    ],
                },
            },
        });
    }
}
