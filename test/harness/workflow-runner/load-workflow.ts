// Reads one workflow file with GitHub's parser: the converted model (jobs, needs, if, steps,
// outputs) for the graph, and the raw token tree for what the model leaves out.
import { readFileSync } from 'node:fs';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { workflowParser } from './parser.ts';
import { templateMultilineScalars } from './scalars.ts';

export interface LoadedWorkflow {
  /** Path inside the repository, e.g. `.github/workflows/deploy.yml`. */
  readonly path: string;
  readonly template: WorkflowTemplate;
  readonly root: TemplateToken;
}

export class WorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowError';
  }
}

const cache = new Map<string, Promise<LoadedWorkflow>>();

/** Loads `relativePath` under `checkout`; invalid workflows throw with the parser's messages. */
export function loadWorkflow(checkout: string, relativePath: string): Promise<LoadedWorkflow> {
  const file = `${checkout}/${relativePath}`;
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return Promise.reject(new WorkflowError(`${relativePath}: no such workflow in ${checkout}`));
  }
  const key = `${file}\n${content}`;
  let loaded = cache.get(key);
  if (loaded === undefined) {
    loaded = parse(relativePath, content);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return loaded;
}

export async function parseWorkflowText(path: string, content: string): Promise<LoadedWorkflow> {
  return parse(path, content);
}

async function parse(path: string, content: string): Promise<LoadedWorkflow> {
  const parser = await workflowParser();
  const parsed = parser.parseWorkflow({ name: path, content }, new parser.NoOperationTraceWriter());
  const root = parsed.value;
  // Before the model is made from the tokens, and again on the model for any token it copied.
  templateMultilineScalars(content, root);
  const template =
    root === undefined ? undefined : await parser.convertWorkflowTemplate(parsed.context, root);
  templateMultilineScalars(content, template);
  const errors = [
    ...parsed.context.errors.getErrors().map((error) => error.message),
    ...(template?.errors ?? []).map((error) => error.Message),
  ];
  if (root === undefined || template === undefined || errors.length > 0) {
    const messages = [...new Set(errors)].map((message) =>
      message.startsWith(`${path}`) ? message : `${path}: ${message}`,
    );
    throw new WorkflowError(messages.join('; ') || `${path}: not a workflow`);
  }
  return { path, template, root };
}
