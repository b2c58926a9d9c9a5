import { describe, expect, it } from '@jest/globals';
import { CloudFormation } from './cloudformation.ts';
import { ServiceError } from './errors.ts';
import { QueryParams } from './query-protocol.ts';

const at = new Date(Date.UTC(2026, 11, 7, 12, 0, 0));
const call = (cfn: CloudFormation, action: string, params: Record<string, string>) =>
  cfn.handle({
    action,
    input: new QueryParams(new Map(Object.entries(params))),
    caller: undefined,
    requestId: 'req-1',
  });

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
