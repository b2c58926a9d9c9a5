import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type InputRegistry, type RawInputs, readInputs } from '../../lib/action-io.ts';
import { UserError, shown } from '../../lib/errors.ts';
import { parseBoolean, parseInteger, parseList } from '../../lib/parse.ts';
import { resolveRegion } from '../../aws/region.ts';
import type { ConnectionSpec, ConnectionTarget, TlsPolicy } from '../../migrate/connection.ts';
import { DATABASE_STATES, type DeclaredState } from '../../migrate/database-state.ts';
import type { EcsTaskSpec } from '../../migrate/ecs-task.ts';
import { type HistoryTable, historyTable } from '../../migrate/history.ts';
import { PLAIN_IDENTIFIER, quoteIdentifier } from '../../migrate/identifiers.ts';
import type { PhaseInput } from '../../migrate/migration-set.ts';
import { holdsPostgresBinaries } from '../../migrate/throwaway-postgres.ts';
import { VERSION_TEXT, type Version, parseVersion } from '../../migrate/version.ts';
import {
  DURATION_FLOORS,
  checkCliPath,
  checkCluster,
  checkGitRef,
  checkContainer,
  checkHost,
  checkPostgresName,
  checkSecretId,
  checkService,
  checkTaskDefinition,
  checkVpcIds,
  durationFrom,
  migrationsDirectory,
} from './checks.ts';
import { parseDatabaseUrl } from './database-url.ts';

export const INPUTS = {
  command: { kind: 'choice', default: 'plan' },
  migrations: { kind: 'path', default: 'migrations/' },
  'database-url': { kind: 'url', secret: true },
  'secret-id': { kind: 'name', arn: 'secretsmanager-secret' },
  'iam-auth': { kind: 'boolean', default: 'false' },
  host: { kind: 'name' },
  port: { kind: 'integer', default: '5432' },
  user: { kind: 'name' },
  database: { kind: 'name' },
  'aws-region': { kind: 'region' },
  phase: { kind: 'choice', default: 'all' },
  'history-schema': { kind: 'name', default: 'public' },
  'history-table': { kind: 'name', default: 'rds_migrate_history' },
  'out-of-order': { kind: 'boolean', default: 'false' },
  'baseline-version': { kind: 'name' },
  'lock-timeout': { kind: 'duration', max: '1h', default: '5s' },
  'statement-timeout': { kind: 'duration', max: '24h', default: '30m' },
  'lock-retries': { kind: 'integer', default: '5' },
  'lock-wait': { kind: 'duration', max: '24h', default: '10m' },
  'allow-destructive': { kind: 'boolean', default: 'false' },
  'database-state': { kind: 'choice', default: 'auto' },
  'base-ref': { kind: 'name' },
  'ca-bundle': { kind: 'host-path' },
  'allow-plaintext': { kind: 'boolean', default: 'false' },
  'connect-timeout': { kind: 'duration', max: '10m', default: '15s' },
  'shadow-database-url': { kind: 'url', secret: true },
  'postgres-bin': { kind: 'host-path' },
  mode: { kind: 'choice', default: 'runner' },
  cluster: { kind: 'name', arn: 'ecs-cluster' },
  'task-definition': { kind: 'name', arn: 'ecs-task-definition' },
  service: { kind: 'name', arn: 'ecs-service' },
  container: { kind: 'name' },
  subnets: { kind: 'list' },
  'security-groups': { kind: 'list' },
  'assign-public-ip': { kind: 'boolean', default: 'false' },
  'cli-path': { kind: 'text', default: '/opt/rds-migrate/cli.js' },
  'task-timeout': { kind: 'duration', max: '24h', default: '30m' },
  'poll-interval': { kind: 'duration', max: '10m', default: '5s' },
} as const satisfies InputRegistry;

export const OUTPUTS = ['applied', 'pending', 'findings', 'comment', 'result'] as const;

export const COMMANDS = ['lint', 'plan', 'apply', 'validate'] as const;
const PHASES = ['expand', 'contract', 'all'] as const;

export interface RdsMigrateConfig {
  command: (typeof COMMANDS)[number];
  migrationsDir: string;
  /** Undefined for lint, which needs no database. */
  connection: ConnectionSpec | undefined;
  phase: PhaseInput;
  history: HistoryTable;
  outOfOrder: boolean;
  baselineVersion: Version | undefined;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockRetries: number;
  lockWaitMs: number;
  allowDestructive: boolean;
  /** plan and apply: live (findings block), new (reported only), or auto (the database says). */
  databaseState: DeclaredState;
  /** lint: judge only the migrations changed since this git ref. */
  baseRef: string | undefined;
  connectTimeoutMs: number;
  /** validate: the shadow server, or undefined for a throwaway cluster from `postgresBin`. */
  shadow: ConnectionTarget | undefined;
  postgresBin: string | undefined;
  /** mode: ecs-task: where the task runs and the command line it runs. */
  ecsTask: EcsTaskSpec | undefined;
  /** Region of the ECS cluster (ecs-task) and of the secret. */
  region: string | undefined;
}

/** Inputs the command line inside an ECS task receives as flags (never a database URL). */
const FORWARDED = [
  'migrations',
  'phase',
  'history-schema',
  'history-table',
  'out-of-order',
  'baseline-version',
  'lock-timeout',
  'statement-timeout',
  'lock-retries',
  'lock-wait',
  'allow-destructive',
  'database-state',
  'ca-bundle',
  'allow-plaintext',
  'connect-timeout',
  'secret-id',
  'database',
  'aws-region',
  'iam-auth',
  'host',
  'port',
  'user',
  'postgres-bin',
] as const;

function identifier(input: string, name: string): string {
  if (!PLAIN_IDENTIFIER.test(name)) {
    throw new UserError(
      `Input '${input}' is ${shown(name)}: use a PostgreSQL identifier of up to 63 letters, digits, '_' or '$', not starting with a digit.`,
    );
  }
  return name;
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserError(`Input '${input}' is ${shown(value)}: use one of ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** Reads the database URL alone, so it can be masked before anything else is checked. */
export function secretInputs(read: (name: string) => string | undefined): string[] {
  const secrets: string[] = [];
  for (const input of ['database-url', 'shadow-database-url']) {
    const url = read(input)?.trim();
    if (!url) continue;
    secrets.push(url);
    // The password as written (URL's getter would re-encode it: a mask the log never holds), and
    // decoded, as the connection sends it.
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1] ?? '';
    const raw = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : '';
    if (!raw) continue;
    secrets.push(raw);
    try {
      const password = decodeURIComponent(raw);
      if (password !== raw) secrets.push(password);
    } catch {
      // A malformed escape: parseInputs says so; the text as written is masked already.
    }
  }
  return secrets;
}

/**
 * Where the paths of the inputs lie: `workspace`, the action's (migrations inside
 * GITHUB_WORKSPACE, symlinks resolved); `anywhere`, the command line's, where a person names
 * their own folders; `image`, the inputs mode: ecs-task forwards, paths of the task's image that
 * only the task can read.
 */
export type PathScope = 'workspace' | 'anywhere' | 'image';

/** Every input checked before the database or AWS is touched; the first problem is thrown. */
export function parseInputs(
  read: (name: string) => string | undefined,
  workspace: string,
  env: NodeJS.ProcessEnv = {},
  paths: PathScope = 'workspace',
): RdsMigrateConfig {
  const { values: v, explicit } = readInputs(INPUTS, read);
  const command = oneOf('command', v.command, COMMANDS);
  const mode = oneOf('mode', v.mode, ['runner', 'ecs-task'] as const);
  // The region, when given, is checked whatever needs it; a run without one may need none.
  const region = v['aws-region'] ? resolveRegion(v['aws-region'], env) : undefined;
  // Checked in either mode, so a mistake in them is never found by the first ECS call.
  const task = parseTaskInputs(v, region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION);
  if (mode === 'ecs-task') return parseEcsTaskInputs(v, explicit, command, env, task);
  const phase = oneOf('phase', v.phase, PHASES);
  const databaseState = parseDatabaseState(v['database-state'], command);
  const baseRef = lintBaseRef(v['base-ref'], command, env);

  const caPath = v['ca-bundle'];
  let ca: string | undefined;
  if (caPath && paths !== 'image') {
    try {
      ca = readFileSync(caPath.startsWith('/') ? caPath : `${workspace}/${caPath}`, 'utf8');
    } catch (error) {
      throw new UserError(
        `Input 'ca-bundle' names ${shown(caPath)}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the path of a PEM bundle, such as the RDS global-bundle.pem.`,
      );
    }
    checkCaBundle(caPath, ca);
  }
  const allowPlaintext = parseBoolean('allow-plaintext', v['allow-plaintext']);
  const tls: TlsPolicy = { ca, allowPlaintext };
  let connection: ConnectionSpec | undefined;
  const iamAuth = parseBoolean('iam-auth', v['iam-auth']);
  const port = parseInteger('port', v.port, 1, 65535);
  const ways = [
    v['database-url'] ? 'database-url' : '',
    v['secret-id'] ? 'secret-id' : '',
    iamAuth ? 'iam-auth' : '',
  ].filter(Boolean);
  if (ways.length > 1) {
    throw new UserError(
      `Inputs ${ways.map((w) => `'${w}'`).join(' and ')} are all set: keep one way to connect.`,
    );
  }
  if (!iamAuth && (v.host || v.user)) {
    throw new UserError("Inputs 'host' and 'user' only apply with iam-auth: true.");
  }
  if (v.database && !v['secret-id'] && !iamAuth) {
    throw new UserError(
      "Input 'database' only applies with secret-id or iam-auth: name the database in database-url instead.",
    );
  }
  const database = v.database ? checkPostgresName('database', 'database', v.database) : '';
  if (iamAuth) {
    for (const name of ['host', 'user', 'database'] as const) {
      if (!v[name]) {
        throw new UserError(
          `iam-auth: true needs '${name}': the RDS endpoint, the database user granted rds_iam, and the database.`,
        );
      }
    }
    connection = {
      kind: 'iam',
      host: checkHost('host', v.host),
      port,
      user: checkPostgresName('user', 'user', v.user),
      database,
      region: region ?? resolveRegion('', env),
      ca,
    };
  } else if (v['database-url']) {
    connection = { kind: 'url', target: parseDatabaseUrl('database-url', v['database-url'], tls) };
  } else if (v['secret-id']) {
    const secretRegion = region ?? resolveRegion('', env);
    connection = {
      kind: 'secret',
      secretId: checkSecretId('secret-id', v['secret-id'], secretRegion),
      region: secretRegion,
      database: database || undefined,
      tls,
    };
  } else if (command === 'plan' || command === 'apply') {
    throw new UserError(
      `command: ${command} needs a database: set 'database-url' (from a secret) or 'secret-id' (Secrets Manager), or use command: lint.`,
    );
  }

  const baselineText = v['baseline-version'];
  if (baselineText && !VERSION_TEXT.test(baselineText)) {
    throw new UserError(
      `Input 'baseline-version' is ${shown(baselineText)}: use a version like 1, 2.3 or 20260101.`,
    );
  }
  const lockTimeoutMs = durationFrom(
    'lock-timeout',
    v['lock-timeout'],
    DURATION_FLOORS['lock-timeout'],
  );
  const statementTimeoutMs = durationFrom(
    'statement-timeout',
    v['statement-timeout'],
    DURATION_FLOORS['statement-timeout'],
  );
  const lockWaitMs = durationFrom('lock-wait', v['lock-wait'], DURATION_FLOORS['lock-wait']);
  const connectTimeoutMs = durationFrom(
    'connect-timeout',
    v['connect-timeout'],
    DURATION_FLOORS['connect-timeout'],
  );
  const history = historyTable(
    quoteIdentifier(identifier('history-schema', v['history-schema'])),
    quoteIdentifier(identifier('history-table', v['history-table'])),
  );
  const outOfOrder = parseBoolean('out-of-order', v['out-of-order']);
  const lockRetries = parseInteger('lock-retries', v['lock-retries'], 0, 20);
  const allowDestructive = parseBoolean('allow-destructive', v['allow-destructive']);
  const shadow = v['shadow-database-url']
    ? parseDatabaseUrl('shadow-database-url', v['shadow-database-url'], tls)
    : undefined;
  const postgresBin = v['postgres-bin'] || undefined;
  if (postgresBin && paths !== 'image' && !holdsPostgresBinaries(postgresBin)) {
    throw new UserError(
      `Input 'postgres-bin' is ${shown(postgresBin)}, which holds no initdb and postgres: give the bin directory of a PostgreSQL installation.`,
    );
  }
  const migrationsDir =
    paths === 'image'
      ? imagePath('migrations', v.migrations)
      : migrationsDirectory(
          'migrations',
          v.migrations,
          workspace,
          paths === 'workspace' ? workspace : undefined,
        );

  return {
    command,
    migrationsDir,
    connection: command === 'plan' || command === 'apply' ? connection : undefined,
    phase,
    history,
    outOfOrder,
    baselineVersion: baselineText ? parseVersion(baselineText) : undefined,
    lockTimeoutMs,
    statementTimeoutMs,
    lockRetries,
    lockWaitMs,
    allowDestructive,
    databaseState,
    baseRef,
    connectTimeoutMs,
    shadow,
    postgresBin,
    ecsTask: undefined,
    region: undefined,
  };
}

/** Live, new or auto: only plan and apply look at a database, so only they take live or new. */
function parseDatabaseState(text: string, command: string): DeclaredState {
  const state = oneOf('database-state', text, DATABASE_STATES);
  if (state !== 'auto' && command !== 'plan' && command !== 'apply') {
    throw new UserError(
      `Input 'database-state' is '${state}', but only plan and apply look at a database: remove it for command: ${command}.`,
    );
  }
  return state;
}

/**
 * lint's base ref: the input, or on a pull_request event the pull request's base branch
 * (GITHUB_BASE_REF), so a pull request's lint judges what it changes, not the whole history.
 */
function lintBaseRef(given: string, command: string, env: NodeJS.ProcessEnv): string | undefined {
  if (given) {
    if (command !== 'lint') {
      throw new UserError(
        `Input 'base-ref' only applies to command: lint (plan and apply judge what is pending on the database): remove it for command: ${command}.`,
      );
    }
    return checkGitRef('base-ref', given);
  }
  const event = env.GITHUB_EVENT_NAME;
  const fromEvent = event === 'pull_request' || event === 'pull_request_target';
  if (command !== 'lint' || !fromEvent || !env.GITHUB_BASE_REF) return undefined;
  return checkGitRef('base-ref (from GITHUB_BASE_REF)', env.GITHUB_BASE_REF);
}

/** A path inside the task's image: only the task can look at it; here it must at least be one. */
function imagePath(input: string, text: string): string {
  if (text === '') {
    throw new UserError(
      `Input '${input}' is empty: give the folder of the migrations inside the image, relative to the container's working directory.`,
    );
  }
  return text;
}

/** A CA bundle holds PEM certificates that parse: a broken one would fail only at the TLS handshake. */
function checkCaBundle(path: string, pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new UserError(
      `Input 'ca-bundle' (${shown(path)}) holds no PEM certificate: give a PEM bundle, such as the RDS global-bundle.pem.`,
    );
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      throw new UserError(
        `Input 'ca-bundle' (${shown(path)}): certificate ${i + 1} of ${blocks.length} does not parse: give an intact PEM bundle, such as the RDS global-bundle.pem.`,
      );
    }
  }
}

type TaskInputs = Omit<EcsTaskSpec, 'command' | 'timeoutMs' | 'pollMs'> & {
  timeoutMs: number;
  pollMs: number;
  cliPath: string;
};

/** The inputs of mode: ecs-task, each checked against what ECS and EC2 accept. */
function parseTaskInputs(v: RawInputs<typeof INPUTS>, region: string | undefined): TaskInputs {
  const clusterName = v.cluster ? checkCluster('cluster', v.cluster, region) : undefined;
  const subnets = checkVpcIds('subnets', parseList(v.subnets), 'subnet', 16, 'subnet-0a1b2c3d');
  const securityGroups = checkVpcIds(
    'security-groups',
    parseList(v['security-groups']),
    'sg',
    5,
    'sg-0a1b2c3d',
  );
  const assignPublicIp = parseBoolean('assign-public-ip', v['assign-public-ip']);
  const timeoutMs = durationFrom(
    'task-timeout',
    v['task-timeout'],
    DURATION_FLOORS['task-timeout'],
  );
  const pollMs = durationFrom(
    'poll-interval',
    v['poll-interval'],
    DURATION_FLOORS['poll-interval'],
  );
  if (pollMs > timeoutMs) {
    throw new UserError(
      `Inputs 'poll-interval' (${shown(v['poll-interval'], 20)}) and 'task-timeout' (${shown(v['task-timeout'], 20)}): the task is read at least once before it times out, so make poll-interval no longer than task-timeout.`,
    );
  }
  return {
    cluster: v.cluster,
    taskDefinition: v['task-definition']
      ? checkTaskDefinition('task-definition', v['task-definition'], region)
      : undefined,
    service: v.service ? checkService('service', v.service, clusterName, region) : undefined,
    container: v.container ? checkContainer('container', v.container) : undefined,
    network: subnets.length > 0 ? { subnets, securityGroups, assignPublicIp } : undefined,
    timeoutMs,
    pollMs,
    cliPath: checkCliPath('cli-path', v['cli-path']),
  };
}

function parseEcsTaskInputs(
  v: RawInputs<typeof INPUTS>,
  explicit: ReadonlySet<string>,
  command: RdsMigrateConfig['command'],
  env: NodeJS.ProcessEnv,
  task: TaskInputs,
): RdsMigrateConfig {
  if (v['database-url'] || v['shadow-database-url']) {
    throw new UserError(
      "mode: ecs-task does not take a database URL: it would travel in the task's overrides, readable by anyone allowed ecs:DescribeTasks. Use secret-id (the task role reads it), iam-auth, or DATABASE_URL from the task definition's secrets.",
    );
  }
  if (!v.cluster) throw new UserError("mode: ecs-task needs 'cluster'.");
  if (v['base-ref']) {
    throw new UserError(
      "Input 'base-ref' needs the repository's git history, which the task's image does not have: lint on the runner (mode: runner), it needs no database.",
    );
  }
  if (!v['task-definition'] && !v.service) {
    throw new UserError(
      "mode: ecs-task needs 'task-definition' or 'service' (to run its task definition).",
    );
  }
  const flags: string[] = [];
  for (const name of FORWARDED) {
    if (explicit.has(name) && v[name] !== '') flags.push(`--${name}`, v[name]);
  }
  // The task's command line checks these again; checking them here fails the step before a task
  // starts. Paths name files of the image, so only the task reads them.
  const forwarded = (name: string) =>
    (FORWARDED as readonly string[]).includes(name) && explicit.has(name)
      ? v[name as keyof typeof v]
      : undefined;
  // Checked here for the real command; the task's command line checks the flag again.
  const databaseState = parseDatabaseState(v['database-state'], command);
  const base = parseInputs(
    (name) =>
      name === 'command' ? 'lint' : name === 'database-state' ? undefined : forwarded(name),
    '/',
    { ...env, GITHUB_BASE_REF: undefined },
    'image',
  );
  const { cliPath, timeoutMs, pollMs, ...where } = task;
  return {
    ...base,
    command,
    databaseState,
    ecsTask: {
      ...where,
      command: ['node', cliPath, command, '--json', ...flags],
      timeoutMs,
      pollMs,
    },
    region: resolveRegion(v['aws-region'], env),
  };
}
