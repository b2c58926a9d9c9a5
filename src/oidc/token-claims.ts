// Reads a GitHub OIDC token's claims to explain a refusal. The signature is never checked here:
// the claims are only shown to the person fixing the trust policy.

export type Claims = Record<string, unknown>;

export function decodeClaims(token: string): Claims | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Claims) : undefined;
  } catch {
    return undefined;
  }
}

const SHOWN_CLAIMS = ['sub', 'aud', 'iss', 'ref', 'environment', 'job_workflow_ref', 'event_name'];

/** The lines that tell a person what the token said and what a trust policy must match. */
export function trustPolicyHints(claims: Claims | undefined, audience: string): string[] {
  if (!claims) return ['The OIDC token could not be decoded, so its claims cannot be shown.'];
  const text = (name: string) => {
    const value = claims[name];
    return Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
  };
  const lines = ["The job's OIDC token says:"];
  for (const name of SHOWN_CLAIMS) {
    if (text(name)) lines.push(`  ${name}: ${text(name)}`);
  }
  const repository = text('repository');
  const provider =
    text('iss')
      .replace(/^https:\/\//, '')
      .replace(/\/$/, '') || 'token.actions.githubusercontent.com';
  if (repository) {
    const environment = text('environment');
    lines.push(`The trust policy's ${provider}:sub condition must match one of the subject forms:`);
    const forms: [string, string][] = [
      [
        `repo:${repository}:environment:${environment || '<name>'}`,
        environment
          ? 'this job: it has an environment, which takes precedence'
          : 'jobs with an environment',
      ],
      [
        `repo:${repository}:ref:${text('ref') || 'refs/heads/<branch>'}`,
        environment ? 'jobs without an environment only' : 'this job',
      ],
      [`repo:${repository}:pull_request`, 'pull_request events'],
    ];
    if (text('event_name') === 'pull_request' && !environment) forms.reverse();
    for (const [form, when] of forms) lines.push(`  ${form}  (${when})`);
  }
  lines.push(
    `and ${provider}:aud must equal '${audience}', which the IAM OIDC provider for ${text('iss') || 'the issuer'} must also list as a client ID (audience).`,
  );
  if (text('job_workflow_ref')) {
    lines.push(
      `To pin the calling workflow, the subject must carry job_workflow_ref (GitHub's subject customization); this job's is '${text('job_workflow_ref')}'.`,
    );
  }
  return lines;
}
