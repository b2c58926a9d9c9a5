// The CloudFront web ACL: AWS managed common and known-bad-inputs rules and a per-IP rate limit.
// CLOUDFRONT-scope web ACLs exist only in us-east-1, so this lives in its own us-east-1 stack and
// the edge takes its ARN.
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
const managed = (name, priority) => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: name,
        sampledRequestsEnabled: true,
    },
});
export class CloudFrontWaf extends Construct {
    webAcl;
    constructor(scope, id, props) {
        super(scope, id);
        this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
            name: props.name,
            scope: 'CLOUDFRONT',
            defaultAction: { allow: {} },
            visibilityConfig: {
                cloudWatchMetricsEnabled: true,
                metricName: props.name,
                sampledRequestsEnabled: true,
            },
            rules: [
                managed('AWSManagedRulesCommonRuleSet', 0),
                managed('AWSManagedRulesKnownBadInputsRuleSet', 1),
                {
                    name: 'RateLimitPerIp',
                    priority: 2,
                    action: { block: {} },
                    statement: { rateBasedStatement: { limit: props.rateLimit, aggregateKeyType: 'IP' } },
                    visibilityConfig: {
                        cloudWatchMetricsEnabled: true,
                        metricName: 'RateLimitPerIp',
                        sampledRequestsEnabled: true,
                    },
                },
            ],
        });
    }
}
