// The constructs an app repository uses from its own CDK app.
export { Api, APP_CONTAINER, APP_PORT, HEALTH_PATH, TEST_LISTENER_PORT, } from "./api.js";
export { addStages } from "./app.js";
export { ConfigError, validateConfig, } from "./config.js";
export { Data, POSTGRES_PORT } from "./data.js";
export { DeployRole, deploySubject, githubJobPrincipal, deployStatements, imageRepository, } from "./delivery.js";
export { Edge } from "./edge.js";
export { bootstrapRoleArn, CDK_BOOTSTRAP_QUALIFIER, INFRA_DIFF_ENVIRONMENT, InfraRoles, infraWorkflowRef, } from "./infra-roles.js";
export { EdgeSecurityStack } from "./edge-security-stack.js";
export { MigrationTask, MIGRATION_CONTAINER } from "./migration.js";
export { Network } from "./network.js";
export { Observability } from "./observability.js";
export { DEPLOY_DOCUMENT_PREFIX, DEPLOY_DOCUMENT_VERSION, ShipStack, } from "./ship-stack.js";
export { CloudFrontWaf } from "./waf.js";
export { Worker } from "./worker.js";
