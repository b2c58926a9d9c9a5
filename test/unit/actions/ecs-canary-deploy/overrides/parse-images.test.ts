import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../../../../src/lib/errors.ts';
import { imageReferenceProblem } from '../../../../../src/actions/ecs-canary-deploy/overrides/image-reference.ts';
import { parseImages } from '../../../../../src/actions/ecs-canary-deploy/overrides/parse-images.ts';

const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const DIGEST = `sha256:${'a1'.repeat(32)}`;

describe('parseImages', () => {
  it('reads one container=image per line, several containers with different images', () => {
    expect(
      parseImages(`
        web=${ECR}/billing/web@${DIGEST}
        # the worker keeps its tag and pins the digest too
        worker = ${ECR}/billing/worker:2026.03.2@${DIGEST}

        sidecar=public.ecr.aws/aws-observability/aws-otel-collector:v0.41.0
      `),
    ).toEqual([
      { container: 'web', image: `${ECR}/billing/web@${DIGEST}` },
      { container: 'worker', image: `${ECR}/billing/worker:2026.03.2@${DIGEST}` },
      {
        container: 'sidecar',
        image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.41.0',
      },
    ]);
  });

  it('takes a bare image for a definition with one container', () => {
    expect(parseImages('nginx:1.27-alpine')).toEqual([{ image: 'nginx:1.27-alpine' }]);
  });

  it('accepts registries with ports, nested paths and Docker Hub short names', () => {
    for (const ref of [
      'localhost:5000/team/app:dev',
      'registry.example.com:8443/a/b/c:1.0',
      'nginx',
      'library/nginx:latest',
      `ghcr.io/octo-org/octo_app__x:v1@${DIGEST}`,
    ]) {
      expect(imageReferenceProblem(ref)).toBeUndefined();
    }
  });

  it.each([
    ['web=', "Input 'images' line 1 ('web='): the image is empty; expected container=image"],
    ['web=app:1.0 extra', 'an image reference has no spaces'],
    ['web=MyApp:1.0', "repository 'MyApp' must be lowercase"],
    ['web=app@sha256:abc', "'sha256:abc' is not a digest"],
    ['web=app!:1', "'app!' is not a repository path component"],
    ['web=app:bad/tag', "'app:bad' is not a registry host"],
    ['web=app:', "'' is not a tag"],
    ['we b=app:1', "'we b' is not a container name"],
    ['web=app:1\nweb=app:2', "line 2 ('web=app:2'): container 'web' already has an image"],
    ['app:1\napp:2', 'a second image without a container name'],
    ['app:1\nweb=app:2', 'mixes a line without a container name'],
  ])('rejects %j in one line naming the input', (text, message) => {
    const error = capture(() => parseImages(text));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^Input 'images'/);
    expect(error.message).not.toContain('\n');
  });
});

function capture(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
