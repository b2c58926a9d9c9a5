// GitHub's workflow parser, loaded so that both jest and plain `node` can use it. The package
// imports its schema as `import schema from "./workflow-v1.0.min.json"` without the
// `with { type: 'json' }` attribute Node requires, so under node a load hook serves that file as
// JSON before the package is imported (dynamically, after the hook exists). Jest loads JSON
// itself and refuses `registerHooks` (its modules never reach Node's loader), so there the hook
// is left out.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import type * as WorkflowParserModule from '@actions/workflow-parser';

type WorkflowParser = typeof WorkflowParserModule;

let loaded: Promise<WorkflowParser> | undefined;

export function workflowParser(): Promise<WorkflowParser> {
  if (loaded === undefined) {
    if (process.env['JEST_WORKER_ID'] === undefined) registerJsonHook();
    loaded = import('@actions/workflow-parser');
  }
  return loaded;
}

function registerJsonHook(): void {
  registerHooks({
    load(url, context, nextLoad) {
      if (url.endsWith('.json') && url.includes('/@actions/workflow-parser/')) {
        return {
          format: 'json',
          source: readFileSync(new URL(url), 'utf8'),
          shortCircuit: true,
        };
      }
      return nextLoad(url, context);
    },
  });
}
