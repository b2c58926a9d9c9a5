// GitHub's refusals said as one line that names what to fix (GitHub's own words in parentheses),
// for the ports on GitHub's REST API. Never the token.
import { UserError } from '../lib/errors.ts';
import { GitHubApiError, GitHubRateLimitError, GitHubUnreachableError } from './rest.ts';

/**
 * `what`: the call in people's words ("create the deployment"); `permission`: the job permission
 * it needs ("deployments: write").
 */
export function explainGitHubError(error: unknown, what: string, permission: string): unknown {
  if (error instanceof GitHubRateLimitError) return new UserError(error.message, { cause: error });
  if (error instanceof GitHubUnreachableError) {
    return new UserError(
      `${error.message} while trying to ${what}: check GITHUB_API_URL and the runner's network, then re-run the job.`,
      { cause: error },
    );
  }
  if (!(error instanceof GitHubApiError)) return error;
  const github = `(GitHub: ${error.status} ${JSON.stringify(error.githubMessage)})`;
  switch (error.status) {
    case 401:
      return new UserError(
        `GitHub refused the token when trying to ${what} ${github}: pass a valid token (a job's GITHUB_TOKEN stops working when the job ends).`,
        { cause: error },
      );
    case 403:
      return new UserError(
        `The token may not ${what} ${github}: give the job \`permissions: ${permission}\`.`,
        { cause: error },
      );
    case 404:
      return new UserError(
        `GitHub found nothing when trying to ${what} ${github}: check the repository, and that the token reaches it (\`permissions: ${permission}\`).`,
        { cause: error },
      );
    default:
      return new UserError(
        `GitHub answered ${error.status} when trying to ${what} ${github}${error.details.length > 0 ? `: ${error.details.join('; ')}` : ''}.`,
        { cause: error },
      );
  }
}

/** Runs `call`; a GitHub error becomes the one line above. */
export async function explained<T>(
  what: string,
  permission: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainGitHubError(error, what, permission);
  }
}
