// Figures for the one-line reasons people read in logs and summaries.

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/** 0.041 → "4.1 %", 0.003 → "0.3 %", 0.00012 → "0.012 %", 0 → "0 %". */
export function percent(fraction: number): string {
  const value = fraction * 100;
  if (value === 0) return '0 %';
  if (value >= 1) return `${trimZeros(value.toFixed(1))} %`;
  return `${trimZeros(value.toPrecision(2))} %`;
}

function pText(p: number, digits: number): string {
  if (p === 0) return '<1e-300';
  if (p < 1e-4) return p.toExponential(1).replace('.0e', 'e');
  return trimZeros(p.toPrecision(digits));
}

/** A confidence level without rounding it up to 100 %: 0.98 → "98 %", 0.99957 → "99.957 %". */
export function confidenceText(confidence: number): string {
  return `${trimZeros((confidence * 100).toPrecision(6))} %`;
}

/** A p-value with two significant digits: 0.0123 → "0.012", 3.3e-40 → "3.3e-40". */
export function pValue(p: number): string {
  return pText(p, 2);
}

/** The significance level 1 − confidence without floating-point noise: 0.98 → "0.02". */
export function alphaText(confidence: number): string {
  return trimZeros((1 - confidence).toPrecision(6));
}

/**
 * "p=0.0013 < 0.02" or "p=0.31 ≥ 0.02", with enough digits that p never reads as equal to the
 * level it is compared with.
 */
export function pAgainst(p: number, confidence: number): string {
  const alpha = alphaText(confidence);
  let digits = 2;
  while (digits < 8 && pText(p, digits) === alpha) digits++;
  return `p=${pText(p, digits)} ${p < 1 - confidence ? '<' : '≥'} ${alpha}`;
}

/** Seconds for people: 0.412 → "412 ms", 0.0041 → "4.1 ms", 1.24 → "1.24 s". */
export function seconds(value: number): string {
  if (value === 0) return '0 ms';
  if (value < 0.9995) {
    const ms = value * 1000;
    const text = ms >= 100 ? ms.toFixed(0) : ms < 1 ? ms.toPrecision(2) : ms.toPrecision(3);
    return `${trimZeros(text)} ms`;
  }
  return `${trimZeros(value < 100 ? value.toPrecision(3) : value.toFixed(0))} s`;
}

/** 1.6543 → "1.65×", 14.21 → "14.2×". */
export function times(ratio: number): string {
  return `${trimZeros(ratio < 100 ? ratio.toPrecision(3) : ratio.toFixed(0))}×`;
}
