/**
 * MATLAB's `peaks` surface and the lecture's Peaks classification problem.
 *
 * The problem: evaluate `peaks` on a `grid × grid` mesh of [−3, 3]², cut the
 * range [min, max] of the values into `classes` equal-width bins and label
 * every grid point by its bin; then draw the same number of points from every
 * class. It is the test problem of the lecture (and of Meganet's
 * `setupPeaks.m`), reproduced here from its description.
 */
import { checkNumber, checkPositiveInt, fail } from '../core/errors.js';
import { checkMatrix, shapeStr } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';
import { checkOptions } from '../core/options.js';

function peaksScalar(x: number, y: number): number {
  const x2 = x * x;
  const y2 = y * y;
  return (
    3 * (1 - x) * (1 - x) * Math.exp(-x2 - (y + 1) * (y + 1)) -
    10 * (x / 5 - x2 * x - y2 * y2 * y) * Math.exp(-x2 - y2) -
    (1 / 3) * Math.exp(-(x + 1) * (x + 1) - y2)
  );
}

/**
 * MATLAB's peaks function,
 * `p(x, y) = 3(1−x)² e^{−x²−(y+1)²} − 10(x/5 − x³ − y⁵) e^{−x²−y²} − ⅓ e^{−(x+1)²−y²}`.
 * @param x a number, or a Float64Array of abscissae
 * @param y a number, or a Float64Array of the same length as `x`
 * @returns `p(x, y)`, element-wise for arrays (a new Float64Array)
 * @throws if the arrays differ in length or one argument is a number and the other an array
 * @example peaks(0, 0) // 3e^{-1} − ⅓e^{-1} ≈ 0.98101
 */
export function peaks(x: number, y: number): number;
export function peaks(x: Float64Array, y: Float64Array): Float64Array;
export function peaks(x: number | Float64Array, y: number | Float64Array): number | Float64Array {
  if (typeof x === 'number' && typeof y === 'number') return peaksScalar(x, y);
  if (x instanceof Float64Array && y instanceof Float64Array) {
    if (x.length !== y.length) fail('peaks', `x has length ${x.length} but y has length ${y.length}`);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = peaksScalar(x[i], y[i]);
    return out;
  }
  return fail('peaks', `x and y must both be numbers or both be Float64Arrays, got ${typeof x} and ${typeof y}`);
}

/** Options of {@link setupPeaks}. */
export interface SetupPeaksOptions {
  /** Requested number of points; `ceil(n / classes)` are drawn per class. */
  n: number;
  /** Number of classes (equal-width bins of the range of peaks). Default 5. */
  classes?: number;
  /** Points per side of the mesh on [−3, 3]². Default 256 (as MATLAB's `peaks(256)`). */
  grid?: number;
  /** Seed of the generator (ignored when `rng` is given). Default 0. */
  seed?: number | string;
  /** A generator to draw from instead of a fresh `createRng(seed)`. */
  rng?: Rng;
  /**
   * Shuffle the columns (default true). With `false` the columns come sorted by
   * class, as in the lecture's code.
   */
  shuffle?: boolean;
}

/** Result of {@link setupPeaks}. */
export interface PeaksData {
  /** Points, `2 × N` with `N = classes·ceil(n/classes)`; row 0 is x, row 1 is y. */
  Y: Matrix;
  /** One-hot labels, `classes × N`. */
  C: Matrix;
  /** Class of every column, `0 … classes−1`. */
  labels: Int32Array;
  /** Bin edges `min + k·h`, `k = 0 … classes` (length `classes + 1`). */
  edges: Float64Array;
  /** Number of mesh points in every class (length `classes`). */
  gridCounts: Int32Array;
}

/** The mesh coordinates `linspace(−3, 3, grid)`. */
function meshLine(grid: number): Float64Array {
  const t = new Float64Array(grid);
  for (let i = 0; i < grid; i++) t[i] = grid === 1 ? 0 : -3 + (6 * i) / (grid - 1);
  return t;
}

/** Class of a value: the number of inner edges it exceeds, so bins are (e_k, e_{k+1}] and the minimum is class 0. */
function binOf(v: number, edges: Float64Array, classes: number): number {
  let k = 0;
  while (k < classes - 1 && v > edges[k + 1]) k++;
  return k;
}

/** Bin edges of peaks over the mesh: `min + k·(max − min)/classes`. */
function peaksEdges(grid: number, classes: number): { t: Float64Array; values: Float64Array; edges: Float64Array } {
  const t = meshLine(grid);
  // values[i + grid*j] = peaks(t[i], t[j]): x fastest, as an image (DESIGN §1).
  const values = new Float64Array(grid * grid);
  let lo = Infinity, hi = -Infinity;
  for (let j = 0; j < grid; j++) {
    for (let i = 0; i < grid; i++) {
      const v = peaksScalar(t[i], t[j]);
      values[i + grid * j] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const h = (hi - lo) / classes;
  const edges = new Float64Array(classes + 1);
  for (let k = 0; k <= classes; k++) edges[k] = lo + k * h;
  edges[classes] = hi;
  return { t, values, edges };
}

/**
 * The Peaks classification problem: classes are equal-width bins of the range of
 * `peaks` over a `grid × grid` mesh of [−3, 3]² (class k holds values in
 * `(min + k·h, min + (k+1)·h]`, `h = (max − min)/classes`, the minimum in class 0),
 * and `ceil(n / classes)` points are drawn per class, uniformly **with
 * replacement** from that class's mesh points (as the lecture's `randi`; a point
 * may repeat). All randomness comes from `seed` (or `rng`): equal seeds give
 * identical data.
 * @param options `{ n, classes = 5, grid = 256, seed = 0, rng?, shuffle = true }`
 * @returns `{ Y: 2 × N, C: classes × N one-hot, labels, edges, gridCounts }`, `N = classes·ceil(n/classes)`
 * @throws if `n`, `classes` or `grid` is not a positive integer, `grid < 2`, or a class has no mesh point
 * @example const { Y, C } = setupPeaks({ n: 1000, seed: 1 }); // Y is 2×1000, C is 5×1000
 */
export function setupPeaks(options: SetupPeaksOptions): PeaksData {
  const fn = 'setupPeaks';
  checkOptions(fn, options, ['n', 'classes', 'grid', 'seed', 'rng', 'shuffle']);
  if (options === null || typeof options !== 'object') fail(fn, `options must be an object { n, classes?, grid?, seed? }, got ${String(options)}`);
  const n = checkPositiveInt(fn, 'n', options.n);
  const classes = checkPositiveInt(fn, 'classes', options.classes ?? 5);
  const grid = checkPositiveInt(fn, 'grid', options.grid ?? 256);
  if (grid < 2) fail(fn, `grid must be at least 2, got ${grid}`);
  if (options.rng !== undefined && (options.rng === null || typeof options.rng.randi !== 'function')) {
    fail(fn, 'rng must be a generator from createRng(seed)');
  }
  const rng = options.rng ?? createRng(options.seed ?? 0);

  const { t, values, edges } = peaksEdges(grid, classes);
  // Mesh points of every class, as flat mesh indices in ascending order.
  const cls = new Int32Array(grid * grid);
  const gridCounts = new Int32Array(classes);
  for (let p = 0; p < values.length; p++) {
    const k = binOf(values[p], edges, classes);
    cls[p] = k;
    gridCounts[k]++;
  }
  const members: Int32Array[] = [];
  for (let k = 0; k < classes; k++) {
    if (gridCounts[k] === 0) fail(fn, `class ${k} has no point on the ${grid}×${grid} mesh; use fewer classes or a finer grid`);
    members.push(new Int32Array(gridCounts[k]));
  }
  const fill = new Int32Array(classes);
  for (let p = 0; p < cls.length; p++) members[cls[p]][fill[cls[p]]++] = p;

  const perClass = Math.ceil(n / classes);
  const N = perClass * classes;
  const order = options.shuffle === false ? null : rng.randperm(N);
  const Y = zeros(2, N);
  const C = zeros(classes, N);
  const labels = new Int32Array(N);
  let s = 0;
  for (let k = 0; k < classes; k++) {
    const m = members[k];
    for (let r = 0; r < perClass; r++, s++) {
      const p = m[rng.randi(m.length)];
      const col = order ? order[s] : s;
      Y.data[2 * col] = t[p % grid];
      Y.data[2 * col + 1] = t[Math.floor(p / grid)];
      C.data[k + classes * col] = 1;
      labels[col] = k;
    }
  }
  return { Y, C, labels, edges, gridCounts };
}

/** Options of {@link peaksLabels}. */
export interface PeaksLabelsOptions {
  /** Number of classes. Default 5. */
  classes?: number;
  /** Mesh size the bin edges are computed on. Default 256. */
  grid?: number;
}

/**
 * The true Peaks class of arbitrary points: `peaks` evaluated at each column of
 * `P` and binned with the same edges as {@link setupPeaks} (same `classes`, `grid`).
 * Handy as the "exact classifier" in decision-region plots.
 * @param P points, `2 × k`
 * @param options `{ classes = 5, grid = 256 }`
 * @returns the class of every column, Int32Array of length `k`
 * @throws if `P` does not have 2 rows
 * @example peaksLabels(fromRows([[0], [0]]))[0] // 2: peaks(0, 0) ≈ 0.98 lies in the middle bin
 */
export function peaksLabels(P: Matrix, options: PeaksLabelsOptions = {}): Int32Array {
  const fn = 'peaksLabels';
  checkOptions(fn, options, ['classes', 'grid']);
  checkMatrix(fn, 'P', P);
  if (P.shape[0] !== 2) fail(fn, `P is ${shapeStr(P)}, expected 2 rows (x and y)`);
  const classes = checkPositiveInt(fn, 'classes', options.classes ?? 5);
  const grid = checkPositiveInt(fn, 'grid', options.grid ?? 256);
  if (grid < 2) fail(fn, `grid must be at least 2, got ${grid}`);
  const { edges } = peaksEdges(grid, classes);
  const d = columnMajorData(P);
  const k = P.shape[1];
  const out = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const v = peaksScalar(checkNumber(fn, 'P entry', d[2 * j]), checkNumber(fn, 'P entry', d[2 * j + 1]));
    out[j] = binOf(v, edges, classes);
  }
  return out;
}
