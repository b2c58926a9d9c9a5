export { deploySpa, type DeployOptions, type DeployResult } from './deploy.ts';
export { rollbackSpa, type RollbackOptions, type RollbackResult } from './rollback.ts';
export { buildDirectory } from './build-directory.ts';
export { type CacheRule, IMMUTABLE, NO_CACHE } from './classify.ts';
export type * from './ports.ts';
