// CPU the AWS emulator's traffic model spends on the end-to-end tests' load: 11 blue/green apps
// (two tasks per target group, 20 % canary) at 20 requests per second each, at time scale 120,
// stepped through 30 s of a fake clock as its one-second timer would. Prints the median of 5 runs.
//
//   node_modules/.bin/node bench/emulator-traffic.ts
import { startEmulator } from '../test/emulator/server.ts';

async function once(): Promise<number> {
  let now = Math.floor(Date.now() / 60_000) * 60_000 - 240_000;
  const emulator = await startEmulator({
    clock: () => new Date(now),
    timeScale: 120,
    trafficTickMs: 3_600_000,
  });
  try {
    for (let i = 0; i < 11; i++) {
      const alb = emulator.elbv2.createBlueGreenAlb(`app${i}`);
      for (const [g, arn] of [alb.blue.arn, alb.green.arn].entries()) {
        for (let t = 0; t < 2; t++) {
          const target = {
            id: `10.${i}.${g}.${t}`,
            port: 80,
            revision: `r${i}-${g}`,
            healthy: true,
          };
          emulator.elbv2.registerTarget(arn, target);
        }
      }
      emulator.elbv2.setRuleWeights(alb.productionRule.arn, [
        { targetGroupArn: alb.blue.arn, weight: 80 },
        { targetGroupArn: alb.green.arn, weight: 20 },
      ]);
      emulator.scenario.setRequestRate(alb.productionListener.arn, 20);
    }
    now += 5000;
    emulator.traffic.advance();
    const start = performance.now();
    for (let s = 0; s < 30; s++) {
      now += 1000;
      emulator.traffic.advance();
    }
    return performance.now() - start;
  } finally {
    await emulator.close();
  }
}

const runs: number[] = [];
for (let i = 0; i < 5; i++) runs.push(await once());
runs.sort((a, b) => a - b);
console.log(
  `traffic model, 30 s at 120x, 11 apps at 20 rps: median ${runs[2]!.toFixed(0)} ms of CPU ` +
    `(runs: ${runs.map((r) => r.toFixed(0)).join(', ')})`,
);
