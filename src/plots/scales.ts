/**
 * Axis scales of the charts. A logarithmic axis spans the data and no more:
 * Vega's default "nice" log domain rounds out to whole decades, which can
 * leave most of a chart empty (data in [0.17, 2] drawn on [0.1, 10]).
 */

/** A Vega-Lite scale and axis for one quantitative channel. */
export interface AxisSpec {
  scale: Record<string, unknown>;
  axis?: Record<string, unknown>;
}

/**
 * Tick values of a log axis on [lo, hi]: 1, 2, 5 × 10^k when the axis spans
 * up to two decades (all of 1…9 × 10^k below one decade), else the powers of
 * ten, every s-th decade with s chosen for at most 8 labels.
 * @example logTicks(0.17, 2) // [0.2, 0.5, 1, 2]
 */
export function logTicks(lo: number, hi: number): number[] {
  const decades = Math.log10(hi / lo);
  const k0 = Math.floor(Math.log10(lo)), k1 = Math.ceil(Math.log10(hi));
  const out: number[] = [];
  // Values m·10^k are formed as m / 10^(−k) for k < 0 so that they print exactly (0.2, not 0.20000000000000004).
  const val = (m: number, k: number) => (k < 0 ? m / 10 ** -k : m * 10 ** k);
  const inside = (v: number) => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
  if (decades <= 2) {
    const mantissas = decades < 1 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : [1, 2, 5];
    for (let k = k0; k <= k1; k++) for (const m of mantissas) if (inside(val(m, k))) out.push(val(m, k));
  } else {
    const step = Math.max(1, Math.ceil(decades / 8));
    for (let k = Math.ceil(k0 / step) * step; k <= k1; k += step) if (inside(val(1, k))) out.push(val(1, k));
  }
  return out;
}

/**
 * A log scale whose domain is the range of the positive values, widened by
 * 2 % of its width in log space on each side (the extreme points are not cut
 * by the frame), without rounding to decades; and an axis with the ticks of
 * {@link logTicks}, labelled `0.2`, `1`, `1e-8`.
 * @param values the values on the axis (non-positive and non-finite ones are ignored)
 * @returns the scale and axis, or the plain log scale when no value is positive
 * @example logAxis([0.17, 2]).scale.domain // ≈ [0.161, 2.10]
 */
export function logAxis(values: Iterable<number>): AxisSpec {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo <= hi)) return { scale: { type: 'log' } };
  // Equal values: one decade around them (a log axis needs a positive width).
  const pad = lo === hi ? Math.sqrt(10) : 10 ** (0.02 * Math.log10(hi / lo));
  const domain: [number, number] = [lo / pad, hi * pad];
  // Plain numbers from 0.001 to 1000, exponents (1e-6) beyond.
  const labelExpr = "abs(log(datum.value) / LN10) >= 3.5 ? format(datum.value, '~e') : format(datum.value, '~g')";
  return { scale: { type: 'log', domain, nice: false }, axis: { values: logTicks(domain[0], domain[1]), labelExpr } };
}
