// The stages `./dev rehearse` loads into the AWS emulator: the example app's staging and
// production as the rehearsal's app repository (octo-org/octo-app) and accounts see them.
//   node infra/bin/rehearsal.ts <outdir>
import { App } from 'aws-cdk-lib';
import { addStages } from '../lib/app.ts';
import { production, staging } from './environments.ts';

export const REHEARSAL = {
  app: 'octo-app',
  repository: 'octo-org/octo-app',
  deployWorkflowRef: 'octo-org/aws-ship-suite/.github/workflows/deploy.yml@refs/heads/main',
  accounts: { staging: '111122223333', production: '444455556666' },
} as const;

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node infra/bin/rehearsal.ts <outdir>');
  process.exitCode = 1;
} else {
  const app = new App({ outdir });
  const rehearsal = {
    repository: REHEARSAL.repository,
    deployWorkflowRef: REHEARSAL.deployWorkflowRef,
  };
  addStages(app, {
    app: REHEARSAL.app,
    environments: [
      { ...staging, ...rehearsal, account: REHEARSAL.accounts.staging },
      { ...production, ...rehearsal, account: REHEARSAL.accounts.production },
    ],
  });
  app.synth();
}
