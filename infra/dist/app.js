// Wires one stage per environment: the us-east-1 web ACL stack and the environment's stack,
// with cdk-nag's AWS Solutions pack through CDK's policy-validation API.
import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeFindings } from "./acknowledgements.js";
import { validateConfig } from "./config.js";
import { EdgeSecurityStack } from "./edge-security-stack.js";
import { ShipStack } from "./ship-stack.js";
export function addStages(app, options) {
    // Every environment is checked before any construct exists: a bad value leaves nothing half-built.
    for (const config of options.environments)
        validateConfig(config);
    if (options.nag ?? true)
        Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // infra.yml deploys each stage's two stacks with its own roles; a pull request's diff reads
    // every stage's with one diff role.
    const stacksOf = (config) => [
        { account: config.account, region: 'us-east-1', stackName: edgeStackName(options.app, config) },
        { account: config.account, region: config.region, stackName: `${options.app}-${config.name}` },
    ];
    const everyStack = options.environments.flatMap(stacksOf);
    return options.environments.map((config) => {
        const stage = new Stage(app, config.name, {
            env: { account: config.account, region: config.region },
        });
        const edgeSecurity = new EdgeSecurityStack(stage, 'EdgeSecurity', {
            env: { account: config.account, region: 'us-east-1' },
            name: `${options.app}-${config.name}-edge`,
            rateLimit: config.wafRateLimit,
            stackName: edgeStackName(options.app, config),
        });
        const stack = new ShipStack(stage, 'App', {
            env: { account: config.account, region: config.region },
            stackName: `${options.app}-${config.name}`,
            app: options.app,
            config,
            webAclArn: edgeSecurity.webAclArn,
            infraTargets: { deploy: stacksOf(config), diff: everyStack },
            crossRegionReferences: true,
            terminationProtection: config.protectData,
        });
        acknowledgeFindings(stack);
        return { stage, edgeSecurity, stack };
    });
}
function edgeStackName(app, config) {
    return `${app}-${config.name}-edge-security`;
}
