import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
export interface ObservabilityProps {
    readonly prefix: string;
    readonly loadBalancer: elbv2.ApplicationLoadBalancer;
    readonly targetGroups: readonly elbv2.ApplicationTargetGroup[];
    readonly apiService: ecs.FargateService;
    readonly workerService: ecs.FargateService;
    readonly database: rds.DatabaseInstance;
    readonly replica: rds.DatabaseInstanceReadReplica | undefined;
    readonly allocatedStorageGiB: number;
    readonly queue: sqs.Queue;
    readonly deadLetterQueue: sqs.Queue;
    readonly alarmEmails: readonly string[];
}
export declare class Observability extends Construct {
    readonly topic: sns.Topic;
    /** The topic's KMS key: publishers (CloudWatch, the deploy role) need to use it. */
    readonly topicKey: kms.Key;
    readonly alarms: cloudwatch.Alarm[];
    /** The alarms a canary deploy watches (target 5xx rate, p95 latency). */
    readonly deployAlarms: cloudwatch.Alarm[];
    readonly dashboard: cloudwatch.Dashboard;
    constructor(scope: Construct, id: string, props: ObservabilityProps);
}
