// The spa-deploy engine's CDN port on CloudFront: one invalidation of the changed paths and its
// status. CloudFront is a global service signed in us-east-1.
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { UserError } from '../lib/errors.ts';
import { awsErrorFacts } from '../lib/aws-errors.ts';
import type { CdnPort } from '../spa/ports.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { explainAwsError, sendOptions } from './explain.ts';

export function cloudFrontPort(distributionId: string, options: ClientOptions): CdnPort {
  const client = new CloudFrontClient(
    clientConfig('CloudFront', { ...options, region: 'us-east-1' }),
  );
  const explain = (error: unknown, action: string, permission: string) =>
    explainAwsError(error, {
      action: `${action} of distribution ${distributionId}`,
      permission,
      service: 'CloudFront',
      userFixable: new Set([
        'NoSuchDistribution',
        'InvalidArgument',
        'TooManyInvalidationsInProgress',
        'InvalidationBatchAlreadyExists',
      ]),
      hint: {
        NoSuchDistribution:
          'Check distribution-id: the ID (E…) from the CloudFront console, not the domain name.',
        TooManyInvalidationsInProgress:
          'Wait for running invalidations to finish, or invalidate fewer paths.',
      },
    });
  return {
    async check(signal) {
      try {
        await client.send(
          new ListInvalidationsCommand({ DistributionId: distributionId, MaxItems: 1 }),
          sendOptions(signal),
        );
      } catch (error) {
        if (awsErrorFacts(error).code === 'NoSuchDistribution') {
          throw new UserError(
            `Distribution ${distributionId} does not exist: set distribution-id to the ID (E…) of the CloudFront distribution in front of the bucket.`,
            { cause: error },
          );
        }
        throw explain(error, 'list invalidations', 'cloudfront:ListInvalidations');
      }
    },
    async invalidate(paths, callerReference, signal) {
      try {
        const out = await client.send(
          new CreateInvalidationCommand({
            DistributionId: distributionId,
            InvalidationBatch: {
              CallerReference: callerReference,
              Paths: { Quantity: paths.length, Items: [...paths] },
            },
          }),
          sendOptions(signal),
        );
        return out.Invalidation?.Id ?? '';
      } catch (error) {
        throw explain(error, 'create an invalidation', 'cloudfront:CreateInvalidation');
      }
    },
    async status(id, signal) {
      try {
        const out = await client.send(
          new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
          sendOptions(signal),
        );
        return out.Invalidation?.Status === 'Completed' ? 'Completed' : 'InProgress';
      } catch (error) {
        throw explain(error, `read invalidation ${id}`, 'cloudfront:GetInvalidation');
      }
    },
  };
}
