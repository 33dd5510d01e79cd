/**
 * Histograms (e.g. of gradient entries of a plain network and a ResNet).
 */
import { checkPositiveInt, fail } from '../core/errors.js';
import { chartConfig, checkPath, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';
import { logAxis } from './scales.js';

/** Options of {@link saveHistogram}. */
export interface HistogramOptions {
  title?: string;
  /** Number of equal-width bins shared by all series. Default 40. */
  bins?: number;
  /** Range `[lo, hi]` of the bins (values outside are left out). Default: the finite min and max of all series. */
  range?: [number, number];
  /** Show the fraction of each series' values per bin instead of counts. Default false. */
  density?: boolean;
  /** Logarithmic y axis (empty bins are then left out). Default false. */
  logY?: boolean;
  /** Axis titles. Defaults 'value' and 'count' (or 'fraction'). */
  xLabel?: string;
  yLabel?: string;
  /** Plot area in pixels. Defaults 480 × 300. */
  width?: number;
  height?: number;
}

/** Counts of `values` in `bins` equal-width bins of [lo, hi] (hi falls in the last bin); non-finite values and values outside are skipped. */
export function histogramCounts(values: ArrayLike<number>, bins: number, lo: number, hi: number): Float64Array {
  const counts = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / w))]++;
  }
  return counts;
}

/**
 * Histograms of one or more series over shared equal-width bins, overlaid with
 * transparency, rendered to SVG.
 * @param path output file, `.svg`
 * @param series `[{ name, values }]`, or the values of a single series
 * @param options `{ title?, bins = 40, range?, density = false, logY = false, xLabel?, yLabel?, width?, height? }`
 * @returns the absolute path written
 * @throws if there are no finite values, `range` is not increasing, or the path is not `.svg`; if vega/vega-lite are missing
 * @example await saveHistogram('out/grad.svg', [{ name: 'ResNet', values: gRes }, { name: 'plain', values: gNN }], { bins: 50 })
 */
export async function saveHistogram(path: string, series: ArrayLike<number> | { name: string; values: ArrayLike<number> }[], options: HistogramOptions = {}): Promise<string> {
  const fn = 'saveHistogram';
  checkOptions(fn, options, ['title', 'bins', 'range', 'density', 'logY', 'xLabel', 'yLabel', 'width', 'height']);
  checkPath(fn, path, ['.svg']);
  const list = Array.isArray(series) && series.length > 0 && typeof series[0] === 'object'
    ? (series as { name: string; values: ArrayLike<number> }[])
    : [{ name: 'values', values: series as ArrayLike<number> }];
  const bins = checkPositiveInt(fn, 'bins', options.bins ?? 40);
  const names = new Set<string>();
  list.forEach((s, k) => {
    if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || !s.values || typeof s.values.length !== 'number') fail(fn, `series[${k}] must be { name: string, values }`);
    if (names.has(s.name)) fail(fn, `series name '${s.name}' appears twice`);
    names.add(s.name);
  });
  let lo: number, hi: number;
  if (options.range !== undefined) {
    const r = options.range;
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) fail(fn, `range must be [lo, hi] with lo < hi, got [${String(r)}]`);
    [lo, hi] = r;
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (const s of list) {
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (!Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!(lo <= hi)) fail(fn, 'no finite values to count');
    if (lo === hi) {
      // A single value: a unit-width window around it.
      lo -= 0.5;
      hi += 0.5;
    }
  }
  const w = (hi - lo) / bins;
  const rows: { series: string; x0: number; x1: number; y: number; y0: number }[] = [];
  const logY = options.logY ?? false;
  for (const s of list) {
    const counts = histogramCounts(s.values, bins, lo, hi);
    let total = 0;
    for (const c of counts) total += c;
    const scale = options.density ? (total > 0 ? 1 / total : 0) : 1;
    for (let b = 0; b < bins; b++) {
      const y = counts[b] * scale;
      if (logY && y <= 0) continue;
      // On a log axis bars start below the smallest possible non-zero height.
      rows.push({ series: s.name, x0: lo + b * w, x1: lo + (b + 1) * w, y, y0: logY ? (options.density ? scale / 2 : 0.5) : 0 });
    }
  }
  const nameList = list.map((s) => s.name);
  const spec = {
    ...chartConfig(),
    ...(options.title ? { title: options.title } : {}),
    width: checkPositiveInt(fn, 'width', options.width ?? 480),
    height: checkPositiveInt(fn, 'height', options.height ?? 300),
    data: { values: rows },
    mark: { type: 'rect', opacity: list.length > 1 ? 0.55 : 0.85, stroke: 'white', strokeWidth: 0.3 },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: options.xLabel ?? 'value', scale: { domain: [lo, hi], nice: false, zero: false } },
      x2: { field: 'x1' },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? (options.density ? 'fraction' : 'count'), ...(logY ? logAxis(rows.flatMap((r) => [r.y, r.y0])) : { scale: {} }) },
      y2: { field: 'y0' },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: nameList }, legend: nameList.length > 1 ? {} : null },
    },
  };
  return writeOutput(path, await vegaLiteToSvg(fn, spec));
}
