import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
export const MIGRATION_CONTAINER = 'migrate';
export class MigrationTask extends Construct {
    taskDefinition;
    securityGroup;
    logGroup;
    constructor(scope, id, props) {
        super(scope, id);
        this.logGroup = new logs.LogGroup(this, 'Logs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
        });
        this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
            family: `${props.prefix}-migrate`,
            cpu: 256,
            memoryLimitMiB: 512,
            runtimePlatform: {
                cpuArchitecture: ecs.CpuArchitecture.ARM64,
                operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
            },
        });
        this.taskDefinition.addContainer(MIGRATION_CONTAINER, {
            image: props.image,
            command: [...props.command],
            essential: true,
            readonlyRootFilesystem: true,
            environment: { DB_SECRET_ID: props.databaseSecret.secretArn },
            logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'migrate', logGroup: this.logGroup }),
        });
        // rds-migrate's secret-id is read by the task's role inside the VPC, never by the runner.
        props.databaseSecret.grantRead(this.taskDefinition.taskRole);
        this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
            vpc: props.vpc,
            description: 'Migration task: no ingress; out to PostgreSQL and HTTPS',
            allowAllOutbound: false,
        });
        this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS (endpoints, ECR)');
    }
}
