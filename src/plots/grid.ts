/**
 * Values on a rectangular grid (loss landscapes), shared by the contour and
 * surface plots.
 */
import { checkMatrix, checkPositiveInt, fail } from '../core/errors.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';

/** Grid values with their coordinates: `value(ix, iy) = values[iy + ny*ix]` at `(x_ix, y_iy)`. */
export interface GridData {
  nx: number;
  ny: number;
  /** Column-major `ny × nx`: row iy ↔ y, column ix ↔ x. */
  values: Float64Array;
  x: [number, number];
  y: [number, number];
  min: number;
  max: number;
}

/** Options shared by the grid plots for reading the input. */
export interface GridInputOptions {
  /** Range of x over the columns (first column at x[0], last at x[1]). Default [0, nx−1]. */
  x?: [number, number];
  /** Range of y over the rows (first row at y[0], last at y[1]). Default [0, ny−1]. */
  y?: [number, number];
  /** `[ny, nx]` when the values come as a Float64Array (column-major, like the matrix). */
  shape?: [number, number];
}

/** Check and read a grid given as an `ny × nx` Matrix or a Float64Array with `shape`. */
export function readGrid(fn: string, values: Matrix | Float64Array, o: GridInputOptions): GridData {
  let ny: number, nx: number, v: Float64Array;
  if (values instanceof Float64Array) {
    if (!Array.isArray(o.shape) || o.shape.length !== 2) fail(fn, `values is a Float64Array of length ${values.length}: pass shape: [ny, nx]`);
    ny = checkPositiveInt(fn, 'ny', o.shape[0]);
    nx = checkPositiveInt(fn, 'nx', o.shape[1]);
    if (values.length !== nx * ny) fail(fn, `values has length ${values.length}, expected ny*nx = ${ny}*${nx} = ${nx * ny}`);
    v = values;
  } else {
    checkMatrix(fn, 'values', values);
    [ny, nx] = values.shape;
    v = Float64Array.from(columnMajorData(values));
  }
  if (nx < 2 || ny < 2) fail(fn, `values is ${ny}×${nx}, expected at least 2×2 grid points`);
  const range = (name: string, r: unknown, n: number): [number, number] => {
    if (r === undefined) return [0, n - 1];
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
      fail(fn, `${name} must be [lo, hi] with lo < hi, got ${Array.isArray(r) ? `[${r.join(', ')}]` : String(r)}`);
    }
    return r as [number, number];
  };
  let min = Infinity, max = -Infinity;
  for (const z of v) {
    if (!Number.isFinite(z)) continue;
    if (z < min) min = z;
    if (z > max) max = z;
  }
  if (!(min <= max)) fail(fn, 'values has no finite entry');
  return { nx, ny, values: v, x: range('x', o.x, nx), y: range('y', o.y, ny), min, max };
}

/** Coordinate of grid index i of n on [lo, hi]. */
export function coord(r: [number, number], i: number, n: number): number {
  return r[0] + ((r[1] - r[0]) * i) / (n - 1);
}
