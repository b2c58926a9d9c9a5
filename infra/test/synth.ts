// Synthesizes the example app (both stages, cdk-nag on) once per test file, offline, into a
// temporary directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { production, staging } from '../bin/environments.ts';
import { addStages, type ShipStage } from '../lib/app.ts';
import type { EnvironmentConfig } from '../lib/config.ts';

export interface Synthesized {
  readonly outdir: string;
  readonly stages: Record<string, ShipStage>;
  readonly templates: Record<string, Template>;
  readonly edgeTemplates: Record<string, Template>;
}

export function synthesize(
  environments: readonly EnvironmentConfig[] = [staging, production],
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-synth-'));
  const app = new App({ outdir });
  const list = addStages(app, { app: 'shop', environments });
  app.synth();
  const stages: Record<string, ShipStage> = {};
  const templates: Record<string, Template> = {};
  const edgeTemplates: Record<string, Template> = {};
  for (const stage of list) {
    const name = stage.stage.stageName;
    stages[name] = stage;
    templates[name] = Template.fromStack(stage.stack);
    edgeTemplates[name] = Template.fromStack(stage.edgeSecurity);
  }
  return { outdir, stages, templates, edgeTemplates };
}

/** The one resource of a type whose logical id starts with the given construct path id. */
export function only(
  template: Template,
  type: string,
  props: Record<string, unknown> = {},
): [string, Record<string, unknown>] {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : {}));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Record<string, unknown>];
}
