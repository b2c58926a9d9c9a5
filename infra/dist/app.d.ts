import { type App, Stage } from 'aws-cdk-lib';
import { type EnvironmentConfig } from './config.ts';
import { EdgeSecurityStack } from './edge-security-stack.ts';
import { ShipStack } from './ship-stack.ts';
export interface ShipStage {
    readonly stage: Stage;
    readonly edgeSecurity: EdgeSecurityStack;
    readonly stack: ShipStack;
}
export interface AppOptions {
    readonly app: string;
    readonly environments: readonly EnvironmentConfig[];
    /** Run the cdk-nag pack at synth (default true). */
    readonly nag?: boolean;
}
export declare function addStages(app: App, options: AppOptions): ShipStage[];
