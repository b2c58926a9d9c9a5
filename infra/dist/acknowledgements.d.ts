import type { ShipStack } from './ship-stack.ts';
export declare function acknowledgeFindings(stack: ShipStack): void;
