/**
 * Average pooling as a parameter-free layer (a {@link Model} with nParams = 0):
 * the lecture's pooling between convolutional stages ("Outlook"), so chains of
 * convolutions and poolings are ordinary networks (and compile into plans,
 * src/engine/convPlan.ts).
 */
import { fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import type { Model, ModelState, ParamBlock, VjpOptions } from '../core/model.js';
import type { Rng } from '../core/rng.js';
import { withSpec } from '../core/spec.js';
import { averagePool, type AveragePool } from '../operators/averagePool.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from './checks.js';

/** An average pooling layer (see {@link averagePoolLayer}). */
export interface AveragePoolLayer extends Model {
  /** The pooling operator P (nOut × nIn). */
  readonly pool: AveragePool;
  /** `[nx, ny]`, the input image size. */
  readonly dims: readonly [number, number];
  readonly channels: number;
  /** Patch size p. */
  readonly p: number;
}

const EMPTY = new Float64Array(0);

/**
 * Z = P Y: each channel of an nx×ny image (a column of Y, pixel (ix, iy) of
 * channel c at row `ix + nx·(iy + ny·c)`) replaced by the means of its
 * non-overlapping p×p patches (the operator {@link averagePool}). A linear map
 * without parameters, so J_Y dY = P dY, J_Yᵀ W = Pᵀ W (each mean spread back
 * as 1/p² on its patch), and J_x is empty.
 *
 * Memory: forward keeps only its output (nOut doubles per example).
 * @param dims `[nx, ny]`, both divisible by p
 * @param channels channels c of the image
 * @param p patch size (default 2)
 * @returns the layer, nParams = 0, nIn = nx·ny·c, nOut = (nx/p)(ny/p)·c
 * @throws `averagePoolLayer: patch size 2 does not divide the 5×4 grid`, or a size that is not a positive integer
 * @example
 * const pool = averagePoolLayer([28, 28], 8, 2);
 * pool.nOut // 14·14·8 = 1568
 * const Z = pool.forward(new Float64Array(0), Y).output; // 1568 × n
 */
export function averagePoolLayer(dims: [number, number], channels: number, p = 2): AveragePoolLayer {
  const fn = 'averagePoolLayer';
  // The operator checks these too; checked here so the error names this function.
  if (!Array.isArray(dims) || dims.length !== 2) fail(fn, `dims must be [nx, ny], got ${JSON.stringify(dims)}`);
  for (const [label, v] of [['nx', dims[0]], ['ny', dims[1]], ['channels', channels], ['p', p]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(fn, `${label} must be a positive integer, got ${String(v)}`);
  }
  if (dims[0] % p !== 0 || dims[1] % p !== 0) fail(fn, `patch size ${p} does not divide the ${dims[0]}×${dims[1]} grid`);
  const pool = averagePool(dims, channels, p);
  const { nIn, nOut } = pool;

  function vjp(x: Float64Array, state: ModelState, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  function vjp(x: Float64Array, state: ModelState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  function vjp(x: Float64Array, state: ModelState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null } {
    const n = checkState(`${fn}.vjp`, state, nOut);
    checkVjpArgs(`${fn}.vjp`, x, dZ, 0, nOut, n);
    // No parameters: with { input: false } there is nothing left to compute.
    return { dx: new Float64Array(0), dY: opts?.input === false ? null : pool.applyTransposeBatch(dZ) };
  }

  const layer: AveragePoolLayer = {
    name: `averagePoolLayer(${dims[0]}×${dims[1]}, ${channels} ch, ${p}×${p})`,
    pool,
    dims: [pool.dims[0], pool.dims[1]],
    channels,
    p,
    nParams: 0,
    nIn,
    nOut,
    stateBytesPerExample: 8 * nOut,
    forward(x: Float64Array, Y: Matrix): ModelState {
      checkForwardArgs(`${fn}.forward`, x, Y, 0, nIn);
      return { output: pool.applyBatch(Y) };
    },
    jvp(x: Float64Array, state: ModelState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, 0, nIn, n);
      return dY ? pool.applyBatch(dY) : zeros(nOut, n);
    },
    vjp,
    initialize(rng: Rng): Float64Array {
      void rng;
      return EMPTY.slice();
    },
    paramBlocks(): ParamBlock[] {
      return [];
    },
  };
  return withSpec(layer, 'averagePoolLayer', [dims, channels, p]);
}
