// An app repository's checkout as the workflow runner reads it: its own workflows (callers)
// written into .github/workflows/, the suite's workflows it calls linked beside them (the runner
// resolves OWNER/aws-ship-suite/…@ref to the checkout), and the suite's actions/ and dist/.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suiteRoot = new URL('../..', import.meta.url).pathname;

export interface CheckoutSpec {
  /** Workflow files by name, written into .github/workflows/. */
  workflows?: Readonly<Record<string, string>>;
  /** The suite's own workflows (`deploy.yml`, …) linked into .github/workflows/. */
  suiteWorkflows?: readonly string[];
  /** Link the suite's actions/ and dist/ (default); `false` when the test places its own. */
  suiteActions?: boolean;
}

/** Lays out `spec` in `checkout` (created if missing); returns `checkout`. */
export function writeCheckout(checkout: string, spec: CheckoutSpec): string {
  const workflows = join(checkout, '.github/workflows');
  mkdirSync(workflows, { recursive: true });
  for (const [name, text] of Object.entries(spec.workflows ?? {})) {
    writeFileSync(join(workflows, name), text);
  }
  for (const name of spec.suiteWorkflows ?? []) {
    symlinkSync(join(suiteRoot, '.github/workflows', name), join(workflows, name));
  }
  if (spec.suiteActions !== false) linkSuite(checkout);
  return checkout;
}

/** A checkout in a new temporary directory; `remove()` deletes it. */
export function temporaryCheckout(
  prefix: string,
  spec: CheckoutSpec,
): { path: string; remove: () => void } {
  const path = writeCheckout(mkdtempSync(join(tmpdir(), `${prefix}-`)), spec);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** The suite's actions/ and their bundles, dist/, linked into the checkout. */
export function linkSuite(checkout: string): void {
  symlinkSync(join(suiteRoot, 'actions'), join(checkout, 'actions'));
  symlinkSync(join(suiteRoot, 'dist'), join(checkout, 'dist'));
}
