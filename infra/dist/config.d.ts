export interface DatabaseConfig {
    /** e.g. 't4g.micro'; the class and size CDK's InstanceType takes. */
    readonly instanceType: string;
    readonly allocatedStorageGiB: number;
    readonly multiAz: boolean;
    /** 1..35 days of automated backups (point-in-time recovery window). */
    readonly backupRetentionDays: number;
    readonly readReplica: boolean;
    /** PostgreSQL major version, e.g. '17'. */
    readonly postgresMajorVersion: string;
}
export interface ServiceSizeConfig {
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
}
export interface EnvironmentConfig {
    /** GitHub environment name; also the stage name (staging, production). */
    readonly name: string;
    readonly account: string;
    readonly region: string;
    /**
     * The app repository whose deploy jobs may assume the deploy role, ORG/REPO (or the immutable
     * ORG@ID/REPO@ID form of repositories created from mid-2026 on).
     */
    readonly repository: string;
    /** Create the account's GitHub OIDC provider, or use the one that exists (one per account). */
    readonly oidcProvider: 'create' | 'existing';
    /** The image the services start from before the first deploy (answers /health on 8080). */
    readonly bootstrapImage: string;
    /** The worker's command in the app's image. */
    readonly workerCommand: readonly string[];
    /** The migration task's command in the app's image (rds-migrate overrides it per run). */
    readonly migrationCommand: readonly string[];
    /**
     * The suite's deploy workflow the token's job_workflow_ref must name exactly,
     * ORG/REPO/.github/workflows/FILE.yml@REF.
     */
    readonly deployWorkflowRef: string;
    /**
     * GitHub environment of infra.yml's diff job (its `diff-environment`), which the read-only
     * infra diff role trusts; default infra-diff.
     */
    readonly infraDiffEnvironment?: string;
    readonly vpcCidr: string;
    readonly availabilityZones: number;
    readonly natGateways: number;
    /** ACM certificate (this region) for the ALB's HTTPS and test listeners. */
    readonly albCertificateArn: string;
    /** Host name on the ALB certificate that resolves to the ALB: CloudFront's /api/* origin. */
    readonly apiOriginDomainName: string;
    /** The SPA's own domain and its ACM certificate in us-east-1 (CloudFront's region). */
    readonly site?: {
        readonly domainName: string;
        readonly certificateArn: string;
    };
    /** CIDRs allowed to reach the test listener (the smoke check); default the VPC only. */
    readonly testListenerCidrs?: readonly string[];
    /** A managed prefix list (CloudFront origin-facing) for the ALB's HTTPS ingress; default 0.0.0.0/0. */
    readonly albIngressPrefixListId?: string;
    readonly api: ServiceSizeConfig;
    readonly worker: ServiceSizeConfig;
    readonly database: DatabaseConfig;
    /** Production: deletion protection, retained snapshots and buckets. */
    readonly protectData: boolean;
    /** Days to keep logs (flow logs, access logs, container logs). */
    readonly logRetentionDays: number;
    /** Requests per 5 minutes from one IP before WAF blocks it. */
    readonly wafRateLimit: number;
    /** E-mail addresses subscribed to the alarm topic. */
    readonly alarmEmails?: readonly string[];
}
export declare class ConfigError extends Error {
    readonly name = "ConfigError";
}
/** Checks one environment's configuration; throws ConfigError with one line on the first bad value. */
export declare function validateConfig(config: EnvironmentConfig): EnvironmentConfig;
