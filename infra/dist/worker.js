import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
export class Worker extends Construct {
    queue;
    deadLetterQueue;
    service;
    taskDefinition;
    securityGroup;
    logGroup;
    constructor(scope, id, props) {
        super(scope, id);
        this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            retentionPeriod: Duration.days(14),
            removalPolicy: props.removalPolicy,
        });
        this.queue = new sqs.Queue(this, 'Jobs', {
            encryption: sqs.QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            visibilityTimeout: Duration.minutes(5),
            retentionPeriod: Duration.days(4),
            deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
            removalPolicy: props.removalPolicy,
        });
        const logGroup = (this.logGroup = new logs.LogGroup(this, 'Logs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
        }));
        this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
            family: `${props.prefix}-worker`,
            cpu: props.size.cpu,
            memoryLimitMiB: props.size.memoryMiB,
            runtimePlatform: {
                cpuArchitecture: ecs.CpuArchitecture.ARM64,
                operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
            },
        });
        this.taskDefinition.addContainer('worker', {
            image: props.image,
            command: [...props.command],
            essential: true,
            environment: { ...props.environment, QUEUE_URL: this.queue.queueUrl },
            secrets: props.secrets,
            readonlyRootFilesystem: true,
            logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup }),
        });
        this.queue.grantConsumeMessages(this.taskDefinition.taskRole);
        this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
            vpc: props.cluster.vpc,
            description: 'Worker tasks: no ingress; out to HTTPS and the proxy',
            allowAllOutbound: false,
        });
        this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS (endpoints, SQS)');
        this.service = new ecs.FargateService(this, 'Service', {
            cluster: props.cluster,
            serviceName: `${props.prefix}-worker`,
            taskDefinition: this.taskDefinition,
            taskDefinitionRevision: ecs.TaskDefinitionRevision.LATEST,
            desiredCount: props.size.minTasks,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [this.securityGroup],
            assignPublicIp: false,
            deploymentController: { type: ecs.DeploymentControllerType.ECS },
            circuitBreaker: { enable: true, rollback: true },
            minHealthyPercent: 100,
            maxHealthyPercent: 200,
            propagateTags: ecs.PropagatedTagSource.SERVICE,
        });
        const scaling = this.service.autoScaleTaskCount({
            minCapacity: props.size.minTasks,
            maxCapacity: props.size.maxTasks,
        });
        scaling.scaleOnMetric('QueueDepth', {
            metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
            scalingSteps: [
                { upper: 0, change: -1 },
                { lower: 100, change: +1 },
                { lower: 1000, change: +3 },
            ],
            cooldown: Duration.minutes(2),
        });
    }
}
