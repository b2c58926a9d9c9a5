import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
export class Network extends Construct {
    vpc;
    endpointSecurityGroup;
    constructor(scope, id, props) {
        super(scope, id);
        this.vpc = new ec2.Vpc(this, 'Vpc', {
            ipAddresses: ec2.IpAddresses.cidr(props.cidr),
            maxAzs: props.availabilityZones,
            natGateways: props.natGateways,
            subnetConfiguration: [
                { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
                { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
                { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
            ],
            restrictDefaultSecurityGroup: false,
        });
        const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
            retention: props.logRetention,
            removalPolicy: props.removalPolicy,
        });
        this.vpc.addFlowLog('FlowLog', {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
            trafficType: ec2.FlowLogTrafficType.ALL,
        });
        this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSg', {
            vpc: this.vpc,
            description: 'Interface endpoints: HTTPS from inside the VPC',
            allowAllOutbound: false,
        });
        this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS from the VPC');
        const interfaceEndpoints = {
            EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
            EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
            Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
            SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        };
        for (const [name, service] of Object.entries(interfaceEndpoints)) {
            this.vpc.addInterfaceEndpoint(name, {
                service,
                subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
                securityGroups: [this.endpointSecurityGroup],
                privateDnsEnabled: true,
                open: false,
            });
        }
        this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    }
}
