import { describe, expect, it } from '@jest/globals';
import { ServiceError } from './errors.ts';
import { jsonProtocol } from './json-protocol.ts';
import { QueryParams, queryProtocol } from './query-protocol.ts';
import { ServiceRegistry } from './registry.ts';
import type { EmulatorRequest, Service } from './service.ts';

const request = (headers: Record<string, string>, body = '', rawUrl = '/'): EmulatorRequest => ({
  method: 'POST',
  rawUrl,
  headers,
  rawHeaders: Object.entries(headers).flat(),
  body: Buffer.from(body),
});

const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('query protocol', () => {
  it('reads flattened member lists in order', () => {
    const params = QueryParams.parse(
      'Action=AssumeRole&PolicyArns.member.2.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FB' +
        '&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FA' +
        '&Tags.member.1.Key=team&Tags.member.1.Value=ship&TransitiveTagKeys.member.1=team',
    );
    expect(params.list('PolicyArns', 'arn')).toEqual([
      'arn:aws:iam::aws:policy/A',
      'arn:aws:iam::aws:policy/B',
    ]);
    expect(params.members('Tags').map((tag) => [tag.get('Key'), tag.get('Value')])).toEqual([
      ['team', 'ship'],
    ]);
    expect(params.list('TransitiveTagKeys')).toEqual(['team']);
    expect(params.list('Missing', 'arn')).toEqual([]);
  });

  it('wraps results and errors in the service namespace', () => {
    const protocol = queryProtocol({
      xmlNamespace: 'https://example.amazonaws.com/doc/2020-01-01/',
      version: '2020-01-01',
    });
    const parsed = protocol.parse(
      request(form, 'Action=Describe&Version=2020-01-01'),
      new Set(['Describe']),
    );
    expect(parsed.action).toBe('Describe');
    expect(
      protocol.success(
        'Describe',
        { Items: ['a<b'], When: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)) },
        'req-1',
      ).body,
    ).toBe(
      '<DescribeResponse xmlns="https://example.amazonaws.com/doc/2020-01-01/"><DescribeResult>' +
        '<Items><member>a&lt;b</member></Items><When>2030-01-02T03:04:05Z</When></DescribeResult>' +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeResponse>\n',
    );
    const failure = protocol.failure(new ServiceError('InternalFailure', 500, 'boom'), 'req-2');
    expect(failure.status).toBe(500);
    expect(failure.headers['x-amzn-RequestId']).toBe('req-2');
    expect(failure.body).toContain(
      '<Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error>',
    );
    expect(() =>
      protocol.parse(request(form, 'Action=Describe&Version=2011-06-15'), new Set(['Describe'])),
    ).toThrow('Could not find operation Describe for version 2011-06-15');
  });
});

describe('JSON protocol helper', () => {
  const protocol = jsonProtocol({ targetPrefix: 'AmazonEC2ContainerServiceV20141113' });
  const actions = new Set(['DescribeServices']);

  it('reads X-Amz-Target and the JSON body, and writes results and errors as AWS JSON 1.1', () => {
    const parsed = protocol.parse(
      request(
        {
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices',
          'content-type': 'application/x-amz-json-1.1',
        },
        '{"cluster":"prod","services":["web"]}',
      ),
      actions,
    );
    expect(parsed).toEqual({
      action: 'DescribeServices',
      input: { cluster: 'prod', services: ['web'] },
    });

    const ok = protocol.success(
      'DescribeServices',
      { createdAt: new Date(1_700_000_000_500) },
      'req-3',
    );
    expect(ok.headers['Content-Type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(ok.body)).toEqual({ createdAt: 1_700_000_000.5 });

    const error = protocol.failure(
      new ServiceError('ThrottlingException', 400, 'Rate exceeded'),
      'req-4',
    );
    expect(error.status).toBe(400);
    expect(error.headers['x-amzn-ErrorType']).toBe('ThrottlingException');
    expect(JSON.parse(error.body)).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });

    expect(() =>
      protocol.parse(
        request({ 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster' }),
        actions,
      ),
    ).toThrow(expect.objectContaining({ code: 'UnknownOperationException' }));
    expect(() =>
      protocol.parse(
        request({ 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices' }, '{'),
        actions,
      ),
    ).toThrow(expect.objectContaining({ code: 'SerializationException' }));
  });
});

describe('service registry', () => {
  const fake = (
    name: string,
    signingName: string,
    protocol: Service['protocol'],
    actions: string[],
  ): Service => ({
    name,
    signingName,
    protocol,
    actions: new Set(actions),
    unsignedActions: new Set(),
    handle: async () => ({}),
  });
  const sts = fake('sts', 'sts', queryProtocol({ xmlNamespace: 'x', version: 'v' }), [
    'AssumeRoleWithWebIdentity',
  ]);
  const ecs = fake(
    'ecs',
    'ecs',
    jsonProtocol({ targetPrefix: 'AmazonEC2ContainerServiceV20141113' }),
    ['ListClusters'],
  );
  const registry = new ServiceRegistry([sts, ecs]);
  const route = (r: EmulatorRequest) => registry.route(registry.routeKeys(r))?.name;

  it('routes by credential scope, then X-Amz-Target, then the query Action', () => {
    const signed = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=AKID/20300101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
    });
    expect(route(request(signed('ecs')))).toBe('ecs');
    expect(route(request(signed('sts'), 'Action=AssumeRoleWithWebIdentity'))).toBe('sts');
    expect(route(request(signed('s3')))).toBeUndefined();
    expect(
      route(request({ 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' })),
    ).toBe('ecs');
    expect(route(request(form, 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15'))).toBe('sts');
    expect(route(request({}, '', '/?Action=AssumeRoleWithWebIdentity'))).toBe('sts');
    expect(route(request(form, 'Action=CreateBucket'))).toBeUndefined();
  });
});
