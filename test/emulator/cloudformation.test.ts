import { describe, expect, it } from '@jest/globals';
import { CloudFormation } from './cloudformation.ts';
import type { Identity } from './credentials.ts';
import { ServiceError } from './errors.ts';
import { QueryParams } from './query-protocol.ts';

const at = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));
const call = (
  cfn: CloudFormation,
  action: string,
  params: Record<string, string>,
  caller?: Identity,
) =>
  cfn.handle({
    action,
    input: new QueryParams(new Map(Object.entries(params))),
    caller,
    requestId: 'req-1',
  });
const session = (role: string): Identity => ({
  arn: `arn:aws:sts::123456789012:assumed-role/${role}/s`,
  userId: 'AROA:s',
  account: '123456789012',
  principalArn: `arn:aws:iam::123456789012:role/${role}`,
  isRoleSession: true,
});
const topic = { Alerts: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'alerts' } } };
const queue = { Orders: { Type: 'AWS::SQS::Queue' } };

describe('CloudFormation (the read calls cdk diff makes)', () => {
  it('describes a stack put there and returns its template as deployed', async () => {
    const cfn = new CloudFormation({ clock: () => at });
    cfn.putStack({ name: 'shop-staging', template: { Resources: {} }, outputs: { Url: 'x' } });
    const described = (await call(cfn, 'DescribeStacks', { StackName: 'shop-staging' })) as {
      Stacks: { StackId: string; StackStatus: string; Outputs: unknown }[];
    };
    expect(described.Stacks).toHaveLength(1);
    expect(described.Stacks[0]).toMatchObject({
      StackStatus: 'CREATE_COMPLETE',
      Outputs: [{ OutputKey: 'Url', OutputValue: 'x' }],
    });
    const id = described.Stacks[0]!.StackId;
    expect(id).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/shop-staging\//);
    // By id as well as by name.
    expect(await call(cfn, 'GetTemplate', { StackName: id })).toEqual({
      TemplateBody: '{"Resources":{}}',
      StagesAvailable: ['Original', 'Processed'],
    });
    cfn.putStack({ name: 'shop-staging', template: { Resources: { A: {} } } });
    const updated = (await call(cfn, 'DescribeStacks', { StackName: 'shop-staging' })) as {
      Stacks: { StackId: string; StackStatus: string }[];
    };
    expect(updated.Stacks[0]).toMatchObject({ StackId: id, StackStatus: 'UPDATE_COMPLETE' });
  });

  it('answers a stack that does not exist as cdk expects: ValidationError, 400', async () => {
    const cfn = new CloudFormation({ clock: () => at });
    for (const action of ['DescribeStacks', 'GetTemplate']) {
      const error = await call(cfn, action, { StackName: 'nope' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({
        code: 'ValidationError',
        status: 400,
        message: 'Stack with id nope does not exist',
      });
    }
  });

  it('refuses a template stage it does not know and a missing stack name', async () => {
    const cfn = new CloudFormation({ clock: () => at });
    cfn.putStack({ name: 's', template: {} });
    await expect(
      call(cfn, 'GetTemplate', { StackName: 's', TemplateStage: 'Final' }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    await expect(call(cfn, 'GetTemplate', {})).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining("'stackName'"),
    });
  });
});

describe('CloudFormation change sets (the calls cdk deploy makes)', () => {
  type Described = {
    Status: string;
    ExecutionStatus: string;
    StatusReason?: string;
    Changes: { ResourceChange: { Action: string; LogicalResourceId: string } }[];
  };
  const create = (cfn: CloudFormation, params: Record<string, string>, caller?: Identity) =>
    call(
      cfn,
      'CreateChangeSet',
      { ChangeSetName: 'cdk-deploy-change-set', ...params },
      caller,
    ) as Promise<{
      Id: string;
      StackId: string;
    }>;

  it('records the new template: described with its changes, GetTemplate returns it once executed', async () => {
    const cfn = new CloudFormation({ clock: () => at });
    const { Id, StackId } = await create(cfn, {
      StackName: 'shop',
      ChangeSetType: 'CREATE',
      TemplateBody: JSON.stringify({ Resources: topic }),
    });
    expect(Id).toMatch(
      /^arn:aws:cloudformation:us-east-1:123456789012:changeSet\/cdk-deploy-change-set\//,
    );
    // A created stack waits in REVIEW_IN_PROGRESS, with no template deployed yet.
    expect(cfn.template('shop')).toBeUndefined();
    const described = (await call(cfn, 'DescribeChangeSet', {
      ChangeSetName: Id,
      StackName: StackId,
    })) as Described;
    expect(described).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
    expect(described.Changes.map((c) => c.ResourceChange)).toEqual([
      { Action: 'Add', LogicalResourceId: 'Alerts', ResourceType: 'AWS::SNS::Topic' },
    ]);
    await call(cfn, 'ExecuteChangeSet', { ChangeSetName: Id, StackName: StackId });
    expect(cfn.template('shop')).toEqual({ Resources: topic });
    const events = (await call(cfn, 'DescribeStackEvents', { StackName: 'shop' })) as {
      StackEvents: { LogicalResourceId: string; ResourceStatus: string }[];
    };
    // Newest first, as CloudFormation lists them.
    expect(events.StackEvents.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)).toEqual([
      'shop CREATE_COMPLETE',
      'Alerts CREATE_COMPLETE',
      'shop CREATE_IN_PROGRESS',
      'shop REVIEW_IN_PROGRESS',
    ]);
    // Executed change sets are gone.
    await expect(
      call(cfn, 'DescribeChangeSet', { ChangeSetName: Id, StackName: 'shop' }),
    ).rejects.toMatchObject({ code: 'ChangeSetNotFound', status: 404 });

    const update = await create(cfn, {
      StackName: 'shop',
      ChangeSetName: 'next',
      TemplateBody: JSON.stringify({ Resources: queue }),
    });
    const changes = (
      (await call(cfn, 'DescribeChangeSet', { ChangeSetName: update.Id })) as Described
    ).Changes.map((c) => [c.ResourceChange.Action, c.ResourceChange.LogicalResourceId]);
    expect(changes).toEqual([
      ['Add', 'Orders'],
      ['Remove', 'Alerts'],
    ]);
    await call(cfn, 'ExecuteChangeSet', { ChangeSetName: 'next', StackName: 'shop' });
    expect(cfn.template('shop')).toEqual({ Resources: queue });
    expect(cfn.deployments.map((d) => [d.stackName, d.changeSetType])).toEqual([
      ['shop', 'CREATE'],
      ['shop', 'UPDATE'],
    ]);
  });

  it("fails a change set without changes with the reason cdk reads as 'no changes', and refuses to execute it", async () => {
    const cfn = new CloudFormation({ clock: () => at });
    cfn.putStack({ name: 'shop', template: { Resources: topic } });
    const { Id } = await create(cfn, {
      StackName: 'shop',
      TemplateBody: JSON.stringify({ Resources: topic }),
    });
    const described = (await call(cfn, 'DescribeChangeSet', { ChangeSetName: Id })) as Described;
    expect(described).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE' });
    expect(described.StatusReason).toMatch(/^The submitted information didn't contain changes\./);
    await expect(
      call(cfn, 'ExecuteChangeSet', { ChangeSetName: Id, StackName: 'shop' }),
    ).rejects.toMatchObject({ code: 'InvalidChangeSetStatus', status: 400 });
    expect(cfn.deployments).toEqual([]);
  });

  it('refuses what CloudFormation refuses: a CREATE of a stack that exists, an UPDATE of one that does not, no template, IAM without the capability', async () => {
    const cfn = new CloudFormation({ clock: () => at });
    cfn.putStack({ name: 'shop', template: { Resources: topic } });
    const body = JSON.stringify({ Resources: queue });
    await expect(
      create(cfn, { StackName: 'shop', ChangeSetType: 'CREATE', TemplateBody: body }),
    ).rejects.toMatchObject({ code: 'AlreadyExistsException' });
    await expect(create(cfn, { StackName: 'other', TemplateBody: body })).rejects.toMatchObject({
      code: 'ValidationError',
      message: 'Stack [other] does not exist',
    });
    await expect(create(cfn, { StackName: 'shop' })).rejects.toMatchObject({
      code: 'ValidationError',
    });
    await expect(
      create(cfn, {
        StackName: 'shop',
        TemplateURL: 'https://s3.us-east-1.amazonaws.com/bucket/missing.json',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining('S3 error'),
    });
    await expect(
      create(cfn, {
        StackName: 'shop',
        TemplateBody: JSON.stringify({ Resources: { R: { Type: 'AWS::IAM::Role' } } }),
      }),
    ).rejects.toMatchObject({ code: 'InsufficientCapabilitiesException' });
    expect(cfn.template('shop')).toEqual({ Resources: topic });
  });

  it('reads a TemplateURL from S3, and with identity rules refuses a caller whose policy does not allow the call', async () => {
    const objects = new Map([
      ['cdk-assets/t.json', Buffer.from(JSON.stringify({ Resources: queue }))],
    ]);
    const cfn = new CloudFormation({
      clock: () => at,
      readTemplateUrl: (url) =>
        objects.get(url.replace(/^https:\/\/s3\.us-east-1\.amazonaws\.com\//, '')),
    });
    cfn.putStack({ name: 'shop', template: { Resources: topic } });
    cfn.addAccess(
      (principal, action) =>
        principal.endsWith(':role/deployer') && action.startsWith('cloudformation:'),
    );
    const url = 'https://s3.us-east-1.amazonaws.com/cdk-assets/t.json';
    await expect(
      create(cfn, { StackName: 'shop', TemplateURL: url }, session('reader')),
    ).rejects.toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: expect.stringContaining(
        'is not authorized to perform: cloudformation:CreateChangeSet',
      ),
    });
    await expect(
      call(cfn, 'GetTemplate', { StackName: 'shop' }, session('reader')),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    const { Id } = await create(cfn, { StackName: 'shop', TemplateURL: url }, session('deployer'));
    await call(cfn, 'ExecuteChangeSet', { ChangeSetName: Id }, session('deployer'));
    expect(cfn.template('shop')).toEqual({ Resources: queue });
    expect(cfn.deployments[0]?.callerArn).toBe('arn:aws:sts::123456789012:assumed-role/deployer/s');
  });
});
