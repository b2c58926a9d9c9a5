// GitHub's REST error shape: `{ message, documentation_url, status }` (the `status` string field
// is on every error since 2024), plus `errors[]` on 422 Validation Failed.
// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
const DOCS = 'https://docs.github.com/rest';

export interface ValidationErrorItem {
  readonly resource: string;
  readonly code: string;
  readonly field?: string;
  readonly message?: string;
}

export class GitHubError extends Error {
  readonly status: number;
  readonly documentationUrl: string;
  readonly errors: readonly ValidationErrorItem[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options: {
      documentationUrl?: string;
      errors?: readonly ValidationErrorItem[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.status = status;
    this.documentationUrl = options.documentationUrl ?? DOCS;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      message: this.message,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
      documentation_url: this.documentationUrl,
      status: String(this.status),
    };
  }
}

/** An installation token (GITHUB_TOKEN, app token) lacking the permission an endpoint needs. */
export const notAccessible = (documentationUrl?: string) =>
  new GitHubError(403, 'Resource not accessible by integration', {
    ...(documentationUrl === undefined ? {} : { documentationUrl }),
  });

export const notFound = (documentationUrl?: string) =>
  new GitHubError(404, 'Not Found', {
    ...(documentationUrl === undefined ? {} : { documentationUrl }),
  });

export const badCredentials = () => new GitHubError(401, 'Bad credentials');

export const requiresAuthentication = () => new GitHubError(401, 'Requires authentication');

export const validationFailed = (
  errors: readonly ValidationErrorItem[],
  documentationUrl?: string,
) =>
  new GitHubError(422, 'Validation Failed', {
    errors,
    ...(documentationUrl === undefined ? {} : { documentationUrl }),
  });
