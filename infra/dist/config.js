// The typed per-environment configuration of the stack, and its validation: a bad value is one
// line naming the field and how to fix it, thrown before any construct exists.
export class ConfigError extends Error {
    name = 'ConfigError';
}
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const REPOSITORY = /^[A-Za-z0-9-]{1,39}(@\d+)?\/[A-Za-z0-9._-]{1,100}(@\d+)?$/;
const WORKFLOW_REF = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml@(refs\/(heads|tags)\/[\w./-]+|[0-9a-f]{40})$/;
const ENVIRONMENT = /^[A-Za-z0-9_-]{1,255}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ACM_ARN = /^arn:aws[\w-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9]*\.[a-z0-9]+$/;
const FARGATE_SIZES = {
    256: [512, 2048],
    512: [1024, 4096],
    1024: [2048, 8192],
    2048: [4096, 16384],
    4096: [8192, 30720],
};
function fail(env, field, message) {
    throw new ConfigError(`infra config ${env}.${field}: ${message}`);
}
function cidrOk(value) {
    const m = CIDR.exec(value);
    if (!m)
        return false;
    const octets = m.slice(1, 5).map(Number);
    return octets.every((o) => o <= 255) && Number(m[5]) <= 32;
}
function checkSize(env, field, size) {
    const memory = FARGATE_SIZES[size.cpu];
    if (!memory)
        fail(env, `${field}.cpu`, `${size.cpu} is not a Fargate CPU size; use 256, 512, 1024, 2048 or 4096.`);
    if (size.memoryMiB < memory[0] ||
        size.memoryMiB > memory[1] ||
        (size.memoryMiB % 1024 !== 0 && size.memoryMiB !== 512))
        fail(env, `${field}.memoryMiB`, `${size.memoryMiB} does not fit cpu ${size.cpu}; give ${memory[0]}..${memory[1]} MiB in whole GiB.`);
    if (!Number.isInteger(size.minTasks) || size.minTasks < 1)
        fail(env, `${field}.minTasks`, `${size.minTasks} must be a whole number of at least 1.`);
    if (!Number.isInteger(size.maxTasks) || size.maxTasks < size.minTasks)
        fail(env, `${field}.maxTasks`, `${size.maxTasks} must be a whole number of at least minTasks (${size.minTasks}).`);
}
/** Checks one environment's configuration; throws ConfigError with one line on the first bad value. */
export function validateConfig(config) {
    const env = ENVIRONMENT.test(config.name)
        ? config.name
        : fail(String(config.name), 'name', 'use letters, digits, _ and - (the GitHub environment name).');
    if (!ACCOUNT.test(config.account))
        fail(env, 'account', `"${config.account}" is not a 12-digit AWS account id.`);
    if (!REGION.test(config.region))
        fail(env, 'region', `"${config.region}" is not an AWS region such as eu-west-1.`);
    if (!REPOSITORY.test(config.repository))
        fail(env, 'repository', `"${config.repository}" is not ORG/REPO.`);
    if (!WORKFLOW_REF.test(config.deployWorkflowRef))
        fail(env, 'deployWorkflowRef', `"${config.deployWorkflowRef}" is not ORG/REPO/.github/workflows/FILE.yml@refs/heads/B, @refs/tags/T or @<40-hex sha>; no wildcards.`);
    if (config.infraDiffEnvironment !== undefined &&
        (!ENVIRONMENT.test(config.infraDiffEnvironment) || config.infraDiffEnvironment === config.name))
        fail(env, 'infraDiffEnvironment', `"${config.infraDiffEnvironment}" must be a GitHub environment name (letters, digits, _ and -) other than the stage's own.`);
    if (!cidrOk(config.vpcCidr) || Number(config.vpcCidr.split('/')[1]) > 20)
        fail(env, 'vpcCidr', `"${config.vpcCidr}" must be an IPv4 CIDR of /20 or larger (three subnet tiers over up to 3 AZs).`);
    if (![2, 3].includes(config.availabilityZones))
        fail(env, 'availabilityZones', `${config.availabilityZones} must be 2 or 3.`);
    if (!Number.isInteger(config.natGateways) ||
        config.natGateways < 1 ||
        config.natGateways > config.availabilityZones)
        fail(env, 'natGateways', `${config.natGateways} must be between 1 and availabilityZones (${config.availabilityZones}).`);
    const acm = ACM_ARN.exec(config.albCertificateArn);
    if (!acm)
        fail(env, 'albCertificateArn', `"${config.albCertificateArn}" is not an ACM certificate ARN.`);
    if (acm[1] !== config.region)
        fail(env, 'albCertificateArn', `the certificate is in ${acm[1]}; the ALB needs one in ${config.region}.`);
    if (!HOST.test(config.apiOriginDomainName))
        fail(env, 'apiOriginDomainName', `"${config.apiOriginDomainName}" is not a lower-case DNS name covered by the ALB certificate.`);
    if (config.site) {
        if (!HOST.test(config.site.domainName))
            fail(env, 'site.domainName', `"${config.site.domainName}" is not a lower-case DNS name.`);
        const siteAcm = ACM_ARN.exec(config.site.certificateArn);
        if (!siteAcm)
            fail(env, 'site.certificateArn', `"${config.site.certificateArn}" is not an ACM certificate ARN.`);
        if (siteAcm[1] !== 'us-east-1')
            fail(env, 'site.certificateArn', `the certificate is in ${siteAcm[1]}; CloudFront needs one in us-east-1.`);
    }
    for (const cidr of config.testListenerCidrs ?? []) {
        if (!cidrOk(cidr))
            fail(env, 'testListenerCidrs', `"${cidr}" is not an IPv4 CIDR.`);
        if (cidr.endsWith('/0'))
            fail(env, 'testListenerCidrs', `"${cidr}" opens the test listener to the internet; list the runners' ranges.`);
    }
    if (config.albIngressPrefixListId !== undefined &&
        !/^pl-[0-9a-f]{8,17}$/.test(config.albIngressPrefixListId))
        fail(env, 'albIngressPrefixListId', `"${config.albIngressPrefixListId}" is not a prefix list id (pl-…).`);
    if (config.oidcProvider !== 'create' && config.oidcProvider !== 'existing')
        fail(env, 'oidcProvider', `"${String(config.oidcProvider)}" must be create or existing.`);
    if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]{1,128}|@sha256:[0-9a-f]{64})$/.test(config.bootstrapImage))
        fail(env, 'bootstrapImage', `"${config.bootstrapImage}" is not registry/name:tag or registry/name@sha256:digest.`);
    for (const [field, command] of [
        ['workerCommand', config.workerCommand],
        ['migrationCommand', config.migrationCommand],
    ])
        if (command.length === 0 || command.some((part) => part.length === 0))
            fail(env, field, 'give the command as a non-empty list of non-empty words.');
    checkSize(env, 'api', config.api);
    checkSize(env, 'worker', config.worker);
    const db = config.database;
    if (!INSTANCE_TYPE.test(db.instanceType))
        fail(env, 'database.instanceType', `"${db.instanceType}" is not an instance type such as t4g.micro.`);
    if (!Number.isInteger(db.allocatedStorageGiB) ||
        db.allocatedStorageGiB < 20 ||
        db.allocatedStorageGiB > 65536)
        fail(env, 'database.allocatedStorageGiB', `${db.allocatedStorageGiB} must be a whole number from 20 to 65536.`);
    if (!Number.isInteger(db.backupRetentionDays) ||
        db.backupRetentionDays < 1 ||
        db.backupRetentionDays > 35)
        fail(env, 'database.backupRetentionDays', `${db.backupRetentionDays} must be 1..35 (0 would turn off point-in-time recovery).`);
    if (!/^\d{2}$/.test(db.postgresMajorVersion))
        fail(env, 'database.postgresMajorVersion', `"${db.postgresMajorVersion}" is not a major version such as 17.`);
    if (!Number.isInteger(config.logRetentionDays) || config.logRetentionDays < 1)
        fail(env, 'logRetentionDays', `${config.logRetentionDays} must be a whole number of days.`);
    if (!Number.isInteger(config.wafRateLimit) ||
        config.wafRateLimit < 10 ||
        config.wafRateLimit > 2_000_000_000)
        fail(env, 'wafRateLimit', `${config.wafRateLimit} must be 10..2000000000 requests per 5 minutes (WAF's range).`);
    for (const email of config.alarmEmails ?? [])
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
            fail(env, 'alarmEmails', `"${email}" is not an e-mail address.`);
    if (config.protectData && !db.multiAz)
        fail(env, 'database.multiAz', 'an environment with protectData must be Multi-AZ.');
    return config;
}
