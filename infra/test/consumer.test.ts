// An app repository's own CDK app using the constructs the way the README says: the package
// installed from this repository (here a symlink, as `npm install github:OWNER/aws-ship-suite#vX`
// leaves a copy), imported as `aws-ship-suite/infra` from plain JavaScript, run by plain node. It
// loads the committed infra/dist/, so a stale or broken build fails here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStageTemplates } from '../../test/emulator/template-loader.ts';
import { staging } from '../bin/environments.ts';

const root = new URL('../..', import.meta.url).pathname;
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'infra-consumer-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(root, join(app, 'node_modules', 'aws-ship-suite'));
  // The app's own CDK dependencies (the package's peer dependencies).
  for (const peer of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
    symlinkSync(join(root, 'node_modules', peer), join(app, 'node_modules', peer));
  }
  writeFileSync(join(app, 'package.json'), '{ "type": "module", "private": true }\n');
  const config = { ...staging, repository: 'acme/web', account: '222233334444' };
  writeFileSync(
    join(app, 'app.js'),
    `import { App } from 'aws-cdk-lib';
import { addStages } from 'aws-ship-suite/infra';
const app = new App({ outdir: process.argv[2] });
addStages(app, { app: 'web', environments: [${JSON.stringify(config)}] });
app.synth();
`,
  );
});

afterAll(() => rmSync(app, { recursive: true, force: true }));

it("builds an app repository's stack from `aws-ship-suite/infra`, cdk-nag included", () => {
  const outdir = join(app, 'cdk.out');
  const run = spawnSync(process.execPath, ['app.js', outdir], { cwd: app, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const templates = readStageTemplates(outdir, 'staging');
  expect(Object.keys(templates).sort()).toEqual(['web-staging', 'web-staging-edge-security']);
  const roles = Object.values(templates['web-staging']!.Resources).filter(
    (r) => r.Type === 'AWS::IAM::Role',
  );
  const trusts = JSON.stringify(roles.map((r) => r.Properties?.['AssumeRolePolicyDocument']));
  expect(trusts).toContain('repo:acme/web:environment:staging');
}, 180_000);
