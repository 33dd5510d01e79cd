/**
 * Workspaces: every buffer a whole-network pass of a plan needs for up to a
 * given number of columns — the data and labels, the parameters as the
 * kernels read them, the states of all layers, per-block scratch and partial
 * sums — in one block of WebAssembly memory owned by the workspace (a
 * resident block, ../core/wasm/resident.ts). Nothing is shared between
 * workspaces and nothing lives at module level, so two workspaces (two
 * objectives, an objective used inside another's callback) never disturb
 * each other. `dispose()` gives the block back; a workspace dropped without
 * it is released by a FinalizationRegistry (the fallback, not the plan).
 *
 * Layout (bytes, every region 64-byte aligned; the descriptor is what the
 * kernel assembly/network.ts reads):
 *
 *   descriptor | K, Kᵀ, b per layer, W_Z, w_b, W_Zᵀ | Y (nIn × cap) | C (nc × cap)
 *   | states (per block: A_l, Y_{l+1} per layer, P) | partial sums (per block)
 *   | direction v | sum over blocks (f64) | io (nOut × cap) | scratch (per block)
 *
 * Elements are float64 or float32 (`precision`); rows are padded to the
 * vector lanes (2 or 4; pad entries stay zero). A block's partial sums start
 * with the loss value and hit count in float64, then its gradient (or
 * mat-vec) in the element type.
 *
 * Columns are cut into fixed blocks of `blockColumns` (the last one shorter);
 * every block owns its states, scratch and partial sums, so blocks may run on
 * any thread in any order and the sums of their partials, taken in block
 * order ({@link NetworkWorkspace.reduce}), do not depend on the thread count.
 */
import { fail } from '../core/errors.js';
import { arenaBlock, arenaBlockLive, releaseArenaBlock, type ArenaBlock } from '../core/wasm/resident.js';
import { getKernelBackend } from '../core/wasm/backend.js';
import { wasmAvailable, wasmExports, wasmF64 } from '../core/wasm/module.js';
import { runChunked } from '../core/wasm/threads.js';
import type { NetworkPlan } from './plan.js';

/** Pass bits of the kernel (assembly/network.ts). */
export const PASS = { forward: 1, loss: 2, gradient: 4, jvp: 8, vjp: 16, gaussNewton: 32, full: 64 } as const;

/** Default columns per block: a block of a width-8, 17-layer network keeps about 280 KiB of states (L2). */
export const DEFAULT_BLOCK_COLUMNS = 128;

/** Options of {@link NetworkWorkspace}. */
export interface WorkspaceOptions {
  /** Largest number of columns a pass will use. */
  columns: number;
  /** Classes nc of the loss (rows of C and W); 0 for plain model passes. */
  classes: number;
  /** Whether W has the bias column (default true). */
  bias?: boolean;
  /** Columns per block (default {@link DEFAULT_BLOCK_COLUMNS}, a multiple of 8). */
  blockColumns?: number;
  /**
   * `'float64'` (default) or `'float32'`: the element type of the states,
   * the parameters as the kernel reads them, the products and the per-block
   * partial gradients (the loss value, hit count and the sum over blocks stay
   * in double; callers keep their parameters in double).
   */
  precision?: Precision;
}

/** Element type of a workspace. */
export type Precision = 'float64' | 'float32';

/**
 * Why workspaces cannot be made right now, or null when they can: they need
 * the WebAssembly kernels selected (shared or local memory: a workspace keeps
 * no views, it takes them from the current memory buffer on every use).
 */
export function workspaceUnavailable(): string | null {
  if (getKernelBackend() !== 'wasm' || !wasmAvailable()) return "the WebAssembly kernels are not selected (setKernelBackend('wasm'))";
  return null;
}

/**
 * The rows (padded to the lanes of `precision`: 2 in f64, 4 in f32) and inner
 * dimension of each layer as the kernel sees them, or why the plan cannot run
 * in that precision (a residual layer reading the data directly must have the
 * data's row count).
 */
export function kernelDims(plan: NetworkPlan, precision: Precision): { mp: number; kp: number }[] | string {
  const lanes = precision === 'float32' ? 4 : 2;
  const dims: { mp: number; kp: number }[] = [];
  let rows = plan.nIn;
  for (const l of plan.layers) {
    const mp = Math.ceil(l.m / lanes) * lanes;
    if (l.residual && rows !== mp) return `a residual layer of width ${l.m} reads ${rows} rows: ${precision} needs a width that is a multiple of ${lanes} there`;
    dims.push({ mp, kp: rows });
    rows = mp;
  }
  return dims;
}

// Header word indices (must match assembly/network.ts).
const H = { L: 0, NIN: 1, NC: 2, BIAS: 3, N: 4, B: 5, Y: 6, C: 7, W: 8, STATES: 9, CHUNK: 10, PART: 11, PARTBYTES: 12, V: 13, IO: 14, SCR: 15, SCRBYTES: 16, MAXM: 17, POFF: 18, GW: 19 };
const H_INVN = 96, LAYERS = 128, LREC = 64;
const L = { M: 0, K: 1, ACT: 2, RES: 3, KP: 4, KT: 5, BP: 6, AOFF: 7, GOFF: 8, DBOFF: 9, TOFF: 10, MT: 11, KTRUE: 14, BK: 15 };
/** Bias kinds as the kernel reads them (L.BK). */
const BIAS_KIND = { none: 0, scalar: 1, vector: 2 } as const;
const L_H = 48;
/** Doubles before the gradient in a block's partial sums (value, hits, 2 spare). */
const PART_HEAD = 4;

const al = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Gives a dropped workspace's block back (fallback for a missing dispose). */
const registry = new FinalizationRegistry<ArenaBlock>((b) => {
  releaseArenaBlock(b);
});

/**
 * The buffers of whole-network passes of one plan (see the file comment).
 * Used by the objectives (src/objectives/classificationObjective.ts) and
 * {@link compile}; its methods trust their callers' shapes.
 */
export class NetworkWorkspace {
  readonly plan: NetworkPlan;
  /** Column capacity. */
  readonly columns: number;
  readonly classes: number;
  readonly bias: boolean;
  readonly blockColumns: number;
  /** Length of the kernels' gradient / direction layout (padded K, expanded b per layer, then W). */
  readonly gradLength: number;
  /** Entries of x = [θ; vec W] with room for W's bias column (the staging region). */
  private readonly xLength: number;
  /** Offset of W's block in that layout. */
  readonly wOffset: number;
  /** nc rounded up to a multiple of the lanes: the rows of W, S and P as the kernels see them (pad rows zero). */
  readonly ncp: number;
  readonly precision: Precision;
  /** Bytes per element (8 or 4). */
  private readonly elt: number;
  /** Rows of each layer as the kernel sees them (a multiple of the lanes: 2 in f64, 4 in f32), and its inner dimension. */
  private readonly dims: { mp: number; kp: number }[];
  private block: ArenaBlock | null = null;
  private token = {};
  private base = 0;
  private n = 0;
  private readonly off: Record<string, number> = {};
  private readonly layerOff: { K: number; Kt: number; b: number; g: number; db: number; a: number }[] = [];
  private chunkBytes = 0;
  private partBytes = 0;
  private scrBytes = 0;
  private maxBlocks = 0;
  /** Bumped whenever the block is (re)allocated: data uploaded for an older one is gone. */
  generation = 0;

  constructor(plan: NetworkPlan, opts: WorkspaceOptions) {
    const fn = 'NetworkWorkspace';
    if (!Number.isInteger(opts.columns) || opts.columns < 1) fail(fn, `columns must be a positive integer, got ${opts.columns}`);
    const B = opts.blockColumns ?? DEFAULT_BLOCK_COLUMNS;
    if (!Number.isInteger(B) || B < 8 || B % 8 !== 0) fail(fn, `blockColumns must be a positive multiple of 8, got ${B}`);
    const precision = opts.precision ?? 'float64';
    if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
    this.precision = precision;
    this.elt = precision === 'float32' ? 4 : 8;
    const lanes = 16 / this.elt;
    const pad = (r: number) => Math.ceil(r / lanes) * lanes;
    const dims = kernelDims(plan, precision);
    if (typeof dims === 'string') fail(fn, dims);
    this.dims = dims;
    this.plan = plan;
    this.columns = opts.columns;
    this.classes = opts.classes;
    this.bias = opts.bias ?? true;
    this.blockColumns = B;
    let g = 0;
    for (const d of this.dims) {
      const o = { g, db: g + d.mp * d.kp };
      g = o.db + d.mp;
      this.layerOff.push({ K: 0, Kt: 0, b: 0, g: o.g, db: o.db, a: 0 });
    }
    this.ncp = pad(this.classes);
    this.wOffset = g;
    // W_Z (ncp × mp) and w_b (ncp): the W gradient, direction and parameters alike.
    this.gradLength = g + this.ncp * (this.lastMp() + 1);
    this.xLength = plan.nParams + this.classes * (plan.layers[plan.layers.length - 1].m + 1);
    this.allocate();
  }

  /** Whether the block is live (false after dispose, or after releaseWasmMemory replaced the memory). */
  get live(): boolean {
    return this.block !== null && arenaBlockLive(this.block);
  }

  /** Lay out and allocate the block (again, after the memory was replaced). */
  private allocate(): void {
    const { plan, columns: cap, classes: nc, ncp, blockColumns: B, elt, dims } = this;
    const layers = plan.layers;
    const mL = this.lastMp();
    let maxm = plan.nIn;
    for (const d of dims) maxm = Math.max(maxm, d.mp, d.kp);
    this.maxBlocks = Math.ceil(cap / B);
    let p = al(LAYERS + LREC * layers.length);
    const take = (bytes: number) => {
      const at = p;
      p += al(bytes + 16);
      return at;
    };
    dims.forEach((d, i) => {
      const lo = this.layerOff[i];
      lo.K = take(elt * d.mp * d.kp);
      lo.Kt = take(elt * d.mp * d.kp);
      lo.b = take(elt * d.mp);
    });
    const ncs = Math.max(ncp, 4);
    // W_Z (ncp × mp), w_b (ncp), then W_Zᵀ (mp × ncp).
    this.off.W = take(elt * ncs * (2 * mL + 1));
    this.off.Y = take(elt * plan.nIn * cap);
    this.off.C = take(elt * Math.max(nc, 1) * cap);
    let cb = 0;
    dims.forEach((d, i) => {
      this.layerOff[i].a = cb;
      cb += al(2 * elt * d.mp * B);
    });
    this.off.P = cb;
    cb += al(elt * ncs * B);
    this.chunkBytes = cb;
    this.off.states = take(cb * this.maxBlocks);
    // Partial sums: value and hits (f64) in the first 32 bytes, then the gradient in the element type.
    this.partBytes = al(8 * PART_HEAD + elt * this.gradLength);
    this.off.part = take(this.partBytes * this.maxBlocks);
    this.off.V = take(elt * this.gradLength);
    // The sum over blocks of the partial gradients, in double (netReduce writes it, reduce maps it out).
    this.off.sum = take(8 * this.gradLength);
    // x = [θ; vec W] in double: parameters and directions are copied in here and mapped to the kernels'
    // layout by netParams / netDirection; reduce's result is mapped out into it by netGather.
    this.off.x = take(8 * this.xLength);
    this.off.io = take(elt * mL * cap);
    this.scrBytes = al(3 * elt * maxm * B + 2 * elt * ncs * B + 64);
    this.off.scr = take(this.scrBytes * this.maxBlocks);
    const total = p;
    const why = workspaceUnavailable();
    if (why !== null) fail('NetworkWorkspace', why);
    const block = arenaBlock('NetworkWorkspace', total);
    this.block = block;
    this.base = block.addr;
    // Pad rows and columns are never written: they must start (and stay) zero.
    new Uint8Array(this.buffer(), block.addr, total).fill(0);
    this.token = {};
    registry.register(this, block, this.token);
    this.generation++;
    this.n = 0;
    this.writeDescriptor(maxm);
  }

  private writeDescriptor(maxm: number): void {
    const { plan } = this;
    const I = new Int32Array(this.buffer(), this.base, LAYERS / 4 + (LREC / 4) * plan.layers.length);
    const F = new Float64Array(this.buffer(), this.base, (LAYERS + LREC * plan.layers.length) / 8);
    const a = (o: number) => this.base + o;
    I[H.L] = plan.layers.length;
    I[H.NIN] = plan.nIn;
    I[H.NC] = this.classes;
    I[H.BIAS] = this.bias ? 1 : 0;
    I[H.B] = this.blockColumns;
    I[H.Y] = a(this.off.Y);
    I[H.C] = a(this.off.C);
    I[H.W] = a(this.off.W);
    I[H.STATES] = a(this.off.states);
    I[H.CHUNK] = this.chunkBytes;
    I[H.PART] = a(this.off.part);
    I[H.PARTBYTES] = this.partBytes;
    I[H.V] = a(this.off.V);
    I[H.IO] = a(this.off.io);
    I[H.SCR] = a(this.off.scr);
    I[H.SCRBYTES] = this.scrBytes;
    I[H.MAXM] = maxm;
    I[H.POFF] = this.off.P;
    I[H.GW] = this.wOffset;
    plan.layers.forEach((l, i) => {
      const w = (LAYERS + LREC * i) / 4, lo = this.layerOff[i];
      I[w + L.M] = this.dims[i].mp;
      I[w + L.K] = this.dims[i].kp;
      I[w + L.ACT] = l.act;
      I[w + L.RES] = l.residual ? 1 : 0;
      I[w + L.KP] = a(lo.K);
      I[w + L.KT] = a(lo.Kt);
      I[w + L.BP] = a(lo.b);
      I[w + L.AOFF] = lo.a;
      I[w + L.GOFF] = lo.g;
      I[w + L.DBOFF] = lo.db;
      I[w + L.TOFF] = l.offset;
      I[w + L.MT] = l.m;
      I[w + L.KTRUE] = l.k;
      I[w + L.BK] = BIAS_KIND[l.bias];
      F[(LAYERS + LREC * i + L_H) / 8] = l.h;
    });
    F[H_INVN / 8] = 1;
  }

  /**
   * The memory's current buffer (views are made per use: with the local-memory
   * build a growth of the memory detaches every older view).
   */
  private buffer(): ArrayBufferLike {
    if (!this.block) fail('NetworkWorkspace', 'used after dispose()');
    return wasmF64().buffer;
  }

  /** A view of `len` elements (of the workspace's precision) at byte offset `o` of the block. */
  private view(o: number, len: number): Float64Array | Float32Array {
    const buf = this.buffer();
    return this.elt === 8 ? new Float64Array(buf, this.base + o, len) : new Float32Array(buf, this.base + o, len);
  }

  /** Make sure the block is live (re-allocating after the memory was replaced); returns whether data must be uploaded again. */
  ensureLive(): boolean {
    if (!this.block) fail('NetworkWorkspace', 'used after dispose()');
    if (arenaBlockLive(this.block)) return false;
    registry.unregister(this.token);
    this.allocate();
    return true;
  }

  /** Columns of the current data. */
  get nColumns(): number {
    return this.n;
  }

  /**
   * Upload the data columns: Y (nIn × n) and C (nc × n) column-major, all
   * columns or those listed in `cols`; the loss averages over them (1/n).
   */
  setData(Y: Float64Array, C: Float64Array | null, cols?: ArrayLike<number> | null): void {
    this.ensureLive();
    const nIn = this.plan.nIn, nc = this.classes;
    const n = cols ? cols.length : Y.length / nIn;
    if (n < 1 || n > this.columns) fail('NetworkWorkspace.setData', `${n} columns, capacity ${this.columns}`);
    const y = this.view(this.off.Y, nIn * n);
    const c = C ? this.view(this.off.C, nc * n) : null;
    if (!cols) {
      y.set(Y.subarray(0, nIn * n));
      if (c && C) c.set(C.subarray(0, nc * n));
    } else {
      for (let j = 0; j < n; j++) {
        const s = cols[j];
        for (let i = 0; i < nIn; i++) y[j * nIn + i] = Y[s * nIn + i];
        if (c && C) for (let i = 0; i < nc; i++) c[j * nc + i] = C[s * nc + i];
      }
    }
    this.n = n;
    const I = new Int32Array(this.buffer(), this.base, LAYERS / 4);
    I[H.N] = n;
    new Float64Array(this.buffer(), this.base, LAYERS / 8)[H_INVN / 8] = 1 / n;
  }

  /**
   * Write the parameters as the kernels read them: K_l and K_lᵀ padded, b_l
   * expanded to one entry per row, and W (nc × nW, column-major) padded.
   * @param theta the model's parameters
   * @param W W's data (nc × (nOut [+ 1])), or null for plain model passes
   */
  setParams(theta: Float64Array, W: Float64Array | null): void {
    // One copy in; the kernel writes K, Kᵀ, b and W in its layout (netParams): this runs once per
    // evaluation, also per mini-batch step.
    this.stage(theta, W);
    const ex = wasmExports('NetworkWorkspace.setParams');
    (this.elt === 8 ? ex.netParams : ex.netParams32)(this.base, this.base + this.off.x, theta.length, W && this.classes > 0 ? 1 : 0);
  }

  /** θ then W into the staging region x (double). */
  private stage(theta: Float64Array, W: Float64Array | null): void {
    const nW = W && this.classes > 0 ? W.length : 0;
    if (theta.length !== this.plan.nParams || theta.length + nW > this.xLength) fail('NetworkWorkspace', `parameters of length ${theta.length} + ${nW}, expected ${this.plan.nParams} + at most ${this.xLength - this.plan.nParams}`);
    const x = new Float64Array(this.buffer(), this.base + this.off.x, theta.length + nW);
    x.set(theta);
    if (W && nW > 0) x.set(W, theta.length);
  }

  /** Rows of the last layer as the kernel sees them. */
  private lastMp(): number {
    return this.dims[this.dims.length - 1].mp;
  }

  /** The direction [vθ; vW] of a jvp or Gauss-Newton pass into the kernels' layout. */
  setDirection(vTheta: Float64Array, vW: Float64Array | null): void {
    this.stage(vTheta, vW);
    const ex = wasmExports('NetworkWorkspace.setDirection');
    (this.elt === 8 ? ex.netDirection : ex.netDirection32)(this.base, this.base + this.off.x, vTheta.length, vW && this.classes > 0 ? 1 : 0);
  }

  /**
   * Run a pass over the current columns: `mode` is a sum of {@link PASS} bits.
   * With threads > 1 the blocks are shared with the worker pool (one hand-off).
   */
  run(mode: number, threads = 1): void {
    const ex = wasmExports('NetworkWorkspace.run');
    const blocks = Math.ceil(this.n / this.blockColumns);
    const op = this.elt === 8 ? 'netChunks' : 'netChunks32';
    if (threads > 1 && blocks > 1) {
      runChunked('NetworkWorkspace.run', { op, args: [this.base, mode, 0, 1], step: [0, 0, 1, 0], perThread: [0, 0, 0, 0], lenIdx: 3, chunkLen: 1, total: blocks }, threads);
    } else {
      ex[op](this.base, mode, 0, blocks);
    }
  }

  /**
   * Sum the blocks' partial sums in block order: the loss value and hit count,
   * and (when `theta`/`W` are given) the gradient or mat-vec mapped back to
   * the parameter layout (residual layers' parts times h, scalar biases summed).
   */
  reduce(theta: Float64Array | null, W: Float64Array | null, thetaOffset = 0, wOffset = 0): { value: number; hits: number } {
    const blocks = Math.ceil(this.n / this.blockColumns);
    const G = this.gradLength, stride = this.partBytes;
    const head = new Float64Array(this.buffer(), this.base + this.off.part, (stride * blocks) / 8);
    let value = 0, hits = 0;
    for (let c = 0; c < blocks; c++) {
      const p = (c * stride) / 8;
      value += head[p];
      hits += head[p + 1];
    }
    if (theta === null && (W === null || this.classes === 0)) return { value, hits };
    // The partials added in block order, in double, by the kernel (the same order on any thread count).
    const ex = wasmExports('NetworkWorkspace.reduce');
    (this.elt === 8 ? ex.netReduce : ex.netReduce32)(this.base, blocks, this.base + this.off.sum, G);
    // …and mapped into x's layout (residual parts times h, scalar biases summed) by netGather.
    const nTheta = this.plan.nParams, nW = this.classes > 0 ? this.classes * (this.plan.layers[this.plan.layers.length - 1].m + (this.bias ? 1 : 0)) : 0;
    ex.netGather(this.base, this.base + this.off.sum, this.base + this.off.x, nTheta, nTheta + nW, this.elt === 4 ? 1 : 0);
    const x = new Float64Array(this.buffer(), this.base + this.off.x, nTheta + nW);
    if (theta) theta.set(x.subarray(0, nTheta), thetaOffset);
    if (W && nW > 0) W.set(x.subarray(nTheta), wOffset);
    return { value, hits };
  }

  /** The network output Z (nOut × n) of the last forward, copied into `out`. */
  readOutput(out: Float64Array): void {
    const layers = this.plan.layers, li = layers.length - 1, l = layers[li], mp = this.lastMp();
    const B = this.blockColumns, e = this.elt;
    for (let c = 0; c * B < this.n; c++) {
      const cols = Math.min(B, this.n - c * B);
      const Z = this.view(this.off.states + c * this.chunkBytes + this.layerOff[li].a + e * mp * B, mp * cols);
      for (let jj = 0; jj < cols; jj++) for (let r = 0; r < l.m; r++) out[(c * B + jj) * l.m + r] = Z[jj * mp + r];
    }
  }

  /** dZ (nOut × n) of the last jvp pass into `out`, or (`write`) `out` into the io buffer for a vjp pass. */
  io(out: Float64Array, write = false): void {
    const l = this.plan.layers[this.plan.layers.length - 1], mp = this.lastMp();
    const v = this.view(this.off.io, mp * this.n);
    for (let j = 0; j < this.n; j++) {
      for (let r = 0; r < l.m; r++) {
        if (write) v[j * mp + r] = out[j * l.m + r];
        else out[j * l.m + r] = v[j * mp + r];
      }
      if (write) for (let r = l.m; r < mp; r++) v[j * mp + r] = 0;
    }
  }

  /** Release the block (idempotent); the workspace cannot be used afterwards. */
  dispose(): void {
    if (!this.block) return;
    registry.unregister(this.token);
    releaseArenaBlock(this.block);
    this.block = null;
  }
}
