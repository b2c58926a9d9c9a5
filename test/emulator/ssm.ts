// AWS Systems Manager Parameter Store (awsJson1_1, X-Amz-Target AmazonSSM.<Action>): GetParameter
// and GetParameters of String parameters a test (or the template loader) puts in, by name or ARN.
// Enough for the stack's deploy document (/aws-ship-suite/<deploy role name>) oidc-assume reads.
//
// Permissions: like S3's bucket policies, an access rule is optional. Without one every signed
// caller may read; with one (the template loader derives it from the template's IAM policies) a
// caller whose role is not allowed ssm:GetParameter on the parameter's ARN gets
// AccessDeniedException, as IAM answers for a missing identity-based allow.
import { type IdentityAccess, eitherAllows } from './identity-access.ts';
import { ServiceError } from './errors.ts';
import { jsonProtocol, type JsonObject } from './json-protocol.ts';
import type { ActionCall, Service } from './service.ts';

interface Parameter {
  readonly name: string;
  readonly arn: string;
  value: string;
  version: number;
  lastModified: Date;
}

export type ParameterAccess = IdentityAccess;

export interface SsmDependencies {
  readonly clock: () => Date;
  readonly region?: string;
  readonly accountId?: string;
}

const validation = (message: string) => new ServiceError('ValidationException', 400, message);

export class Ssm implements Service<JsonObject> {
  readonly name = 'ssm';
  readonly signingName = 'ssm';
  readonly protocol = jsonProtocol({ targetPrefix: 'AmazonSSM', jsonVersion: '1.1' });
  readonly actions: ReadonlySet<string> = new Set(['GetParameter', 'GetParameters']);
  readonly unsignedActions: ReadonlySet<string> = new Set();

  readonly #clock: () => Date;
  readonly #region: string;
  readonly #accountId: string;
  readonly #parameters = new Map<string, Parameter>();
  #access: ParameterAccess | undefined;

  constructor(dependencies: SsmDependencies) {
    this.#clock = dependencies.clock;
    this.#region = dependencies.region ?? 'us-east-1';
    this.#accountId = dependencies.accountId ?? '123456789012';
  }

  /** The ARN of a parameter name: one slash between `parameter` and the name, as AWS writes it. */
  arnOf(name: string): string {
    return `arn:aws:ssm:${this.#region}:${this.#accountId}:parameter/${name.replace(/^\//, '')}`;
  }

  /** PutParameter (String, Overwrite): creates the parameter or writes a new version; returns its ARN. */
  put(name: string, value: string): string {
    if (name.length === 0 || name.length > 2048) throw new Error(`bad parameter name ${name}`);
    const existing = this.#parameters.get(name);
    if (existing) {
      existing.value = value;
      existing.version += 1;
      existing.lastModified = this.#clock();
      return existing.arn;
    }
    const arn = this.arnOf(name);
    this.#parameters.set(name, { name, arn, value, version: 1, lastModified: this.#clock() });
    return arn;
  }

  delete(name: string): void {
    this.#parameters.delete(name);
  }

  /** The rule callers are checked against; undefined (the default) lets every caller read. */
  setAccess(access: ParameterAccess | undefined): void {
    this.#access = access;
  }

  /** One more stack's rule, beside those already loaded (eitherAllows). */
  addAccess(access: ParameterAccess): void {
    this.#access = eitherAllows(this.#access, access);
  }

  async handle(call: ActionCall<JsonObject>): Promise<unknown> {
    if (call.action === 'GetParameter') {
      const name = call.input.Name;
      if (typeof name !== 'string' || name.length === 0 || name.length > 2048)
        throw validation(
          "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and 2048",
        );
      const parameter = this.#find(name);
      // IAM decides on the ARN the caller names before the service looks the parameter up.
      this.#authorize(call, parameter?.arn ?? this.#arnOfReference(name));
      if (!parameter) throw new ServiceError('ParameterNotFound', 400, '');
      return { Parameter: this.#describe(parameter) };
    }
    const names = call.input.Names;
    if (
      !Array.isArray(names) ||
      names.length === 0 ||
      names.length > 10 ||
      names.some((n) => typeof n !== 'string' || n.length === 0 || n.length > 2048)
    )
      throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    const parameters: unknown[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names as string[])) {
      const parameter = this.#find(name);
      this.#authorize(call, parameter?.arn ?? this.#arnOfReference(name));
      if (parameter) parameters.push(this.#describe(parameter));
      else invalid.push(name);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  #find(reference: string): Parameter | undefined {
    return (
      this.#parameters.get(reference) ??
      [...this.#parameters.values()].find((p) => p.arn === reference)
    );
  }

  #arnOfReference(reference: string): string {
    return reference.startsWith('arn:') ? reference : this.arnOf(reference);
  }

  #authorize(call: ActionCall<JsonObject>, resourceArn: string): void {
    const caller = call.caller;
    if (this.#access === undefined || caller === undefined) return;
    const action = `ssm:${call.action}`;
    if (!this.#access(caller.principalArn, action, resourceArn))
      throw new ServiceError(
        'AccessDeniedException',
        400,
        `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resourceArn} because no identity-based policy allows the ${action} action`,
      );
  }

  #describe(parameter: Parameter): JsonObject {
    return {
      Name: parameter.name,
      Type: 'String',
      Value: parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModified,
      ARN: parameter.arn,
      DataType: 'text',
    };
  }
}
