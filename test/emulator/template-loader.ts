// Builds the emulator's world from synthesized CloudFormation templates (infra/cdk.out): the
// resources the emulator models are created under the names and ARNs the templates give them,
// intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) resolve to the emulated
// names, and every resource type it does not model is listed, never silently dropped.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CreateServiceRequest, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import type { ComparisonOperator, TreatMissingData } from './cloudwatch.ts';
import type { Emulator } from './server.ts';
import { stringLike } from './string-like.ts';
import type { WebIdentityTrust } from './sts.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonMap = { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: JsonMap;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Default?: Json }>;
}

export interface LoadOptions {
  /** The stack's name (AWS::StackName); names CloudFormation would generate derive from it. */
  readonly stackName: string;
  /** Issuer URLs the template names mapped to the test's issuers, e.g. GitHub's → a testing issuer. */
  readonly issuers?: Readonly<Record<string, string>>;
  /**
   * The value of the database's master secret (the local PostgreSQL): used for the secret a
   * SecretTargetAttachment ties to a DB instance.
   */
  readonly databaseSecret?: JsonMap;
  readonly account?: string;
  readonly region?: string;
}

/** A resource the loader did not create in the emulator, and why. */
export interface Unmodelled {
  readonly logicalId: string;
  readonly type: string;
  readonly reason: string;
}

export interface LoadedStack {
  /** Logical id → what Ref gives (name or ARN, as CloudFormation documents per type). */
  readonly refs: ReadonlyMap<string, string>;
  /** Logical ids created in the emulator, in creation order, with their types. */
  readonly created: readonly { readonly logicalId: string; readonly type: string }[];
  readonly unmodelled: readonly Unmodelled[];
  /** Resolves a template value (intrinsics included) against the loaded world. */
  resolve(value: Json): Json;
}

/** The templates of a stage in a cloud assembly: `<cdk.out>/assembly-<stage>/manifest.json`. */
export function readStageTemplates(cdkOut: string, stage: string): Record<string, CfnTemplate> {
  const dir = join(cdkOut, `assembly-${stage}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<
      string,
      { type: string; properties?: { templateFile?: string; stackName?: string } }
    >;
  };
  const templates: Record<string, CfnTemplate> = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile)
      continue;
    const name = artifact.properties.stackName ?? id;
    templates[name] = JSON.parse(
      readFileSync(join(dir, artifact.properties.templateFile), 'utf8'),
    ) as CfnTemplate;
  }
  return templates;
}

const MODELLED = new Set([
  'AWS::IAM::OIDCProvider',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::SSM::Parameter',
  'AWS::ECS::Cluster',
  'AWS::ECS::TaskDefinition',
  'AWS::ECS::Service',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::CloudWatch::Alarm',
  'AWS::ECR::Repository',
  'AWS::SecretsManager::Secret',
  'AWS::S3::Bucket',
  'AWS::CloudFront::Distribution',
  'AWS::SNS::Topic',
]);

const isMap = (v: Json | undefined): v is JsonMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: Json | undefined): number | undefined =>
  typeof v === 'number'
    ? v
    : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v))
      ? Number(v)
      : undefined;

/** References a value makes to other resources (Ref, Fn::GetAtt, ${X} in Fn::Sub). */
function dependencies(value: Json | undefined, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) dependencies(v, out);
  else if (isMap(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') out.add(v);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(v)
          ? v[0]
          : typeof v === 'string'
            ? v.split('.')[0]
            : undefined;
        if (typeof target === 'string') out.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        if (typeof text === 'string')
          for (const m of text.matchAll(/\$\{([^!}.]+)[^}]*\}/g)) out.add(m[1] as string);
        if (Array.isArray(v)) dependencies(v[1], out);
      } else dependencies(v, out);
    }
  }
  return out;
}

/** PascalCase CloudFormation properties → the SDK's camelCase, leaving free-form maps alone. */
function camel(value: Json): Json {
  if (Array.isArray(value)) return value.map(camel);
  if (!isMap(value)) return value;
  const out: JsonMap = {};
  for (const [key, v] of Object.entries(value)) {
    const name = key.charAt(0).toLowerCase() + key.slice(1);
    out[name] = key === 'Options' || key === 'DockerLabels' ? v : camel(v);
  }
  return out;
}

const suffix = () => randomBytes(6).toString('hex').toUpperCase().slice(0, 12);

/**
 * Creates the stack's modelled resources in the emulator. Throws on a template it cannot read
 * (a reference to a resource that does not exist, a cycle); resources of other types are listed
 * in `unmodelled`, as are trust policies whose conditions the STS emulator cannot evaluate
 * faithfully (their roles are created trusting nobody, as AWS would refuse them).
 */
export function loadTemplate(
  emulator: Emulator,
  template: CfnTemplate,
  options: LoadOptions,
): LoadedStack {
  const account = options.account ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const resources = template.Resources;
  const refs = new Map<string, string>();
  const attrs = new Map<string, Record<string, string>>();
  const created: { logicalId: string; type: string }[] = [];
  const unmodelled: Unmodelled[] = [];
  const pseudo: Record<string, string> = {
    'AWS::AccountId': account,
    'AWS::Region': region,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': options.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${options.stackName}/${suffix()}`,
    'AWS::NoValue': '',
  };
  const parameters = new Map(
    Object.entries(template.Parameters ?? {}).map(([name, p]) => [name, p.Default ?? ''] as const),
  );

  const ref = (name: string): Json => {
    if (name in pseudo) return pseudo[name] as string;
    if (parameters.has(name)) return parameters.get(name) as Json;
    const value = refs.get(name);
    if (value === undefined)
      throw new Error(`template: Ref to ${name}, which is not a loaded resource`);
    return value;
  };
  const getAtt = (name: string, attribute: string): string => {
    const value = attrs.get(name)?.[attribute];
    if (value === undefined) {
      if (!(name in resources))
        throw new Error(`template: Fn::GetAtt of ${name}, which is not in the template`);
      // An attribute the loader does not model: a stable stand-in, so unmodelled values still flow.
      return `${name}.${attribute}`;
    }
    return value;
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!isMap(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = value[key] as Json;
      switch (key) {
        case 'Ref':
          return ref(String(arg));
        case 'Fn::GetAtt': {
          const [name, attribute] = Array.isArray(arg)
            ? (arg as string[])
            : String(arg).split(/\.(.*)/);
          return getAtt(String(name), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, Json];
          return (resolve(parts) as Json[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [Json, Json];
          return (resolve(list) as Json[])[Number(resolve(index))] ?? '';
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, Json];
          return String(resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const [text, variables] = Array.isArray(arg)
            ? (arg as [string, JsonMap])
            : [String(arg), {}];
          return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
            if (name.startsWith('!')) return `\${${name.slice(1)}}`;
            if (name in variables) return String(resolve(variables[name] as Json));
            const [resource, attribute] = name.split(/\.(.*)/);
            return String(attribute ? getAtt(resource as string, attribute) : ref(name));
          });
        }
        case 'Fn::GetAZs':
          return [`${region}a`, `${region}b`, `${region}c`];
        case 'Fn::ImportValue':
          return `import:${String(resolve(arg))}`;
        default:
          break;
      }
    }
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolve(v);
    return out;
  };

  // Creation order: each resource after everything it references.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting')
      throw new Error(`template: a reference cycle through ${[...path, id].join(' → ')}`);
    const resource = resources[id];
    if (!resource)
      throw new Error(`template: ${path.at(-1)} references ${id}, which is not in the template`);
    state.set(id, 'visiting');
    const deps = dependencies(resource.Properties ?? {}, new Set());
    // A service on a task family (TaskDefinitionRevision.LATEST) needs that family registered.
    const family =
      resource.Type === 'AWS::ECS::Service' ? resource.Properties?.['TaskDefinition'] : undefined;
    if (typeof family === 'string')
      for (const [other, r] of Object.entries(resources))
        if (r.Type === 'AWS::ECS::TaskDefinition' && r.Properties?.['Family'] === family)
          deps.add(other);
    for (const dep of [resource.DependsOn ?? []].flat()) deps.add(dep);
    for (const dep of deps) {
      if (dep in resources) visit(dep, [...path, id]);
      else if (!(dep in pseudo) && !parameters.has(dep))
        throw new Error(`template: ${id} references ${dep}, which is not in the template`);
    }
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, []);

  const generatedName = (id: string, max = 64) =>
    `${options.stackName}-${id}-${suffix()}`.slice(0, max);
  // Load balancer and target group names as CloudFormation makes them: short stack and id parts.
  const shortName = (id: string) =>
    `${options.stackName.slice(0, 8)}-${id.slice(0, 10)}-${suffix()}`
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(0, 32);
  const oidcProviders = new Map<string, { url: string; host: string }>();
  // Identity-based statements by role name (inline Policies and AWS::IAM::Policy Roles), for the
  // services that check them (SSM).
  const roleStatements = new Map<string, JsonMap[]>();
  const grant = (roleName: string, document: Json | undefined) => {
    const statements = isMap(document) ? [document['Statement'] ?? []].flat().filter(isMap) : [];
    roleStatements.set(roleName, [...(roleStatements.get(roleName) ?? []), ...statements]);
  };
  const databaseSecrets = new Set(
    Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::SecretsManager::SecretTargetAttachment' &&
          r.Properties?.['TargetType'] === 'AWS::RDS::DBInstance',
      )
      .map((r) => (r.Properties?.['SecretId'] as { Ref?: string } | undefined)?.Ref),
  );

  for (const id of order) {
    const resource = resources[id] as CfnResource;
    if (!MODELLED.has(resource.Type)) {
      // A secret's attachment to a database: Ref gives the secret's ARN, as CloudFormation's does.
      const alias =
        resource.Type === 'AWS::SecretsManager::SecretTargetAttachment'
          ? str(resolve(resource.Properties?.['SecretId'] ?? null))
          : undefined;
      const placeholder = alias ?? physicalId(resource.Type, id);
      refs.set(id, placeholder);
      if (resource.Type === 'AWS::EC2::SecurityGroup') attrs.set(id, { GroupId: placeholder });
      unmodelled.push({
        logicalId: id,
        type: resource.Type,
        reason: 'type not modelled by the emulator',
      });
      continue;
    }
    const p = resolve(resource.Properties ?? {}) as JsonMap;
    switch (resource.Type) {
      case 'AWS::IAM::OIDCProvider': {
        const url = str(p['Url']) ?? '';
        const host = url.replace(/^https:\/\//, '');
        const emulated = options.issuers?.[url] ?? url;
        emulator.sts.addOidcProvider({
          url: emulated,
          clientIds: (p['ClientIdList'] as string[]) ?? [],
          accountId: account,
        });
        const arn = `arn:aws:iam::${account}:oidc-provider/${host}`;
        oidcProviders.set(arn, { url: emulated, host });
        refs.set(id, arn);
        break;
      }
      case 'AWS::IAM::Role': {
        const name = str(p['RoleName']) ?? generatedName(id);
        const arn = `arn:aws:iam::${account}:role/${(str(p['Path']) ?? '/').slice(1)}${name}`;
        const trust = webIdentityTrust(
          p['AssumeRolePolicyDocument'],
          oidcProviders,
          options.issuers ?? {},
        );
        if (trust.reason)
          unmodelled.push({ logicalId: id, type: 'trust policy', reason: trust.reason });
        emulator.sts.addRole({
          arn,
          maxSessionDuration: num(p['MaxSessionDuration']) ?? 3600,
          trust: trust.webIdentity ? { webIdentity: trust.webIdentity } : {},
        });
        refs.set(id, name);
        attrs.set(id, { Arn: arn, RoleId: `AROA${suffix()}` });
        const inline = Array.isArray(p['Policies']) ? p['Policies'].filter(isMap) : [];
        for (const policy of inline) grant(name, policy['PolicyDocument']);
        break;
      }
      case 'AWS::IAM::Policy': {
        const roles = Array.isArray(p['Roles']) ? p['Roles'].map(String) : [];
        for (const roleName of roles) grant(roleName, p['PolicyDocument']);
        refs.set(id, str(p['PolicyName']) ?? generatedName(id, 128));
        break;
      }
      case 'AWS::SSM::Parameter': {
        const name = str(p['Name']) ?? `CFN-${id}-${suffix()}`;
        if (p['Type'] !== 'String' || typeof p['Value'] !== 'string') {
          unmodelled.push({ logicalId: id, type: resource.Type, reason: 'not a String parameter' });
          refs.set(id, name);
          continue;
        }
        emulator.ssm.put(name, p['Value']);
        refs.set(id, name);
        attrs.set(id, { Type: 'String', Value: p['Value'] });
        break;
      }
      case 'AWS::ECS::Cluster': {
        const cluster = emulator.ecs.createCluster(str(p['ClusterName']) ?? generatedName(id, 255));
        refs.set(id, cluster.clusterName ?? '');
        attrs.set(id, { Arn: cluster.clusterArn ?? '' });
        break;
      }
      case 'AWS::ECS::TaskDefinition': {
        const request = camel(p) as unknown as RegisterTaskDefinitionRequest;
        const definition = emulator.ecs.registerTaskDefinition({
          ...request,
          family: request.family ?? generatedName(id, 255),
        });
        refs.set(id, definition.taskDefinitionArn ?? '');
        attrs.set(id, { TaskDefinitionArn: definition.taskDefinitionArn ?? '' });
        break;
      }
      case 'AWS::ECS::Service': {
        const request = camel(p) as unknown as CreateServiceRequest;
        const service = emulator.ecs.seedService({
          ...request,
          serviceName: request.serviceName ?? generatedName(id, 255),
        });
        refs.set(id, service.serviceArn ?? '');
        attrs.set(id, { Name: service.serviceName ?? '', ServiceArn: service.serviceArn ?? '' });
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        const lb = emulator.elbv2.createLoadBalancer({
          name: str(p['Name']) ?? shortName(id),
          scheme: p['Scheme'] === 'internal' ? 'internal' : 'internet-facing',
          ...(Array.isArray(p['Subnets']) ? { subnets: p['Subnets'] as string[] } : {}),
          ...(Array.isArray(p['SecurityGroups'])
            ? { securityGroups: p['SecurityGroups'] as string[] }
            : {}),
        });
        refs.set(id, lb.arn);
        attrs.set(id, {
          LoadBalancerArn: lb.arn,
          LoadBalancerFullName: lb.dimension,
          LoadBalancerName: lb.name,
          DNSName: lb.dnsName,
        });
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::TargetGroup': {
        const attributes = new Map(
          ((p['TargetGroupAttributes'] as JsonMap[]) ?? []).map((a) => [a['Key'], a['Value']]),
        );
        const delay = num(attributes.get('deregistration_delay.timeout_seconds') as Json);
        const tg = emulator.elbv2.createTargetGroup({
          name: str(p['Name']) ?? shortName(id),
          ...(num(p['Port']) === undefined ? {} : { port: num(p['Port']) as number }),
          protocol: p['Protocol'] === 'HTTPS' ? 'HTTPS' : 'HTTP',
          targetType: p['TargetType'] === 'instance' ? 'instance' : 'ip',
          healthCheck: definedOnly({
            path: str(p['HealthCheckPath']),
            intervalSeconds: num(p['HealthCheckIntervalSeconds']),
            timeoutSeconds: num(p['HealthCheckTimeoutSeconds']),
            healthyThreshold: num(p['HealthyThresholdCount']),
            unhealthyThreshold: num(p['UnhealthyThresholdCount']),
            matcher: isMap(p['Matcher']) ? str(p['Matcher']['HttpCode']) : undefined,
          }),
          ...(delay === undefined ? {} : { deregistrationDelaySeconds: delay }),
        });
        refs.set(id, tg.arn);
        attrs.set(id, {
          TargetGroupArn: tg.arn,
          TargetGroupFullName: tg.dimension,
          TargetGroupName: tg.name,
        });
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::Listener': {
        const listener = emulator.elbv2.createListener({
          loadBalancerArn: str(p['LoadBalancerArn']) ?? '',
          port: num(p['Port']) ?? 80,
          protocol: p['Protocol'] === 'HTTPS' ? 'HTTPS' : 'HTTP',
          defaultActions: (p['DefaultActions'] as unknown as Action[]) ?? [],
        });
        refs.set(id, listener.arn);
        attrs.set(id, { ListenerArn: listener.arn });
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::ListenerRule': {
        const rule = emulator.elbv2.createRule({
          listenerArn: str(p['ListenerArn']) ?? '',
          priority: num(p['Priority']) ?? 0,
          conditions: p['Conditions'] as unknown as RuleCondition[],
          actions: (p['Actions'] as unknown as Action[]) ?? [],
        });
        refs.set(id, rule.arn);
        attrs.set(id, { RuleArn: rule.arn });
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        const name = str(p['AlarmName']) ?? generatedName(id, 255);
        const dimensions = Object.fromEntries(
          ((p['Dimensions'] as JsonMap[]) ?? []).map((d) => [
            String(d['Name']),
            String(d['Value']),
          ]),
        );
        emulator.cloudwatch.putMetricAlarm(
          definedOnly({
            alarmName: name,
            alarmDescription: str(p['AlarmDescription']),
            namespace: str(p['Namespace']),
            metricName: str(p['MetricName']),
            dimensions,
            statistic: str(p['Statistic']) as 'Sum' | undefined,
            extendedStatistic: str(p['ExtendedStatistic']),
            period: num(p['Period']),
            evaluationPeriods: num(p['EvaluationPeriods']),
            datapointsToAlarm: num(p['DatapointsToAlarm']),
            threshold: num(p['Threshold']),
            comparisonOperator: str(p['ComparisonOperator']) as ComparisonOperator | undefined,
            treatMissingData: str(p['TreatMissingData']) as TreatMissingData | undefined,
            alarmActions: p['AlarmActions'] as string[] | undefined,
            okActions: p['OKActions'] as string[] | undefined,
          }) as Parameters<Emulator['cloudwatch']['putMetricAlarm']>[0],
        );
        if (p['Metrics'] !== undefined)
          unmodelled.push({
            logicalId: id,
            type: 'metric-math alarm',
            reason: `${name} exists; its state changes only by SetAlarmState`,
          });
        refs.set(id, name);
        attrs.set(id, { Arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}` });
        break;
      }
      case 'AWS::ECR::Repository': {
        const scanning = p['ImageScanningConfiguration'];
        const repository = emulator.ecr.createRepository(
          str(p['RepositoryName']) ?? generatedName(id, 256).toLowerCase(),
          {
            immutable: p['ImageTagMutability'] === 'IMMUTABLE',
            scanOnPush: isMap(scanning) && scanning['ScanOnPush'] === true,
          },
        );
        refs.set(id, repository.name);
        attrs.set(id, { Arn: repository.arn, RepositoryUri: repository.uri });
        break;
      }
      case 'AWS::SecretsManager::Secret': {
        const name = str(p['Name']) ?? `${id}-${suffix().slice(0, 8)}`;
        const value: Json =
          databaseSecrets.has(id) && options.databaseSecret
            ? options.databaseSecret
            : (str(p['SecretString']) ?? generatedSecret(p['GenerateSecretString']));
        const arn = emulator.secretsManager.put(name, value as string);
        refs.set(id, arn);
        attrs.set(id, { Id: arn });
        break;
      }
      case 'AWS::S3::Bucket': {
        // CloudFormation's generated names are lower case, at most 63 characters.
        const name = str(p['BucketName']) ?? generatedName(id, 63).toLowerCase();
        emulator.s3.createBucket(name);
        refs.set(id, name);
        attrs.set(id, {
          Arn: `arn:aws:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        });
        break;
      }
      case 'AWS::SNS::Topic': {
        // Who may publish: the roles' policies (setAccess below). The key's use is not checked:
        // its grants are conditions (kms:ViaService), which the policy check does not evaluate.
        const topic = emulator.sns.createTopic(
          { name: str(p['TopicName']) ?? generatedName(id, 256) },
          { region, accountId: account },
        );
        refs.set(id, topic.arn);
        attrs.set(id, { TopicArn: topic.arn, TopicName: topic.name });
        break;
      }
      case 'AWS::CloudFront::Distribution': {
        // The site's origin is the S3 one (origin access control); its bucket is the name before
        // `.s3.` in the origin's domain. Other origins (the ALB for /api/*) are not served here.
        const config = isMap(p['DistributionConfig']) ? p['DistributionConfig'] : {};
        const origins = Array.isArray(config['Origins']) ? config['Origins'].filter(isMap) : [];
        const site = origins
          .map((origin) => str(origin['DomainName']) ?? '')
          .find((domain) => /\.s3[.-]/.test(domain));
        if (site === undefined) {
          unmodelled.push({ logicalId: id, type: resource.Type, reason: 'no S3 origin' });
          refs.set(id, physicalId(resource.Type, id));
          continue;
        }
        const distribution = emulator.cloudfront.createDistribution(site.split('.s3')[0]!);
        refs.set(id, distribution.id);
        attrs.set(id, {
          Id: distribution.id,
          DomainName: `${distribution.id.toLowerCase()}.cloudfront.net`,
        });
        break;
      }
    }
    created.push({ logicalId: id, type: resource.Type });
  }
  const identityAllows = (principalArn: string, action: string, resourceArn: string) => {
    const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(principalArn)?.[1];
    const statements = roleName === undefined ? [] : (roleStatements.get(roleName) ?? []);
    const matching = (effect: string) =>
      statements.some((s) => s['Effect'] === effect && statementCovers(s, action, resourceArn));
    return matching('Allow') && !matching('Deny');
  };
  if (created.some((c) => c.type === 'AWS::SSM::Parameter')) emulator.ssm.addAccess(identityAllows);
  if (created.some((c) => c.type === 'AWS::SNS::Topic')) emulator.sns.addAccess(identityAllows);
  // The roles' policies decide which account-trusting roles they may assume (cdk's bootstrap
  // roles) and which stacks they may read.
  if (created.some((c) => c.type === 'AWS::IAM::Role')) {
    emulator.sts.addAccess(identityAllows);
    emulator.cloudformation.addAccess(identityAllows);
  }
  return { refs, created, unmodelled, resolve };
}

/**
 * Whether an identity-based statement names `action` on `resourceArn`: actions case-insensitive,
 * both with * and ? wildcards. A statement with a Condition is not evaluated and never matches.
 * The emulator is one account in one region: the account and region a template writes into its
 * ARNs (the stack's env, e.g. eu-west-1:111111111111) stand for the emulated ones.
 */
function statementCovers(statement: JsonMap, action: string, resourceArn: string): boolean {
  if (statement['Condition'] !== undefined) return false;
  const actions = [statement['Action'] ?? []].flat().map(String);
  const resources = [statement['Resource'] ?? []].flat().map(String);
  return (
    actions.some((a) => stringLike(a.toLowerCase(), action.toLowerCase())) &&
    resources.some((r) => stringLike(anyAccountAndRegion(r), resourceArn))
  );
}

function anyAccountAndRegion(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return arn;
  return [
    ...parts.slice(0, 3),
    parts[3] === '' ? '' : '*',
    parts[4] === '' ? '' : '*',
    ...parts.slice(5),
  ].join(':');
}

const ID_PREFIXES: Readonly<Record<string, string>> = {
  'AWS::EC2::VPC': 'vpc-',
  'AWS::EC2::Subnet': 'subnet-',
  'AWS::EC2::SecurityGroup': 'sg-',
  'AWS::EC2::RouteTable': 'rtb-',
  'AWS::EC2::InternetGateway': 'igw-',
  'AWS::EC2::NatGateway': 'nat-',
  'AWS::EC2::VPCEndpoint': 'vpce-',
};

/** A stand-in physical id for a resource the emulator does not model, shaped like AWS's. */
function physicalId(type: string, logicalId: string): string {
  const prefix = ID_PREFIXES[type];
  return prefix
    ? `${prefix}${randomBytes(8).toString('hex').slice(0, 17)}`
    : `${logicalId}-${suffix().toLowerCase()}`;
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** The fields that have a value (the emulator's specs take absent, not undefined). */
function definedOnly<T extends Record<string, unknown>>(value: T): Partial<Defined<T>> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<
    Defined<T>
  >;
}

function generatedSecret(spec: Json | undefined): JsonMap | string {
  const password = randomBytes(24).toString('base64url');
  if (!isMap(spec)) return password;
  const template = str(spec['SecretStringTemplate']);
  const key = str(spec['GenerateStringKey']);
  if (!template || !key) return password;
  return { ...(JSON.parse(template) as JsonMap), [key]: password };
}

/**
 * The one web-identity statement of a trust policy, as the STS emulator evaluates it, or why it
 * cannot be: the emulator knows StringEquals on aud, and on sub and job_workflow_ref (matched
 * there with StringLike, so values with * or ? are refused here rather than widened).
 */
function webIdentityTrust(
  document: Json | undefined,
  providers: ReadonlyMap<string, { url: string; host: string }>,
  issuers: Readonly<Record<string, string>>,
): { webIdentity?: WebIdentityTrust; reason?: string } {
  const statements =
    isMap(document) && Array.isArray(document['Statement'])
      ? (document['Statement'] as JsonMap[])
      : [];
  const web = statements.filter(
    (s) =>
      s['Effect'] === 'Allow' && [s['Action']].flat().includes('sts:AssumeRoleWithWebIdentity'),
  );
  if (web.length === 0) return {};
  if (web.length > 1)
    return {
      reason: 'more than one web-identity statement: not modelled, the role trusts no token',
    };
  const statement = web[0] as JsonMap;
  const federated = isMap(statement['Principal'])
    ? str(statement['Principal']['Federated'])
    : undefined;
  const provider = federated ? providers.get(federated) : undefined;
  if (!provider)
    return {
      reason: `Federated principal ${String(federated)} is not an OIDC provider of the template`,
    };
  const condition = isMap(statement['Condition']) ? statement['Condition'] : {};
  const operators = Object.keys(condition);
  if (operators.some((o) => o !== 'StringEquals'))
    return {
      reason: `condition operators ${operators.join(', ')}: only StringEquals is modelled; the role trusts no token`,
    };
  const equals = (condition['StringEquals'] ?? {}) as JsonMap;
  const values: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(equals)) {
    const [host, claim] = key.split(/:(?=[^:]+$)/);
    if (host !== provider.host || !['aud', 'sub', 'job_workflow_ref'].includes(String(claim)))
      return { reason: `condition key ${key} is not modelled; the role trusts no token` };
    const list = [value].flat().map(String);
    if (claim !== 'aud' && list.some((v) => /[*?]/.test(v)))
      return {
        reason: `StringEquals value with * or ? on ${key} would be widened by the emulator's StringLike; the role trusts no token`,
      };
    values[claim as string] = list;
  }
  if (!values['aud'] || !values['sub'])
    return {
      reason:
        'a web-identity trust without both aud and sub conditions is not modelled; the role trusts no token',
    };
  void issuers;
  return {
    webIdentity: {
      issuer: provider.url,
      audience: values['aud'],
      subject: values['sub'],
      ...(values['job_workflow_ref'] ? { jobWorkflowRef: values['job_workflow_ref'] } : {}),
    },
  };
}
