// AWS CloudFormation: the read calls `cdk diff` makes (DescribeStacks, GetTemplate), over stacks a
// test deploys with `putStack`, so the real cdk CLI diffs against the emulator
// (test/e2e/infra-workflow.test.ts). Nothing creates or updates a stack through the API: the
// change-set calls a `cdk deploy` makes are not modelled (infra.yml's deploy step is tested with a
// declared stand-in; see .github/workflows/README or infra/README.md).
//
// Wire protocol: awsQuery, API version 2010-05-15
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html,
// API_GetTemplate.html). A stack that does not exist is `ValidationError` (400) "Stack with id
// NAME does not exist", the error cdk reads as "not deployed yet".
import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.ts';
import type { QueryParams } from './query-protocol.ts';
import { queryProtocol } from './query-protocol.ts';
import type { ActionCall, Service } from './service.ts';
import type { XmlValue } from './xml.ts';

export const CLOUDFORMATION_XML_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
export const CLOUDFORMATION_API_VERSION = '2010-05-15';

export type StackStatus =
  | 'CREATE_COMPLETE'
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
  readonly templateBody: string;
  readonly status: StackStatus;
  readonly created: Date;
  readonly updated: Date | undefined;
  readonly outputs: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

const ACTIONS = ['DescribeStacks', 'GetTemplate'] as const;

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
  readonly #stacks = new Map<string, Stack>();

  constructor(dependencies: { clock: () => Date }) {
    this.#clock = dependencies.clock;
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
      templateBody:
        typeof spec.template === 'string' ? spec.template : JSON.stringify(spec.template),
      status: spec.status ?? (existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE'),
      created: existing?.created ?? now,
      updated: existing ? now : undefined,
      outputs: spec.outputs ?? {},
      tags: spec.tags ?? {},
    });
  }

  /** The deployed template as an object, or undefined when the stack does not exist. */
  template(name: string): unknown {
    const stack = this.#stacks.get(name);
    return stack && JSON.parse(stack.templateBody);
  }

  async handle(call: ActionCall<QueryParams>): Promise<XmlValue> {
    switch (call.action) {
      case 'DescribeStacks': {
        const name = call.input.get('StackName');
        const stacks = name === undefined ? [...this.#stacks.values()] : [this.#find(name)];
        return { Stacks: stacks.map(describe) };
      }
      case 'GetTemplate': {
        if (call.input.has('ChangeSetName')) {
          throw new ServiceError(
            'ChangeSetNotFound',
            404,
            `ChangeSet [${call.input.get('ChangeSetName')}] does not exist`,
          );
        }
        const stage = call.input.get('TemplateStage') ?? 'Original';
        if (stage !== 'Original' && stage !== 'Processed') {
          throw new ServiceError(
            'ValidationError',
            400,
            `1 validation error detected: Value '${stage}' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]`,
          );
        }
        const stack = this.#find(required(call.input, 'StackName'));
        return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
      }
      default:
        throw new ServiceError('InvalidAction', 400, `Could not find operation ${call.action}`);
    }
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
  };
}
