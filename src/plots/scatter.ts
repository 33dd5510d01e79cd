/**
 * Scatter plots of 2-D points coloured by class (e.g. features moving through
 * the layers of a ResNet).
 */
import { checkMatrix, checkPositiveInt, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';
import { PALETTE } from './colors.js';
import { chartConfig, checkPath, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link saveScatter}. */
export interface ScatterOptions {
  title?: string;
  /** Axis titles. Defaults 'x1', 'x2'. */
  xLabel?: string;
  yLabel?: string;
  /** Number of classes (legend entries). Default: one more than the largest label. */
  classes?: number;
  /** Marker area in square pixels. Default 20. */
  size?: number;
  /** Plot area in pixels. Defaults 400 × 400. */
  width?: number;
  height?: number;
}

/**
 * A scatter plot of the columns of `points`, coloured by `labels` with the
 * same palette as the decision regions, rendered to SVG.
 * @param path output file, `.svg`
 * @param points `2 × n`
 * @param labels class of each column (length n), or omitted for one colour
 * @param options `{ title?, xLabel?, yLabel?, classes?, size = 20, width = 400, height = 400 }`
 * @returns the absolute path written
 * @throws if `points` is not `2 × n`, `labels` has another length or a label is not an integer in range; if vega/vega-lite are missing
 * @example await saveScatter('out/layer3.svg', Z, labels, { title: 'features after layer 3' })
 */
export async function saveScatter(path: string, points: Matrix, labels?: ArrayLike<number>, options: ScatterOptions = {}): Promise<string> {
  const fn = 'saveScatter';
  checkOptions(fn, options, ['title', 'xLabel', 'yLabel', 'classes', 'size', 'width', 'height']);
  checkPath(fn, path, ['.svg']);
  checkMatrix(fn, 'points', points);
  if (points.shape[0] !== 2) fail(fn, `points is ${shapeStr(points)}, expected 2 rows (project wider features to 2-D first)`);
  const n = points.shape[1];
  const classesOpt = options.classes === undefined ? undefined : checkPositiveInt(fn, 'classes', options.classes);
  let classes = classesOpt ?? 1;
  if (labels !== undefined) {
    if (labels === null || typeof labels.length !== 'number') fail(fn, 'labels must be an array of class indices');
    if (labels.length !== n) fail(fn, `labels has length ${labels.length} but points has ${n} columns`);
    for (let j = 0; j < n; j++) {
      const c = labels[j];
      if (!Number.isInteger(c) || c < 0 || (classesOpt !== undefined && c >= classesOpt)) {
        fail(fn, `labels[${j}] = ${c}, expected an integer in 0..${classesOpt === undefined ? 'classes−1' : classesOpt - 1}`);
      }
      if (classesOpt === undefined) classes = Math.max(classes, c + 1);
    }
  }
  const d = columnMajorData(points);
  const values = [];
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(d[2 * j]) || !Number.isFinite(d[2 * j + 1])) continue;
    values.push({ x: d[2 * j], y: d[2 * j + 1], class: labels ? labels[j] : 0 });
  }
  const domain = Array.from({ length: classes }, (_, k) => k);
  const spec = {
    ...chartConfig(),
    ...(options.title ? { title: options.title } : {}),
    width: checkPositiveInt(fn, 'width', options.width ?? 400),
    height: checkPositiveInt(fn, 'height', options.height ?? 400),
    data: { values },
    mark: { type: 'circle', size: options.size ?? 20, opacity: 0.85, stroke: '#222222', strokeWidth: 0.4 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel ?? 'x1', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? 'x2', scale: { zero: false } },
      color: labels
        ? { field: 'class', type: 'nominal', scale: { domain, range: domain.map((k) => PALETTE[k % PALETTE.length]) }, legend: { title: 'class' } }
        : { value: PALETTE[0] },
    },
  };
  return writeOutput(path, await vegaLiteToSvg(fn, spec));
}
