/**
 * Plumbing shared by the time-stepping networks (continuous ResNet,
 * Hamiltonian, hyperbolic): the parameter layout x = [x_opening; x_block0; …],
 * the opening's forward/jvp/vjp, and small in-place kernels on the
 * column-major data of matrices. Internal (not exported from the package).
 */
import { fail } from '../core/errors.js';
import { columnMajorData, ensureColumnMajor, matrix, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkModel } from './modelChecks.js';
import { prefixBlocks } from './params.js';
import type { TimeGrid } from './timeGrid.js';
import type { Model, ModelState, ParamBlock } from './types.js';

/** One block's parameter models (a single model, or one object per block, e.g. {f, g}). */
export interface BlockLayout {
  /** Parameters of the opening (0 without one). */
  nOpen: number;
  /** offsets[k]: start of block k in x. */
  offsets: number[];
  /** Length of block k. */
  lengths: number[];
  /** Total parameters. */
  nParams: number;
  /** The opening's parameters, a view of x. */
  openPiece(x: Float64Array): Float64Array;
  /** Block k's parameters, a view of x. */
  piece(x: Float64Array, k: number): Float64Array;
}

/**
 * Parameter layout [x_G; x_0; …; x_{M−1}] for an opening with `nOpen`
 * parameters and M blocks of the given lengths.
 */
export function blockLayout(nOpen: number, lengths: number[]): BlockLayout {
  const offsets: number[] = [];
  let nParams = nOpen;
  for (const l of lengths) {
    offsets.push(nParams);
    nParams += l;
  }
  return {
    nOpen,
    offsets,
    lengths,
    nParams,
    openPiece: (x) => x.subarray(0, nOpen),
    piece: (x, k) => x.subarray(offsets[k], offsets[k] + lengths[k]),
  };
}

/** The models of the M weight blocks from a model or a factory `k => model`. */
export function blockModels<S, T>(fn: string, what: string, layer: S | ((k: number) => S), nBlocks: number, check: (m: unknown, label: string) => T): T[] {
  const out: T[] = [];
  for (let k = 0; k < nBlocks; k++) {
    const m = typeof layer === 'function' ? (layer as (k: number) => S)(k) : layer;
    out.push(check(m, `${what} ${k}`));
  }
  if (out.length === 0) fail(fn, `${what} must be given`);
  return out;
}

/** Check a model and return it (for {@link blockModels}). */
export function modelCheck(fn: string) {
  return (m: unknown, label: string): Model => checkModel(fn, label, m);
}

/** Parameter blocks: `opening.*`, then `<blockName(k)>.<child>` per block. */
export function layoutBlocks(layout: BlockLayout, grid: TimeGrid, opening: Model | null, childBlocks: (k: number) => ParamBlock[]): ParamBlock[] {
  const blocks: ParamBlock[] = opening ? prefixBlocks('opening', 0, opening.paramBlocks()) : [];
  for (let k = 0; k < layout.offsets.length; k++) blocks.push(...prefixBlocks(grid.blockName(k), layout.offsets[k], childBlocks(k)));
  return blocks;
}

/** initialize: the opening's, then each block's own, in order. */
export function layoutInitialize(layout: BlockLayout, opening: Model | null, init: (k: number, rng: Rng) => Float64Array, rng: Rng): Float64Array {
  const x = new Float64Array(layout.nParams);
  if (opening) x.set(opening.initialize(rng), 0);
  for (let k = 0; k < layout.offsets.length; k++) x.set(init(k, rng), layout.offsets[k]);
  return x;
}

/** The opening's forward (or Y itself): returns the network's initial state and the opening's state. */
export function openingForward(opening: Model | null, layout: BlockLayout, x: Float64Array, Y: Matrix): { Y0: Matrix; state: ModelState | null } {
  if (!opening) return { Y0: Y, state: null };
  const state = opening.forward(layout.openPiece(x), Y);
  return { Y0: state.output, state };
}

/** The opening's jvp: the initial perturbation dY_0 (or null when both directions vanish). */
export function openingJvp(opening: Model | null, layout: BlockLayout, x: Float64Array, state: ModelState | null, dx: Float64Array | null, dY: Matrix | null): Matrix | null {
  if (!opening) return dY;
  const dxo = dx ? layout.openPiece(dx) : null;
  if (!dY && !(dxo && dxo.length > 0)) return null;
  return opening.jvp(layout.openPiece(x), state as ModelState, dxo, dY);
}

/** The opening's vjp: writes its parameter part into dx and returns the input part. */
export function openingVjp(opening: Model | null, layout: BlockLayout, x: Float64Array, state: ModelState | null, W: Matrix, dx: Float64Array): Matrix {
  if (!opening) return W;
  const r = opening.vjp(layout.openPiece(x), state as ModelState, W);
  dx.set(r.dx, 0);
  return r.dY;
}

/** Contiguous column-major data of M (a view when possible). */
export function dataOf(M: Matrix): Float64Array {
  return columnMajorData(M);
}

/** A new rows × cols matrix holding a copy of `src`. */
export function copyMatrix(src: Float64Array, rows: number, cols: number): Matrix {
  return matrix(rows, cols, Float64Array.from(src));
}

/** out += a·X, element-wise on raw arrays of equal length. */
export function addScaled(out: Float64Array, a: number, X: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] += a * X[k];
}

/** Wrap raw data as a matrix (no copy). */
export function wrap(data: Float64Array, rows: number, cols: number): Matrix {
  return matrix(rows, cols, data);
}

/** A contiguous version of M (a copy only when M is strided). */
export function contiguous(M: Matrix): Matrix {
  return ensureColumnMajor(M);
}

/** Sum of the stateBytesPerExample of `parts` plus `extra`, or undefined if one is unknown. */
export function sumBytes(parts: (Model | null)[], extra: number): number | undefined {
  let s = extra;
  for (const m of parts) {
    if (!m) continue;
    if (typeof m.stateBytesPerExample !== 'number') return undefined;
    s += m.stateBytesPerExample;
  }
  return s;
}
