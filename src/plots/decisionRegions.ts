/**
 * Decision regions of a 2-D classifier, with the data on top.
 */
import { checkMatrix, checkNumber, checkPositiveInt, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { classColor, mix, PALETTE, rgbToHex, type Rgb } from './colors.js';
import { Raster } from './raster.js';
import { chartConfig, checkPath, encodePng, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link saveDecisionRegions}. */
export interface DecisionRegionsOptions {
  /** Data points to draw on top, `2 × n`. */
  points?: Matrix;
  /** Classes of the points (length n); without them the points are drawn black. */
  labels?: ArrayLike<number>;
  /** The square `[lo, hi]²` shown (x range, and y range unless `yRange`). Default [−3, 3]. */
  range?: [number, number];
  /** A different y range. */
  yRange?: [number, number];
  /** Grid cells per side at which `predict` is evaluated. Default 200. */
  resolution?: number;
  /** Side of the picture in pixels (nearest-neighbour upsampling of the grid). Default max(resolution, 400). */
  size?: number;
  /** Number of classes (colours). Default: one more than the largest class seen. */
  classes?: number;
  /** Chart title, e.g. the method (SVG output only: a PNG carries no text). */
  title?: string;
  /**
   * The classifier's accuracy (a fraction in [0, 1]), shown under the title
   * as `accuracy 96.7 %` (SVG output only).
   */
  accuracy?: number;
  /** What the accuracy was measured on, e.g. 'validation accuracy' (default 'accuracy'). */
  accuracyLabel?: string;
  /** Axis titles (SVG output only). Defaults 'x1', 'x2'. */
  xLabel?: string;
  yLabel?: string;
  /** Radius of the data points in pixels. Default 3 (2 beyond 2000 points). */
  pointRadius?: number;
  /** Columns per call of `predict`. Default 10000. */
  batch?: number;
}

interface Regions {
  grid: Int32Array; // class of grid cell (px, py), py = 0 at the top
  classes: number;
}

function evaluate(fn: string, predict: (P: Matrix) => ArrayLike<number>, res: number, x: [number, number], y: [number, number], batch: number, classes: number | undefined): Regions {
  const total = res * res;
  const grid = new Int32Array(total);
  let maxSeen = -1;
  for (let start = 0; start < total; start += batch) {
    const k = Math.min(batch, total - start);
    const P = zeros(2, k);
    for (let j = 0; j < k; j++) {
      const cell = start + j;
      const px = cell % res, py = Math.floor(cell / res);
      // Cell centres; image rows go down while y goes up.
      P.data[2 * j] = x[0] + ((px + 0.5) / res) * (x[1] - x[0]);
      P.data[2 * j + 1] = y[1] - ((py + 0.5) / res) * (y[1] - y[0]);
    }
    const out = predict(P);
    if (out === null || typeof out !== 'object' || typeof out.length !== 'number') fail(fn, `predict must return the class of every column (an Int32Array), got ${out === null ? 'null' : typeof out}`);
    if (out.length !== k) fail(fn, `predict returned ${out.length} labels for a 2×${k} input, expected ${k}`);
    for (let j = 0; j < k; j++) {
      const c = out[j];
      if (!Number.isInteger(c) || c < 0 || (classes !== undefined && c >= classes)) {
        fail(fn, `predict returned label ${c} at column ${j}, expected an integer in 0..${classes === undefined ? 'classes−1' : classes - 1}`);
      }
      grid[start + j] = c;
      if (c > maxSeen) maxSeen = c;
    }
  }
  return { grid, classes: classes ?? maxSeen + 1 };
}

/** Paint the regions at `size × size` pixels, class boundaries a little darker. */
function paintRegions(regions: Regions, res: number, size: number): Raster {
  const raster = new Raster(size, size);
  const light: Rgb[] = [];
  const edge: Rgb[] = [];
  for (let k = 0; k < Math.max(1, regions.classes); k++) {
    light[k] = mix(classColor(k), [255, 255, 255], 0.55);
    edge[k] = mix(light[k], [0, 0, 0], 0.35);
  }
  const cellOf = (p: number) => Math.min(res - 1, Math.floor((p * res) / size));
  for (let py = 0; py < size; py++) {
    const cy = cellOf(py), cyNext = cellOf(Math.min(size - 1, py + 1));
    for (let px = 0; px < size; px++) {
      const cx = cellOf(px), cxNext = cellOf(Math.min(size - 1, px + 1));
      const k = regions.grid[cx + res * cy];
      const boundary = regions.grid[cxNext + res * cy] !== k || regions.grid[cx + res * cyNext] !== k;
      raster.set(px, py, boundary ? edge[k] : light[k]);
    }
  }
  return raster;
}

/**
 * Decision regions of a classifier on a rectangle (default [−3, 3]²): `predict`
 * is evaluated at the centres of a `resolution × resolution` grid and every
 * class painted in a light colour of the categorical palette; the data points
 * go on top in the full colour of their class with a dark outline.
 * A `.png` path gives the raster alone; an `.svg` path embeds it in a chart
 * with axes, title and the points as vector marks.
 * @param path output file, `.png` or `.svg` (parent folders are created)
 * @param predict `P (2 × k) ↦ class of each column` (length k, integers 0…classes−1)
 * @param options `{ points?, labels?, range = [−3, 3], yRange?, resolution = 200, size?, classes?, title?, accuracy?, accuracyLabel?, xLabel?, yLabel?, pointRadius?, batch? }`
 * @returns the absolute path written
 * @throws if `points` is not `2 × n`, `labels` has another length, `predict` returns the wrong number of labels or a label out of range; if pngjs (or vega for SVG) is missing
 * @example await saveDecisionRegions('out/regions.png', (P) => peaksLabels(P), { points: Y, labels, classes: 5 })
 */
export async function saveDecisionRegions(path: string, predict: (P: Matrix) => ArrayLike<number>, options: DecisionRegionsOptions = {}): Promise<string> {
  const fn = 'saveDecisionRegions';
  checkOptions(fn, options, ['points', 'labels', 'range', 'yRange', 'resolution', 'size', 'classes', 'title', 'accuracy', 'accuracyLabel', 'xLabel', 'yLabel', 'pointRadius', 'batch']);
  checkPath(fn, path, ['.png', '.svg']);
  if (typeof predict !== 'function') fail(fn, `predict must be a function P ↦ labels, got ${typeof predict}`);
  const checkRange = (name: string, r: unknown): [number, number] => {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
      fail(fn, `${name} must be [lo, hi] with lo < hi, got ${Array.isArray(r) ? `[${r.join(', ')}]` : String(r)}`);
    }
    return r as [number, number];
  };
  const xr = checkRange('range', options.range ?? [-3, 3]);
  const yr = checkRange('yRange', options.yRange ?? xr);
  const res = checkPositiveInt(fn, 'resolution', options.resolution ?? 200);
  const size = checkPositiveInt(fn, 'size', options.size ?? Math.max(res, 400));
  const batch = checkPositiveInt(fn, 'batch', options.batch ?? 10000);
  const classesOpt = options.classes === undefined ? undefined : checkPositiveInt(fn, 'classes', options.classes);
  let n = 0;
  let pts: Float64Array | null = null;
  if (options.points !== undefined) {
    checkMatrix(fn, 'points', options.points);
    if (options.points.shape[0] !== 2) fail(fn, `points is ${shapeStr(options.points)}, expected 2 rows (x and y)`);
    n = options.points.shape[1];
    pts = columnMajorData(options.points);
  }
  const labels = options.labels;
  if (labels !== undefined) {
    if (pts === null) fail(fn, 'labels given without points');
    if (labels.length !== n) fail(fn, `labels has length ${labels.length} but points has ${n} columns`);
    for (let j = 0; j < n; j++) {
      const c = labels[j];
      if (!Number.isInteger(c) || c < 0 || (classesOpt !== undefined && c >= classesOpt)) {
        fail(fn, `labels[${j}] = ${c}, expected an integer in 0..${classesOpt === undefined ? 'classes−1' : classesOpt - 1}`);
      }
    }
  }
  const radius = checkNumber(fn, 'pointRadius', options.pointRadius ?? (n > 2000 ? 2 : 3), { min: 0 });
  const acc = options.accuracy === undefined ? undefined : checkNumber(fn, 'accuracy', options.accuracy, { min: 0, max: 1 });

  const regions = evaluate(fn, predict, res, xr, yr, batch, classesOpt);
  if (labels !== undefined && classesOpt === undefined) {
    for (let j = 0; j < n; j++) regions.classes = Math.max(regions.classes, labels[j] + 1);
  }
  const raster = paintRegions(regions, res, size);

  if (path.toLowerCase().endsWith('.svg')) {
    const png = await encodePng(fn, raster.width, raster.height, raster.data);
    const url = `data:image/png;base64,${png.toString('base64')}`;
    const scaleX = { domain: xr, nice: false, zero: false };
    const scaleY = { domain: yr, nice: false, zero: false };
    const layers: Record<string, unknown>[] = [
      {
        data: { values: [{ x: xr[0], y: yr[1], url }] },
        mark: { type: 'image', aspect: false, align: 'left', baseline: 'top', width: 400, height: 400, aria: false },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: scaleX, title: options.xLabel ?? 'x1' },
          y: { field: 'y', type: 'quantitative', scale: scaleY, title: options.yLabel ?? 'x2' },
          url: { field: 'url', type: 'nominal' },
        },
      },
    ];
    const domain = Array.from({ length: regions.classes }, (_, k) => k);
    if (!labels) {
      // Legend of the regions' colours (with labelled points, the points' legend has the same hues).
      layers.push({
        data: { values: domain.map((k) => ({ x: NaN, y: NaN, class: k })) },
        mark: { type: 'square', size: 120, opacity: 1, stroke: '#666666', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: scaleX },
          y: { field: 'y', type: 'quantitative', scale: scaleY },
          color: { field: 'class', type: 'nominal', scale: { domain, range: domain.map((k) => rgbToHex(mix(classColor(k), [255, 255, 255], 0.55))) }, legend: { title: 'class' } },
        },
      });
    }
    if (pts !== null) {
      const values = [];
      for (let j = 0; j < n; j++) values.push({ x: pts[2 * j], y: pts[2 * j + 1], class: labels ? labels[j] : -1 });
      layers.push({
        data: { values },
        // aria: false keeps a per-point description out of the SVG (a third of its size for 1000 points).
        mark: { type: 'circle', size: Math.PI * radius * radius * 1.5, opacity: 1, stroke: '#222222', strokeWidth: 0.6, clip: true, aria: false },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: scaleX },
          y: { field: 'y', type: 'quantitative', scale: scaleY },
          color: labels
            ? { field: 'class', type: 'nominal', scale: { domain, range: domain.map((k) => PALETTE[k % PALETTE.length]) }, legend: { title: 'class' } }
            : { value: '#222222' },
        },
      });
    }
    const subtitle = acc === undefined ? undefined : `${options.accuracyLabel ?? 'accuracy'} ${(100 * acc).toFixed(1)} %`;
    // Vega drops a subtitle under an empty title: the accuracy alone becomes the title.
    const title = options.title ? { title: { text: options.title, ...(subtitle ? { subtitle, subtitleFontSize: 12 } : {}) } } : subtitle ? { title: subtitle } : {};
    const spec = { ...chartConfig(), ...title, width: 400, height: 400, layer: layers };
    // Coordinates to 1/100 pixel: Vega writes 15 digits per point (the base64 image has no '.').
    const svg = (await vegaLiteToSvg(fn, spec)).replace(/(\d\.\d{2})\d+/g, '$1');
    return writeOutput(path, svg);
  }

  if (pts !== null) {
    const toPx = (v: number, r: [number, number]) => ((v - r[0]) / (r[1] - r[0])) * size;
    for (let j = 0; j < n; j++) {
      const fill: Rgb = labels ? classColor(labels[j]) : [30, 30, 30];
      raster.disc(toPx(pts[2 * j], xr) - 0.5, size - toPx(pts[2 * j + 1], yr) - 0.5, radius, fill, mix(fill, [0, 0, 0], 0.6));
    }
  }
  return raster.save(fn, path);
}
