// AWS Security Token Service: AssumeRoleWithWebIdentity, AssumeRole, GetCallerIdentity.
import {
  uniqueId,
  type CredentialStore,
  type Identity,
  type SeedCredentials,
  type StoredCredentials,
} from './credentials.ts';
import { ServiceError } from './errors.ts';
import { type IdentityAccess, eitherAllows } from './identity-access.ts';
import {
  decodeJwt,
  invalidIdentityToken,
  IssuerKeys,
  verifyRs256,
  type JwtClaims,
} from './oidc.ts';
import { queryProtocol, type QueryParams } from './query-protocol.ts';
import type { ActionCall, Service } from './service.ts';
import { anyStringEquals, anyStringLike } from './string-like.ts';
import { integerParam, Validator } from './validation.ts';
import type { XmlValue } from './xml.ts';

export const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_API_VERSION = '2011-06-15';

/** An IAM OpenID Connect identity provider. */
export interface OidcProvider {
  /** Issuer URL, exactly as the tokens' `iss` claim (e.g. https://token.actions.githubusercontent.com). */
  readonly url: string;
  /** Allowed audiences (IAM's ClientIDList), e.g. ['sts.amazonaws.com']. */
  readonly clientIds: readonly string[];
  readonly accountId: string;
}

/** One `sts:AssumeRoleWithWebIdentity` trust statement. */
export interface WebIdentityTrust {
  /** The provider's issuer URL (the Federated principal). */
  readonly issuer: string;
  /** StringEquals on the `aud` condition key. */
  readonly audience: string | readonly string[];
  /** StringLike on `sub` (`*` and `?` wildcards). */
  readonly subject: string | readonly string[];
  /** StringLike on `job_workflow_ref`; unchecked when absent. */
  readonly jobWorkflowRef?: string | readonly string[];
}

export interface RoleTrust {
  readonly webIdentity?: WebIdentityTrust;
  /**
   * Principals allowed to call sts:AssumeRole: role ARNs (their sessions may chain), user ARNs,
   * or arn:aws:iam::ACCOUNT:root for any identity of that account.
   */
  readonly principals?: readonly string[];
  /** sts:ExternalId the AssumeRole caller must pass. */
  readonly externalId?: string;
}

export interface RoleDefinition {
  /** arn:aws:iam::ACCOUNT:role/[path/]NAME */
  readonly arn: string;
  /** Seconds, 3600..43200; default 3600. */
  readonly maxSessionDuration?: number;
  readonly trust: RoleTrust;
}

export interface StsSetup {
  readonly oidcProviders?: readonly OidcProvider[];
  readonly roles?: readonly RoleDefinition[];
  readonly credentials?: readonly SeedCredentials[];
  /** How long fetched JWKS stay cached (ms); default 60 000. */
  readonly jwksCacheMs?: number;
  /** Timeout for each discovery/JWKS fetch (ms); default 5 000. */
  readonly idpTimeoutMs?: number;
}

/** What a successful assume call was given and produced (no secrets, no raw token). */
export interface AssumedRoleRecord {
  readonly action: 'AssumeRoleWithWebIdentity' | 'AssumeRole';
  readonly at: Date;
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly policy: string | undefined;
  readonly policyArns: readonly string[];
  readonly assumedRoleArn: string;
  readonly accessKeyId: string;
  readonly expiration: Date;
  /** AssumeRoleWithWebIdentity: the verified token's claims. */
  readonly claims: JwtClaims | undefined;
  readonly providerId: string | undefined;
  /** AssumeRole: who called and the ExternalId they passed. */
  readonly callerArn: string | undefined;
  readonly externalId: string | undefined;
}

export interface StsDependencies {
  readonly credentials: CredentialStore;
  readonly clock: () => Date;
  /** Aborted when the emulator closes (cancels IdP fetches). */
  readonly signal: AbortSignal;
}

interface Role {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly roleId: string;
  readonly maxSessionDuration: number;
  readonly trust: RoleTrust;
}

interface SessionRequest {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly policy: string | undefined;
  readonly policyArns: readonly string[];
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const CHAINED_MAX_SECONDS = 3600;

const accessDenied = (message: string) => new ServiceError('AccessDenied', 403, message);
const validationError = (message: string) => new ServiceError('ValidationError', 400, message);

export class Sts implements Service<QueryParams> {
  readonly name = 'sts';
  readonly signingName = 'sts';
  readonly protocol = queryProtocol({ xmlNamespace: STS_XML_NAMESPACE, version: STS_API_VERSION });
  readonly actions: ReadonlySet<string> = new Set([
    'AssumeRole',
    'AssumeRoleWithWebIdentity',
    'GetCallerIdentity',
  ]);
  readonly unsignedActions: ReadonlySet<string> = new Set(['AssumeRoleWithWebIdentity']);
  /** Every successful AssumeRole/AssumeRoleWithWebIdentity, oldest first. */
  readonly assumed: AssumedRoleRecord[] = [];

  readonly #providers = new Map<string, OidcProvider>();
  readonly #roles = new Map<string, Role>();
  #access: IdentityAccess | undefined;
  readonly #credentials: CredentialStore;
  readonly #clock: () => Date;
  readonly #issuerKeys: IssuerKeys;
  #sessionLifetimeSeconds: number | undefined;

  constructor(dependencies: StsDependencies, setup: StsSetup = {}) {
    this.#credentials = dependencies.credentials;
    this.#clock = dependencies.clock;
    this.#issuerKeys = new IssuerKeys({
      cacheMs: setup.jwksCacheMs ?? 60_000,
      timeoutMs: setup.idpTimeoutMs ?? 5_000,
      signal: dependencies.signal,
    });
    for (const provider of setup.oidcProviders ?? []) this.addOidcProvider(provider);
    for (const role of setup.roles ?? []) this.addRole(role);
    for (const credentials of setup.credentials ?? []) this.addCredentials(credentials);
  }

  /**
   * Test control: sessions issued from now on expire after `seconds` of the emulator's clock,
   * whatever DurationSeconds asked (how an hour-long deployment outlives its credentials, at test
   * speed). The Expiration STS returns says so. `undefined` restores DurationSeconds.
   */
  setSessionLifetime(seconds: number | undefined): void {
    this.#sessionLifetimeSeconds = seconds;
  }

  /** The secret key and session token of every session issued so far, for leak scans. */
  issuedSecrets(): string[] {
    return this.assumed.flatMap(({ accessKeyId }) => {
      const stored = this.#credentials.get(accessKeyId);
      return stored ? [stored.secretAccessKey, stored.sessionToken ?? ''] : [];
    });
  }

  addOidcProvider(provider: OidcProvider): void {
    if (!/^\d{12}$/.test(provider.accountId))
      throw new Error(`accountId must be 12 digits: ${provider.accountId}`);
    this.#providers.set(provider.url, provider);
  }

  /**
   * Identity rules (from loaded templates): a role that trusts the caller's account, not the
   * caller itself, is assumable only when the caller's policy allows sts:AssumeRole on it.
   */
  addAccess(access: IdentityAccess): void {
    this.#access = eitherAllows(this.#access, access);
  }

  addRole(definition: RoleDefinition): void {
    const match = ROLE_ARN.exec(definition.arn);
    if (match?.[1] === undefined || match[2] === undefined)
      throw new Error(`not a role ARN: ${definition.arn}`);
    const maxSessionDuration = definition.maxSessionDuration ?? 3600;
    if (
      !Number.isInteger(maxSessionDuration) ||
      maxSessionDuration < 3600 ||
      maxSessionDuration > 43200
    ) {
      throw new Error(`maxSessionDuration must be 3600..43200 seconds: ${maxSessionDuration}`);
    }
    this.#roles.set(definition.arn, {
      arn: definition.arn,
      account: match[1],
      name: match[2],
      roleId: uniqueId('AROA'),
      maxSessionDuration,
      trust: definition.trust,
    });
  }

  /** Seeds credentials that can sign requests (e.g. a CI user allowed to AssumeRole). */
  addCredentials(credentials: SeedCredentials): void {
    this.#credentials.add(credentials);
  }

  /** Forgets fetched JWKS so the next web-identity call asks the issuer again. */
  clearKeyCache(): void {
    this.#issuerKeys.clear();
  }

  async handle(call: ActionCall<QueryParams>): Promise<XmlValue> {
    switch (call.action) {
      case 'AssumeRoleWithWebIdentity':
        return this.#assumeRoleWithWebIdentity(call.input);
      case 'AssumeRole':
        return this.#assumeRole(call.input, signer(call));
      case 'GetCallerIdentity': {
        const caller = signer(call);
        return { Arn: caller.arn, UserId: caller.userId, Account: caller.account };
      }
      default:
        throw new ServiceError(
          'InvalidAction',
          400,
          `Could not find operation ${call.action} for version ${STS_API_VERSION}`,
        );
    }
  }

  async #assumeRoleWithWebIdentity(params: QueryParams): Promise<XmlValue> {
    const validator = new Validator();
    const token = params.get('WebIdentityToken');
    const providerId = params.get('ProviderId');
    const session = readSessionRequest(params, validator);
    validator.required('webIdentityToken', token);
    validator.length('webIdentityToken', token, 4, 20000, true);
    validator.length('providerId', providerId, 4, 2048);
    validator.check();
    checkPolicy(session.policy);

    const jwt = decodeJwt(token ?? '');
    if (jwt.header.alg !== 'RS256') throw invalidIdentityToken();
    const issuer = jwt.claims['iss'];
    const provider = typeof issuer === 'string' ? this.#providers.get(issuer) : undefined;
    if (provider === undefined) {
      throw invalidIdentityToken(
        `No OpenIDConnect provider found in your account for ${String(issuer)}`,
      );
    }
    const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
    const key = await this.#issuerKeys.find(provider.url, kid);
    if (key === undefined) {
      throw invalidIdentityToken(
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
      );
    }
    if (!verifyRs256(jwt, key)) throw invalidIdentityToken();

    const now = this.#clock();
    const expiresAt = jwt.claims['exp'];
    if (typeof expiresAt !== 'number') throw invalidIdentityToken();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (nowSeconds >= expiresAt) {
      throw new ServiceError(
        'ExpiredTokenException',
        400,
        `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${expiresAt}`,
      );
    }
    const audience = audiences(jwt.claims['aud']).find((aud) => provider.clientIds.includes(aud));
    if (audience === undefined) throw invalidIdentityToken('Incorrect token audience');

    const role = this.#roles.get(session.roleArn);
    const trust = role?.trust.webIdentity;
    const trusted =
      trust !== undefined &&
      trust.issuer === provider.url &&
      anyStringEquals(trust.audience, audience) &&
      anyStringLike(trust.subject, jwt.claims['sub']) &&
      (trust.jobWorkflowRef === undefined ||
        anyStringLike(trust.jobWorkflowRef, jwt.claims['job_workflow_ref']));
    if (role === undefined || !trusted) {
      throw accessDenied('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    checkDuration(role, session.durationSeconds, false);

    const issued = this.#issue(role, session, now);
    this.assumed.push({
      ...record('AssumeRoleWithWebIdentity', now, session, issued),
      claims: jwt.claims,
      providerId,
      callerArn: undefined,
      externalId: undefined,
    });
    return {
      Credentials: credentialsXml(issued),
      SubjectFromWebIdentityToken: String(jwt.claims['sub'] ?? ''),
      AssumedRoleUser: assumedRoleUserXml(issued),
      Provider: `arn:aws:iam::${provider.accountId}:oidc-provider/${provider.url.replace(/^https?:\/\//, '')}`,
      Audience: audience,
    };
  }

  #assumeRole(params: QueryParams, caller: Identity): XmlValue {
    const validator = new Validator();
    const externalId = params.get('ExternalId');
    const session = readSessionRequest(params, validator);
    validator.length('externalId', externalId, 2, 1224);
    validator.pattern('externalId', externalId, '[\\w+=,.@:\\/-]*');
    validator.check();
    checkPolicy(session.policy);

    const role = this.#roles.get(session.roleArn);
    const principals = role?.trust.principals ?? [];
    // A trust naming the caller suffices; one naming its account delegates to the account's
    // policies: with identity rules loaded, the caller's own policy must allow sts:AssumeRole.
    const trusted =
      principals.includes(caller.principalArn) ||
      (principals.includes(`arn:aws:iam::${caller.account}:root`) &&
        (this.#access === undefined ||
          this.#access(caller.principalArn, 'sts:AssumeRole', session.roleArn)));
    const externalIdMatches =
      role?.trust.externalId === undefined || role.trust.externalId === externalId;
    if (role === undefined || !trusted || !externalIdMatches) {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${session.roleArn}`,
      );
    }
    checkDuration(role, session.durationSeconds, caller.isRoleSession);

    const now = this.#clock();
    const issued = this.#issue(role, session, now);
    this.assumed.push({
      ...record('AssumeRole', now, session, issued),
      claims: undefined,
      providerId: undefined,
      callerArn: caller.arn,
      externalId,
    });
    return { AssumedRoleUser: assumedRoleUserXml(issued), Credentials: credentialsXml(issued) };
  }

  #issue(role: Role, session: SessionRequest, now: Date): StoredCredentials {
    const identity: Identity = {
      arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${session.roleSessionName}`,
      userId: `${role.roleId}:${session.roleSessionName}`,
      account: role.account,
      principalArn: role.arn,
      isRoleSession: true,
    };
    const seconds = this.#sessionLifetimeSeconds ?? session.durationSeconds;
    const expiration = new Date(now.getTime() + seconds * 1000);
    return this.#credentials.issue(identity, expiration);
  }
}

function signer(call: ActionCall<QueryParams>): Identity {
  if (call.caller === undefined) throw new Error(`${call.action} reached the handler unsigned`);
  return call.caller;
}

/** Parameters AssumeRole and AssumeRoleWithWebIdentity share, with AWS's constraints. */
function readSessionRequest(params: QueryParams, validator: Validator): SessionRequest {
  const roleArn = params.get('RoleArn');
  const roleSessionName = params.get('RoleSessionName');
  const durationSeconds = integerParam('durationSeconds', params.get('DurationSeconds'));
  const policy = params.get('Policy');
  const policyArns = params.list('PolicyArns', 'arn');

  validator.required('roleArn', roleArn);
  validator.length('roleArn', roleArn, 20, 2048);
  validator.required('roleSessionName', roleSessionName);
  validator.pattern('roleSessionName', roleSessionName, '[\\w+=,.@-]*');
  validator.length('roleSessionName', roleSessionName, 2, 64);
  validator.range('durationSeconds', durationSeconds, 900, 43200);
  validator.length('policy', policy, 1, 2048);
  policyArns.forEach((arn, i) => validator.length(`policyArns.${i + 1}.member.arn`, arn, 20, 2048));
  return {
    roleArn: roleArn ?? '',
    roleSessionName: roleSessionName ?? '',
    durationSeconds: durationSeconds ?? 3600,
    policy,
    policyArns,
  };
}

function checkDuration(role: Role, durationSeconds: number, chained: boolean): void {
  if (chained && durationSeconds > CHAINED_MAX_SECONDS) {
    throw validationError(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (durationSeconds > role.maxSessionDuration) {
    throw validationError(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
}

/** Runs after the constraint checks: a session policy must be a JSON object. */
function checkPolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  let value: unknown;
  try {
    value = JSON.parse(policy);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ServiceError('MalformedPolicyDocument', 400, 'This policy contains invalid Json');
  }
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud)
    ? aud.filter((value): value is string => typeof value === 'string')
    : [];
}

function record(
  action: AssumedRoleRecord['action'],
  at: Date,
  session: SessionRequest,
  issued: StoredCredentials,
) {
  return {
    action,
    at,
    roleArn: session.roleArn,
    roleSessionName: session.roleSessionName,
    durationSeconds: session.durationSeconds,
    policy: session.policy,
    policyArns: session.policyArns,
    assumedRoleArn: issued.identity.arn,
    accessKeyId: issued.accessKeyId,
    expiration: issued.expiration ?? at,
  };
}

function credentialsXml(issued: StoredCredentials): XmlValue {
  return {
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: issued.expiration,
  };
}

function assumedRoleUserXml(issued: StoredCredentials): XmlValue {
  return { AssumedRoleId: issued.identity.userId, Arn: issued.identity.arn };
}
