// PostgreSQL on RDS: encrypted, TLS-only, backed up with point-in-time recovery, its master
// secret rotated every 30 days, an RDS Proxy (TLS + IAM auth) in front, an optional read replica.
// Only the security groups handed to allowClient (the service, the worker, the migration task)
// reach it.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
export const POSTGRES_PORT = 5432;
export class Data extends Construct {
    instance;
    secret;
    proxy;
    replica;
    instanceSecurityGroup;
    proxySecurityGroup;
    databaseName;
    constructor(scope, id, props) {
        super(scope, id);
        const { vpc, database } = props;
        this.databaseName = props.databaseName;
        const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
        this.instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSg', {
            vpc,
            description: 'PostgreSQL: from the proxy, the migration task and the rotation function only',
            allowAllOutbound: false,
        });
        this.proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySg', {
            vpc,
            description: 'RDS Proxy: from the service and the worker only',
            allowAllOutbound: false,
        });
        this.proxySecurityGroup.addEgressRule(this.instanceSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'to PostgreSQL');
        this.instanceSecurityGroup.addIngressRule(this.proxySecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'from the proxy');
        const engine = rds.DatabaseInstanceEngine.postgres({
            version: rds.PostgresEngineVersion.of(database.postgresMajorVersion, database.postgresMajorVersion),
        });
        const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
            engine,
            parameters: { 'rds.force_ssl': '1' },
        });
        const protect = props.protectData;
        this.instance = new rds.DatabaseInstance(this, 'Postgres', {
            engine,
            instanceType: new ec2.InstanceType(database.instanceType),
            vpc,
            vpcSubnets: isolated,
            securityGroups: [this.instanceSecurityGroup],
            multiAz: database.multiAz,
            allocatedStorage: database.allocatedStorageGiB,
            storageType: rds.StorageType.GP3,
            storageEncrypted: true,
            parameterGroup,
            databaseName: props.databaseName,
            credentials: rds.Credentials.fromGeneratedSecret('app_admin'),
            backupRetention: Duration.days(database.backupRetentionDays),
            deletionProtection: protect,
            removalPolicy: protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
            deleteAutomatedBackups: !protect,
            iamAuthentication: true,
            autoMinorVersionUpgrade: true,
            enablePerformanceInsights: true,
            cloudwatchLogsExports: ['postgresql'],
            monitoringInterval: Duration.seconds(60),
            copyTagsToSnapshot: true,
            publiclyAccessible: false,
        });
        if (!this.instance.secret)
            throw new Error('the generated master secret is missing');
        this.secret = this.instance.secret;
        const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSg', {
            vpc,
            description: 'Secret rotation function: to PostgreSQL and Secrets Manager',
            allowAllOutbound: false,
        });
        rotationSecurityGroup.addEgressRule(this.instanceSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'to PostgreSQL');
        rotationSecurityGroup.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'to the Secrets Manager endpoint');
        this.instanceSecurityGroup.addIngressRule(rotationSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'from the rotation function');
        new secretsmanager.RotationSchedule(this, 'MasterRotation', {
            secret: this.secret,
            automaticallyAfter: Duration.days(30),
            hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
                vpc,
                vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
                securityGroups: [rotationSecurityGroup],
            }),
        });
        this.proxy = this.instance.addProxy('Proxy', {
            secrets: [this.secret],
            vpc,
            vpcSubnets: isolated,
            securityGroups: [this.proxySecurityGroup],
            requireTLS: true,
            iamAuth: true,
        });
        this.replica = database.readReplica
            ? new rds.DatabaseInstanceReadReplica(this, 'Replica', {
                sourceDatabaseInstance: this.instance,
                instanceType: new ec2.InstanceType(database.instanceType),
                vpc,
                vpcSubnets: isolated,
                securityGroups: [this.instanceSecurityGroup],
                storageEncrypted: true,
                deletionProtection: protect,
                removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
                autoMinorVersionUpgrade: true,
                enablePerformanceInsights: true,
                publiclyAccessible: false,
                parameterGroup,
            })
            : undefined;
    }
    /** Lets a client through the proxy (IAM auth, TLS). */
    allowProxyClient(client, description) {
        this.proxySecurityGroup.addIngressRule(client, ec2.Port.tcp(POSTGRES_PORT), description);
        client.addEgressRule(this.proxySecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'to the RDS Proxy');
    }
    /** Lets a client straight to the instance (the migration task: DDL and its advisory lock). */
    allowDirectClient(client, description) {
        this.instanceSecurityGroup.addIngressRule(client, ec2.Port.tcp(POSTGRES_PORT), description);
        client.addEgressRule(this.instanceSecurityGroup, ec2.Port.tcp(POSTGRES_PORT), 'to PostgreSQL');
    }
}
