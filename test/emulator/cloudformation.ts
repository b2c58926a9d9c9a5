// AWS CloudFormation: the calls the real cdk CLI makes to diff and deploy (DescribeStacks,
// GetTemplate; DeleteChangeSet, CreateChangeSet, DescribeChangeSet, ExecuteChangeSet,
// DescribeStackEvents), over stacks a test puts there (`putStack`) or a change set created.
// A change set records the new template (TemplateBody, or TemplateURL read from the emulated S3)
// and its resource changes; executing it makes that the stack's template (GetTemplate returns
// it) at once, with the events CloudFormation writes. No resource is created: the stack is the
// record of what was deployed (test/e2e/infra-workflow.test.ts runs `cdk deploy` against it).
//
// Wire protocol: awsQuery, API version 2010-05-15
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html,
// API_GetTemplate.html, API_CreateChangeSet.html, API_DescribeChangeSet.html,
// API_ExecuteChangeSet.html, API_DeleteChangeSet.html, API_DescribeStackEvents.html). A stack
// that does not exist is `ValidationError` (400) "Stack with id NAME does not exist", the error
// cdk reads as "not deployed yet"; a change set that does not exist is `ChangeSetNotFound` (404);
// one without changes is FAILED with "The submitted information didn't contain changes. …".
// Permissions: optional identity rules (`addAccess`, from loaded templates' or cdk bootstrap's
// policies); with them, the caller needs cloudformation:<Action> on the stack's ARN.
import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.ts';
import { type IdentityAccess, eitherAllows } from './identity-access.ts';
import type { QueryParams } from './query-protocol.ts';
import { queryProtocol } from './query-protocol.ts';
import type { ActionCall, Service } from './service.ts';
import type { XmlValue } from './xml.ts';

export const CLOUDFORMATION_XML_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
export const CLOUDFORMATION_API_VERSION = '2010-05-15';

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'CREATE_IN_PROGRESS'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'ROLLBACK_COMPLETE'
  | 'REVIEW_IN_PROGRESS';

/** A deployed stack as a test puts it there. */
export interface StackSpec {
  readonly name: string;
  /** The template as deployed: an object (written as JSON) or the text itself. */
  readonly template: unknown;
  readonly account?: string;
  readonly region?: string;
  /** Default CREATE_COMPLETE. */
  readonly status?: StackStatus;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
}

interface Stack {
  readonly id: string;
  readonly name: string;
  readonly account: string;
  readonly region: string;
  templateBody: string;
  status: StackStatus;
  readonly created: Date;
  updated: Date | undefined;
  outputs: Readonly<Record<string, string>>;
  tags: Readonly<Record<string, string>>;
  parameters: Readonly<Record<string, string>>;
  readonly changeSets: Map<string, ChangeSet>;
  readonly events: StackEvent[];
}

type ChangeAction = 'Add' | 'Modify' | 'Remove';

export interface ResourceChange {
  readonly action: ChangeAction;
  readonly logicalId: string;
  readonly resourceType: string;
}

interface ChangeSet {
  readonly id: string;
  readonly name: string;
  readonly type: 'CREATE' | 'UPDATE';
  readonly created: Date;
  readonly templateBody: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly roleArn: string | undefined;
  readonly description: string | undefined;
  readonly changes: readonly ResourceChange[];
  readonly status: 'CREATE_COMPLETE' | 'FAILED';
  readonly statusReason: string | undefined;
}

interface StackEvent {
  readonly id: string;
  readonly at: Date;
  readonly logicalId: string;
  readonly physicalId: string;
  readonly resourceType: string;
  readonly status: string;
}

/** What a change set execution left: the stack's template before and after, and who ran it. */
export interface StackDeployment {
  readonly stackName: string;
  readonly changeSetType: 'CREATE' | 'UPDATE';
  readonly callerArn: string | undefined;
  readonly roleArn: string | undefined;
  readonly changes: readonly ResourceChange[];
  readonly templateBody: string;
}

export interface CloudFormationDependencies {
  readonly clock: () => Date;
  /** The object a TemplateURL names (the emulated S3), or undefined when there is none. */
  readonly readTemplateUrl?: (url: string) => Buffer | undefined;
}

const ACTIONS = [
  'DescribeStacks',
  'GetTemplate',
  'CreateChangeSet',
  'DescribeChangeSet',
  'ExecuteChangeSet',
  'DeleteChangeSet',
  'DescribeStackEvents',
] as const;

const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

export class CloudFormation implements Service<QueryParams> {
  readonly name = 'cloudformation';
  readonly signingName = 'cloudformation';
  readonly protocol = queryProtocol({
    xmlNamespace: CLOUDFORMATION_XML_NAMESPACE,
    version: CLOUDFORMATION_API_VERSION,
  });
  readonly actions: ReadonlySet<string> = new Set(ACTIONS);
  readonly unsignedActions: ReadonlySet<string> = new Set();
  readonly #clock: () => Date;
  readonly #readTemplateUrl: ((url: string) => Buffer | undefined) | undefined;
  readonly #stacks = new Map<string, Stack>();
  #access: IdentityAccess | undefined;
  /** Every executed change set, oldest first. */
  readonly deployments: StackDeployment[] = [];

  constructor(dependencies: CloudFormationDependencies) {
    this.#clock = dependencies.clock;
    this.#readTemplateUrl = dependencies.readTemplateUrl;
  }

  /** One more set of identity rules (cloudformation:<Action> on the stack ARN). */
  addAccess(access: IdentityAccess): void {
    this.#access = eitherAllows(this.#access, access);
  }

  /** Test control: the stack as if deployed (created, or updated in place keeping its id). */
  putStack(spec: StackSpec): void {
    const existing = this.#stacks.get(spec.name);
    const now = this.#clock();
    const account = spec.account ?? '123456789012';
    const region = spec.region ?? 'us-east-1';
    this.#stacks.set(spec.name, {
      id:
        existing?.id ??
        `arn:aws:cloudformation:${region}:${account}:stack/${spec.name}/${randomUUID()}`,
      name: spec.name,
      account,
      region,
      templateBody:
        typeof spec.template === 'string' ? spec.template : JSON.stringify(spec.template),
      status: spec.status ?? (existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE'),
      created: existing?.created ?? now,
      updated: existing ? now : undefined,
      outputs: spec.outputs ?? {},
      tags: spec.tags ?? {},
      parameters: existing?.parameters ?? {},
      changeSets: existing?.changeSets ?? new Map(),
      events: existing?.events ?? [],
    });
  }

  /** The deployed template as an object, or undefined when the stack does not exist. */
  template(name: string): unknown {
    const stack = this.#stacks.get(name);
    return stack && stack.status !== 'REVIEW_IN_PROGRESS'
      ? JSON.parse(stack.templateBody)
      : undefined;
  }

  async handle(call: ActionCall<QueryParams>): Promise<XmlValue> {
    const input = call.input;
    switch (call.action) {
      case 'DescribeStacks': {
        const name = input.get('StackName');
        if (name === undefined) {
          this.#authorize(call, '*');
          return { Stacks: [...this.#stacks.values()].map(describe) };
        }
        const stack = this.#find(name);
        this.#authorize(call, stack.id);
        return { Stacks: [describe(stack)] };
      }
      case 'GetTemplate': {
        const stack = this.#find(required(input, 'StackName'));
        this.#authorize(call, stack.id);
        const stage = input.get('TemplateStage') ?? 'Original';
        if (stage !== 'Original' && stage !== 'Processed') {
          throw new ServiceError(
            'ValidationError',
            400,
            `1 validation error detected: Value '${stage}' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]`,
          );
        }
        if (input.has('ChangeSetName')) {
          const changeSet = this.#changeSet(stack, required(input, 'ChangeSetName'));
          return {
            TemplateBody: changeSet.templateBody,
            StagesAvailable: ['Original', 'Processed'],
          };
        }
        return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
      }
      case 'CreateChangeSet':
        return this.#createChangeSet(call);
      case 'DescribeChangeSet': {
        const stack = this.#stackOfChangeSet(input);
        this.#authorize(call, stack.id);
        return describeChangeSet(stack, this.#changeSet(stack, required(input, 'ChangeSetName')));
      }
      case 'DeleteChangeSet': {
        // Deleting a change set that is not there succeeds: cdk deletes its own before each deploy.
        const stack = this.#stackOfChangeSet(input);
        this.#authorize(call, stack.id);
        const reference = required(input, 'ChangeSetName');
        for (const [name, changeSet] of stack.changeSets)
          if (name === reference || changeSet.id === reference) stack.changeSets.delete(name);
        return {};
      }
      case 'ExecuteChangeSet':
        return this.#executeChangeSet(call);
      case 'DescribeStackEvents': {
        const stack = this.#find(required(input, 'StackName'));
        this.#authorize(call, stack.id);
        return { StackEvents: [...stack.events].reverse().map((e) => describeEvent(stack, e)) };
      }
      default:
        throw new ServiceError('InvalidAction', 400, `Could not find operation ${call.action}`);
    }
  }

  #createChangeSet(call: ActionCall<QueryParams>): XmlValue {
    const input = call.input;
    const stackName = required(input, 'StackName');
    const name = required(input, 'ChangeSetName');
    if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name))
      throw new ServiceError(
        'ValidationError',
        400,
        `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
      );
    const type = input.get('ChangeSetType') ?? 'UPDATE';
    if (type !== 'CREATE' && type !== 'UPDATE')
      throw new ServiceError('ValidationError', 400, `ChangeSetType ${type} is not supported here`);
    let stack = this.#stacks.get(stackName);
    const now = this.#clock();
    const caller = call.caller;
    const account = caller?.account ?? '123456789012';
    const stackId =
      stack?.id ?? `arn:aws:cloudformation:us-east-1:${account}:stack/${stackName}/${randomUUID()}`;
    this.#authorize(call, stackId);
    if (type === 'CREATE' && stack !== undefined && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new ServiceError('AlreadyExistsException', 400, `Stack [${stackName}] already exists`);
    if (type === 'UPDATE' && (stack === undefined || stack.status === 'REVIEW_IN_PROGRESS'))
      throw new ServiceError('ValidationError', 400, `Stack [${stackName}] does not exist`);
    if (stack?.changeSets.has(name))
      throw new ServiceError(
        'AlreadyExistsException',
        400,
        `ChangeSet [${name}] already exists and cannot be created again.`,
      );
    const templateBody = this.#templateOf(input);
    let template: CfnTemplateShape;
    try {
      template = JSON.parse(templateBody) as CfnTemplateShape;
    } catch {
      throw new ServiceError(
        'ValidationError',
        400,
        'Template format error: JSON not well-formed.',
      );
    }
    if (typeof template.Resources !== 'object' || template.Resources === null)
      throw new ServiceError(
        'ValidationError',
        400,
        'Template format error: At least one Resources member must be defined.',
      );
    const parameters = readParameters(input, template, stack?.parameters ?? {});
    const capabilities = input.list('Capabilities');
    const needed = requiredCapability(template);
    if (
      needed !== undefined &&
      !capabilities.includes(needed) &&
      !capabilities.includes('CAPABILITY_NAMED_IAM')
    )
      throw new ServiceError(
        'InsufficientCapabilitiesException',
        400,
        `Requires capabilities : [${needed}]`,
      );
    if (stack === undefined) {
      stack = {
        id: stackId,
        name: stackName,
        account,
        region: 'us-east-1',
        templateBody: '{"Resources":{}}',
        status: 'REVIEW_IN_PROGRESS',
        created: now,
        updated: undefined,
        outputs: {},
        tags: {},
        parameters: {},
        changeSets: new Map(),
        events: [],
      };
      this.#stacks.set(stackName, stack);
      stack.events.push(
        event(now, stackName, stackId, 'AWS::CloudFormation::Stack', 'REVIEW_IN_PROGRESS'),
      );
    }
    const before =
      stack.status === 'REVIEW_IN_PROGRESS' ? { Resources: {} } : parse(stack.templateBody);
    const changes = resourceChanges(before, template);
    const unchanged =
      changes.length === 0 &&
      JSON.stringify(sorted(before)) === JSON.stringify(sorted(template)) &&
      JSON.stringify(stack.parameters) === JSON.stringify(parameters);
    const tags = Object.fromEntries(
      input.members('Tags').map((t) => [t.get('Key') ?? '', t.get('Value') ?? '']),
    );
    const changeSet: ChangeSet = {
      id: `arn:aws:cloudformation:us-east-1:${account}:changeSet/${name}/${randomUUID()}`,
      name,
      type,
      created: now,
      templateBody,
      parameters,
      tags,
      capabilities,
      roleArn: input.get('RoleARN'),
      description: input.get('Description'),
      changes,
      status: unchanged ? 'FAILED' : 'CREATE_COMPLETE',
      statusReason: unchanged ? NO_CHANGES : undefined,
    };
    stack.changeSets.set(name, changeSet);
    return { Id: changeSet.id, StackId: stack.id };
  }

  #executeChangeSet(call: ActionCall<QueryParams>): XmlValue {
    const stack = this.#stackOfChangeSet(call.input);
    this.#authorize(call, stack.id);
    const changeSet = this.#changeSet(stack, required(call.input, 'ChangeSetName'));
    if (changeSet.status !== 'CREATE_COMPLETE')
      throw new ServiceError(
        'InvalidChangeSetStatus',
        400,
        `ChangeSet [${changeSet.id}] cannot be executed in its current status of [${changeSet.status}]`,
      );
    const start = this.#clock().getTime();
    let written = 0;
    // One event after another, a millisecond apart, as cdk's progress display orders them.
    const at = () => new Date(start + written++);
    const now = at();
    const creating = changeSet.type === 'CREATE';
    const [progress, complete] = creating
      ? (['CREATE_IN_PROGRESS', 'CREATE_COMPLETE'] as const)
      : (['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE'] as const);
    stack.events.push(event(at(), stack.name, stack.id, 'AWS::CloudFormation::Stack', progress));
    for (const change of changeSet.changes) {
      const status =
        change.action === 'Add'
          ? 'CREATE_COMPLETE'
          : change.action === 'Modify'
            ? 'UPDATE_COMPLETE'
            : 'DELETE_COMPLETE';
      stack.events.push(
        event(
          at(),
          change.logicalId,
          `${stack.name}-${change.logicalId}`,
          change.resourceType,
          status,
        ),
      );
    }
    stack.events.push(event(at(), stack.name, stack.id, 'AWS::CloudFormation::Stack', complete));
    stack.templateBody = changeSet.templateBody;
    stack.parameters = changeSet.parameters;
    stack.tags = changeSet.tags;
    stack.status = complete;
    if (!creating) stack.updated = now;
    stack.outputs = literalOutputs(parse(changeSet.templateBody));
    // CloudFormation deletes a stack's other change sets once one is executed.
    stack.changeSets.clear();
    this.deployments.push({
      stackName: stack.name,
      changeSetType: changeSet.type,
      callerArn: call.caller?.arn,
      roleArn: changeSet.roleArn,
      changes: changeSet.changes,
      templateBody: changeSet.templateBody,
    });
    return {};
  }

  #templateOf(input: QueryParams): string {
    const body = input.get('TemplateBody');
    if (body !== undefined) return body;
    const url = input.get('TemplateURL');
    if (url === undefined)
      throw new ServiceError(
        'ValidationError',
        400,
        'Either Template URL or Template Body must be specified.',
      );
    const object = this.#readTemplateUrl?.(url);
    if (object === undefined)
      throw new ServiceError(
        'ValidationError',
        400,
        `S3 error: The specified key does not exist. (${url})`,
      );
    return object.toString('utf8');
  }

  #stackOfChangeSet(input: QueryParams): Stack {
    const reference = required(input, 'ChangeSetName');
    const stackName = input.get('StackName');
    if (stackName !== undefined) return this.#find(stackName);
    const owner = [...this.#stacks.values()].find((s) =>
      [...s.changeSets.values()].some((c) => c.id === reference),
    );
    if (owner === undefined)
      throw new ServiceError('ChangeSetNotFound', 404, `ChangeSet [${reference}] does not exist`);
    return owner;
  }

  #changeSet(stack: Stack, reference: string): ChangeSet {
    const found =
      stack.changeSets.get(reference) ??
      [...stack.changeSets.values()].find((c) => c.id === reference);
    if (found === undefined)
      throw new ServiceError('ChangeSetNotFound', 404, `ChangeSet [${reference}] does not exist`);
    return found;
  }

  #authorize(call: ActionCall<QueryParams>, resourceArn: string): void {
    const caller = call.caller;
    if (this.#access === undefined || caller === undefined) return;
    const action = `cloudformation:${call.action}`;
    if (!this.#access(caller.principalArn, action, resourceArn))
      throw new ServiceError(
        'AccessDenied',
        403,
        `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resourceArn} because no identity-based policy allows the ${action} action`,
      );
  }

  /** By name or stack id, as CloudFormation accepts either. */
  #find(nameOrId: string): Stack {
    const stack =
      this.#stacks.get(nameOrId) ?? [...this.#stacks.values()].find((s) => s.id === nameOrId);
    if (stack === undefined) {
      throw new ServiceError('ValidationError', 400, `Stack with id ${nameOrId} does not exist`);
    }
    return stack;
  }
}

interface CfnTemplateShape {
  Resources?: Record<string, { Type?: string; Properties?: unknown }>;
  Parameters?: Record<string, { Default?: string; Type?: string }>;
  Outputs?: Record<string, { Value?: unknown }>;
}

function parse(body: string): CfnTemplateShape {
  return JSON.parse(body) as CfnTemplateShape;
}

/** Keys sorted at every level, so two templates compare by content. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

function resourceChanges(before: CfnTemplateShape, after: CfnTemplateShape): ResourceChange[] {
  const old = before.Resources ?? {};
  const next = after.Resources ?? {};
  const changes: ResourceChange[] = [];
  for (const [id, resource] of Object.entries(next)) {
    const previous = old[id];
    if (previous === undefined)
      changes.push({ action: 'Add', logicalId: id, resourceType: String(resource.Type) });
    else if (JSON.stringify(sorted(previous)) !== JSON.stringify(sorted(resource)))
      changes.push({ action: 'Modify', logicalId: id, resourceType: String(resource.Type) });
  }
  for (const [id, resource] of Object.entries(old))
    if (next[id] === undefined)
      changes.push({ action: 'Remove', logicalId: id, resourceType: String(resource.Type) });
  return changes;
}

/**
 * Parameter values: given, or the previous value (UsePreviousValue), or the template's default;
 * an SSM-typed parameter's value is the name it reads (the emulator does not resolve it).
 */
function readParameters(
  input: QueryParams,
  template: CfnTemplateShape,
  previous: Readonly<Record<string, string>>,
): Record<string, string> {
  const given = new Map(
    input.members('Parameters').map((p) => [p.get('ParameterKey') ?? '', p] as const),
  );
  const values: Record<string, string> = {};
  for (const [key, declared] of Object.entries(template.Parameters ?? {})) {
    const parameter = given.get(key);
    const value =
      parameter?.get('UsePreviousValue') === 'true'
        ? previous[key]
        : (parameter?.get('ParameterValue') ?? declared.Default);
    if (value === undefined)
      throw new ServiceError('ValidationError', 400, `Parameters: [${key}] must have values`);
    values[key] = value;
  }
  for (const key of given.keys())
    if (!(key in (template.Parameters ?? {})))
      throw new ServiceError(
        'ValidationError',
        400,
        `Parameters: [${key}] do not exist in the template`,
      );
  return values;
}

/** CAPABILITY_IAM when the template has IAM resources (API_CreateChangeSet, Capabilities). */
function requiredCapability(template: CfnTemplateShape): string | undefined {
  const iam = Object.values(template.Resources ?? {}).some((r) =>
    String(r.Type).startsWith('AWS::IAM::'),
  );
  return iam ? 'CAPABILITY_IAM' : undefined;
}

/** Outputs whose value is a literal string (the emulator creates no resources to resolve). */
function literalOutputs(template: CfnTemplateShape): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Outputs ?? {})
      .filter(([, output]) => typeof output.Value === 'string')
      .map(([key, output]) => [key, output.Value as string]),
  );
}

function event(
  at: Date,
  logicalId: string,
  physicalId: string,
  resourceType: string,
  status: string,
): StackEvent {
  return { id: randomUUID(), at, logicalId, physicalId, resourceType, status };
}

function describeEvent(stack: Stack, e: StackEvent): XmlValue {
  return {
    StackId: stack.id,
    EventId: e.id,
    StackName: stack.name,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.resourceType,
    Timestamp: e.at,
    ResourceStatus: e.status,
  };
}

function describeChangeSet(stack: Stack, c: ChangeSet): XmlValue {
  return {
    ChangeSetName: c.name,
    ChangeSetId: c.id,
    StackId: stack.id,
    StackName: stack.name,
    Description: c.description,
    CreationTime: c.created,
    ExecutionStatus: c.status === 'CREATE_COMPLETE' ? 'AVAILABLE' : 'UNAVAILABLE',
    Status: c.status,
    StatusReason: c.statusReason,
    Capabilities: [...c.capabilities],
    Parameters: Object.entries(c.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })),
    Changes: c.changes.map((change) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: change.action,
        LogicalResourceId: change.logicalId,
        ResourceType: change.resourceType,
        ...(change.action === 'Modify' ? { Replacement: 'False', Scope: ['Properties'] } : {}),
      },
    })),
    IncludeNestedStacks: false,
  };
}

function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') {
    throw new ServiceError(
      'ValidationError',
      400,
      `1 validation error detected: Value null at '${name[0]?.toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function describe(stack: Stack): XmlValue {
  return {
    StackId: stack.id,
    StackName: stack.name,
    CreationTime: stack.created,
    LastUpdatedTime: stack.updated,
    StackStatus: stack.status,
    DisableRollback: false,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
    })),
    Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
  };
}

/** Bucket and key of an S3 object URL: path-style, virtual-hosted or s3://. */
export function s3ObjectOfUrl(url: string): { bucket: string; key: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(parsed.pathname.slice(1));
  if (parsed.protocol === 's3:') return { bucket: parsed.hostname, key: path };
  const hosted = /^(.+)\.s3[.-]/.exec(parsed.hostname);
  if (hosted?.[1] !== undefined) return { bucket: hosted[1], key: path };
  const slash = path.indexOf('/');
  return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : undefined;
}
