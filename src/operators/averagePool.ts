/**
 * Average pooling: each channel of an nx×ny image is divided into
 * non-overlapping p×p patches and every patch is replaced by its mean, a fixed
 * linear map that reduces the resolution by p in each direction.
 */
import { checkMatrix64, fail } from '../core/errors.js';
import { linearOperator, type LinearOperator } from '../core/linearOperator.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { withSpec } from '../core/spec.js';

/** Average pooling as a LinearOperator on one image plus batched products on matrix columns. */
export interface AveragePool extends LinearOperator {
  /** nx·ny·channels (= cols). */
  readonly nIn: number;
  /** (nx/p)·(ny/p)·channels (= rows). */
  readonly nOut: number;
  /** Patch size p. */
  readonly p: number;
  readonly dims: [number, number];
  readonly channels: number;
  readonly name: string;
  /** P Y for a batch Y (`nIn × n`); returns `nOut × n`. */
  applyBatch(Y: Matrix): Matrix;
  /** Pᵀ Z for a batch Z (`nOut × n`); returns `nIn × n` (each mean spread back as 1/p² on its patch). */
  applyTransposeBatch(Z: Matrix): Matrix;
  /** The dense nOut × nIn matrix (tests and inspection only). */
  toDense(): Matrix;
}

/**
 * Average pooling over non-overlapping p×p patches, channel by channel:
 * `z(ox, oy, c) = (1/p²) Σ_{a,b < p} y(p·ox + a, p·oy + b, c)`, images laid out
 * per docs/conventions.md §1 (pixel (ix, iy) of channel c at `ix + nx*(iy + ny*c)`).
 * The transpose copies each value, times 1/p², onto its patch.
 * @param dims `[nx, ny]`, both divisible by p
 * @param channels number of channels c
 * @param p patch size (default 2)
 * @returns a LinearOperator (rows = (nx/p)(ny/p)c, cols = nx·ny·c) with batched `applyBatch`/`applyTransposeBatch`
 * @throws if p does not divide nx and ny, or a size is not a positive integer
 * @example averagePool([2, 2], 1, 2).apply(Float64Array.of(1, 2, 3, 4)) // [2.5]
 */
export function averagePool(dims: [number, number], channels: number, p = 2): AveragePool {
  const fn = 'averagePool';
  if (!Array.isArray(dims) || dims.length !== 2) fail(fn, `dims must be [nx, ny], got ${JSON.stringify(dims)}`);
  const [nx, ny] = dims;
  for (const [label, v] of [['nx', nx], ['ny', ny], ['channels', channels], ['p', p]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(fn, `${label} must be a positive integer, got ${String(v)}`);
  }
  if (nx % p !== 0 || ny % p !== 0) fail(fn, `patch size ${p} does not divide the ${nx}×${ny} grid`);
  const mx = nx / p, my = ny / p, N = nx * ny, M = mx * my;
  const nIn = N * channels, nOut = M * channels, s = 1 / (p * p);

  // The kernels below assign every output entry (no accumulation into `out`).
  // Images of a batch are consecutive channel blocks: block q = c + channels·j
  // starts at q·N in Y and at q·M in Z, so one loop runs over all n·channels blocks.
  const pool = (Y: Float64Array, n: number, out: Float64Array) => {
    const blocks = n * channels;
    if (p === 2) {
      // Unrolled 2×2 patch: z = s·(y00 + y10) + s·(y01 + y11), image rows iy = 2·oy and 2·oy + 1
      // (the order of the general loop below).
      for (let q = 0; q < blocks; q++) {
        const yc = q * N, zc = q * M;
        for (let oy = 0; oy < my; oy++) {
          const r0 = yc + 2 * nx * oy, r1 = r0 + nx, z = zc + mx * oy;
          for (let ox = 0, ix = 0; ox < mx; ox++, ix += 2) {
            out[z + ox] = s * (Y[r0 + ix] + Y[r0 + ix + 1]) + s * (Y[r1 + ix] + Y[r1 + ix + 1]);
          }
        }
      }
      return;
    }
    for (let q = 0; q < blocks; q++) {
      const yc = q * N, zc = q * M;
      for (let oy = 0; oy < my; oy++) {
        const z = zc + mx * oy;
        for (let ox = 0; ox < mx; ox++) {
          // Patch rows b in order, each row's p entries summed first.
          let v = 0;
          for (let b = 0, r = yc + nx * p * oy + p * ox; b < p; b++, r += nx) {
            let acc = 0;
            for (let a = 0; a < p; a++) acc += Y[r + a];
            v += s * acc;
          }
          out[z + ox] = v;
        }
      }
    }
  };
  const spread = (Z: Float64Array, n: number, out: Float64Array) => {
    const blocks = n * channels;
    if (p === 2) {
      for (let q = 0; q < blocks; q++) {
        const yc = q * N, zc = q * M;
        for (let oy = 0; oy < my; oy++) {
          const r0 = yc + 2 * nx * oy, r1 = r0 + nx, z = zc + mx * oy;
          for (let ox = 0, ix = 0; ox < mx; ox++, ix += 2) {
            const v = s * Z[z + ox];
            out[r0 + ix] = v;
            out[r0 + ix + 1] = v;
            out[r1 + ix] = v;
            out[r1 + ix + 1] = v;
          }
        }
      }
      return;
    }
    for (let q = 0; q < blocks; q++) {
      const yc = q * N, zc = q * M;
      for (let iy = 0; iy < ny; iy++) {
        const z = zc + mx * ((iy / p) | 0), r = yc + nx * iy;
        for (let ox = 0, ix = 0; ox < mx; ox++) {
          const v = s * Z[z + ox];
          for (let a = 0; a < p; a++, ix++) out[r + ix] = v;
        }
      }
    }
  };
  const batch = (label: string, X: Matrix, rows: number, outRows: number, f: (x: Float64Array, n: number, o: Float64Array) => void) => {
    checkMatrix64(fn, label, X);
    if (X.shape[0] !== rows) fail(fn, `${label} has ${X.shape[0]} rows, expected ${rows}`);
    const out = zeros(outRows, X.shape[1]);
    f(columnMajorData(X), X.shape[1], out.data);
    return out;
  };
  const op = linearOperator({
    name: fn,
    rows: nOut,
    cols: nIn,
    apply: (x) => {
      const o = new Float64Array(nOut);
      pool(x, 1, o);
      return o;
    },
    applyTranspose: (y) => {
      const o = new Float64Array(nIn);
      spread(y, 1, o);
      return o;
    },
  });
  return withSpec({
    ...op,
    apply: op.apply,
    applyTranspose: op.applyTranspose,
    nIn,
    nOut,
    p,
    dims: [nx, ny],
    channels,
    name: `averagePool(${nx}×${ny}, ${channels} ch, ${p}×${p})`,
    applyBatch: (Y) => batch('Y', Y, nIn, nOut, pool),
    applyTransposeBatch: (Z) => batch('Z', Z, nOut, nIn, spread),
    toDense: () => {
      const D = zeros(nOut, nIn);
      for (let c = 0; c < channels; c++) {
        for (let iy = 0; iy < ny; iy++) {
          for (let ix = 0; ix < nx; ix++) {
            const row = ((ix / p) | 0) + mx * (((iy / p) | 0) + my * c);
            D.data[row + nOut * (ix + nx * (iy + ny * c))] = s;
          }
        }
      }
      return D;
    },
  }, 'averagePool', [dims, channels, p]);
}
