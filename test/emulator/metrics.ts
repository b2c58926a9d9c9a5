// CloudWatch's metric storage as the emulator keeps it: one aggregate per metric (namespace,
// name, exact dimension set) per wall-clock minute. Statistics are computed from the aggregate:
// SampleCount, Sum, Minimum, Maximum exactly; percentiles from a log-scale histogram (bins 1 %
// wide, so a percentile is within about 0.5 % of the sample it stands for). Percentile rank
// PR(a:b) and trimmed count TC(a:b) count the histogram's bins in the range: lower bound
// exclusive, upper bound inclusive, as CloudWatch documents for PR (Statistics-definitions.html),
// to the histogram's 1 %.

export type Dimensions = Readonly<Record<string, string>>;

export const MINUTE_MS = 60_000;

/** log(1.01): histogram bins are 1 % wide. */
const BIN_BASE = Math.log(1.01);
/** Bin for values <= 0. */
const NON_POSITIVE_BIN = Number.MIN_SAFE_INTEGER;

export type Statistic =
  | { readonly kind: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' }
  | { readonly kind: 'percentile'; readonly percent: number }
  /** PR(lower:upper): % of samples in (lower, upper]; TC(lower:upper): how many. */
  | {
      readonly kind: 'percentile-rank' | 'trimmed-count';
      readonly lower?: number;
      readonly upper?: number;
    };

const NUMBER = String.raw`\d+(?:\.\d{1,10})?`;
const RANGE = new RegExp(`^(PR|TC)\\((${NUMBER})?:(${NUMBER})?\\)$`);

/**
 * PR(a:b) or TC(a:b) with absolute bounds, either one omitted (PR(:0.5)); undefined when both
 * are missing, the range is empty, or the bounds are percentages (TC(10%:90%), tc90: not served).
 */
function parseRange(stat: string): Statistic | undefined {
  const match = RANGE.exec(stat);
  if (match === null) return undefined;
  const [, name, low, high] = match;
  if (low === undefined && high === undefined) return undefined;
  const lower = low === undefined ? undefined : Number(low);
  const upper = high === undefined ? undefined : Number(high);
  if (lower !== undefined && upper !== undefined && !(lower < upper)) return undefined;
  return {
    kind: name === 'PR' ? 'percentile-rank' : 'trimmed-count',
    ...(lower === undefined ? {} : { lower }),
    ...(upper === undefined ? {} : { upper }),
  };
}

/**
 * Sum | Average | Maximum | Minimum | SampleCount | pNN(.NN) | PR(a:b) | TC(a:b); undefined for
 * anything else.
 */
export function parseStatistic(stat: string): Statistic | undefined {
  switch (stat) {
    case 'Sum':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
    case 'SampleCount':
      return { kind: stat };
  }
  if (stat.startsWith('PR(') || stat.startsWith('TC(')) return parseRange(stat);
  const match = /^p(\d{1,3}(?:\.\d{1,2})?)$/.exec(stat);
  if (match?.[1] === undefined) return undefined;
  const percent = Number(match[1]);
  return percent > 0 && percent <= 100 ? { kind: 'percentile', percent } : undefined;
}

function binOf(value: number): number {
  return value > 0 ? Math.floor(Math.log(value) / BIN_BASE) : NON_POSITIVE_BIN;
}

/** Samples of one metric over some span: exact count, sum, min, max and a histogram. */
export class Aggregate {
  sampleCount = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  readonly #bins = new Map<number, number>();

  /** Adds `count` samples of `value` (e.g. 37 requests, each a sample of 1). */
  add(value: number, count = 1): void {
    if (!(count > 0) || !Number.isFinite(value)) return;
    this.sampleCount += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const bin = binOf(value);
    this.#bins.set(bin, (this.#bins.get(bin) ?? 0) + count);
  }

  merge(other: Aggregate): void {
    if (other.sampleCount === 0) return;
    this.sampleCount += other.sampleCount;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    for (const [bin, count] of other.#bins) this.#bins.set(bin, (this.#bins.get(bin) ?? 0) + count);
  }

  statistic(statistic: Statistic): number | undefined {
    if (this.sampleCount === 0) return undefined;
    switch (statistic.kind) {
      case 'Sum':
        return this.sum;
      case 'Average':
        return this.sum / this.sampleCount;
      case 'Maximum':
        return this.max;
      case 'Minimum':
        return this.min;
      case 'SampleCount':
        return this.sampleCount;
      case 'percentile':
        return this.#percentile(statistic.percent);
      case 'percentile-rank':
        return (100 * this.#inRange(statistic.lower, statistic.upper)) / this.sampleCount;
      case 'trimmed-count':
        return this.#inRange(statistic.lower, statistic.upper);
    }
  }

  /**
   * Samples in (lower, upper]. A bin holding a bound counts as at that bound (a sample within 1 %
   * above a bound is taken as equal to it), so samples exactly at a bound fall on the documented
   * side: the upper bound included, the lower excluded.
   */
  #inRange(lower?: number, upper?: number): number {
    if (this.min === this.max) {
      const inside =
        (lower === undefined || this.min > lower) && (upper === undefined || this.min <= upper);
      return inside ? this.sampleCount : 0;
    }
    let count = 0;
    for (const [bin, binCount] of this.#bins) {
      if (lower !== undefined && bin <= binOf(lower)) continue;
      if (upper !== undefined && bin > binOf(upper)) continue;
      count += binCount;
    }
    return count;
  }

  /** The value a bin stands for: its middle, within the samples' range (exact when all equal). */
  #binValue(bin: number): number {
    if (this.min === this.max) return this.min;
    const value = bin === NON_POSITIVE_BIN ? 0 : Math.exp((bin + 0.5) * BIN_BASE);
    return Math.min(this.max, Math.max(this.min, value));
  }

  /** Nearest-rank percentile: the smallest sample with at least `percent` % of samples <= it. */
  #percentile(percent: number): number {
    if (this.min === this.max) return this.min;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.sampleCount - 1e-9));
    const bins = [...this.#bins.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const bin of bins) {
      seen += this.#bins.get(bin) ?? 0;
      if (seen >= rank) return this.#binValue(bin);
    }
    return this.max;
  }
}

export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Dimensions;
}

function seriesKey(id: MetricId): string {
  const dimensions = Object.entries(id.dimensions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('\u0001');
  return `${id.namespace}\u0000${id.metricName}\u0000${dimensions}`;
}

/**
 * Metric data points, one aggregate per minute per metric. A metric is identified by namespace,
 * name and its exact dimension set: as in CloudWatch, a query with fewer or other dimensions
 * than were published finds nothing.
 */
export class MetricStore {
  readonly #series = new Map<string, Map<number, Aggregate>>();

  record(id: MetricId, at: Date | number, value: number, count = 1): void {
    if (!(count > 0)) return;
    this.#minute(id, at).add(value, count);
  }

  /** Adds samples gathered elsewhere (in one minute) to the metric's minute that holds `at`. */
  merge(id: MetricId, at: Date | number, samples: Aggregate): void {
    if (samples.sampleCount > 0) this.#minute(id, at).merge(samples);
  }

  #minute(id: MetricId, at: Date | number): Aggregate {
    const key = seriesKey(id);
    let minutes = this.#series.get(key);
    if (minutes === undefined) {
      minutes = new Map();
      this.#series.set(key, minutes);
    }
    const ms = typeof at === 'number' ? at : at.getTime();
    const minute = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    let aggregate = minutes.get(minute);
    if (aggregate === undefined) {
      aggregate = new Aggregate();
      minutes.set(minute, aggregate);
    }
    return aggregate;
  }

  /** Per-minute aggregates with minute start in [fromMs, toMs), keyed by minute start. */
  minutes(id: MetricId, fromMs: number, toMs: number): Map<number, Aggregate> {
    const found = new Map<number, Aggregate>();
    for (const [minute, aggregate] of this.#series.get(seriesKey(id)) ?? []) {
      if (minute >= fromMs && minute < toMs) found.set(minute, aggregate);
    }
    return found;
  }

  /** Everything recorded for the metric with minute start in [fromMs, toMs), merged. */
  total(id: MetricId, fromMs: number, toMs: number): Aggregate {
    const total = new Aggregate();
    for (const aggregate of this.minutes(id, fromMs, toMs).values()) total.merge(aggregate);
    return total;
  }
}
