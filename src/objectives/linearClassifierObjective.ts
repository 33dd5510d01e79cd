/**
 * The regularised softmax cross-entropy of a linear classifier on fixed
 * features — the training problem of an extreme learning machine (random
 * features Z = σ(K Y + b), only W trained):
 *
 *   f(W) = E(W [Z; 1ᵀ], C) + (λ/2)‖W‖²_F,   E(S, C) = −(1/n) Σ_j c_jᵀ log softmax(s_j),
 *
 * x = vec(W), W nc × (m + 1) column-major with the bias last (as
 * `classificationObjective` of a parameter-free model on Z). f is convex; its
 * Hessian mat-vec is exact:
 *
 *   ∇f = T [Z; 1ᵀ]ᵀ + λW,  T = (P − C)/n,  P = softmax(W [Z; 1ᵀ]),
 *   ∇²f vec(V) = T_V [Z; 1ᵀ]ᵀ + λV,  t_j = p_j ∘ (d_j − p_jᵀ d_j)/n,  D = V [Z; 1ᵀ].
 *
 * Each evaluation and each mat-vec is one WebAssembly pass over Z that does
 * both products block by block (assembly/linearClassifier.ts): a block of
 * columns read for the scores is still in cache when the transposed product
 * reads it, so Z (1530 × 50 000 in the lecture's ELM on MNIST, 612 MB in
 * float64) streams from memory once per mat-vec instead of twice, and the
 * passes may be split between threads (fixed column segments summed in
 * segment order: the result does not depend on the thread count).
 * `precision: 'float32'` stores Z (and the W or V the kernel reads) in single
 * precision — half the traffic — with scores, probabilities and every sum in
 * double (products summed in single precision over at most 256 features of
 * a column, or one block of columns, first; docs/elm-mnist.md has the
 * accuracy this gives). The objective copies Z into WebAssembly memory it
 * owns (`dispose()` gives it back) — from a matrix, or chunk by chunk from a
 * `FeatureColumns` source that computes the columns, so that no m × n
 * float64 Z has to exist; without the WebAssembly kernels it
 * computes the same formulas in TypeScript (float64 only).
 */
import { checkMatrix64, checkNumber, checkPositiveInt, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';
import { getKernelBackend } from '../core/wasm/backend.js';
import { wasmAvailable, wasmExports, wasmF64 } from '../core/wasm/module.js';
import { arenaBlock, arenaBlockLive, releaseArenaBlock, type ArenaBlock } from '../core/wasm/resident.js';
import { getWasmThreads, runChunked } from '../core/wasm/threads.js';
import { checkOptions } from '../core/options.js';
import { checkProbabilities, resolveLabels, type IndexLabels } from '../losses/labels.js';
import type { Evaluation, EvaluateOptions, Objective } from './types.js';
import { checkPoint, newCounters, type ObjectiveCounters } from './common.js';

/** Options of {@link linearClassifierObjective}. */
export interface LinearClassifierOptions {
  /** Number of classes when C is given as index labels (default: the largest label + 1). */
  nClasses?: number;
  /** λ ≥ 0 of (λ/2)‖W‖²_F, bias column included (default 0). */
  lambda?: number;
  /** Whether W has the bias column (default true): W is nc × (m + 1), else nc × m. */
  bias?: boolean;
  /**
   * How Z is stored for the passes: `'float64'` (default) or `'float32'`
   * (half the memory traffic; scores, probabilities, sums and x stay double).
   */
  precision?: 'float64' | 'float32';
  /** Threads per pass (default: the WebAssembly thread count, `getWasmThreads()`); results do not depend on it. */
  threads?: number;
  /** Columns per segment, the unit of work of a thread (default 2048). */
  segmentColumns?: number;
  /** Columns per cache block inside a segment (default 128; the block of Z is read twice from cache). */
  blockColumns?: number;
}

/**
 * Features given column chunk by column chunk instead of as one matrix: the
 * objective keeps its own copy of Z in its storage precision anyway, so a
 * source that computes the columns (e.g. random features σ(K Y + b) through
 * `sparseColumnsAffineChunks`) never needs an m × n float64 matrix.
 */
export interface FeatureColumns {
  /** [m, n]: features, examples. */
  readonly shape: readonly [number, number];
  /**
   * Compute the columns and hand them over in order: `put(j0, cols)` with
   * cols = columns j0 … j0 + c − 1 (m × c column-major), the first chunk at
   * j0 = 0, each next one where the previous ended, all n columns in all.
   * `cols` is copied during the call (it may be a view into WebAssembly memory).
   */
  write(put: (j0: number, cols: Float64Array) => void): void;
}

/** The objective returned by {@link linearClassifierObjective}. */
export interface LinearClassifierObjective extends Objective {
  readonly nParams: number;
  readonly nData: number;
  /** Classes nc (rows of W). */
  readonly nClasses: number;
  /** Features m (rows of Z). */
  readonly nFeatures: number;
  /** Shape [nc, nW] of W (nW = m + 1 with the bias column). */
  readonly wShape: readonly [number, number];
  /** How Z is stored for the passes. */
  readonly precision: 'float64' | 'float32';
  /** `'wasm'` (one WebAssembly pass per evaluation and mat-vec) or `'js'` (TypeScript, without the kernels). */
  readonly engine: 'wasm' | 'js';
  /** Cost counters (cumulative): evaluations and Hessian mat-vecs. */
  readonly counters: ObjectiveCounters;
  /** Threads per pass from now on (results do not change). */
  setThreads(threads: number): void;
  /** Release the WebAssembly memory holding Z; the objective cannot be evaluated afterwards. */
  dispose(): void;
}

/** Pass bits of the kernel (assembly/linearClassifier.ts). */
const VALUE = 1, GRAD = 2, GN = 4;
/** Descriptor words (must match assembly/linearClassifier.ts). */
const D = { M: 0, N: 1, NC: 2, NCG: 3, Z: 4, A: 5, AB: 6, P: 7, C: 8, PART: 9, PARTBYTES: 10, SEG: 11, B: 12, SCR: 13, SCRBYTES: 14 };
const D_INVN = 64, DESC_BYTES = 128, PART_HEAD = 32;
const al = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Gives a dropped objective's block back (fallback for a missing dispose). */
const registry = new FinalizationRegistry<ArenaBlock>((b) => {
  releaseArenaBlock(b);
});

/** What one pass gives: the summed value and hits, and (gradient / mat-vec passes) the sums in W's layout. */
interface PassResult {
  value: number;
  hits: number;
}

/** The passes behind the objective: over Z in WebAssembly memory, or in TypeScript. */
interface Passes {
  /** Set W (VALUE, GRAD) or V (GN) and run; `out` (length nc·nW, column-major) receives the W sums when given. */
  run(mode: number, W: Float64Array, out: Float64Array | null, threads: number): PassResult;
  dispose(): void;
}

/**
 * The regularised softmax cross-entropy of a linear classifier W on fixed
 * features Z (see the file comment for the formulas), with value, gradient
 * and exact Hessian mat-vecs, each one pass over Z.
 * @param Z features, m × n (one column per example; copied, not kept), or a
 *   {@link FeatureColumns} source that computes them chunk by chunk
 * @param C labels: nc × n class probabilities (one-hot), or class indices (see `nClasses`)
 * @param options λ, bias, precision of the stored Z, threads, segment and block sizes
 * @returns the objective over x = vec(W), nParams = nc·(m + 1)
 * @throws on inconsistent shapes or bad options, e.g. `linearClassifierObjective: C is 10×99 but Z has 100 columns`
 * @example
 * const obj = linearClassifierObjective(Z, labels, { lambda: 1e-8, precision: 'float32' });
 * const r = newtonCG(obj, new Float64Array(obj.nParams), { maxIter: 20, cgMaxIter: 10 });
 */
export function linearClassifierObjective(Z: Matrix | FeatureColumns, C: Matrix | IndexLabels, options: LinearClassifierOptions = {}): LinearClassifierObjective {
  const fn = 'linearClassifierObjective';
  checkOptions(fn, options, ['nClasses', 'lambda', 'bias', 'precision', 'threads', 'segmentColumns', 'blockColumns']);
  const source = featureSource(fn, Z);
  const labels = resolveLabels(fn, C, options.nClasses);
  const [m, n] = source.shape;
  if (n === 0 || m === 0) fail(fn, `Z is ${m}×${n}: it needs at least one feature and one example`);
  if (labels.shape[1] !== n) fail(fn, `C is ${shapeStr(labels)} but Z has ${n} columns: expected ${n} columns`);
  checkProbabilities(fn, 'C', labels);
  const nc = labels.shape[0];
  const lambda = checkNumber(fn, 'lambda', options.lambda ?? 0, { min: 0 });
  const bias = options.bias ?? true;
  if (typeof bias !== 'boolean') fail(fn, `bias must be true or false, got ${String(bias)}`);
  const precision = options.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
  let threads = checkPositiveInt(fn, 'threads', options.threads ?? getWasmThreads());
  const segCols = checkPositiveInt(fn, 'segmentColumns', options.segmentColumns ?? 2048);
  const blockCols = checkPositiveInt(fn, 'blockColumns', options.blockColumns ?? 128);
  const useWasm = getKernelBackend() === 'wasm' && wasmAvailable();
  if (!useWasm && precision === 'float32') fail(fn, "precision 'float32' needs the WebAssembly kernels (setKernelBackend('wasm'))");
  const nW = m + (bias ? 1 : 0);
  const nParams = nc * nW;
  const c = columnMajorData(labels);
  let passes: Passes | null = useWasm
    ? wasmPasses(fn, source, c, { m, n, nc, bias, precision, segCols, blockCols })
    : jsPasses(collectColumns(fn, source), Float64Array.from(c), m, n, nc, bias);
  const counters = newCounters();
  // Which evaluation the probabilities P in the passes belong to (a mat-vec of an older one recomputes them).
  let current: object | null = null;
  const live = (): Passes => passes ?? fail(fn, 'used after dispose()');

  const evaluate = (x: Float64Array, batch?: ArrayLike<number> | null, opts: EvaluateOptions = {}): Evaluation => {
    checkPoint(`${fn}.evaluate`, x, nParams);
    if (batch !== undefined && batch !== null) fail(`${fn}.evaluate`, `takes no batch (got ${batch.length} indices): the passes run over all ${n} columns`);
    const xc = Float64Array.from(x);
    const token = {};
    counters.evaluations++;
    counters.forwardPasses++;
    counters.lossEvaluations++;
    const gradient = opts.valueOnly ? new Float64Array(0) : new Float64Array(nParams);
    const r = live().run(opts.valueOnly ? VALUE : VALUE | GRAD, xc, opts.valueOnly ? null : gradient, threads);
    current = token;
    let reg = 0;
    for (let i = 0; i < nParams; i++) reg += xc[i] * xc[i];
    const value = r.value / n + 0.5 * lambda * reg;
    const info = { batchSize: n, accuracy: r.hits / n };
    if (opts.valueOnly) return { value, gradient, info };
    for (let i = 0; i < nParams; i++) gradient[i] += lambda * xc[i];
    const hessian = (v: Float64Array): Float64Array => {
      checkPoint(`${fn}.hessian`, v, nParams, 'v');
      counters.hessianMatVecs++;
      const p = live();
      if (current !== token) {
        // Another evaluation ran since: restore this one's probabilities first (one pass more).
        p.run(VALUE, xc, null, threads);
        current = token;
      }
      const out = new Float64Array(nParams);
      p.run(GN, v, out, threads);
      for (let i = 0; i < nParams; i++) out[i] += lambda * v[i];
      return out;
    };
    return { value, gradient, hessian, info };
  };

  return {
    nParams,
    nData: n,
    nClasses: nc,
    nFeatures: m,
    wShape: [nc, nW] as const,
    precision,
    engine: useWasm ? 'wasm' : 'js',
    counters,
    evaluate,
    setThreads(t: number) {
      threads = checkPositiveInt(`${fn}.setThreads`, 'threads', t);
    },
    dispose() {
      passes?.dispose();
      passes = null;
    },
  };
}

/** Z as a {@link FeatureColumns} source (a matrix is one chunk), checked. */
function featureSource(fn: string, Z: Matrix | FeatureColumns): FeatureColumns {
  if (Z !== null && typeof Z === 'object' && typeof (Z as FeatureColumns).write === 'function') {
    const src = Z as FeatureColumns;
    const sh = src.shape;
    if (!Array.isArray(sh) || sh.length !== 2 || !sh.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(fn, `Z.shape must be [m, n] with non-negative integers (a FeatureColumns source), got ${String(sh)}`);
    }
    return src;
  }
  checkMatrix64(fn, 'Z', Z as Matrix);
  const M = Z as Matrix;
  return { shape: [M.shape[0], M.shape[1]], write: (put) => put(0, columnMajorData(M)) };
}

/**
 * Run `source.write`, checking that its chunks come in order and cover the n
 * columns exactly; `store(j0, cols)` copies each chunk.
 */
function readColumns(fn: string, source: FeatureColumns, store: (j0: number, cols: Float64Array) => void): void {
  const [m, n] = source.shape;
  let next = 0;
  source.write((j0, cols) => {
    if (!(cols instanceof Float64Array) || cols.length % m !== 0) {
      fail(fn, `Z.write: a chunk must be a Float64Array of m = ${m} rows times its columns, got ${cols instanceof Float64Array ? `length ${cols.length}` : typeof cols}`);
    }
    if (j0 !== next || j0 + cols.length / m > n) {
      fail(fn, `Z.write: chunk of ${cols.length / m} columns at ${j0}, expected the next one at column ${next} (of ${n})`);
    }
    store(j0, cols);
    next += cols.length / m;
  });
  if (next !== n) fail(fn, `Z.write handed over ${next} of the ${n} columns`);
}

/** All columns of a source in one float64 array (the TypeScript passes). */
function collectColumns(fn: string, source: FeatureColumns): Float64Array {
  const [m, n] = source.shape;
  const z = new Float64Array(m * n);
  readColumns(fn, source, (j0, cols) => z.set(cols, j0 * m));
  return z;
}

interface WasmLayout {
  m: number;
  n: number;
  nc: number;
  bias: boolean;
  precision: 'float64' | 'float32';
  segCols: number;
  blockCols: number;
}

/**
 * The passes over a copy of Z in a WebAssembly arena block, laid out as
 *   descriptor | Z (mp × n) | A (ncg × mp, in panels) | a_b (ncg, f64) | P (ncg × n, f64) | C (nc × n, f64)
 *   | partial sums per segment | scratch per segment,
 * features padded to mp (a multiple of 8), classes to ncg (a multiple of 5).
 */
function wasmPasses(fn: string, source: FeatureColumns, cData: Float64Array, L: WasmLayout): Passes {
  const { m, n, nc, bias, segCols, blockCols: B } = L;
  const elt = L.precision === 'float32' ? 4 : 8;
  const mp = Math.ceil(m / 8) * 8, ncg = Math.ceil(nc / 5) * 5;
  const segments = Math.ceil(n / segCols);
  let p = al(DESC_BYTES);
  const take = (bytes: number) => {
    const at = p;
    p += al(bytes);
    return at;
  };
  const off = {
    Z: take(elt * mp * n), A: take(elt * ncg * mp), AB: take(8 * ncg), P: take(8 * ncg * n), C: take(8 * nc * n),
    PART: 0, SCR: 0,
  };
  const partBytes = al(PART_HEAD + 8 * ncg * mp + 8 * ncg);
  const scrBytes = al(8 * B * ncg + elt * B * ncg);
  off.PART = take(partBytes * segments);
  off.SCR = take(scrBytes * segments);
  let block: ArenaBlock | null = arenaBlock(fn, p);
  const base = block.addr;
  const buf = () => wasmF64().buffer;
  new Uint8Array(buf(), base, p).fill(0);
  const I = new Int32Array(buf(), base, DESC_BYTES / 4);
  const words: [number, number][] = [
    [D.M, mp], [D.N, n], [D.NC, nc], [D.NCG, ncg], [D.Z, base + off.Z], [D.A, base + off.A], [D.AB, base + off.AB],
    [D.P, base + off.P], [D.C, base + off.C], [D.PART, base + off.PART], [D.PARTBYTES, partBytes], [D.SEG, segCols],
    [D.B, B], [D.SCR, base + off.SCR], [D.SCRBYTES, scrBytes],
  ];
  for (const [w, v] of words) I[w] = v;
  new Float64Array(buf(), base + D_INVN, 1)[0] = 1 / n;
  new Float64Array(buf(), base + off.C, nc * n).set(cData);
  // Z column by column into its padded rows (pad rows stay zero), rounded to float32 when asked. The view is
  // made per chunk: the source may allocate WebAssembly memory while it computes (a grown memory has a new buffer).
  readColumns(fn, source, (j0, cols) => {
    const c = cols.length / m;
    const Zw = elt === 8 ? new Float64Array(buf(), base + off.Z + elt * mp * j0, mp * c) : new Float32Array(buf(), base + off.Z + elt * mp * j0, mp * c);
    if (mp === m) Zw.set(cols);
    else for (let j = 0; j < c; j++) Zw.set(cols.subarray(j * m, (j + 1) * m), j * mp);
  });
  const owner = {};
  registry.register(owner, block, owner);
  const op = elt === 8 ? 'lcSegments' : 'lcSegments32';
  const G = new Float64Array(ncg * mp + ncg);

  return {
    run(mode, W, out, threads) {
      if (!block || !arenaBlockLive(block)) fail(fn, 'the WebAssembly memory holding Z was released (dispose() or releaseWasmMemory())');
      // A = W_Z (or V_Z) in the storage precision, in the kernel's panels: for each group of five classes and
      // each vector of V features, the five classes' vectors in a row (pad classes and features stay zero);
      // a_b = the bias column (f64).
      const A = elt === 8 ? new Float64Array(buf(), base + off.A, ncg * mp) : new Float32Array(buf(), base + off.A, ncg * mp);
      const ab = new Float64Array(buf(), base + off.AB, ncg);
      const V = 16 / elt;
      for (let k = 0; k < nc; k++) {
        const g = k - (k % 5), c = k % 5;
        for (let i = 0; i < m; i++) A[g * mp + 5 * (i - (i % V)) + c * V + (i % V)] = W[k + i * nc];
        ab[k] = bias ? W[k + m * nc] : 0;
      }
      if (threads > 1 && segments > 1) {
        runChunked(fn, { op, args: [base, mode, 0, 1], step: [0, 0, 1, 0], perThread: [0, 0, 0, 0], lenIdx: 3, chunkLen: 1, total: segments }, threads);
      } else {
        wasmExports(fn)[op](base, mode, 0, segments);
      }
      // The segments' partial sums, added in segment order (the same on any thread count).
      const E = partBytes / 8, all = new Float64Array(buf(), base + off.PART, E * segments);
      let value = 0, hits = 0;
      if (out) G.fill(0);
      for (let s = 0; s < segments; s++) {
        const o = s * E;
        value += all[o];
        hits += all[o + 1];
        if (out) for (let i = 0, q = o + PART_HEAD / 8; i < G.length; i++, q++) G[i] += all[q];
      }
      if (out) {
        for (let k = 0; k < nc; k++) {
          for (let i = 0; i < m; i++) out[k + i * nc] = G[k * mp + i];
          if (bias) out[k + m * nc] = G[ncg * mp + k];
        }
      }
      return { value, hits };
    },
    dispose() {
      if (!block) return;
      registry.unregister(owner);
      releaseArenaBlock(block);
      block = null;
    },
  };
}

/** The same passes in TypeScript, float64 (no WebAssembly kernels): the formulas of the file comment, column by column. */
function jsPasses(z: Float64Array, cData: Float64Array, m: number, n: number, nc: number, bias: boolean): Passes {
  const P = new Float64Array(nc * n);
  const s = new Float64Array(nc), t = new Float64Array(nc);
  return {
    run(mode, W, out) {
      let value = 0, hits = 0;
      if (out) out.fill(0);
      for (let j = 0; j < n; j++) {
        const zo = j * m, po = j * nc;
        for (let k = 0; k < nc; k++) s[k] = bias ? W[k + m * nc] : 0;
        for (let i = 0; i < m; i++) {
          const zi = z[zo + i];
          for (let k = 0; k < nc; k++) s[k] += W[k + i * nc] * zi;
        }
        if (mode & VALUE) {
          let mx = -Infinity, bs = 0, bc = 0, cs = 0, sum = 0;
          for (let k = 0; k < nc; k++) {
            if (s[k] > mx) { mx = s[k]; bs = k; }
            if (k > 0 && cData[po + k] > cData[po + bc]) bc = k;
          }
          if (bs === bc) hits++;
          for (let k = 0; k < nc; k++) {
            cs += cData[po + k] * s[k];
            P[po + k] = Math.exp(s[k] - mx);
            sum += P[po + k];
          }
          value += mx + Math.log(sum) - cs;
          for (let k = 0; k < nc; k++) {
            P[po + k] /= sum;
            t[k] = (P[po + k] - cData[po + k]) / n;
          }
        } else {
          let pd = 0;
          for (let k = 0; k < nc; k++) pd += P[po + k] * s[k];
          for (let k = 0; k < nc; k++) t[k] = (P[po + k] * (s[k] - pd)) / n;
        }
        if (out && mode & (GRAD | GN)) {
          for (let i = 0; i < m; i++) {
            const zi = z[zo + i];
            for (let k = 0; k < nc; k++) out[k + i * nc] += t[k] * zi;
          }
          if (bias) for (let k = 0; k < nc; k++) out[k + m * nc] += t[k];
        }
      }
      return { value, hits };
    },
    dispose() {},
  };
}
