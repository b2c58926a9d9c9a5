// Regenerates the inputs and outputs tables of every actions/<name>/README.md from its action.yml.
//   node scripts/docs.ts          rewrite the READMEs that are stale (or missing)
//   node scripts/docs.ts --check  write nothing; exit 1 and name each stale (or missing) README
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { displayPath, loadActions, updateReadme } from './action-docs.ts';

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--check');
if (unknown.length > 0) {
  console.error(`Unknown argument(s): ${unknown.join(' ')}. Usage: node scripts/docs.ts [--check]`);
  process.exitCode = 2;
} else {
  await main(args.includes('--check'));
}

async function main(check: boolean): Promise<void> {
  const actions = loadActions();
  if (actions.length === 0) {
    console.error('No actions/*/action.yml found.');
    process.exitCode = 1;
    return;
  }
  let stale = 0;
  for (const action of actions) {
    const path = displayPath(action.readmePath);
    const current = existsSync(action.readmePath)
      ? readFileSync(action.readmePath, 'utf8')
      : undefined;
    let fresh: string;
    try {
      fresh = await updateReadme(current, action);
    } catch (error) {
      console.error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      continue;
    }
    if (fresh === current) continue;
    stale++;
    if (check) {
      console.error(`${path} is stale: run npm run docs`);
      process.exitCode = 1;
    } else {
      writeFileSync(action.readmePath, fresh, 'utf8');
      console.log(`${current === undefined ? 'created' : 'updated'} ${path}`);
    }
  }
  if (stale === 0 && !process.exitCode) {
    console.log(`${actions.length} action README(s) up to date.`);
  }
}
