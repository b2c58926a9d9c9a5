// Response-time distributions, one model for the emulator's traffic and the canary scenario
// harness (test/scenarios/seeded-metrics.ts): log-normal (the usual body), Pareto (a true heavy
// tail: with alpha ≤ 2 its variance is infinite) and mixtures of them (bimodal services, a slow
// minority of requests).

/** A latency distribution in seconds. */
export type Latency =
  | { kind: 'lognormal'; median: number; sigma: number }
  /** Pareto (type I): scale `min`, shape `alpha`; alpha ≤ 2 has infinite variance. */
  | { kind: 'pareto'; min: number; alpha: number }
  | { kind: 'mixture'; parts: readonly { weight: number; latency: Latency }[] };

/** The uniform and normal draws a distribution needs (traffic.ts's `Random`). */
export interface Draws {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/** z for the 99th percentile of the standard normal distribution. */
const Z99 = 2.3263478740408408;

/** The log-normal with this median and 99th percentile. */
export function lognormal(median: number, p99: number): Latency {
  return {
    kind: 'lognormal',
    median,
    sigma: Math.max(0, (Math.log(p99) - Math.log(median)) / Z99),
  };
}

/** One response time in seconds. */
export function draw(latency: Latency, random: Draws): number {
  switch (latency.kind) {
    case 'lognormal':
      return latency.median * Math.exp(latency.sigma * random.normal());
    case 'pareto':
      return latency.min / Math.pow(1 - random.next(), 1 / latency.alpha);
    case 'mixture': {
      let u = random.next();
      for (const part of latency.parts) {
        if (u < part.weight) return draw(part.latency, random);
        u -= part.weight;
      }
      return draw(latency.parts.at(-1)!.latency, random);
    }
  }
}

/** What is wrong with a distribution, or undefined when it can be drawn from. */
export function latencyProblem(latency: Latency): string | undefined {
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  switch (latency.kind) {
    case 'lognormal':
      if (!positive(latency.median))
        return `log-normal median must be > 0 s, got ${latency.median}`;
      if (!(Number.isFinite(latency.sigma) && latency.sigma >= 0))
        return `log-normal sigma must be >= 0, got ${latency.sigma}`;
      return undefined;
    case 'pareto':
      if (!positive(latency.min)) return `Pareto min must be > 0 s, got ${latency.min}`;
      if (!positive(latency.alpha)) return `Pareto alpha must be > 0, got ${latency.alpha}`;
      return undefined;
    case 'mixture': {
      if (latency.parts.length === 0) return 'a mixture needs at least one part';
      if (latency.parts.some((p) => !(Number.isFinite(p.weight) && p.weight >= 0)))
        return 'mixture weights must be >= 0';
      const total = latency.parts.reduce((sum, p) => sum + p.weight, 0);
      if (Math.abs(total - 1) > 1e-9) return `mixture weights must add up to 1, got ${total}`;
      for (const part of latency.parts) {
        const problem = latencyProblem(part.latency);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return `unknown latency kind ${(latency as { kind: unknown }).kind}`;
  }
}
