// The constructs an app repository uses from its own CDK app.
export {
  Api,
  APP_CONTAINER,
  APP_PORT,
  HEALTH_PATH,
  TEST_LISTENER_PORT,
  type ApiProps,
} from './api.ts';
export { addStages, type AppOptions, type ShipStage } from './app.ts';
export {
  ConfigError,
  validateConfig,
  type DatabaseConfig,
  type EnvironmentConfig,
  type ServiceSizeConfig,
} from './config.ts';
export { Data, POSTGRES_PORT, type DataProps } from './data.ts';
export {
  DeployRole,
  deploySubject,
  githubJobPrincipal,
  deployStatements,
  imageRepository,
  type DeployRoleProps,
  type DeployTargets,
} from './delivery.ts';
export { Edge, type EdgeProps } from './edge.ts';
export {
  bootstrapRoleArn,
  CDK_BOOTSTRAP_QUALIFIER,
  INFRA_DIFF_ENVIRONMENT,
  InfraRoles,
  infraWorkflowRef,
  type BootstrapRoleKind,
  type InfraRolesProps,
  type InfraTarget,
} from './infra-roles.ts';
export { EdgeSecurityStack, type EdgeSecurityStackProps } from './edge-security-stack.ts';
export { MigrationTask, MIGRATION_CONTAINER, type MigrationTaskProps } from './migration.ts';
export { Network, type NetworkProps } from './network.ts';
export { Observability, type ObservabilityProps } from './observability.ts';
export {
  DEPLOY_DOCUMENT_PREFIX,
  DEPLOY_DOCUMENT_VERSION,
  ShipStack,
  type ShipStackProps,
} from './ship-stack.ts';
export { CloudFrontWaf, type CloudFrontWafProps } from './waf.ts';
export { Worker, type WorkerProps } from './worker.ts';
