// Alarms to one SNS topic, and a dashboard. The 5xx-rate and p95-latency alarms are the ones
// ecs-canary-deploy is given (and ECS's deployment alarms).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
export class Observability extends Construct {
    topic;
    /** The topic's KMS key: publishers (CloudWatch, the deploy role) need to use it. */
    topicKey;
    alarms = [];
    /** The alarms a canary deploy watches (target 5xx rate, p95 latency). */
    deployAlarms;
    dashboard;
    constructor(scope, id, props) {
        super(scope, id);
        const key = (this.topicKey = new kms.Key(this, 'TopicKey', {
            enableKeyRotation: true,
            description: `${props.prefix} alarm topic`,
        }));
        // CloudWatch publishes alarm notifications to the encrypted topic.
        key.addToResourcePolicy(new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            resources: ['*'],
        }));
        this.topic = new sns.Topic(this, 'Alarms', {
            enforceSSL: true,
            masterKey: key,
            displayName: `${props.prefix} alarms`,
        });
        for (const email of props.alarmEmails)
            this.topic.addSubscription(new subscriptions.EmailSubscription(email));
        const notify = new actions.SnsAction(this.topic);
        const alarm = (id, name, options) => {
            const created = new cloudwatch.Alarm(this, id, {
                alarmName: `${props.prefix}-${name}`,
                treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
                ...options,
            });
            created.addAlarmAction(notify);
            created.addOkAction(notify);
            this.alarms.push(created);
            return created;
        };
        const minute = Duration.minutes(1);
        const lb = props.loadBalancer;
        const requests = lb.metrics.requestCount({ period: minute, statistic: 'Sum' });
        const target5xx = lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: minute,
            statistic: 'Sum',
        });
        const errorRate = new cloudwatch.MathExpression({
            expression: 'IF(requests > 0, 100 * errors / requests, 0)',
            usingMetrics: { errors: target5xx, requests },
            period: minute,
            label: 'target 5xx %',
        });
        const fiveXx = alarm('Target5xx', 'api-5xx-rate', {
            metric: errorRate,
            threshold: 1,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'Target 5xx responses above 1 % of requests',
        });
        const p95 = lb.metrics.targetResponseTime({ period: minute, statistic: 'p95' });
        const latency = alarm('LatencyP95', 'api-p95-latency', {
            metric: p95,
            threshold: 2,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'p95 target response time above 2 s',
        });
        this.deployAlarms = [fiveXx, latency];
        for (const [name, service] of [
            ['api', props.apiService],
            ['worker', props.workerService],
        ]) {
            alarm(`${name}Cpu`, `${name}-cpu`, {
                metric: service.metricCpuUtilization({ period: minute }),
                threshold: 85,
                evaluationPeriods: 5,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                alarmDescription: `${name} service CPU above 85 % for 5 minutes`,
            });
            alarm(`${name}Memory`, `${name}-memory`, {
                metric: service.metricMemoryUtilization({ period: minute }),
                threshold: 85,
                evaluationPeriods: 5,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                alarmDescription: `${name} service memory above 85 % for 5 minutes`,
            });
        }
        alarm('DbCpu', 'db-cpu', {
            metric: props.database.metricCPUUtilization({ period: minute }),
            threshold: 80,
            evaluationPeriods: 5,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'RDS CPU above 80 % for 5 minutes',
        });
        alarm('DbStorage', 'db-free-storage', {
            metric: props.database.metricFreeStorageSpace({ period: Duration.minutes(5) }),
            threshold: props.allocatedStorageGiB * 1024 ** 3 * 0.1,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            alarmDescription: 'RDS free storage below 10 % of the allocation',
        });
        if (props.replica) {
            alarm('ReplicaLag', 'db-replica-lag', {
                metric: props.replica.metric('ReplicaLag', { period: minute, statistic: 'Maximum' }),
                threshold: 60,
                evaluationPeriods: 5,
                comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                alarmDescription: 'Read replica more than 60 s behind for 5 minutes',
            });
        }
        alarm('QueueAge', 'queue-age', {
            metric: props.queue.metricApproximateAgeOfOldestMessage({
                period: minute,
                statistic: 'Maximum',
            }),
            threshold: 900,
            evaluationPeriods: 5,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'Oldest job waiting more than 15 minutes',
        });
        alarm('QueueDepth', 'queue-depth', {
            metric: props.queue.metricApproximateNumberOfMessagesVisible({
                period: minute,
                statistic: 'Maximum',
            }),
            threshold: 5000,
            evaluationPeriods: 5,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'More than 5000 jobs waiting for 5 minutes',
        });
        alarm('DeadLetters', 'dlq-not-empty', {
            metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: minute,
                statistic: 'Maximum',
            }),
            threshold: 0,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            alarmDescription: 'A job landed in the dead-letter queue',
        });
        this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
            dashboardName: props.prefix,
            widgets: [
                [
                    new cloudwatch.GraphWidget({
                        title: 'Requests and target 5xx %',
                        left: [requests],
                        right: [errorRate],
                        width: 12,
                    }),
                    new cloudwatch.GraphWidget({ title: 'p95 latency (s)', left: [p95], width: 12 }),
                ],
                [
                    new cloudwatch.GraphWidget({
                        title: 'Service CPU / memory %',
                        left: [
                            props.apiService.metricCpuUtilization(),
                            props.workerService.metricCpuUtilization(),
                        ],
                        right: [
                            props.apiService.metricMemoryUtilization(),
                            props.workerService.metricMemoryUtilization(),
                        ],
                        width: 12,
                    }),
                    new cloudwatch.GraphWidget({
                        title: 'Database CPU % / free storage',
                        left: [props.database.metricCPUUtilization()],
                        right: [props.database.metricFreeStorageSpace()],
                        width: 12,
                    }),
                ],
                [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
            ],
        });
    }
}
