// Elastic Load Balancing v2 (Application Load Balancers): the describe calls a deploy action
// makes, ModifyRule, target health as ECS's task registrations drive it, and test-side helpers
// that build an ALB in a few lines. Implements world.ts's LoadBalancing for the ECS service.
import { randomBytes, randomInt } from 'node:crypto';
import type {
  Action,
  AuthenticateCognitoActionConfig,
  AuthenticateOidcActionConfig,
  FixedResponseActionConfig,
  ForwardActionConfig,
  JwtValidationActionConfig,
  RedirectActionConfig,
  RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError } from './errors.ts';
import { QueryParams, queryProtocol } from './query-protocol.ts';
import type { ActionCall, Service } from './service.ts';
import { integerParam, Validator } from './validation.ts';
import type { ForwardWeight, LoadBalancing, Scenario, TaskTarget, TimeScale } from './world.ts';
import type { XmlValue } from './xml.ts';

export const ELBV2_XML_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
export const ELBV2_API_VERSION = '2015-12-01';

export type HealthState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

export interface HealthCheckSpec {
  /** Default '/'. */
  readonly path?: string;
  /** 5–300, default 30 (AWS units; timers run `timeScale` times faster). */
  readonly intervalSeconds?: number;
  /** 2–120, default 5. */
  readonly timeoutSeconds?: number;
  /** Consecutive passes that make an unhealthy target healthy again: 2–10, default 5. */
  readonly healthyThreshold?: number;
  /** Consecutive failures that make a target unhealthy: 2–10, default 2. */
  readonly unhealthyThreshold?: number;
  /** Matcher HttpCode, default '200'. */
  readonly matcher?: string;
}

export interface LoadBalancerSpec {
  readonly name: string;
  readonly scheme?: 'internet-facing' | 'internal';
  readonly vpcId?: string;
  readonly subnets?: readonly string[];
  readonly securityGroups?: readonly string[];
}

export interface TargetGroupSpec {
  readonly name: string;
  readonly port?: number;
  readonly protocol?: 'HTTP' | 'HTTPS';
  readonly vpcId?: string;
  readonly targetType?: 'ip' | 'instance';
  readonly healthCheck?: HealthCheckSpec;
  /** deregistration_delay.timeout_seconds: how long a deregistered target drains; default 300. */
  readonly deregistrationDelaySeconds?: number;
}

export interface ListenerSpec {
  readonly loadBalancerArn: string;
  readonly port: number;
  readonly protocol?: 'HTTP' | 'HTTPS';
  /** The default rule's actions, in the SDK's `Action` shape. */
  readonly defaultActions: readonly Action[];
}

export interface RuleSpec {
  readonly listenerArn: string;
  /** 1–50000, unique per listener. */
  readonly priority: number;
  /** Default: path-pattern /* */
  readonly conditions?: readonly RuleCondition[];
  readonly actions: readonly Action[];
}

export interface LoadBalancerInfo {
  readonly arn: string;
  readonly name: string;
  /** The CloudWatch `LoadBalancer` dimension: app/<name>/<id>. */
  readonly dimension: string;
  readonly dnsName: string;
}

export interface TargetGroupInfo {
  readonly arn: string;
  readonly name: string;
  /** The CloudWatch `TargetGroup` dimension: targetgroup/<name>/<id>. */
  readonly dimension: string;
}

export interface ListenerInfo {
  readonly arn: string;
  readonly loadBalancerArn: string;
  readonly port: number;
  /** The listener's default rule (ARN ends in the rule id; priority 'default'). */
  readonly defaultRuleArn: string;
}

export interface RuleInfo {
  readonly arn: string;
  readonly listenerArn: string;
}

export interface BlueGreenAlb {
  readonly loadBalancer: LoadBalancerInfo;
  readonly blue: TargetGroupInfo;
  readonly green: TargetGroupInfo;
  readonly productionListener: ListenerInfo;
  /** Priority 1, path /*, forward blue 100 / green 0: ECS's productionListenerRule. */
  readonly productionRule: RuleInfo;
  readonly testListener: ListenerInfo;
  /** Priority 1 on the test listener, forward blue 100 / green 0: ECS's testListenerRule. */
  readonly testRule: RuleInfo;
}

/** One registered target as the traffic model and tests see it. */
export interface TargetView {
  readonly id: string;
  readonly port: number;
  readonly revision: string;
  readonly state: HealthState;
  /**
   * Whether the task answers the load balancer at all: false when ECS registered it with
   * `healthy: false` or its revision's Scenario behaviour is `unhealthy` (health checks fail).
   */
  readonly serving: boolean;
}

/** Where a listener's requests go: the first rule by priority (the default rule last). */
export type ListenerRoute =
  | { readonly kind: 'forward'; readonly targetGroups: readonly ForwardWeight[] }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'fixed-response'; readonly statusCode: string };

export interface Elbv2Dependencies {
  readonly clock: () => Date;
  readonly scenario: Scenario;
  readonly timeScale: TimeScale;
  readonly region?: string;
  readonly accountId?: string;
}

interface LoadBalancerRecord extends LoadBalancerInfo {
  readonly id: string;
  readonly scheme: 'internet-facing' | 'internal';
  readonly vpcId: string;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly createdAt: Date;
}

interface HealthCheck {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly matcher: string;
}

interface TargetRecord {
  readonly id: string;
  port: number;
  revision: string;
  serving: boolean;
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining';
  reason: string | undefined;
  checks: number;
  lastCheckAt: number;
  passes: number;
  failures: number;
  drainingUntil: number;
}

interface TargetGroupRecord extends TargetGroupInfo {
  readonly id: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  readonly vpcId: string;
  readonly targetType: 'ip' | 'instance';
  readonly healthCheck: HealthCheck;
  readonly deregistrationDelaySeconds: number;
  readonly targets: Map<string, TargetRecord>;
}

interface ListenerRecord extends ListenerInfo {
  readonly id: string;
  readonly protocol: 'HTTP' | 'HTTPS';
}

interface RuleRecord extends RuleInfo {
  readonly priority: number | 'default';
  conditions: RuleCondition[];
  actions: Action[];
}

const ACTION_TYPES = new Set([
  'forward',
  'redirect',
  'fixed-response',
  'authenticate-oidc',
  'authenticate-cognito',
  'jwt-validation',
]);
const TERMINAL_ACTIONS = new Set(['forward', 'redirect', 'fixed-response']);
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
const MAX_PAGE_SIZE = 400;

const validationError = (message: string) => new ServiceError('ValidationError', 400, message);
const targetGroupNotFound = () =>
  new ServiceError('TargetGroupNotFound', 400, 'One or more target groups not found');
const listenerNotFound = () =>
  new ServiceError('ListenerNotFound', 400, 'One or more listeners not found');
const ruleNotFound = () => new ServiceError('RuleNotFound', 400, 'One or more rules not found');
const loadBalancerNotFound = () =>
  new ServiceError('LoadBalancerNotFound', 400, 'One or more load balancers not found');

const hexId = () => randomBytes(8).toString('hex');

export class Elbv2 implements Service<QueryParams>, LoadBalancing {
  readonly name = 'elbv2';
  readonly signingName = 'elasticloadbalancing';
  readonly protocol = queryProtocol({
    xmlNamespace: ELBV2_XML_NAMESPACE,
    version: ELBV2_API_VERSION,
  });
  readonly actions: ReadonlySet<string> = new Set([
    'DescribeLoadBalancers',
    'DescribeTargetGroups',
    'DescribeListeners',
    'DescribeRules',
    'DescribeTargetHealth',
    'ModifyRule',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set();

  readonly #clock: () => Date;
  readonly #scenario: Scenario;
  readonly #timeScale: TimeScale;
  readonly #region: string;
  readonly #accountId: string;
  readonly #loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly #targetGroups = new Map<string, TargetGroupRecord>();
  readonly #listeners = new Map<string, ListenerRecord>();
  readonly #rules = new Map<string, RuleRecord>();
  readonly #beforeChange: (() => void)[] = [];

  constructor(dependencies: Elbv2Dependencies) {
    this.#clock = dependencies.clock;
    this.#scenario = dependencies.scenario;
    this.#timeScale = dependencies.timeScale;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  /** Runs before weights or targets change (the traffic model catches up to now first). */
  onBeforeChange(listener: () => void): void {
    this.#beforeChange.push(listener);
  }

  // ---- test-side builders ----------------------------------------------------------------

  createLoadBalancer(spec: LoadBalancerSpec): LoadBalancerInfo {
    if (!NAME.test(spec.name) || spec.name.startsWith('internal-')) {
      throw validationError(`Load balancer name '${spec.name}' is not valid`);
    }
    if ([...this.#loadBalancers.values()].some((lb) => lb.name === spec.name)) {
      throw new ServiceError(
        'DuplicateLoadBalancerName',
        400,
        'A load balancer with the same name already exists',
      );
    }
    const id = hexId();
    const scheme = spec.scheme ?? 'internet-facing';
    const prefix = scheme === 'internal' ? 'internal-' : '';
    const record: LoadBalancerRecord = {
      arn: `arn:aws:elasticloadbalancing:${this.#region}:${this.#accountId}:loadbalancer/app/${spec.name}/${id}`,
      name: spec.name,
      id,
      dimension: `app/${spec.name}/${id}`,
      dnsName: `${prefix}${spec.name}-${randomInt(1e9, 1e10)}.${this.#region}.elb.amazonaws.com`,
      scheme,
      vpcId: spec.vpcId ?? 'vpc-0emulator',
      subnets: spec.subnets ?? ['subnet-0emulatora', 'subnet-0emulatorb'],
      securityGroups: spec.securityGroups ?? ['sg-0emulator'],
      createdAt: this.#clock(),
    };
    this.#loadBalancers.set(record.arn, record);
    return publicLoadBalancer(record);
  }

  createTargetGroup(spec: TargetGroupSpec): TargetGroupInfo {
    if (!NAME.test(spec.name)) {
      throw validationError(`Target group name '${spec.name}' is not valid`);
    }
    if ([...this.#targetGroups.values()].some((tg) => tg.name === spec.name)) {
      throw new ServiceError(
        'DuplicateTargetGroupName',
        400,
        'A target group with the same name exists, but with different settings',
      );
    }
    const hc = spec.healthCheck ?? {};
    const healthCheck: HealthCheck = {
      path: hc.path ?? '/',
      intervalSeconds: hc.intervalSeconds ?? 30,
      timeoutSeconds: hc.timeoutSeconds ?? 5,
      healthyThreshold: hc.healthyThreshold ?? 5,
      unhealthyThreshold: hc.unhealthyThreshold ?? 2,
      matcher: hc.matcher ?? '200',
    };
    const checks: [string, number, number, number][] = [
      ['intervalSeconds', healthCheck.intervalSeconds, 5, 300],
      ['timeoutSeconds', healthCheck.timeoutSeconds, 2, 120],
      ['healthyThreshold', healthCheck.healthyThreshold, 2, 10],
      ['unhealthyThreshold', healthCheck.unhealthyThreshold, 2, 10],
    ];
    for (const [name, value, min, max] of checks) {
      if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`healthCheck.${name} must be an integer ${min}..${max}, got ${value}`);
      }
    }
    const id = hexId();
    const record: TargetGroupRecord = {
      arn: `arn:aws:elasticloadbalancing:${this.#region}:${this.#accountId}:targetgroup/${spec.name}/${id}`,
      name: spec.name,
      id,
      dimension: `targetgroup/${spec.name}/${id}`,
      port: spec.port ?? 80,
      protocol: spec.protocol ?? 'HTTP',
      vpcId: spec.vpcId ?? 'vpc-0emulator',
      targetType: spec.targetType ?? 'ip',
      healthCheck,
      deregistrationDelaySeconds: spec.deregistrationDelaySeconds ?? 300,
      targets: new Map(),
    };
    this.#targetGroups.set(record.arn, record);
    return publicTargetGroup(record);
  }

  createListener(spec: ListenerSpec): ListenerInfo {
    const loadBalancer = this.#loadBalancers.get(spec.loadBalancerArn);
    if (loadBalancer === undefined) throw loadBalancerNotFound();
    if (
      [...this.#listeners.values()].some(
        (l) => l.loadBalancerArn === loadBalancer.arn && l.port === spec.port,
      )
    ) {
      throw new ServiceError(
        'DuplicateListener',
        400,
        'A listener already exists on this port for this load balancer',
      );
    }
    const actions = this.#checkActions(spec.defaultActions.map(copyAction), 'DefaultActions');
    const id = hexId();
    const arn = `arn:aws:elasticloadbalancing:${this.#region}:${this.#accountId}:listener/app/${loadBalancer.name}/${loadBalancer.id}/${id}`;
    const defaultRule: RuleRecord = {
      arn: `arn:aws:elasticloadbalancing:${this.#region}:${this.#accountId}:listener-rule/app/${loadBalancer.name}/${loadBalancer.id}/${id}/${hexId()}`,
      listenerArn: arn,
      priority: 'default',
      conditions: [],
      actions,
    };
    const record: ListenerRecord = {
      arn,
      id,
      loadBalancerArn: loadBalancer.arn,
      port: spec.port,
      protocol: spec.protocol ?? 'HTTP',
      defaultRuleArn: defaultRule.arn,
    };
    this.#listeners.set(arn, record);
    this.#rules.set(defaultRule.arn, defaultRule);
    return publicListener(record);
  }

  createRule(spec: RuleSpec): RuleInfo {
    const listener = this.#listeners.get(spec.listenerArn);
    if (listener === undefined) throw listenerNotFound();
    if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 50000) {
      throw validationError(`Priority must be an integer 1..50000, got ${spec.priority}`);
    }
    if (this.#rulesOf(listener.arn).some((rule) => rule.priority === spec.priority)) {
      throw new ServiceError(
        'PriorityInUse',
        400,
        `Priority '${spec.priority}' is currently in use`,
      );
    }
    const loadBalancer = this.#loadBalancers.get(listener.loadBalancerArn);
    const actions = this.#checkActions(spec.actions.map(copyAction), 'Actions');
    const conditions = (spec.conditions ?? [{ Field: 'path-pattern', Values: ['/*'] }]).map(
      normalizeCondition,
    );
    const record: RuleRecord = {
      arn: `arn:aws:elasticloadbalancing:${this.#region}:${this.#accountId}:listener-rule/app/${loadBalancer?.name}/${loadBalancer?.id}/${listener.id}/${hexId()}`,
      listenerArn: listener.arn,
      priority: spec.priority,
      conditions,
      actions,
    };
    this.#notify();
    this.#rules.set(record.arn, record);
    return { arn: record.arn, listenerArn: record.listenerArn };
  }

  /**
   * An ALB for an ECS blue/green service: target groups `<name>-blue` and `<name>-green`, a
   * production listener (port 80) and a test listener (port 8080), each with a priority-1 rule
   * forwarding blue 100 / green 0. Health checks default to a 5 s interval, 2/2 thresholds and
   * a 5 s deregistration delay so tasks turn healthy quickly.
   */
  createBlueGreenAlb(
    name = 'app',
    options: {
      readonly healthCheck?: HealthCheckSpec;
      readonly deregistrationDelaySeconds?: number;
    } = {},
  ): BlueGreenAlb {
    const healthCheck: HealthCheckSpec = {
      intervalSeconds: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      ...options.healthCheck,
    };
    const deregistrationDelaySeconds = options.deregistrationDelaySeconds ?? 5;
    const loadBalancer = this.createLoadBalancer({ name });
    const blue = this.createTargetGroup({
      name: `${name}-blue`,
      healthCheck,
      deregistrationDelaySeconds,
    });
    const green = this.createTargetGroup({
      name: `${name}-green`,
      healthCheck,
      deregistrationDelaySeconds,
    });
    const forward: Action = {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blue.arn, Weight: 100 },
          { TargetGroupArn: green.arn, Weight: 0 },
        ],
      },
    };
    const notFound: Action = {
      Type: 'fixed-response',
      FixedResponseConfig: {
        StatusCode: '404',
        ContentType: 'text/plain',
        MessageBody: 'not found',
      },
    };
    const productionListener = this.createListener({
      loadBalancerArn: loadBalancer.arn,
      port: 80,
      defaultActions: [notFound],
    });
    const testListener = this.createListener({
      loadBalancerArn: loadBalancer.arn,
      port: 8080,
      defaultActions: [notFound],
    });
    const productionRule = this.createRule({
      listenerArn: productionListener.arn,
      priority: 1,
      actions: [forward],
    });
    const testRule = this.createRule({
      listenerArn: testListener.arn,
      priority: 1,
      actions: [forward],
    });
    return {
      loadBalancer,
      blue,
      green,
      productionListener,
      productionRule,
      testListener,
      testRule,
    };
  }

  // ---- LoadBalancing (world.ts) ----------------------------------------------------------

  describeRule(ruleArn: string):
    | {
        readonly listenerArn: string;
        readonly forwardOnly: boolean;
        readonly weights: readonly ForwardWeight[];
      }
    | undefined {
    const rule = this.#rules.get(ruleArn);
    if (rule === undefined) return undefined;
    const forward = rule.actions.find((action) => action.Type === 'forward');
    return {
      listenerArn: rule.listenerArn,
      forwardOnly: rule.actions.every((action) => action.Type === 'forward'),
      weights: forward === undefined ? [] : forwardWeights(forward),
    };
  }

  targetGroupExists(targetGroupArn: string): boolean {
    return this.#targetGroups.has(targetGroupArn);
  }

  setRuleWeights(ruleArn: string, weights: readonly ForwardWeight[]): void {
    const rule = this.#rules.get(ruleArn);
    if (rule === undefined) throw ruleNotFound();
    for (const weight of weights) {
      if (!this.#targetGroups.has(weight.targetGroupArn)) throw targetGroupNotFound();
    }
    const index = rule.actions.findIndex((action) => action.Type === 'forward');
    const current = rule.actions[index];
    if (current === undefined) {
      throw validationError(`Rule '${ruleArn}' has no forward action to set weights on`);
    }
    const stickiness = current.ForwardConfig?.TargetGroupStickinessConfig;
    const actions = [...rule.actions];
    actions[index] = {
      Type: 'forward',
      ...(current.Order === undefined ? {} : { Order: current.Order }),
      ForwardConfig: {
        TargetGroups: weights.map((w) => ({ TargetGroupArn: w.targetGroupArn, Weight: w.weight })),
        ...(stickiness === undefined ? {} : { TargetGroupStickinessConfig: stickiness }),
      },
    };
    this.#notify();
    rule.actions = actions.map(normalizeAction);
  }

  registerTarget(targetGroupArn: string, target: TaskTarget): void {
    const group = this.#targetGroups.get(targetGroupArn);
    if (group === undefined) throw targetGroupNotFound();
    this.#notify();
    const now = this.#clock().getTime();
    this.#refreshGroup(group, now);
    const existing = group.targets.get(target.id);
    if (existing !== undefined && existing.state !== 'draining') {
      existing.port = target.port;
      existing.revision = target.revision;
      existing.serving = target.healthy;
      return;
    }
    group.targets.set(target.id, {
      id: target.id,
      port: target.port,
      revision: target.revision,
      serving: target.healthy,
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      checks: 0,
      lastCheckAt: now,
      passes: 0,
      failures: 0,
      drainingUntil: 0,
    });
  }

  deregisterTarget(targetGroupArn: string, targetId: string): void {
    const group = this.#targetGroups.get(targetGroupArn);
    if (group === undefined) throw targetGroupNotFound();
    this.#notify();
    const now = this.#clock().getTime();
    this.#refreshGroup(group, now);
    const target = group.targets.get(targetId);
    if (target === undefined || target.state === 'draining') return;
    target.state = 'draining';
    target.reason = 'Target.DeregistrationInProgress';
    target.drainingUntil = now + this.#timeScale.real(group.deregistrationDelaySeconds * 1000);
  }

  // ---- views for tests and the traffic model ---------------------------------------------

  /** Target health as DescribeTargetHealth reports it; undefined when not registered. */
  targetHealth(targetGroupArn: string, targetId: string): HealthState | undefined {
    return this.targets(targetGroupArn).find((target) => target.id === targetId)?.state;
  }

  /** Registered (and draining) targets of a target group, health brought up to date. */
  targets(targetGroupArn: string): readonly TargetView[] {
    const group = this.#targetGroups.get(targetGroupArn);
    if (group === undefined) return [];
    this.#refreshGroup(group, this.#clock().getTime());
    const inUse = this.#loadBalancerArnsOf(group.arn).length > 0;
    return [...group.targets.values()].map((target) => ({
      id: target.id,
      port: target.port,
      revision: target.revision,
      state: inUse || target.state === 'draining' ? target.state : 'unused',
      serving: target.serving && this.#scenario.behaviour(target.revision).unhealthy !== true,
    }));
  }

  /** Current forward weights of a rule (what ModifyRule or setRuleWeights last set). */
  ruleWeights(ruleArn: string): readonly ForwardWeight[] {
    return this.describeRule(ruleArn)?.weights ?? [];
  }

  /** Every listener with its load balancer and where its requests go. */
  routes(): {
    readonly listenerArn: string;
    readonly loadBalancer: LoadBalancerInfo;
    readonly route: ListenerRoute;
  }[] {
    const routes = [];
    for (const listener of this.#listeners.values()) {
      const loadBalancer = this.#loadBalancers.get(listener.loadBalancerArn);
      const rule = this.#rulesOf(listener.arn)[0];
      if (loadBalancer === undefined || rule === undefined) continue;
      const terminal = sortActions(rule.actions).find((a) => TERMINAL_ACTIONS.has(a.Type ?? ''));
      let route: ListenerRoute;
      if (terminal?.Type === 'forward')
        route = { kind: 'forward', targetGroups: forwardWeights(terminal) };
      else if (terminal?.Type === 'redirect') route = { kind: 'redirect' };
      else
        route = {
          kind: 'fixed-response',
          statusCode: terminal?.FixedResponseConfig?.StatusCode ?? '503',
        };
      routes.push({
        listenerArn: listener.arn,
        loadBalancer: publicLoadBalancer(loadBalancer),
        route,
      });
    }
    return routes;
  }

  /** Target groups that some listener rule of a load balancer forwards to (at any weight). */
  targetGroupsOf(loadBalancerArn: string): readonly TargetGroupInfo[] {
    return [...this.#targetGroups.values()]
      .filter((group) => this.#loadBalancerArnsOf(group.arn).includes(loadBalancerArn))
      .map(publicTargetGroup);
  }

  targetGroup(targetGroupArn: string): TargetGroupInfo | undefined {
    const group = this.#targetGroups.get(targetGroupArn);
    return group === undefined ? undefined : publicTargetGroup(group);
  }

  // ---- API ------------------------------------------------------------------------------

  async handle(call: ActionCall<QueryParams>): Promise<XmlValue> {
    const params = call.input;
    switch (call.action) {
      case 'DescribeLoadBalancers':
        return this.#describeLoadBalancers(params);
      case 'DescribeTargetGroups':
        return this.#describeTargetGroups(params);
      case 'DescribeListeners':
        return this.#describeListeners(params);
      case 'DescribeRules':
        return this.#describeRules(params);
      case 'DescribeTargetHealth':
        return this.#describeTargetHealth(params);
      case 'ModifyRule':
        return this.#modifyRule(params);
      default:
        throw new ServiceError(
          'InvalidAction',
          400,
          `Could not find operation ${call.action} for version ${ELBV2_API_VERSION}`,
        );
    }
  }

  #describeLoadBalancers(params: QueryParams): XmlValue {
    const arns = params.list('LoadBalancerArns');
    const names = params.list('Names');
    const page = readPage(params);
    if (arns.length > 0 && names.length > 0) {
      throw validationError(
        'Load balancer names and load balancer ARNs cannot be specified at the same time',
      );
    }
    arns.forEach((arn) => checkArn(arn, 'loadbalancer', 'load balancer'));
    let found = [...this.#loadBalancers.values()];
    if (arns.length > 0) {
      found = arns.map((arn) => this.#loadBalancers.get(arn) ?? throwError(loadBalancerNotFound()));
    } else if (names.length > 0) {
      const missing = names.filter((name) => !found.some((lb) => lb.name === name));
      if (missing.length > 0) {
        throw new ServiceError(
          'LoadBalancerNotFound',
          400,
          `Load balancers '[${missing.join(', ')}]' not found`,
        );
      }
      found = found.filter((lb) => names.includes(lb.name));
    }
    const { items, nextMarker } = paginate(found, page);
    return { LoadBalancers: items.map(describeLoadBalancer), NextMarker: nextMarker };
  }

  #describeTargetGroups(params: QueryParams): XmlValue {
    const loadBalancerArn = params.get('LoadBalancerArn');
    const arns = params.list('TargetGroupArns');
    const names = params.list('Names');
    const page = readPage(params);
    const given = [loadBalancerArn !== undefined, arns.length > 0, names.length > 0].filter(
      Boolean,
    );
    if (given.length > 1) {
      throw validationError(
        'Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time',
      );
    }
    let found = [...this.#targetGroups.values()];
    if (loadBalancerArn !== undefined) {
      checkArn(loadBalancerArn, 'loadbalancer', 'load balancer');
      if (!this.#loadBalancers.has(loadBalancerArn)) throw loadBalancerNotFound();
      found = found.filter((group) =>
        this.#loadBalancerArnsOf(group.arn).includes(loadBalancerArn),
      );
    } else if (arns.length > 0) {
      arns.forEach((arn) => checkArn(arn, 'targetgroup', 'target group'));
      found = arns.map((arn) => this.#targetGroups.get(arn) ?? throwError(targetGroupNotFound()));
    } else if (names.length > 0) {
      const missing = names.filter((name) => !found.some((group) => group.name === name));
      if (missing.length > 0) {
        throw new ServiceError(
          'TargetGroupNotFound',
          400,
          `Target groups '[${missing.join(', ')}]' not found`,
        );
      }
      found = found.filter((group) => names.includes(group.name));
    }
    const { items, nextMarker } = paginate(found, page);
    return {
      TargetGroups: items.map((group) =>
        describeTargetGroup(group, this.#loadBalancerArnsOf(group.arn)),
      ),
      NextMarker: nextMarker,
    };
  }

  #describeListeners(params: QueryParams): XmlValue {
    const loadBalancerArn = params.get('LoadBalancerArn');
    const arns = params.list('ListenerArns');
    const page = readPage(params);
    if (loadBalancerArn === undefined && arns.length === 0) {
      throw validationError('You must specify either listener ARNs or a load balancer ARN');
    }
    if (loadBalancerArn !== undefined && arns.length > 0) {
      throw validationError(
        'Listener ARNs and a load balancer ARN cannot be specified at the same time',
      );
    }
    let found: ListenerRecord[];
    if (loadBalancerArn !== undefined) {
      checkArn(loadBalancerArn, 'loadbalancer', 'load balancer');
      if (!this.#loadBalancers.has(loadBalancerArn)) throw loadBalancerNotFound();
      found = [...this.#listeners.values()].filter((l) => l.loadBalancerArn === loadBalancerArn);
    } else {
      arns.forEach((arn) => checkArn(arn, 'listener', 'listener'));
      found = arns.map((arn) => this.#listeners.get(arn) ?? throwError(listenerNotFound()));
    }
    const { items, nextMarker } = paginate(found, page);
    return {
      Listeners: items.map((listener) => ({
        ListenerArn: listener.arn,
        LoadBalancerArn: listener.loadBalancerArn,
        Port: listener.port,
        Protocol: listener.protocol,
        DefaultActions: xml(
          this.#rules.get(listener.defaultRuleArn)?.actions.map(describeAction) ?? [],
        ),
      })),
      NextMarker: nextMarker,
    };
  }

  #describeRules(params: QueryParams): XmlValue {
    const listenerArn = params.get('ListenerArn');
    const arns = params.list('RuleArns');
    const page = readPage(params);
    if (listenerArn === undefined && arns.length === 0) {
      throw validationError('You must specify either listener or rule ARNs');
    }
    if (listenerArn !== undefined && arns.length > 0) {
      throw validationError('Listener and rule ARNs cannot be specified at the same time');
    }
    let found: RuleRecord[];
    if (listenerArn !== undefined) {
      checkArn(listenerArn, 'listener', 'listener');
      if (!this.#listeners.has(listenerArn)) throw listenerNotFound();
      found = this.#rulesOf(listenerArn);
    } else {
      arns.forEach((arn) => checkArn(arn, 'listener-rule', 'rule'));
      found = arns.map((arn) => this.#rules.get(arn) ?? throwError(ruleNotFound()));
    }
    const { items, nextMarker } = paginate(found, page);
    return { Rules: items.map(describeRule), NextMarker: nextMarker };
  }

  #describeTargetHealth(params: QueryParams): XmlValue {
    const validator = new Validator();
    const arn = params.get('TargetGroupArn');
    validator.required('targetGroupArn', arn);
    validator.check();
    checkArn(arn ?? '', 'targetgroup', 'target group');
    const group = this.#targetGroups.get(arn ?? '');
    if (group === undefined) throw targetGroupNotFound();
    const targets = this.targets(group.arn);
    const wanted = params.members('Targets').map((member) => ({
      id: member.get('Id') ?? '',
      port: integerParam('Port', member.get('Port')),
    }));
    const descriptions: XmlValue[] = [];
    if (wanted.length === 0) {
      for (const target of targets) descriptions.push(describeTargetHealth(target, group));
    } else {
      for (const want of wanted) {
        const target = targets.find(
          (t) => t.id === want.id && (want.port === undefined || t.port === want.port),
        );
        descriptions.push(
          target === undefined
            ? {
                Target: { Id: want.id, Port: want.port ?? group.port },
                HealthCheckPort: String(want.port ?? group.port),
                TargetHealth: {
                  State: 'unused',
                  Reason: 'Target.NotRegistered',
                  Description: 'Target is not registered to the target group',
                },
              }
            : describeTargetHealth(target, group),
        );
      }
    }
    return { TargetHealthDescriptions: descriptions };
  }

  #modifyRule(params: QueryParams): XmlValue {
    const validator = new Validator();
    const arn = params.get('RuleArn');
    validator.required('ruleArn', arn);
    validator.check();
    checkArn(arn ?? '', 'listener-rule', 'rule');
    const rule = this.#rules.get(arn ?? '');
    if (rule === undefined) throw ruleNotFound();
    const actionParams = params.members('Actions');
    const conditionParams = params.members('Conditions');
    if (rule.priority === 'default' && conditionParams.length > 0) {
      throw new ServiceError(
        'OperationNotPermitted',
        400,
        'Conditions cannot be specified for a default rule',
      );
    }
    const actions =
      actionParams.length > 0
        ? this.#checkActions(actionParams.map(parseAction), 'Actions')
        : undefined;
    const conditions = conditionParams.length > 0 ? conditionParams.map(parseCondition) : undefined;
    this.#notify();
    if (actions !== undefined) rule.actions = actions;
    if (conditions !== undefined) rule.conditions = conditions.map(normalizeCondition);
    return { Rules: [describeRule(rule)] };
  }

  // ---- internals ------------------------------------------------------------------------

  #notify(): void {
    for (const listener of this.#beforeChange) listener();
  }

  /** Rules of a listener by priority, the default rule last. */
  #rulesOf(listenerArn: string): RuleRecord[] {
    return [...this.#rules.values()]
      .filter((rule) => rule.listenerArn === listenerArn)
      .sort((a, b) =>
        a.priority === 'default' ? 1 : b.priority === 'default' ? -1 : a.priority - b.priority,
      );
  }

  #loadBalancerArnsOf(targetGroupArn: string): string[] {
    const arns = new Set<string>();
    for (const rule of this.#rules.values()) {
      const forwards = rule.actions.some(
        (action) =>
          action.Type === 'forward' &&
          forwardWeights(action).some((w) => w.targetGroupArn === targetGroupArn),
      );
      const listener = this.#listeners.get(rule.listenerArn);
      if (forwards && listener !== undefined) arns.add(listener.loadBalancerArn);
    }
    return [...arns];
  }

  /** Validates actions (type, configs, target groups, weights) and returns them normalized. */
  #checkActions(actions: Action[], member: string): Action[] {
    if (actions.length === 0) throw validationError(`${member} must contain at least one action`);
    if (actions.length > 1 && actions.some((a) => a.Order === undefined)) {
      throw validationError('An action order must be specified when there is more than one action');
    }
    const sorted = sortActions(actions);
    sorted.forEach((action, index) => {
      const type = action.Type ?? '';
      if (!ACTION_TYPES.has(type)) {
        throw validationError(
          `Action type '${type}' must be one of '${[...ACTION_TYPES].join(', ')}'`,
        );
      }
      const last = index === sorted.length - 1;
      if (last !== TERMINAL_ACTIONS.has(type)) {
        throw new ServiceError(
          'InvalidLoadBalancerAction',
          400,
          'The last action must be one of forward, redirect or fixed-response, and only the last action can be',
        );
      }
      if (type === 'forward') this.#checkForward(action);
      if (type === 'redirect' && action.RedirectConfig?.StatusCode === undefined) {
        throw validationError('A redirect action requires RedirectConfig with a StatusCode');
      }
      if (
        type === 'fixed-response' &&
        !/^[245]\d\d$/.test(action.FixedResponseConfig?.StatusCode ?? '')
      ) {
        throw validationError(
          'A fixed-response action requires FixedResponseConfig with a 2XX, 4XX or 5XX StatusCode',
        );
      }
    });
    return actions.map(normalizeAction);
  }

  #checkForward(action: Action): void {
    const tuples = action.ForwardConfig?.TargetGroups ?? [];
    if (action.TargetGroupArn === undefined && tuples.length === 0) {
      throw validationError(
        'A forward action requires a target group ARN or a forward config with target groups',
      );
    }
    if (tuples.length > 5) {
      throw validationError('A forward action can have at most 5 target groups');
    }
    if (action.TargetGroupArn !== undefined && tuples.length > 0) {
      const single = tuples.length === 1 && tuples[0]?.TargetGroupArn === action.TargetGroupArn;
      if (!single) {
        throw validationError(
          'You cannot specify both a target group ARN and a forward config with different target groups',
        );
      }
    }
    const arns = [action.TargetGroupArn, ...tuples.map((t) => t.TargetGroupArn)].filter(
      (arn): arn is string => arn !== undefined,
    );
    if (new Set(tuples.map((t) => t.TargetGroupArn)).size !== tuples.length) {
      throw validationError('A forward config cannot contain the same target group more than once');
    }
    for (const arn of arns) {
      checkArn(arn, 'targetgroup', 'target group');
      if (!this.#targetGroups.has(arn)) throw targetGroupNotFound();
    }
    for (const tuple of tuples) {
      const weight = tuple.Weight;
      if (weight !== undefined && (!Number.isInteger(weight) || weight < 0 || weight > 999)) {
        throw validationError(
          `Target group weight '${weight}' must be an integer between 0 and 999`,
        );
      }
    }
  }

  /** Advances health checks of a group's targets to `now` and drops drained targets. */
  #refreshGroup(group: TargetGroupRecord, now: number): void {
    const interval = Math.max(1, this.#timeScale.real(group.healthCheck.intervalSeconds * 1000));
    const hc = group.healthCheck;
    for (const target of [...group.targets.values()]) {
      if (target.state === 'draining') {
        if (now >= target.drainingUntil) group.targets.delete(target.id);
        continue;
      }
      const passes = target.serving && this.#scenario.behaviour(target.revision).unhealthy !== true;
      // The outcome is the same for every check until something changes, so a long gap only
      // needs enough checks to cross a threshold.
      const due = Math.floor((now - target.lastCheckAt) / interval);
      const limit = Math.max(hc.healthyThreshold, hc.unhealthyThreshold) + 1;
      for (let i = 0; i < Math.min(due, limit); i += 1) applyCheck(target, passes, hc);
      if (due > 0) target.lastCheckAt += due * interval;
    }
  }
}

function applyCheck(target: TargetRecord, passes: boolean, hc: HealthCheck): void {
  target.checks += 1;
  if (passes) {
    target.passes += 1;
    target.failures = 0;
  } else {
    target.failures += 1;
    target.passes = 0;
  }
  switch (target.state) {
    case 'initial':
      // A newly registered target needs one passing check to become healthy.
      if (passes) {
        target.state = 'healthy';
        target.reason = undefined;
      } else if (target.failures >= hc.unhealthyThreshold) {
        target.state = 'unhealthy';
        target.reason = 'Target.FailedHealthChecks';
      } else {
        target.reason = 'Elb.InitialHealthChecking';
      }
      return;
    case 'healthy':
      if (target.failures >= hc.unhealthyThreshold) {
        target.state = 'unhealthy';
        target.reason = 'Target.FailedHealthChecks';
      }
      return;
    case 'unhealthy':
      if (target.passes >= hc.healthyThreshold) {
        target.state = 'healthy';
        target.reason = undefined;
      }
      return;
    case 'draining':
      return;
  }
}

const REASON_TEXT: Readonly<Record<string, string>> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
};

function describeTargetHealth(target: TargetView, group: TargetGroupRecord): XmlValue {
  const record = group.targets.get(target.id);
  const reason =
    target.state === 'unused'
      ? 'Target.NotInUse'
      : target.state === 'healthy'
        ? undefined
        : record?.reason;
  return {
    Target: { Id: target.id, Port: target.port },
    HealthCheckPort: String(target.port),
    TargetHealth: {
      State: target.state,
      Reason: reason,
      Description: reason === undefined ? undefined : REASON_TEXT[reason],
    },
  };
}

function publicLoadBalancer(record: LoadBalancerRecord | LoadBalancerInfo): LoadBalancerInfo {
  return {
    arn: record.arn,
    name: record.name,
    dimension: record.dimension,
    dnsName: record.dnsName,
  };
}

function publicTargetGroup(record: TargetGroupRecord): TargetGroupInfo {
  return { arn: record.arn, name: record.name, dimension: record.dimension };
}

function publicListener(record: ListenerRecord): ListenerInfo {
  return {
    arn: record.arn,
    loadBalancerArn: record.loadBalancerArn,
    port: record.port,
    defaultRuleArn: record.defaultRuleArn,
  };
}

const ZONES = ['a', 'b', 'c', 'd', 'e', 'f'];

function describeLoadBalancer(lb: LoadBalancerRecord): XmlValue {
  const region = lb.arn.split(':')[3] ?? 'us-east-1';
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
    CreatedTime: lb.createdAt,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: 'application',
    AvailabilityZones: lb.subnets.map((subnet, i) => ({
      ZoneName: `${region}${ZONES[i % ZONES.length]}`,
      SubnetId: subnet,
    })),
    SecurityGroups: [...lb.securityGroups],
    IpAddressType: 'ipv4',
  };
}

function describeTargetGroup(group: TargetGroupRecord, loadBalancerArns: string[]): XmlValue {
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: group.protocol,
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: group.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: group.healthCheck.timeoutSeconds,
    HealthyThresholdCount: group.healthCheck.healthyThreshold,
    UnhealthyThresholdCount: group.healthCheck.unhealthyThreshold,
    HealthCheckPath: group.healthCheck.path,
    Matcher: { HttpCode: group.healthCheck.matcher },
    LoadBalancerArns: loadBalancerArns,
    TargetType: group.targetType,
    ProtocolVersion: 'HTTP1',
    IpAddressType: 'ipv4',
  };
}

function describeRule(rule: RuleRecord): XmlValue {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: xml(rule.conditions),
    Actions: xml(rule.actions.map(describeAction)),
    IsDefault: rule.priority === 'default',
  };
}

/** What Describe* return for an action: the client secret is never returned. */
function describeAction(action: Action): Action {
  if (action.AuthenticateOidcConfig === undefined) return action;
  const config = { ...action.AuthenticateOidcConfig };
  delete config.ClientSecret;
  return { ...action, AuthenticateOidcConfig: config };
}

/**
 * Stores forwards the way ELBv2 describes them: a single target group appears both as
 * TargetGroupArn and in ForwardConfig (weight 1); several appear only in ForwardConfig; the
 * stickiness config is always present.
 */
function normalizeAction(action: Action): Action {
  if (action.Type !== 'forward') return action;
  const tuples = action.ForwardConfig?.TargetGroups?.map((t) => ({
    TargetGroupArn: t.TargetGroupArn,
    Weight: t.Weight ?? 1,
  })) ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
  const forward: ForwardActionConfig = {
    TargetGroups: tuples,
    TargetGroupStickinessConfig: action.ForwardConfig?.TargetGroupStickinessConfig ?? {
      Enabled: false,
    },
  };
  const single = tuples.length === 1 ? tuples[0]?.TargetGroupArn : undefined;
  return {
    Type: 'forward',
    ...(single === undefined ? {} : { TargetGroupArn: single }),
    ...(action.Order === undefined ? {} : { Order: action.Order }),
    ForwardConfig: forward,
  };
}

function forwardWeights(action: Action): ForwardWeight[] {
  const tuples = action.ForwardConfig?.TargetGroups;
  if (tuples !== undefined && tuples.length > 0) {
    return tuples
      .filter((t) => t.TargetGroupArn !== undefined)
      .map((t) => ({ targetGroupArn: t.TargetGroupArn ?? '', weight: t.Weight ?? 1 }));
  }
  return action.TargetGroupArn === undefined
    ? []
    : [{ targetGroupArn: action.TargetGroupArn, weight: 1 }];
}

function sortActions(actions: readonly Action[]): Action[] {
  return [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
}

/** ELBv2 fills the legacy `Values` and the typed config of host-header and path-pattern. */
function normalizeCondition(condition: RuleCondition): RuleCondition {
  const copy: RuleCondition = structuredClone(condition);
  if (copy.Field === 'path-pattern') {
    if (copy.PathPatternConfig === undefined && copy.Values !== undefined)
      copy.PathPatternConfig = { Values: copy.Values };
    if (copy.Values === undefined && copy.PathPatternConfig?.Values !== undefined)
      copy.Values = copy.PathPatternConfig.Values;
  }
  if (copy.Field === 'host-header') {
    if (copy.HostHeaderConfig === undefined && copy.Values !== undefined)
      copy.HostHeaderConfig = { Values: copy.Values };
    if (copy.Values === undefined && copy.HostHeaderConfig?.Values !== undefined)
      copy.Values = copy.HostHeaderConfig.Values;
  }
  return copy;
}

function copyAction(action: Action): Action {
  return structuredClone(action);
}

// ---- query-parameter parsing ----------------------------------------------------------------

/** Parameters under `<prefix>.` with the prefix removed. */
function scoped(params: QueryParams, prefix: string): QueryParams | undefined {
  const values = new Map<string, string>();
  for (const name of params.names()) {
    if (name.startsWith(`${prefix}.`))
      values.set(name.slice(prefix.length + 1), params.get(name) ?? '');
  }
  return values.size === 0 ? undefined : new QueryParams(values);
}

function strings<K extends string>(
  params: QueryParams,
  fields: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const field of fields) {
    const value = params.get(field);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

function booleanParam(member: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw validationError(
    `Value '${raw}' at '${member}' failed to satisfy constraint: Member must be a boolean`,
  );
}

function parseAction(params: QueryParams): Action {
  const action: Action = { Type: params.get('Type') as Action['Type'] };
  const targetGroupArn = params.get('TargetGroupArn');
  if (targetGroupArn !== undefined) action.TargetGroupArn = targetGroupArn;
  const order = integerParam('order', params.get('Order'));
  if (order !== undefined) action.Order = order;
  const forward = scoped(params, 'ForwardConfig');
  if (forward !== undefined) {
    const config: ForwardActionConfig = {
      TargetGroups: forward.members('TargetGroups').map((tuple) => {
        const weight = integerParam('weight', tuple.get('Weight'));
        return {
          TargetGroupArn: tuple.get('TargetGroupArn'),
          ...(weight === undefined ? {} : { Weight: weight }),
        };
      }),
    };
    const stickiness = scoped(forward, 'TargetGroupStickinessConfig');
    if (stickiness !== undefined) {
      const enabled = booleanParam('enabled', stickiness.get('Enabled'));
      const duration = integerParam('durationSeconds', stickiness.get('DurationSeconds'));
      config.TargetGroupStickinessConfig = {
        ...(enabled === undefined ? {} : { Enabled: enabled }),
        ...(duration === undefined ? {} : { DurationSeconds: duration }),
      };
    }
    action.ForwardConfig = config;
  }
  const redirect = scoped(params, 'RedirectConfig');
  if (redirect !== undefined) {
    action.RedirectConfig = strings(redirect, [
      'Protocol',
      'Port',
      'Host',
      'Path',
      'Query',
      'StatusCode',
    ]) as RedirectActionConfig;
  }
  const fixed = scoped(params, 'FixedResponseConfig');
  if (fixed !== undefined) {
    action.FixedResponseConfig = strings(fixed, [
      'MessageBody',
      'StatusCode',
      'ContentType',
    ]) as FixedResponseActionConfig;
  }
  const oidc = scoped(params, 'AuthenticateOidcConfig');
  if (oidc !== undefined) {
    const timeout = integerParam('sessionTimeout', oidc.get('SessionTimeout'));
    const existing = booleanParam('useExistingClientSecret', oidc.get('UseExistingClientSecret'));
    action.AuthenticateOidcConfig = {
      ...strings(oidc, [
        'Issuer',
        'AuthorizationEndpoint',
        'TokenEndpoint',
        'UserInfoEndpoint',
        'ClientId',
        'ClientSecret',
        'SessionCookieName',
        'Scope',
        'OnUnauthenticatedRequest',
      ]),
      ...(timeout === undefined ? {} : { SessionTimeout: timeout }),
      ...(existing === undefined ? {} : { UseExistingClientSecret: existing }),
    } as AuthenticateOidcActionConfig;
  }
  const cognito = scoped(params, 'AuthenticateCognitoConfig');
  if (cognito !== undefined) {
    const timeout = integerParam('sessionTimeout', cognito.get('SessionTimeout'));
    action.AuthenticateCognitoConfig = {
      ...strings(cognito, [
        'UserPoolArn',
        'UserPoolClientId',
        'UserPoolDomain',
        'SessionCookieName',
        'Scope',
        'OnUnauthenticatedRequest',
      ]),
      ...(timeout === undefined ? {} : { SessionTimeout: timeout }),
    } as AuthenticateCognitoActionConfig;
  }
  const jwt = scoped(params, 'JwtValidationConfig');
  if (jwt !== undefined) {
    action.JwtValidationConfig = strings(jwt, [
      'JwksEndpoint',
      'Issuer',
    ]) as JwtValidationActionConfig;
  }
  return action;
}

function parseCondition(params: QueryParams): RuleCondition {
  const condition: RuleCondition = {};
  const field = params.get('Field');
  if (field !== undefined) condition.Field = field;
  const values = params.list('Values');
  if (values.length > 0) condition.Values = values;
  const regexValues = params.list('RegexValues');
  if (regexValues.length > 0) condition.RegexValues = regexValues;
  const valueConfig = (name: string) => {
    const config = scoped(params, name);
    if (config === undefined) return undefined;
    const configValues = config.list('Values');
    const configRegex = config.list('RegexValues');
    return {
      ...(configValues.length > 0 ? { Values: configValues } : {}),
      ...(configRegex.length > 0 ? { RegexValues: configRegex } : {}),
    };
  };
  const host = valueConfig('HostHeaderConfig');
  if (host !== undefined) condition.HostHeaderConfig = host;
  const path = valueConfig('PathPatternConfig');
  if (path !== undefined) condition.PathPatternConfig = path;
  const header = scoped(params, 'HttpHeaderConfig');
  if (header !== undefined) {
    condition.HttpHeaderConfig = {
      ...strings(header, ['HttpHeaderName']),
      ...(header.list('Values').length > 0 ? { Values: header.list('Values') } : {}),
    };
  }
  const method = scoped(params, 'HttpRequestMethodConfig');
  if (method !== undefined) condition.HttpRequestMethodConfig = { Values: method.list('Values') };
  const query = scoped(params, 'QueryStringConfig');
  if (query !== undefined) {
    condition.QueryStringConfig = {
      Values: query.members('Values').map((pair) => strings(pair, ['Key', 'Value'])),
    };
  }
  const sourceIp = scoped(params, 'SourceIpConfig');
  if (sourceIp !== undefined) condition.SourceIpConfig = { Values: sourceIp.list('Values') };
  return condition;
}

interface Page {
  readonly offset: number;
  readonly size: number;
}

function readPage(params: QueryParams): Page {
  const validator = new Validator();
  const size = integerParam('pageSize', params.get('PageSize'));
  validator.range('pageSize', size, 1, MAX_PAGE_SIZE);
  validator.check();
  const marker = params.get('Marker');
  let offset = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    if (!/^\d+$/.test(decoded)) throw validationError('The marker is not valid');
    offset = Number(decoded);
  }
  return { offset, size: size ?? MAX_PAGE_SIZE };
}

function paginate<T>(
  items: readonly T[],
  page: Page,
): { items: T[]; nextMarker: string | undefined } {
  const end = page.offset + page.size;
  return {
    items: items.slice(page.offset, end),
    nextMarker: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

const ARN_RESOURCE: Readonly<Record<string, RegExp>> = {
  loadbalancer:
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:loadbalancer\/app\/[^/]+\/[0-9a-f]+$/,
  targetgroup: /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/,
  listener:
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener\/app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+$/,
  'listener-rule':
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:listener-rule\/app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+$/,
};

function checkArn(arn: string, resource: string, noun: string): void {
  if (!(ARN_RESOURCE[resource]?.test(arn) ?? false)) {
    throw validationError(`'${arn}' is not a valid ${noun} ARN`);
  }
}

function throwError(error: Error): never {
  throw error;
}

/** SDK model objects are plain data; the query serializer takes them as they are. */
function xml(value: unknown): XmlValue {
  return value as XmlValue;
}
