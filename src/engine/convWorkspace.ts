/**
 * The workspace of a convolutional plan (./convPlan.ts): every buffer a pass
 * of assembly/convNetwork.ts needs for up to `columns` data columns, in one
 * block of WebAssembly memory the workspace owns (as ./workspace.ts does for
 * dense plans: nothing shared, nothing at module level, `dispose()` gives the
 * block back, a FinalizationRegistry frees a dropped one as a fallback).
 *
 * Inside, images are pixel-major with the channels innermost (padded to an
 * even count) and a zero halo of HX × HY pixels (the largest stencil
 * half-widths), so the kernel's convolutions need no boundary tests. Unlike
 * the dense plans, only **one block** of states exists (a block of images
 * holds about 200 KB of states per 28×28 image, so one per column would not
 * fit for a data set): a pass runs its blocks one after the other on one
 * thread, each block's forward, loss and backward before the next.
 *
 * Precision: with `'float32'` every region the kernel computes with (M, Mᵀ,
 * b, W, the direction, the block states, scratch and the partial gradient)
 * holds float32 and the conv outputs' channels and the classes are padded to
 * 4 (the f32x4 lanes) instead of 2; the data Y and labels C stay float64 (the
 * kernel converts a block as it pads it), and so do the loss value and hit
 * count. The partial gradients are added in double, in group order.
 *
 * Layout (bytes, every region 64-byte aligned):
 *
 *   descriptor | M, Mᵀ, b per conv stage | W_Z, w_b, W_Zᵀ | Y (nIn × cap) | C (nc × cap)
 *   | block: X0, then per stage A, Y⁺, G, dY⁺ (conv) or Y⁺, dY⁺ (pool), P, T, T2 | direction v
 *   | scratch w1, w2 | partial
 */
import { fail } from '../core/errors.js';
import { arenaBlock, arenaBlockLive, releaseArenaBlock, type ArenaBlock } from '../core/wasm/resident.js';
import { wasmExports, wasmF64 } from '../core/wasm/module.js';
import { runChunked } from '../core/wasm/threads.js';
import type { ConvNetworkPlan, ConvStage } from './convPlan.js';
import { workspaceUnavailable, type Precision } from './workspace.js';

/** Pass bits of assembly/convNetwork.ts. */
export const CONV_PASS = { forward: 1, loss: 2, gradient: 4, gaussNewton: 32, full: 64 } as const;

/** Default images per block: the mnist-cnn network keeps ~200 KB of states per image, 8 images stay in a 2 MiB L2. */
export const DEFAULT_CONV_BLOCK = 8;

// Header word indices and record layout (must match assembly/convNetwork.ts).
const H = {
  S: 0, NIN: 1, NC: 2, BIAS: 3, N: 4, B: 5, Y: 6, C: 7, W: 8, F: 9, X0: 10, X0SIZE: 11, SCR: 13,
  SCRIMG: 14, HX: 15, HY: 16, NX0: 17, NY0: 18, CIN0: 19, GW: 20, P: 21, T: 22, V: 23, T2: 24,
};
const H_INVN = 112, STAGES = 128, SREC = 128, S_H = 112;
const S = {
  TYPE: 0, NX: 1, NY: 2, CS: 3, CIN: 4, COUT: 5, COUTP: 6, KX: 7, KY: 8, ACT: 9, RES: 10, P: 11, M: 12, MT: 13, BP: 14,
  A: 15, Y: 16, G: 17, GOFF: 18, DBOFF: 19, INSIZE: 20, OUTSIZE: 21, MX: 22, MY: 23, DY: 24,
};
/** Bytes before the gradient in the partial (value, hits, 2 spare). */
const PART_HEAD = 32;
/** Groups of blocks per pass, each with its own partial sums (the unit a thread claims; few, since each partial is cleared and added per pass). */
const MAX_GROUPS = 4;
/** Fewest blocks in a group: a mini-batch of 64 images (8 blocks) makes two groups, not eight partials to clear and add. */
const MIN_GROUP_BLOCKS = 4;

const al = (bytes: number) => Math.ceil(bytes / 64) * 64;
/** c rounded up to a multiple of the lanes (2 in f64, 4 in f32). */
const padTo = (c: number, lanes: number) => Math.ceil(c / lanes) * lanes;

/**
 * Why `plan` cannot run in `precision`, or null. In float32 the conv outputs'
 * channels are padded to 4, so a residual first stage (which adds the data,
 * laid out with its own channel count) needs a channel count that is a multiple of 4.
 */
export function convKernelSupport(plan: ConvNetworkPlan, precision: Precision): string | null {
  const first = plan.stages[0];
  if (precision === 'float32' && first.type === 'conv' && first.residual && first.cin % 4 !== 0) {
    return `a residual first stage with ${first.cin} channels reads the data directly: float32 needs a multiple of 4 there`;
  }
  return null;
}

const registry = new FinalizationRegistry<ArenaBlock>((b) => {
  releaseArenaBlock(b);
});

/** Per-stage geometry as the kernel sees it. */
interface StageDims {
  /** Channel stride of the input image and of the output image. */
  csIn: number;
  csOut: number;
  inSize: number;
  outSize: number;
  /** Output image size. */
  mx: number;
  my: number;
  /** Conv: element offsets of ∇M and ∇b in the gradient layout. */
  g: number;
  db: number;
}

/** Options of {@link ConvWorkspace}. */
export interface ConvWorkspaceOptions {
  /** Largest number of columns uploaded at once. */
  columns: number;
  /** Classes nc (rows of C and W). */
  classes: number;
  /** Whether W has the bias column (default true). */
  bias?: boolean;
  /** Images per block (default {@link DEFAULT_CONV_BLOCK}). */
  blockColumns?: number;
  /** Threads a pass may use (default 1): each gets its own block states (≈ 1.6 MB for mnist-cnn in float64). */
  threads?: number;
  /** `'float64'` (default) or `'float32'`: the element type of parameters as the kernel reads them, states, products and partial gradients. */
  precision?: Precision;
}

/**
 * The buffers of the passes of one convolutional plan (see the file comment).
 * Used by ./convPasses.ts; its methods trust their callers' shapes.
 */
export class ConvWorkspace {
  readonly plan: ConvNetworkPlan;
  readonly columns: number;
  readonly classes: number;
  readonly bias: boolean;
  readonly blockColumns: number;
  /** Classes padded to the lanes: rows of W, S, P in the kernel. */
  readonly ncp: number;
  /** Element type of the kernel's regions (see the file comment). */
  readonly precision: Precision;
  /** Bytes per element of those regions (8 or 4). */
  private readonly elt: number;
  /** Features as the kernel sees them: the last image with halo and padded channels. */
  readonly features: number;
  /** Length of the kernel's gradient layout (∇M, ∇b per conv stage, then ∇W_Z, ∇w_b). */
  readonly gradLength: number;
  /** Offset of ∇W_Z in it. */
  readonly wOffset: number;
  private readonly HX: number;
  private readonly HY: number;
  private readonly dims: StageDims[] = [];
  private readonly off: Record<string, number> = {};
  /** Threads a pass may use: one descriptor and one set of block states each. */
  readonly slots: number;
  /** Per stage: where its parameters sit (shared by the slots). */
  private readonly shared: { M: number; Mt: number; b: number }[] = [];
  /** Per slot: its block states, loss buffers and scratch. */
  private readonly slotOff: { X0: number; P: number; T: number; T2: number; scr: number; stages: { A: number; Y: number; G: number; dY: number }[] }[] = [];
  private descBytes = 0;
  /** The sum of the groups' partials in {@link accumulate} (reused). */
  private sum = new Float64Array(0);
  private partBytes = 0;
  /** Padded feature index of each reference feature ix + nx·(iy + ny·c) of the output. */
  private readonly featureIndex: Int32Array;
  private block: ArenaBlock | null = null;
  private token = {};
  private base = 0;
  private n = 0;
  private total = 0;
  /** Bumped whenever the block is (re)allocated. */
  generation = 0;

  constructor(plan: ConvNetworkPlan, opts: ConvWorkspaceOptions) {
    const fn = 'ConvWorkspace';
    if (!Number.isInteger(opts.columns) || opts.columns < 1) fail(fn, `columns must be a positive integer, got ${opts.columns}`);
    const B = opts.blockColumns ?? DEFAULT_CONV_BLOCK;
    if (!Number.isInteger(B) || B < 1) fail(fn, `blockColumns must be a positive integer, got ${B}`);
    this.plan = plan;
    this.columns = opts.columns;
    this.classes = opts.classes;
    this.bias = opts.bias ?? true;
    this.blockColumns = B;
    const slots = opts.threads ?? 1;
    if (!Number.isInteger(slots) || slots < 1) fail(fn, `threads must be a positive integer, got ${slots}`);
    this.slots = slots;
    const precision = opts.precision ?? 'float64';
    if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
    const why = convKernelSupport(plan, precision);
    if (why !== null) fail(fn, `precision '${precision}': ${why}`);
    this.precision = precision;
    this.elt = precision === 'float32' ? 4 : 8;
    const lanes = 16 / this.elt;
    const even = (c: number) => padTo(c, lanes);
    this.ncp = even(this.classes);
    let HX = 0, HY = 0;
    for (const s of plan.stages) {
      if (s.type === 'conv') {
        HX = Math.max(HX, (s.kx - 1) >> 1);
        HY = Math.max(HY, (s.ky - 1) >> 1);
      }
    }
    this.HX = HX;
    this.HY = HY;
    const size = (nx: number, ny: number, cs: number) => (nx + 2 * HX) * (ny + 2 * HY) * cs;
    const first = plan.stages[0] as ConvStage;
    let cs = first.cin, g = 0;
    for (const s of plan.stages) {
      if (s.type === 'conv') {
        const csOut = even(s.cout);
        const d = { csIn: cs, csOut, inSize: size(s.nx, s.ny, cs), outSize: size(s.nx, s.ny, csOut), mx: s.nx, my: s.ny, g, db: g + s.kx * s.ky * cs * csOut };
        g = d.db + csOut;
        this.dims.push(d);
        cs = csOut;
      } else {
        const mx = s.nx / s.p, my = s.ny / s.p;
        this.dims.push({ csIn: cs, csOut: cs, inSize: size(s.nx, s.ny, cs), outSize: size(mx, my, cs), mx, my, g: 0, db: 0 });
      }
    }
    const last = this.dims[this.dims.length - 1];
    this.features = last.outSize;
    this.wOffset = g;
    this.gradLength = g + this.ncp * (this.features + 1);
    // Reference feature ix + mx·(iy + my·c) ↔ padded ((HY + iy)·PX + HX + ix)·cs + c.
    const c = plan.nOut / (last.mx * last.my);
    this.featureIndex = new Int32Array(plan.nOut);
    const PX = last.mx + 2 * HX;
    for (let ch = 0; ch < c; ch++) {
      for (let iy = 0; iy < last.my; iy++) {
        for (let ix = 0; ix < last.mx; ix++) this.featureIndex[ix + last.mx * (iy + last.my * ch)] = ((HY + iy) * PX + HX + ix) * last.csOut + ch;
      }
    }
    this.allocate();
  }

  /** Whether the block is live. */
  get live(): boolean {
    return this.block !== null && arenaBlockLive(this.block);
  }

  private allocate(): void {
    const { plan, columns: cap, classes: nc, ncp, blockColumns: B, features: F, slots } = this;
    const stages = plan.stages;
    // One descriptor per thread slot: the same parameters and data, each slot its own block states.
    this.descBytes = al(STAGES + SREC * stages.length);
    let o = slots * this.descBytes;
    // take: a region of the kernel's element type; take64: of doubles (data and labels).
    const take = (elements: number) => {
      const at = o;
      o += al(this.elt * elements);
      return at;
    };
    const take64 = (elements: number) => {
      const at = o;
      o += al(8 * elements);
      return at;
    };
    this.shared.length = 0;
    stages.forEach((s, i) => {
      const d = this.dims[i];
      const so = { M: 0, Mt: 0, b: 0 };
      if (s.type === 'conv') {
        so.M = take(s.kx * s.ky * d.csIn * d.csOut);
        if (i > 0) so.Mt = take(s.kx * s.ky * d.csOut * d.csIn);
        so.b = take(d.csOut);
      }
      this.shared.push(so);
    });
    this.off.W = take(ncp * (2 * F + 1));
    this.off.Y = take64(plan.nIn * cap);
    this.off.C = take64(nc * cap);
    this.off.V = take(this.gradLength);
    this.slotOff.length = 0;
    let maxImg = this.dims[0].inSize;
    for (let t = 0; t < slots; t++) {
      const slot = { X0: take(this.dims[0].inSize * B), P: 0, T: 0, T2: 0, scr: 0, stages: [] as { A: number; Y: number; G: number; dY: number }[] };
      stages.forEach((s, i) => {
        const d = this.dims[i];
        const st = { A: 0, Y: 0, G: 0, dY: 0 };
        if (s.type === 'conv') st.A = take(d.outSize * B);
        st.Y = take(d.outSize * B);
        if (s.type === 'conv') st.G = take(d.outSize * B);
        st.dY = take(d.outSize * B);
        maxImg = Math.max(maxImg, d.inSize, d.outSize);
        slot.stages.push(st);
      });
      slot.P = take(ncp * B);
      slot.T = take(ncp * B);
      slot.T2 = take(ncp * B);
      slot.scr = take(2 * maxImg * B);
      this.slotOff.push(slot);
    }
    this.partBytes = al(PART_HEAD + this.elt * this.gradLength);
    this.off.part = o;
    o += MAX_GROUPS * this.partBytes;
    const total = o;
    const why = workspaceUnavailable();
    if (why !== null) fail('ConvWorkspace', why);
    const block = arenaBlock('ConvWorkspace', total);
    this.block = block;
    this.base = block.addr;
    this.total = total;
    // Halos, pad channels and pad classes are never written: they must start (and stay) zero.
    new Uint8Array(this.buffer(), block.addr, total).fill(0);
    this.token = {};
    registry.register(this, block, this.token);
    this.generation++;
    this.n = 0;
    for (let t = 0; t < slots; t++) this.writeDescriptor(t, maxImg);
  }

  /** The descriptor of thread slot t (assembly/convNetwork.ts reads it). */
  private writeDescriptor(t: number, maxImg: number): void {
    const { plan } = this;
    const at = this.base + t * this.descBytes;
    const I = new Int32Array(this.buffer(), at, this.descBytes / 4);
    const Fv = new Float64Array(this.buffer(), at, this.descBytes / 8);
    const a = (o: number) => this.base + o;
    const first = plan.stages[0] as ConvStage;
    const slot = this.slotOff[t];
    I[H.S] = plan.stages.length;
    I[H.NIN] = plan.nIn;
    I[H.NC] = this.classes;
    I[H.BIAS] = this.bias ? 1 : 0;
    I[H.B] = this.blockColumns;
    I[H.Y] = a(this.off.Y);
    I[H.C] = a(this.off.C);
    I[H.W] = a(this.off.W);
    I[H.F] = this.features;
    I[H.X0] = a(slot.X0);
    I[H.X0SIZE] = this.dims[0].inSize;
    I[H.SCR] = a(slot.scr);
    I[H.SCRIMG] = maxImg;
    I[H.HX] = this.HX;
    I[H.HY] = this.HY;
    I[H.NX0] = first.nx;
    I[H.NY0] = first.ny;
    I[H.CIN0] = first.cin;
    I[H.GW] = this.wOffset;
    I[H.P] = a(slot.P);
    I[H.T] = a(slot.T);
    I[H.T2] = a(slot.T2);
    I[H.V] = a(this.off.V);
    plan.stages.forEach((s, i) => {
      const w = (STAGES + SREC * i) / 4, d = this.dims[i], so = this.shared[i], st = slot.stages[i];
      I[w + S.TYPE] = s.type === 'conv' ? 0 : 1;
      I[w + S.NX] = s.nx;
      I[w + S.NY] = s.ny;
      I[w + S.CS] = d.csIn;
      I[w + S.INSIZE] = d.inSize;
      I[w + S.OUTSIZE] = d.outSize;
      I[w + S.MX] = d.mx;
      I[w + S.MY] = d.my;
      I[w + S.Y] = a(st.Y);
      I[w + S.DY] = a(st.dY);
      if (s.type === 'conv') {
        I[w + S.CIN] = s.cin;
        I[w + S.COUT] = s.cout;
        I[w + S.COUTP] = d.csOut;
        I[w + S.KX] = s.kx;
        I[w + S.KY] = s.ky;
        I[w + S.ACT] = s.act;
        I[w + S.RES] = s.residual ? 1 : 0;
        I[w + S.M] = a(so.M);
        I[w + S.MT] = i > 0 ? a(so.Mt) : 0;
        I[w + S.BP] = a(so.b);
        I[w + S.A] = a(st.A);
        I[w + S.G] = a(st.G);
        I[w + S.GOFF] = d.g;
        I[w + S.DBOFF] = d.db;
        Fv[(STAGES + SREC * i + S_H) / 8] = s.h;
      } else {
        I[w + S.P] = s.p;
        I[w + S.COUTP] = d.csOut;
      }
    });
    Fv[H_INVN / 8] = 1;
  }

  private buffer(): ArrayBufferLike {
    if (!this.block) fail('ConvWorkspace', 'used after dispose()');
    return wasmF64().buffer;
  }

  private view(o: number, len: number): Float64Array {
    return new Float64Array(this.buffer(), this.base + o, len);
  }

  /** A view of `len` elements of the kernel's element type at byte offset `o` of the block. */
  private tview(o: number, len: number): Float64Array | Float32Array {
    return this.elt === 8 ? this.view(o, len) : new Float32Array(this.buffer(), this.base + o, len);
  }

  /** Make sure the block is live (re-allocating after the memory was replaced); returns whether it was re-allocated. */
  ensureLive(): boolean {
    if (!this.block) fail('ConvWorkspace', 'used after dispose()');
    if (arenaBlockLive(this.block)) return false;
    registry.unregister(this.token);
    this.allocate();
    return true;
  }

  /**
   * Upload data columns cols[from … from + count − 1] of Y (nIn × ·) and C
   * (nc × ·), column-major; `invN` is the 1/n of the loss (n: the columns of
   * the whole evaluation, which may take several uploads).
   * @returns whether the block was re-allocated (the parameters must be written again)
   */
  setData(Y: Float64Array, C: Float64Array, cols: ArrayLike<number> | null, from: number, count: number, invN: number): boolean {
    const fresh = this.ensureLive();
    const nIn = this.plan.nIn, nc = this.classes;
    if (count < 1 || count > this.columns) fail('ConvWorkspace.setData', `${count} columns, capacity ${this.columns}`);
    const y = this.view(this.off.Y, nIn * count), c = this.view(this.off.C, nc * count);
    if (!cols) {
      y.set(Y.subarray(from * nIn, (from + count) * nIn));
      c.set(C.subarray(from * nc, (from + count) * nc));
    } else {
      for (let j = 0; j < count; j++) {
        const s = cols[from + j];
        y.set(Y.subarray(s * nIn, (s + 1) * nIn), j * nIn);
        for (let i = 0; i < nc; i++) c[j * nc + i] = C[s * nc + i];
      }
    }
    this.n = count;
    for (let t = 0; t < this.slots; t++) {
      const at = this.base + t * this.descBytes;
      new Int32Array(this.buffer(), at, STAGES / 4)[H.N] = count;
      new Float64Array(this.buffer(), at, STAGES / 8)[H_INVN / 8] = invN;
    }
    return fresh;
  }

  /**
   * Write the parameters as the kernel reads them: per conv stage the
   * stencils as M (θ[a, b, ci, co] at row co, column (b·kx + kx − 1 − a)·cs + ci,
   * cs the input's channel stride; pad rows and columns zero), its transpose
   * Mᵀ (row ci, column (b·kx + a)·coutp + co; all but the first stage) and b
   * per channel; W_Z, w_b and W_Zᵀ with the features in the padded layout
   * (assembly/convNetwork.ts).
   */
  setParams(theta: Float64Array, W: Float64Array): void {
    this.ensureLive();
    const e = this.elt;
    const P = this.tview(0, this.total / e);
    this.plan.stages.forEach((s, i) => {
      if (s.type !== 'conv') return;
      const so = this.shared[i], d = this.dims[i];
      const M = so.M / e, Mt = so.Mt / e, b = so.b / e, T = s.kx * s.ky, kx = s.kx;
      const coutp = d.csOut, cs = d.csIn;
      for (let co = 0; co < s.cout; co++) {
        for (let ci = 0; ci < s.cin; ci++) {
          for (let bb = 0; bb < s.ky; bb++) {
            for (let a = 0; a < kx; a++) {
              // θ[a, b, ci, co] at a + kx·(b + ky·(ci + cin·co)).
              const v = theta[s.offset + a + kx * bb + T * (ci + s.cin * co)];
              P[M + ((bb * kx + kx - 1 - a) * cs + ci) * coutp + co] = v;
              if (i > 0) P[Mt + ((bb * kx + a) * coutp + co) * cs + ci] = v;
            }
          }
        }
      }
      const bo = s.offset + T * s.cin * s.cout;
      for (let co = 0; co < s.cout; co++) P[b + co] = s.bias === 'vector' ? theta[bo + co] : s.bias === 'scalar' ? theta[bo] : 0;
    });
    const nc = this.classes, ncp = this.ncp, F = this.features, m = this.plan.nOut, fi = this.featureIndex;
    const w0 = this.off.W / e, wb = w0 + ncp * F, wt = wb + ncp;
    for (let q = 0; q < m; q++) {
      const f = fi[q];
      for (let i = 0; i < nc; i++) {
        const v = W[q * nc + i];
        P[w0 + f * ncp + i] = v;
        P[wt + i * F + f] = v;
      }
    }
    for (let i = 0; i < nc; i++) P[wb + i] = this.bias ? W[m * nc + i] : 0;
  }

  /**
   * The direction [vθ; vW] of a Gauss-Newton pass in the kernel's gradient
   * layout: per conv stage dθ laid out like M and db per channel (a scalar
   * bias's entry on every channel), then vW like W_Z and w_b.
   */
  setDirection(vTheta: Float64Array, vW: Float64Array): void {
    this.ensureLive();
    const v = this.tview(this.off.V, this.gradLength);
    this.plan.stages.forEach((s, i) => {
      if (s.type !== 'conv') return;
      const d = this.dims[i], T = s.kx * s.ky, kx = s.kx, cs = d.csIn, coutp = d.csOut;
      for (let co = 0; co < s.cout; co++) {
        for (let ci = 0; ci < s.cin; ci++) {
          for (let bb = 0; bb < s.ky; bb++) {
            for (let a = 0; a < kx; a++) v[d.g + ((bb * kx + kx - 1 - a) * cs + ci) * coutp + co] = vTheta[s.offset + a + kx * bb + T * (ci + s.cin * co)];
          }
        }
      }
      const bo = s.offset + T * s.cin * s.cout;
      for (let co = 0; co < s.cout; co++) v[d.db + co] = s.bias === 'vector' ? vTheta[bo + co] : s.bias === 'scalar' ? vTheta[bo] : 0;
    });
    const nc = this.classes, ncp = this.ncp, F = this.features, m = this.plan.nOut, fi = this.featureIndex, w0 = this.wOffset;
    for (let q = 0; q < m; q++) for (let i = 0; i < nc; i++) v[w0 + fi[q] * ncp + i] = vW[q * nc + i];
    for (let i = 0; i < nc; i++) v[w0 + ncp * F + i] = this.bias ? vW[m * nc + i] : 0;
  }

  /** Blocks of the uploaded columns, blocks per group, groups (each group one partial, summed in order). */
  private groups(): { blocks: number; per: number; groups: number } {
    const blocks = Math.ceil(this.n / this.blockColumns), per = Math.max(MIN_GROUP_BLOCKS, Math.ceil(blocks / MAX_GROUPS));
    return { blocks, per, groups: Math.ceil(blocks / per) };
  }

  /**
   * Run a pass (a sum of {@link CONV_PASS} bits) over the uploaded columns.
   * The blocks are cut into at most 4 groups of at least 4 consecutive blocks, each
   * with its own partial sums; with threads > 1 the groups are shared with
   * the worker pool (one hand-off per pass), each thread on its own block
   * states. Groups do not depend on the thread count, so neither do the sums.
   */
  run(mode: number, threads = 1): void {
    const ex = wasmExports('ConvWorkspace.run');
    const { blocks, per, groups } = this.groups();
    const part = this.base + this.off.part, t = Math.min(threads, this.slots);
    if (t > 1 && groups > 1) {
      runChunked('ConvWorkspace.run', {
        op: this.elt === 8 ? 'convNetChunks' : 'convNetChunks32', args: [this.base, mode, 0, per, part], step: [0, 0, per, 0, this.partBytes],
        perThread: [this.descBytes, 0, 0, 0, 0], lenIdx: 3, chunkLen: per, total: blocks,
      }, t);
      return;
    }
    const chunks = this.elt === 8 ? ex.convNetChunks : ex.convNetChunks32;
    for (let g = 0; g < groups; g++) chunks(this.base, mode, g * per, Math.min(per, blocks - g * per), part + g * this.partBytes);
  }

  /**
   * Add the pass's loss value and hit count to `acc`, and (when `grad` is
   * given) its gradient, mapped back to [θ; vec W] (residual stages' parts
   * times h, a scalar bias the sum over channels), to `grad`.
   */
  accumulate(acc: { value: number; hits: number }, grad: Float64Array | null): void {
    const { groups } = this.groups();
    for (let g = 0; g < groups; g++) {
      const head = this.view(this.off.part + g * this.partBytes, 2);
      acc.value += head[0];
      acc.hits += head[1];
    }
    if (!grad) return;
    // The groups' partial gradients added in group order, in double (one float64 group: its partial is the sum).
    const len = this.gradLength;
    const gradOf = (g: number) => this.tview(this.off.part + g * this.partBytes + PART_HEAD, len);
    let part: Float64Array | Float32Array = gradOf(0);
    if (groups > 1 || this.elt !== 8) {
      if (this.sum.length !== len) this.sum = new Float64Array(len);
      const sum = this.sum;
      sum.set(part);
      for (let g = 1; g < groups; g++) {
        const p = gradOf(g);
        for (let i = 0; i < len; i++) sum[i] += p[i];
      }
      part = sum;
    }
    const g0 = 0;
    this.plan.stages.forEach((s, i) => {
      if (s.type !== 'conv') return;
      const d = this.dims[i], T = s.kx * s.ky, coutp = d.csOut, h = s.residual ? s.h : 1;
      const gm = g0 + d.g, gb = g0 + d.db, kx = s.kx, cs = d.csIn;
      for (let co = 0; co < s.cout; co++) {
        for (let ci = 0; ci < s.cin; ci++) {
          for (let bb = 0; bb < s.ky; bb++) {
            for (let a = 0; a < kx; a++) grad[s.offset + a + kx * bb + T * (ci + s.cin * co)] += h * part[gm + ((bb * kx + kx - 1 - a) * cs + ci) * coutp + co];
          }
        }
      }
      const bo = s.offset + T * s.cin * s.cout;
      if (s.bias === 'vector') for (let co = 0; co < s.cout; co++) grad[bo + co] += h * part[gb + co];
      else if (s.bias === 'scalar') {
        let t = 0;
        for (let co = 0; co < s.cout; co++) t += part[gb + co];
        grad[bo] += h * t;
      }
    });
    const nc = this.classes, ncp = this.ncp, F = this.features, m = this.plan.nOut, fi = this.featureIndex;
    const nTheta = this.plan.nParams, gw = g0 + this.wOffset, gwb = gw + ncp * F;
    for (let q = 0; q < m; q++) {
      const f = fi[q];
      for (let i = 0; i < nc; i++) grad[nTheta + q * nc + i] += part[gw + f * ncp + i];
    }
    if (this.bias) for (let i = 0; i < nc; i++) grad[nTheta + m * nc + i] += part[gwb + i];
  }

  /** Release the block (idempotent). */
  dispose(): void {
    if (!this.block) return;
    registry.unregister(this.token);
    releaseArenaBlock(this.block);
    this.block = null;
  }
}
