// One environment's stack: network, data, API, async work, edge, observability and delivery,
// and the deploy document the suite's workflows read.
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Api, APP_CONTAINER, TEST_LISTENER_PORT, HEALTH_PATH } from "./api.js";
import { validateConfig } from "./config.js";
import { Data } from "./data.js";
import { DeployRole, imageRepository } from "./delivery.js";
import { Edge } from "./edge.js";
import { INFRA_DIFF_ENVIRONMENT, InfraRoles, infraWorkflowRef, } from "./infra-roles.js";
import { MIGRATION_CONTAINER, MigrationTask } from "./migration.js";
import { Network } from "./network.js";
import { Observability } from "./observability.js";
import { Worker } from "./worker.js";
export const DEPLOY_DOCUMENT_VERSION = 1;
export const DEPLOY_DOCUMENT_PREFIX = '/aws-ship-suite/';
export class ShipStack extends Stack {
    prefix;
    network;
    data;
    api;
    worker;
    edge;
    observability;
    deploy;
    /** The roles infra.yml runs `cdk deploy` and `cdk diff` as. */
    infra;
    migration;
    appSecrets;
    protectData;
    /** The deploy document's fields (tokens until deployed). */
    deployDocument;
    constructor(scope, id, props) {
        super(scope, id, props);
        if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.app))
            throw new Error(`infra app name "${props.app}": use 1 to 20 lower-case letters, digits and -, starting with a letter.`);
        const config = validateConfig(props.config);
        const prefix = `${props.app}-${config.name}`;
        this.prefix = prefix;
        this.protectData = config.protectData;
        const removalPolicy = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
        const logRetention = config.logRetentionDays;
        this.network = new Network(this, 'Network', {
            cidr: config.vpcCidr,
            availabilityZones: config.availabilityZones,
            natGateways: config.natGateways,
            logRetention,
            removalPolicy,
        });
        const vpc = this.network.vpc;
        const logBucket = new s3.Bucket(this, 'AccessLogs', {
            blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
            encryption: s3.BucketEncryption.S3_MANAGED,
            enforceSSL: true,
            minimumTLSVersion: 1.2,
            // CloudFront standard logs are delivered through ACLs.
            objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            removalPolicy,
            lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
        });
        const repository = imageRepository(this, 'Repository', { name: prefix, removalPolicy });
        const image = ecs.ContainerImage.fromRegistry(config.bootstrapImage);
        this.data = new Data(this, 'Data', {
            vpc,
            database: config.database,
            protectData: config.protectData,
            databaseName: props.app.replace(/-/g, '_'),
        });
        const appSecrets = (this.appSecrets = new secretsmanager.Secret(this, 'AppSecrets', {
            description: `${prefix} application secrets (JSON)`,
            generateSecretString: {
                secretStringTemplate: '{}',
                generateStringKey: 'SESSION_KEY',
                passwordLength: 48,
                excludePunctuation: true,
            },
            removalPolicy,
        }));
        const databaseEnvironment = {
            DB_HOST: this.data.proxy.endpoint,
            DB_PORT: '5432',
            DB_NAME: this.data.databaseName,
            DB_USER: 'app',
            DB_IAM_AUTH: 'true',
        };
        const secrets = { SESSION_KEY: ecs.Secret.fromSecretsManager(appSecrets, 'SESSION_KEY') };
        this.api = new Api(this, 'Api', {
            prefix,
            vpc,
            certificateArn: config.albCertificateArn,
            image,
            size: config.api,
            environment: databaseEnvironment,
            secrets,
            testListenerCidrs: config.testListenerCidrs ?? [config.vpcCidr],
            albIngressPrefixListId: config.albIngressPrefixListId,
            accessLogs: logBucket,
            logRetention,
            removalPolicy,
            deletionProtection: config.protectData,
        });
        this.worker = new Worker(this, 'Worker', {
            prefix,
            cluster: this.api.cluster,
            image,
            command: config.workerCommand,
            size: config.worker,
            environment: databaseEnvironment,
            secrets,
            logRetention,
            removalPolicy,
        });
        this.migration = new MigrationTask(this, 'Migration', {
            prefix,
            vpc,
            image,
            command: config.migrationCommand,
            databaseSecret: this.data.secret,
            logRetention,
            removalPolicy,
        });
        this.data.allowProxyClient(this.api.serviceSecurityGroup, 'from the API service');
        this.data.allowProxyClient(this.worker.securityGroup, 'from the worker service');
        this.data.allowDirectClient(this.migration.securityGroup, 'from the migration task');
        this.data.proxy.grantConnect(this.api.taskDefinition.taskRole, 'app');
        this.data.proxy.grantConnect(this.worker.taskDefinition.taskRole, 'app');
        this.edge = new Edge(this, 'Edge', {
            apiOriginDomainName: config.apiOriginDomainName,
            webAclArn: props.webAclArn,
            site: config.site,
            logBucket,
            removalPolicy,
        });
        this.observability = new Observability(this, 'Observability', {
            prefix,
            loadBalancer: this.api.loadBalancer,
            targetGroups: [this.api.blueTargetGroup, this.api.greenTargetGroup],
            apiService: this.api.service,
            workerService: this.worker.service,
            database: this.data.instance,
            replica: this.data.replica,
            allocatedStorageGiB: config.database.allocatedStorageGiB,
            queue: this.worker.queue,
            deadLetterQueue: this.worker.deadLetterQueue,
            alarmEmails: config.alarmEmails ?? [],
        });
        // ECS rolls a deployment back by itself when these fire, as ecs-canary-deploy's analysis does.
        this.api.service.enableDeploymentAlarms(this.observability.deployAlarms.map((a) => a.alarmName), { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
        const deployRoleName = `${prefix}-deploy`;
        const parameterName = `${DEPLOY_DOCUMENT_PREFIX}${deployRoleName}`;
        const taskDefinitions = [
            this.api.taskDefinition,
            this.worker.taskDefinition,
            this.migration.taskDefinition,
        ];
        this.deploy = new DeployRole(this, 'Deploy', {
            roleName: deployRoleName,
            environment: config.name,
            repository: config.repository,
            deployWorkflowRef: config.deployWorkflowRef,
            oidcProvider: config.oidcProvider,
            targets: {
                repositoryArn: repository.repositoryArn,
                clusterArn: this.api.cluster.clusterArn,
                clusterName: this.api.cluster.clusterName,
                serviceArns: [this.api.service.serviceArn, this.worker.service.serviceArn],
                serviceNames: [this.api.service.serviceName, this.worker.service.serviceName],
                taskFamilies: taskDefinitions.map((t) => t.family),
                runTaskFamilies: [this.migration.taskDefinition.family],
                passRoleArns: taskDefinitions.flatMap((t) => [
                    t.taskRole.roleArn,
                    t.obtainExecutionRole().roleArn,
                ]),
                alarmArns: this.observability.alarms.map((a) => a.alarmArn),
                logGroupNames: [
                    this.api.logGroup.logGroupName,
                    this.worker.logGroup.logGroupName,
                    this.migration.logGroup.logGroupName,
                ],
                deployDocumentParameterArn: this.formatArn({
                    service: 'ssm',
                    resource: 'parameter',
                    resourceName: parameterName.slice(1),
                }),
                siteBucketArn: this.edge.bucket.bucketArn,
                distributionArn: this.formatArn({
                    service: 'cloudfront',
                    region: '',
                    resource: 'distribution',
                    resourceName: this.edge.distribution.distributionId,
                }),
                notificationTopicArn: this.observability.topic.topicArn,
                notificationKeyArn: this.observability.topicKey.keyArn,
            },
        });
        const self = { account: this.account, region: this.region, stackName: this.stackName };
        this.infra = new InfraRoles(this, 'Infra', {
            prefix,
            repository: config.repository,
            environment: config.name,
            diffEnvironment: config.infraDiffEnvironment ?? INFRA_DIFF_ENVIRONMENT,
            workflowRef: infraWorkflowRef(config.deployWorkflowRef),
            providerArn: this.deploy.providerArn,
            deployTargets: props.infraTargets?.deploy ?? [self],
            diffTargets: props.infraTargets?.diff ?? [self],
        });
        const privateSubnets = vpc.selectSubnets({
            subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
        }).subnetIds;
        this.deployDocument = {
            version: DEPLOY_DOCUMENT_VERSION,
            environment: config.name,
            account: this.account,
            region: this.region,
            deployRoleArn: this.deploy.role.roleArn,
            ecr: { repositoryName: repository.repositoryName, repositoryUri: repository.repositoryUri },
            ecs: {
                cluster: this.api.cluster.clusterName,
                service: this.api.service.serviceName,
                taskFamily: this.api.taskDefinition.family,
                container: APP_CONTAINER,
                workerService: this.worker.service.serviceName,
                workerTaskFamily: this.worker.taskDefinition.family,
                taskRoleArn: this.api.taskDefinition.taskRole.roleArn,
                executionRoleArn: this.api.taskDefinition.obtainExecutionRole().roleArn,
                smokeUrl: `https://${config.apiOriginDomainName}:${TEST_LISTENER_PORT}${HEALTH_PATH}`,
            },
            alarms: {
                canary: this.observability.deployAlarms.map((a) => a.alarmName),
                all: this.observability.alarms.map((a) => a.alarmName),
            },
            migration: {
                cluster: this.api.cluster.clusterName,
                taskDefinition: this.migration.taskDefinition.family,
                container: MIGRATION_CONTAINER,
                subnets: privateSubnets,
                securityGroups: [this.migration.securityGroup.securityGroupId],
                databaseSecretArn: this.data.secret.secretArn,
            },
            database: { proxyEndpoint: this.data.proxy.endpoint, name: this.data.databaseName },
            queue: { url: this.worker.queue.queueUrl },
            site: {
                bucket: this.edge.bucket.bucketName,
                distributionId: this.edge.distribution.distributionId,
                domainName: this.edge.distribution.distributionDomainName,
            },
            // deploy-command finish announces a failed or rolled-back deploy here (notify-topic-arn)
            notifications: { topicArn: this.observability.topic.topicArn },
        };
        const document = this.toJsonString(this.deployDocument);
        new ssm.StringParameter(this, 'DeployDocument', {
            parameterName,
            description: `${prefix}: everything a deploy needs (aws-ship-suite deploy document v${DEPLOY_DOCUMENT_VERSION})`,
            stringValue: document,
        });
        new CfnOutput(this, 'DeployDocumentJson', {
            value: document,
            description: 'The deploy document',
        });
        new CfnOutput(this, 'DeployRoleArn', {
            value: this.deploy.role.roleArn,
            description: 'The one value to set in the GitHub environment (AWS_DEPLOY_ROLE_ARN)',
        });
        new CfnOutput(this, 'InfraDeployRoleArn', {
            value: this.infra.deployRole.roleArn,
            description: `infra.yml's cdk deploy role in ${config.name}: the caller's ${config.name.toUpperCase().replace(/-/g, '_')}_INFRA_ROLE_ARN`,
        });
        new CfnOutput(this, 'InfraDiffRoleArn', {
            value: this.infra.diffRole.roleArn,
            description: "infra.yml's read-only cdk diff role for pull requests: the caller's INFRA_DIFF_ROLE_ARN",
        });
        const outputs = {
            Cluster: this.api.cluster.clusterName,
            Service: this.api.service.serviceName,
            TaskFamily: this.api.taskDefinition.family,
            RepositoryUri: repository.repositoryUri,
            CanaryAlarms: this.observability.deployAlarms.map((a) => a.alarmName).join(','),
            MigrationTaskDefinition: this.migration.taskDefinition.family,
            MigrationSubnets: privateSubnets.join(','),
            MigrationSecurityGroup: this.migration.securityGroup.securityGroupId,
            DatabaseSecretArn: this.data.secret.secretArn,
            SiteBucket: this.edge.bucket.bucketName,
            DistributionId: this.edge.distribution.distributionId,
            TaskRoleArn: this.api.taskDefinition.taskRole.roleArn,
            ExecutionRoleArn: this.api.taskDefinition.obtainExecutionRole().roleArn,
        };
        for (const [name, value] of Object.entries(outputs))
            new CfnOutput(this, name, { value });
    }
}
