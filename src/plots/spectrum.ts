/**
 * Singular value spectra (log scale): conditioning of Jacobians and features.
 */
import { checkPositiveInt, fail } from '../core/errors.js';
import { lineSpec, seriesRows, type Series } from './lineChart.js';
import { checkPath, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link saveSpectrum}. */
export interface SpectrumOptions {
  title?: string;
  /** Logarithmic y axis (default true; zero singular values are then left out). */
  logY?: boolean;
  /** Divide each series by its largest value (σ_i/σ_1). Default false. */
  normalize?: boolean;
  /** Axis titles. Defaults 'index i' and 'σ_i' (or 'σ_i / σ_1'). */
  xLabel?: string;
  yLabel?: string;
  /** Plot area in pixels. Defaults 480 × 300. */
  width?: number;
  height?: number;
}

/**
 * Singular values `σ_1 ≥ σ_2 ≥ …` against their index `i = 1, 2, …`, one line
 * per series, rendered to SVG (log scale by default).
 * @param path output file, `.svg`
 * @param series the values of one spectrum, or `[{ name, values }]` for several
 * @param options `{ title?, logY = true, normalize = false, xLabel?, yLabel?, width?, height? }`
 * @returns the absolute path written
 * @throws if a series is empty or the path is not `.svg`; if vega/vega-lite are missing
 * @example await saveSpectrum('out/sv.svg', [{ name: 'm = 8', values: s8 }, { name: 'm = 16', values: s16 }], { title: 'singular values of J' })
 */
export async function saveSpectrum(path: string, series: ArrayLike<number> | { name: string; values: ArrayLike<number> }[], options: SpectrumOptions = {}): Promise<string> {
  const fn = 'saveSpectrum';
  checkOptions(fn, options, ['title', 'logY', 'normalize', 'xLabel', 'yLabel', 'width', 'height']);
  checkPath(fn, path, ['.svg']);
  const list = Array.isArray(series) && series.length > 0 && typeof series[0] === 'object'
    ? (series as { name: string; values: ArrayLike<number> }[])
    : [{ name: 'σ', values: series as ArrayLike<number> }];
  const logY = options.logY ?? true;
  const lines: Series[] = list.map((s, k) => {
    if (s === null || typeof s !== 'object' || !s.values || typeof s.values.length !== 'number') fail(fn, `series[${k}] must be { name, values }`);
    if (s.values.length === 0) fail(fn, `series '${s.name}' has no values`);
    let scale = 1;
    if (options.normalize) {
      let m = 0;
      for (let i = 0; i < s.values.length; i++) m = Math.max(m, Math.abs(s.values[i]));
      scale = m > 0 ? 1 / m : 1;
    }
    return { name: s.name, x: Array.from({ length: s.values.length }, (_, i) => i + 1), y: Array.from(s.values, (v) => v * scale) };
  });
  const rows = seriesRows(fn, lines, false, logY);
  const spec = lineSpec(lines.map((s) => s.name), rows, {
    title: options.title,
    xLabel: options.xLabel ?? 'index i',
    yLabel: options.yLabel ?? (options.normalize ? 'σ_i / σ_1' : 'σ_i'),
    logX: false,
    logY,
    points: Math.max(...lines.map((s) => s.x.length)) <= 100,
    xInteger: true,
    width: checkPositiveInt(fn, 'width', options.width ?? 480),
    height: checkPositiveInt(fn, 'height', options.height ?? 300),
  });
  return writeOutput(path, await vegaLiteToSvg(fn, spec));
}
