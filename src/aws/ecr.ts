// The image engine's ECR port (src/ecr/ports.ts) over the SDK client. AWS errors a person can act
// on become one-line UserErrors here; transient ones are retried by the factory's strategy.
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import type { EcrPort, ManifestOfTag, RepositoryFacts } from '../ecr/ports.ts';
import { UserError } from '../lib/errors.ts';
import { type ClientOptions, clientConfig } from './client-factory.ts';
import { awsErrorFacts, describeAwsError } from '../lib/aws-errors.ts';
import { explainAwsError, sendOptions } from './explain.ts';

const registry = (registryId: string | undefined) => (registryId ? { registryId } : {});

function facts(repository: Repository): RepositoryFacts {
  return {
    name: repository.repositoryName ?? '',
    registryId: repository.registryId ?? '',
    uri: repository.repositoryUri ?? '',
    immutable: repository.imageTagMutability === 'IMMUTABLE',
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush === true,
  };
}

export function sdkEcrPort(
  options: ClientOptions,
  client = new ECRClient(clientConfig('ECR', options)),
): EcrPort {
  return {
    async getAuthorization(registryIds, signal) {
      try {
        const out = await client.send(
          new GetAuthorizationTokenCommand(
            registryIds.length ? { registryIds: [...registryIds] } : {},
          ),
          sendOptions(signal),
        );
        return (out.authorizationData ?? []).map((data) => ({
          token: data.authorizationToken ?? '',
          proxyEndpoint: data.proxyEndpoint ?? '',
          expiresAt: data.expiresAt,
        }));
      } catch (error) {
        throw explainAwsError(error, {
          action: 'get an ECR authorization token',
          permission: 'ecr:GetAuthorizationToken',
          service: 'ECR',
          userFixable: new Set(['InvalidParameterException']),
        });
      }
    },

    async describeRepository(name, registryId, signal) {
      try {
        const out = await client.send(
          new DescribeRepositoriesCommand({ repositoryNames: [name], ...registry(registryId) }),
          sendOptions(signal),
        );
        const repository = out.repositories?.[0];
        return repository ? facts(repository) : undefined;
      } catch (error) {
        if (awsErrorFacts(error).code === 'RepositoryNotFoundException') return undefined;
        throw explainAwsError(error, {
          action: `describe ECR repository ${name}`,
          permission: 'ecr:DescribeRepositories',
          service: 'ECR',
          userFixable: new Set(['InvalidParameterException']),
        });
      }
    },

    async createRepository(repository, signal) {
      try {
        const out = await client.send(
          new CreateRepositoryCommand({
            repositoryName: repository.name,
            ...registry(repository.registryId),
            imageTagMutability: repository.immutable ? 'IMMUTABLE' : 'MUTABLE',
            imageScanningConfiguration: { scanOnPush: repository.scanOnPush },
            encryptionConfiguration: repository.kmsKey
              ? { encryptionType: 'KMS', kmsKey: repository.kmsKey }
              : { encryptionType: 'AES256' },
            tags: [{ Key: 'created-by', Value: 'aws-ship-suite/ecr-build-push' }],
          }),
          sendOptions(signal),
        );
        await client.send(
          new PutLifecyclePolicyCommand({
            repositoryName: repository.name,
            ...registry(repository.registryId),
            lifecyclePolicyText: repository.lifecyclePolicy,
          }),
          sendOptions(signal),
        );
        return facts(out.repository ?? {});
      } catch (error) {
        throw explainAwsError(error, {
          action: `create ECR repository ${repository.name}`,
          permission: 'ecr:CreateRepository, ecr:PutLifecyclePolicy (and ecr:TagResource)',
          service: 'ECR',
          userFixable: new Set([
            'InvalidParameterException',
            'KmsException',
            'LimitExceededException',
          ]),
        });
      }
    },

    async tagDigests(name, registryId, tags, signal) {
      const found: ManifestOfTag[] = [];
      for (let i = 0; i < tags.length; i += 100) {
        try {
          const out = await client.send(
            new BatchGetImageCommand({
              repositoryName: name,
              ...registry(registryId),
              imageIds: tags.slice(i, i + 100).map((imageTag) => ({ imageTag })),
              acceptedMediaTypes: [
                'application/vnd.oci.image.manifest.v1+json',
                'application/vnd.oci.image.index.v1+json',
                'application/vnd.docker.distribution.manifest.v2+json',
                'application/vnd.docker.distribution.manifest.list.v2+json',
              ],
            }),
            sendOptions(signal),
          );
          for (const image of out.images ?? []) {
            if (image.imageId?.imageTag && image.imageId.imageDigest) {
              found.push({ tag: image.imageId.imageTag, digest: image.imageId.imageDigest });
            }
          }
        } catch (error) {
          throw explainAwsError(error, {
            action: `read tags of ECR repository ${name}`,
            permission: 'ecr:BatchGetImage',
            service: 'ECR',
          });
        }
      }
      return found;
    },

    async putTag(params, signal) {
      try {
        await client.send(
          new PutImageCommand({
            repositoryName: params.name,
            ...registry(params.registryId),
            imageManifest: params.manifest,
            imageManifestMediaType: params.mediaType,
            imageTag: params.tag,
            imageDigest: params.digest,
          }),
          sendOptions(signal),
        );
        return 'tagged';
      } catch (error) {
        const code = awsErrorFacts(error).code;
        if (code === 'ImageAlreadyExistsException') return 'exists';
        if (code === 'ImageTagAlreadyExistsException') {
          throw new UserError(
            `Tag '${params.tag}' already exists in the immutable repository ${params.name} on another image: ${describeAwsError(error)}. Use a new tag; a re-run with the same image is a no-op.`,
            { cause: error },
          );
        }
        throw explainAwsError(error, {
          action: `tag image ${params.digest} as ${params.tag} in ${params.name}`,
          permission: 'ecr:PutImage',
          service: 'ECR',
          userFixable: new Set([
            'InvalidParameterException',
            'LayersNotFoundException',
            'ImageDigestDoesNotMatchException',
          ]),
        });
      }
    },

    async scanFindings(params, signal) {
      try {
        return await client.send(
          new DescribeImageScanFindingsCommand({
            repositoryName: params.name,
            ...registry(params.registryId),
            imageId: { imageDigest: params.digest },
            maxResults: 1000,
            ...(params.nextToken ? { nextToken: params.nextToken } : {}),
          }),
          sendOptions(signal),
        );
      } catch (error) {
        if (awsErrorFacts(error).code === 'ScanNotFoundException') return 'no-scan';
        throw explainAwsError(error, {
          action: `read the scan findings of ${params.name}@${params.digest}`,
          permission: 'ecr:DescribeImageScanFindings',
          service: 'ECR',
        });
      }
    },
  };
}
