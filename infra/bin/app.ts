// The example app's CDK app: `npx cdk synth` (or deploy 'staging/*') from infra/.
import { App } from 'aws-cdk-lib';
import { addStages } from '../lib/app.ts';
import { production, staging } from './environments.ts';

const app = new App();
addStages(app, { app: 'shop', environments: [staging, production] });
app.synth();
