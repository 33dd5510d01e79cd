/**
 * Line charts: training histories (objective, accuracy against iterations,
 * work or time), several methods in one chart.
 */
import { checkPositiveInt, fail } from '../core/errors.js';
import { chartConfig, checkPath, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';
import { logAxis, type AxisSpec } from './scales.js';

/** One line of a chart. */
export interface Series {
  /** Legend entry (unique within a chart). */
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Options of {@link saveLineChart}. */
export interface LineChartOptions {
  title?: string;
  /** Axis titles. Defaults 'iteration' and 'value'. */
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (points with y ≤ 0 are left out). */
  logY?: boolean;
  /** Logarithmic x axis (points with x ≤ 0 are left out). */
  logX?: boolean;
  /** Draw a marker at every point. Default: when no series has more than 60 points. */
  points?: boolean;
  /** Plot area in pixels. Defaults 480 × 300. */
  width?: number;
  height?: number;
}

/** Check series and flatten them into rows `{ series, x, y }`, dropping non-finite (and, on log axes, non-positive) points. */
export function seriesRows(fn: string, series: Series[], logX = false, logY = false): { series: string; x: number; y: number }[] {
  if (!Array.isArray(series) || series.length === 0) fail(fn, 'series must be a non-empty array of { name, x, y }');
  const seen = new Set<string>();
  const rows: { series: string; x: number; y: number }[] = [];
  series.forEach((s, k) => {
    if (s === null || typeof s !== 'object' || typeof s.name !== 'string') fail(fn, `series[${k}] must be { name: string, x, y }`);
    if (seen.has(s.name)) fail(fn, `series name '${s.name}' appears twice`);
    seen.add(s.name);
    if (!s.x || !s.y || typeof s.x.length !== 'number' || typeof s.y.length !== 'number') fail(fn, `series '${s.name}' needs arrays x and y`);
    if (s.x.length !== s.y.length) fail(fn, `series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i], y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if ((logX && x <= 0) || (logY && y <= 0)) continue;
      rows.push({ series: s.name, x, y });
    }
  });
  return rows;
}

/**
 * A line chart of one or more series, rendered to SVG with Vega-Lite (one
 * colour per series, legend in the given order).
 * @param path output file, `.svg` (parent folders are created)
 * @param series `[{ name, x, y }]`, `x.length === y.length` for each
 * @param options `{ title?, xLabel = 'iteration', yLabel = 'value', logY?, logX?, points?, width = 480, height = 300 }`
 * @returns the absolute path written
 * @throws if a series has different x and y lengths, names repeat, the list is empty, the path is not `.svg`; if vega/vega-lite are missing
 * @example await saveLineChart('out/history.svg', [{ name: 'sgd', x: [0, 1, 2], y: [1, 0.5, 0.3] }], { title: 'loss', logY: true })
 */
export async function saveLineChart(path: string, series: Series[], options: LineChartOptions = {}): Promise<string> {
  const fn = 'saveLineChart';
  checkOptions(fn, options, ['title', 'xLabel', 'yLabel', 'logY', 'logX', 'points', 'width', 'height']);
  checkPath(fn, path, ['.svg']);
  const rows = seriesRows(fn, series, options.logX, options.logY);
  const longest = Math.max(...series.map((s) => s.x.length));
  const spec = lineSpec(series.map((s) => s.name), rows, {
    title: options.title,
    xLabel: options.xLabel ?? 'iteration',
    yLabel: options.yLabel ?? 'value',
    logX: options.logX ?? false,
    logY: options.logY ?? false,
    points: options.points ?? longest <= 60,
    width: checkPositiveInt(fn, 'width', options.width ?? 480),
    height: checkPositiveInt(fn, 'height', options.height ?? 300),
  });
  return writeOutput(path, await vegaLiteToSvg(fn, spec));
}

/** The Vega-Lite specification shared by line charts and spectra. */
export function lineSpec(
  names: string[],
  rows: { series: string; x: number; y: number }[],
  o: { title?: string; xLabel: string; yLabel: string; logX: boolean; logY: boolean; points: boolean; width: number; height: number; xInteger?: boolean },
): Record<string, unknown> {
  // Log axes span the data, not whole decades around it.
  const axisOf = (log: boolean, axis: 'x' | 'y'): AxisSpec => (log ? logAxis(rows.map((r) => r[axis])) : { scale: { zero: false } });
  const xs = axisOf(o.logX, 'x'), ys = axisOf(o.logY, 'y');
  return {
    ...chartConfig(),
    ...(o.title ? { title: o.title } : {}),
    width: o.width,
    height: o.height,
    data: { values: rows },
    mark: { type: 'line', point: o.points ? { size: 25 } : false, strokeWidth: 1.8, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.xLabel, ...xs, ...(o.xInteger && !o.logX ? { axis: { tickMinStep: 1, format: 'd' } } : {}) },
      y: { field: 'y', type: 'quantitative', title: o.yLabel, ...ys },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: names }, legend: names.length > 1 ? {} : null },
    },
  };
}
