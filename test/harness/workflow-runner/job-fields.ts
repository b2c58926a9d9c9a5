// The job-level values GitHub's server evaluates (a job's if, name, strategy, environment,
// concurrency), their errors worded as it words them.
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { Contexts, StatusFacts } from './expressions.ts';
import { evaluateToken, TemplateError } from './tokens.ts';

/** A job-level value the server evaluates, its errors worded as the server words them. */
export class JobFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFieldError';
  }
}

/**
 * Evaluates a job's `if`, `name`, `strategy`, `environment` or `concurrency`; an error becomes
 * "Error when evaluating '<field>' for job '<id>'. <file> (Line: L, Col: C): <message>"
 * (WorkflowTemplateEvaluator in actions/runner src/Sdk/WorkflowParser).
 */
export function evaluateJobField(
  field: string,
  jobId: string,
  file: string,
  token: TemplateToken | undefined,
  contexts: Contexts,
  status?: StatusFacts,
): unknown {
  try {
    return evaluateToken(token, contexts, status);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new JobFieldError(
      error.describe(file, `Error when evaluating '${field}' for job '${jobId}'.`),
    );
  }
}
