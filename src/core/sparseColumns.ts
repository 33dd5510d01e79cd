/**
 * The affine product K Y + b 1ᵀ of a dense K with a data matrix Y whose
 * columns are mostly zero — the first layer of a network on MNIST digits
 * (81 % of the pixels are 0) — computed over the nonzeros of Y only:
 *
 *   out[:, j] = b + Σ_{i : y_ij ≠ 0} y_ij K[:, i],
 *
 * the same sums as the dense product without the zero terms (work: nonzeros
 * of Y times the rows of K, a fifth of the dense product on MNIST). With the
 * WebAssembly kernels the columns go in chunks: the nonzeros of a chunk are
 * gathered (compressed sparse columns), then assembly/sparseColumns.ts
 * accumulates 16 rows at a time in registers, batches of columns split
 * between threads.
 */
import { checkMatrix64, checkPositiveInt, checkVector, fail, shapeStr } from './errors.js';
import { columnMajorData, zeros, type Matrix } from './matrix.js';
import { getKernelBackend } from './wasm/backend.js';
import { wasmAvailable, wasmExports, wasmF64 } from './wasm/module.js';
import { arenaBlock, releaseArenaBlock } from './wasm/resident.js';
import { getWasmThreads, runChunked } from './wasm/threads.js';
import { checkOptions } from './options.js';

/** Options of {@link sparseColumnsAffine}. */
export interface SparseColumnsOptions {
  /** Where to write the result (m × n, contiguous column-major); default a new matrix. */
  out?: Matrix;
  /** Threads (default: the WebAssembly thread count); the result does not depend on it. */
  threads?: number;
  /**
   * Arithmetic of the sums: `'float64'` (default) or `'float32'` (K, b and Y
   * rounded to single precision, summed in single precision, the result
   * widened to float64: four lanes per SIMD multiply-add instead of two; needs
   * the WebAssembly kernels).
   */
  precision?: 'float64' | 'float32';
}

/** Columns gathered per chunk (bounds the index lists and the copied result). */
const CHUNK = 4096;
/** Columns per unit of work of a thread. */
const BATCH = 128;

/**
 * out = K Y + b 1ᵀ over the nonzero entries of Y (see the file comment).
 * @param K m × k
 * @param b length m, or null for no bias
 * @param Y k × n (not modified)
 * @param opts `out` to write into (must not overlap K or Y), `threads`
 * @returns out (m × n)
 * @throws on shape mismatches: `sparseColumnsAffine: Y is 5×3, expected 4 rows (the columns of K)`
 * @example sparseColumnsAffine(K, b, Y) // equals matmul(K, Y) plus b in every column
 */
export function sparseColumnsAffine(K: Matrix, b: Float64Array | null, Y: Matrix, opts: SparseColumnsOptions = {}): Matrix {
  const fn = 'sparseColumnsAffine';
  checkOptions(fn, opts, ['out', 'threads', 'precision']);
  checkMatrix64(fn, 'K', K);
  checkMatrix64(fn, 'Y', Y);
  const m = K.shape[0], n = Y.shape[1];
  const out = opts.out ?? zeros(m, n);
  checkMatrix64(fn, 'out', out);
  if (out.shape[0] !== m || out.shape[1] !== n || (n > 1 && out.stride[1] !== m) || (m > 1 && out.stride[0] !== 1)) {
    fail(fn, `out is ${shapeStr(out)} with strides [${out.stride.join(', ')}], expected a contiguous column-major ${m}×${n} matrix`);
  }
  const o = out.data.subarray(out.offset, out.offset + m * n);
  affineChunks(fn, K, b, Y, (j0, cols) => o.set(cols, j0 * m), { threads: opts.threads, chunkColumns: CHUNK, precision: opts.precision });
  return out;
}

/** Options of {@link sparseColumnsAffineChunks}. */
export interface SparseColumnsChunkOptions {
  /** Threads (default: the WebAssembly thread count); the result does not depend on it. */
  threads?: number;
  /** Columns per chunk handed to `onChunk` (default 4096; the last one may be shorter). */
  chunkColumns?: number;
  /** Arithmetic of the sums, as {@link SparseColumnsOptions.precision} (default 'float64'). */
  precision?: 'float64' | 'float32';
}

/**
 * K Y + b 1ᵀ over the nonzero entries of Y, handed over chunk by chunk
 * instead of written into one m × n matrix: `onChunk(j0, cols)` receives
 * columns j0 … j0 + c − 1 (cols: m × c column-major, float64), in order.
 * For a consumer that keeps the columns in another form (e.g. rounded to
 * float32 after an activation, as `linearClassifierObjective` from a
 * `FeatureColumns` source): no m × n float64 matrix is ever allocated, and
 * every entry equals the one {@link sparseColumnsAffine} computes.
 * @param K m × k
 * @param b length m, or null for no bias
 * @param Y k × n (not modified)
 * @param onChunk receives each chunk; `cols` is a view valid only during the
 *   call (it may live in WebAssembly memory) and may be modified in place
 * @param opts threads, chunk size
 * @throws on shape mismatches, as {@link sparseColumnsAffine}
 * @example sparseColumnsAffineChunks(K, b, Y, (j0, cols) => out.set(cols, j0 * m)) // the same as sparseColumnsAffine
 */
export function sparseColumnsAffineChunks(K: Matrix, b: Float64Array | null, Y: Matrix, onChunk: (j0: number, cols: Float64Array) => void, opts: SparseColumnsChunkOptions = {}): void {
  const fn = 'sparseColumnsAffineChunks';
  checkOptions(fn, opts, ['threads', 'chunkColumns', 'precision']);
  checkMatrix64(fn, 'K', K);
  checkMatrix64(fn, 'Y', Y);
  if (typeof onChunk !== 'function') fail(fn, `onChunk must be a function (j0, cols) => void, got ${onChunk === null ? 'null' : typeof onChunk}`);
  affineChunks(fn, K, b, Y, onChunk, { threads: opts.threads, chunkColumns: checkPositiveInt(fn, 'chunkColumns', opts.chunkColumns ?? CHUNK), precision: opts.precision });
}

/** The shared body: checks the shapes, then computes chunk after chunk (WebAssembly, or TypeScript without the kernels). */
function affineChunks(fn: string, K: Matrix, b: Float64Array | null, Y: Matrix, onChunk: (j0: number, cols: Float64Array) => void, opts: { threads?: number; chunkColumns: number; precision?: 'float64' | 'float32' }): void {
  const [m, k] = K.shape, n = Y.shape[1];
  if (Y.shape[0] !== k) fail(fn, `Y is ${shapeStr(Y)}, expected ${k} rows (the columns of K)`);
  const bias = b === null ? new Float64Array(m) : checkVector(fn, 'b', b, m);
  const threads = checkPositiveInt(fn, 'threads', opts.threads ?? getWasmThreads());
  const precision = opts.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
  const useWasm = getKernelBackend() === 'wasm' && wasmAvailable();
  if (!useWasm && precision === 'float32') fail(fn, "precision 'float32' needs the WebAssembly kernels (setKernelBackend('wasm'))");
  const k64 = columnMajorData(K), y = columnMajorData(Y);
  if (n === 0 || m === 0) return;
  const C = Math.min(opts.chunkColumns, n);
  if (!useWasm) {
    const o = new Float64Array(m * C);
    for (let j0 = 0; j0 < n; j0 += C) {
      const c = Math.min(C, n - j0);
      for (let j = 0; j < c; j++) {
        const oj = j * m;
        o.set(bias, oj);
        for (let i = 0; i < k; i++) {
          const v = y[(j0 + j) * k + i];
          if (v === 0) continue;
          for (let r = 0, q = i * m; r < m; r++, q++) o[oj + r] += v * k64[q];
        }
      }
      onChunk(j0, o.subarray(0, m * c));
    }
    return;
  }
  // One arena block: K | b | start (C + 1) | idx (k·C) | val (k·C) | out chunk (m × C, f64); K, b, val in the
  // precision of the sums (elt bytes).
  const elt = precision === 'float32' ? 4 : 8;
  if (elt * m * k >= 2 ** 31) fail(fn, `K is ${m}×${k}: its byte offsets (${elt}·m·k = ${elt * m * k}) exceed the kernel's 32-bit indices`);
  const al = (x: number) => Math.ceil(x / 64) * 64;
  const offK = 0, offB = al(elt * m * k), offS = offB + al(elt * m), offI = offS + al(4 * (C + 1)), offV = offI + al(4 * k * C), offO = offV + al(elt * k * C);
  const block = arenaBlock(fn, offO + 8 * m * C);
  try {
    const base = block.addr;
    // Views are made again after every call out: onChunk may allocate WebAssembly memory (a grown memory has a new buffer).
    const buf = () => wasmF64().buffer;
    const view = (off: number, len: number): Float64Array | Float32Array => (elt === 8 ? new Float64Array(buf(), base + off, len) : new Float32Array(buf(), base + off, len));
    view(offK, m * k).set(k64);
    view(offB, m).set(bias);
    for (let j0 = 0; j0 < n; j0 += C) {
      const c = Math.min(C, n - j0);
      const start = new Int32Array(buf(), base + offS, c + 1), idx = new Int32Array(buf(), base + offI, k * c);
      const val = view(offV, k * c);
      let p = 0;
      for (let j = 0; j < c; j++) {
        start[j] = p;
        const yo = (j0 + j) * k;
        for (let i = 0; i < k; i++) {
          const v = y[yo + i];
          if (v !== 0) {
            idx[p] = i * elt * m; // the byte offset of K's column i (the kernel adds it, no multiply)
            val[p++] = v;
          }
        }
      }
      start[c] = p;
      const args = [base + offO, m, base + offK, base + offB, base + offI, base + offV, base + offS, m, 0, BATCH];
      const op = elt === 8 ? 'sparseColumns' : 'sparseColumns32';
      if (threads > 1 && c > BATCH) {
        runChunked(fn, { op, args, step: [0, 0, 0, 0, 0, 0, 0, 0, BATCH, 0], perThread: args.map(() => 0), lenIdx: 9, chunkLen: BATCH, total: c }, threads);
      } else {
        args[9] = c;
        wasmExports(fn)[op](...(args as [number, number, number, number, number, number, number, number, number, number]));
      }
      onChunk(j0, new Float64Array(buf(), base + offO, m * c));
    }
  } finally {
    releaseArenaBlock(block);
  }
}
