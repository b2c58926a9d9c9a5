import { createHash } from 'node:crypto';

export const sha256Digest = (body: string | Buffer): string =>
  `sha256:${createHash('sha256').update(body).digest('hex')}`;
