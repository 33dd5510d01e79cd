// Whole-network passes of a compiled convolutional plan (src/engine/convPlan.ts):
// a chain of stages, each a 2-D convolution single layer with zero boundary and
// stride 1, plain  Y⁺ = σ(K(θ) Y + b)  or residual  Y⁺ = Y + h·σ(K(θ) Y + b),
// or a p×p average pooling; then the softmax cross-entropy of the linear
// classifier S = W [Z; 1ᵀ]. One call runs column blocks one after the other;
// a block crosses all stages, the loss and (for the gradient) all stages back
// before the next block starts, so its states are reused from cache.
//
// Layout inside the plan (src/engine/convWorkspace.ts writes it): an image is
// stored pixel-major with the channels innermost and a zero halo of HX, HY
// pixels around it — pixel (ix, iy), channel c at ((HY + iy)·PX + HX + ix)·cs + c
// with PX = nx + 2HX and cs the channel count padded to even (pad channels
// are zero). A 3×3 convolution at one pixel is then one coutp × 9cs
// matrix-vector product on f64x2 vectors of output channels, with no boundary
// tests: the halo is zero and never written.
//
// Convolution (the convention of src/operators/conv2d.ts):
//   z(ix, iy, co) = Σ_{a,b,ci} θ[a, b, ci, co] y(ix + hx − a, iy + hy − b, ci).
// For stencil row b the inputs are the kx pixels ix − hx … ix + hx of image
// row iy + hy − b — with the channels innermost, one contiguous run of kx·cs
// values — so M (coutp × ky·kx·cs) holds θ[a, b, ci, co] at row co, column
// (b·kx + kx − 1 − a)·cs + ci (pad rows and pad-channel columns zero), and a
// pixel's output is M times the ky runs. The transpose (W ← Kᵀ G) is the same
// loop over the runs of G mirrored in y (rows iy − hy + b), with Mᵀ at row ci,
// column (b·kx + a)·coutp + co.
//
// Passes (bits of `mode`): forward (A = σ'(z) and Y⁺ per stage), loss
// (value, hits, P = softmax(S)), gradient:
//   T = (P − C)/n, ∇W_Z += T Zᵀ, ∇w_b += rowsums T, W = W_Zᵀ T, then per stage
//   back: pool  W ← Pᵀ W;  conv  G = A ∘ W, ∇M_t += Σ_pixels G ⊗ y(shifted),
//   ∇b += Σ_pixels G, W ← [W] + h·Kᵀ G (not for the first stage);
// Gauss-Newton mat-vec for a direction v (after forward and loss):
//   dY⁺ = [dY] + h·A ∘ (K(dθ) Y + db + K dY) per conv stage, P dY per pooling,
//   T = ∇²_S E (W_Z dZ [+ vW [Z; 1]]), then the gradient's backward sweep from W_Zᵀ T.
// (The parameter gradient of a residual stage is h times the sums: the caller
// scales.) The sums of all blocks of a call accumulate in one partial (value
// at byte 0, hits at 8, gradient from byte 32), in block order; the caller cuts
// a pass into fixed groups of blocks, one call and one partial each, and adds
// the partials in group order, so the result does not depend on which thread
// ran which group.
//
// The kernels are generic in the element type T of the states (f64: f64x2
// lanes, convNetChunks; f32: f32x4 lanes, convNetChunks32), with the helpers
// of assembly/network.ts. In f32 the states, M, Mᵀ, b, W, the direction and
// the per-group partial gradient are single precision and the channel counts
// of conv outputs and the classes are padded to 4 (the lanes); the data Y and
// labels C stay float64 (converted per block), and the loss value, hit count
// and the softmax's sums are accumulated in double.

import { tanhParts } from './activations';
import { SZ, LANES, vsplat, vsplatAt, vmadd, vmul, vadd, tanhVec32, padClasses } from './network';

// Descriptor header (i32 words).
const H_S = 0, H_NIN = 1, H_NC = 2, H_BIAS = 3, H_N = 4, H_B = 5, H_Y = 6, H_C = 7, H_W = 8, H_F = 9,
  H_X0 = 10, H_X0SIZE = 11, H_SCR = 13, H_SCRIMG = 14, H_HX = 15, H_HY = 16,
  H_NX0 = 17, H_NY0 = 18, H_CIN0 = 19, H_GW = 20, H_P = 21, H_T = 22, H_V = 23, H_T2 = 24;
/** Byte offset of the f64 1/n in the descriptor. */
const H_INVN = 112;
/** First stage record and record size (bytes). */
const STAGES = 128, SREC = 128;
// Stage record (i32 words; h as f64 at byte 112). S_CIN, S_COUT, S_MX, S_MY
// describe the stage for readers of the descriptor; the loops use S_CS, S_COUTP.
const S_TYPE = 0, S_NX = 1, S_NY = 2, S_CS = 3, S_CIN = 4, S_COUT = 5, S_COUTP = 6, S_KX = 7, S_KY = 8,
  S_ACT = 9, S_RES = 10, S_P = 11, S_M = 12, S_MT = 13, S_BP = 14, S_A = 15, S_Y = 16, S_G = 17,
  S_GOFF = 18, S_DBOFF = 19, S_INSIZE = 20, S_OUTSIZE = 21, S_MX = 22, S_MY = 23, S_DY = 24;
const S_H = 112;
/** Stage types. */
const CONV = 0;
/** Partial sums: value at 0, hits at 8, gradient from byte 32. */
const PART_GRAD = 32;
/** Pass bits (those of assembly/network.ts). */
const FWD = 1, LOSS = 2, GRAD = 4, GN = 32, FULL = 64;
/** σ codes: identity, tanh, ReLU; LINEAR = no activation (transpose products). */
const ACT_ID = 0, ACT_TANH = 1, ACT_RELU = 2, LINEAR = -1;

// @ts-ignore: decorator
@inline function hdr(d: usize, i: i32): i32 { return load<i32>(d + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function srec(d: usize, s: i32, i: i32): i32 { return load<i32>(d + STAGES + <usize>s * SREC + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function sh(d: usize, s: i32): f64 { return load<f64>(d + STAGES + <usize>s * SREC + S_H); }

/**
 * σ of the pre-activation z (one vector): the value, with σ'(z) stored at a
 * (when a ≠ 0). act is ACT_ID, ACT_TANH or ACT_RELU.
 */
// @ts-ignore: decorator
@inline function activate<T>(z: v128, act: i32, a: usize): v128 {
  if (act == ACT_RELU) {
    const pos = sizeof<T>() == 8 ? f64x2.gt(z, f64x2.splat(0)) : f32x4.gt(z, f32x4.splat(0));
    v128.store(a, v128.and(pos, vsplat<T>(1.0)));
    return v128.and(pos, z);
  }
  if (act == ACT_TANH) return sizeof<T>() == 8 ? tanhParts(z, a, true) : tanhVec32(z, a);
  v128.store(a, vsplat<T>(1.0));
  return z;
}

/**
 * The epilogue of one output vector at byte offset o of the image: with
 * act = LINEAR out = [D] + h·acc, else y = σ(acc) (A stored) and out = [D] + h·y.
 */
// @ts-ignore: decorator
@inline function finish<T>(acc: v128, out: usize, D: usize, A: usize, o: usize, h: f64, act: i32): void {
  let y = acc;
  if (act != LINEAR) y = activate<T>(acc, act, A + o);
  if (D != 0) y = vmadd<T>(vsplat<T>(h), y, v128.load(D + o));
  else if (h != 1.0) y = vmul<T>(vsplat<T>(h), y);
  v128.store(out + o, y);
}

/**
 * One image of a stride-1 convolution in the padded layout (interior pixels
 * only; the halo of `out` and `A` is not written):
 *   out(q) = [D(q)] + h·σ(Σ_u M_u inp(q + off_u) + bias)   (act ≠ LINEAR; A(q) = σ'),
 *   out(q) = [D(q)] + h·Σ_u M_u inp(q + off_u)             (act = LINEAR),
 * M coutp × (ky·kx·cs), cs the input's channel stride. Column u = (b·kx + k)·cs + c
 * reads channel c of the pixel k − hx columns and flip·(hy − b) rows away:
 * for each stencil row b the kx·cs inputs it needs are one contiguous run of
 * memory (channels innermost), so the inner loop is a plain walk over it.
 * Two pixels per sweep and four vectors of output channels per block (8 in
 * f64, 16 in f32): each loaded vector of M feeds two multiply-adds.
 */
function convImage<T>(out: usize, D: usize, A: usize, inp: usize, M: usize, bias: usize, h: f64, act: i32,
  nx: i32, ny: i32, HX: i32, HY: i32, cs: i32, coutp: i32, kx: i32, ky: i32, flip: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const PX = nx + 2 * HX, hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  const ldm = <usize>coutp * sz, ldi = <usize>cs * sz;
  const run = <usize>(kx * cs) * sz;
  const zero = vsplat<T>(0);
  for (let iy = 0; iy < ny; iy++) {
    let ix = 0;
    // Four pixels per sweep when the output channels are exactly two vectors (f32 width 8 — the
    // mnist-cnn network's —, f64 width 4): eight accumulators cover the multiply-add latency, and
    // each loaded vector of M feeds four. Each output gets the operations of the sweeps below, in their order.
    if (coutp == 2 * V) {
      for (; ix + 4 <= nx; ix += 4) {
        const q = (HY + iy) * PX + HX + ix;
        const i0 = inp + <usize>q * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
        const o0 = <usize>q * ldm, o1 = o0 + ldm, o2 = o1 + ldm, o3 = o2 + ldm;
        let a0 = zero, a1 = zero;
        if (bias != 0) {
          a0 = v128.load(bias); a1 = v128.load(bias, 16);
        }
        let b0 = a0, b1 = a1, c0 = a0, c1 = a1, e0 = a0, e1 = a1;
        let mp = M;
        for (let b = 0; b < ky; b++) {
          const off = <isize>(flip * (hy - b) * PX - hx) * <isize>ldi;
          const p0 = <usize>(<isize>i0 + off), p1 = <usize>(<isize>i1 + off), p2 = <usize>(<isize>i2 + off), p3 = <usize>(<isize>i3 + off);
          for (let k: usize = 0; k < run; k += sz, mp += ldm) {
            const m0 = v128.load(mp), m1 = v128.load(mp, 16);
            const s = vsplatAt<T>(p0 + k), t = vsplatAt<T>(p1 + k);
            a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1);
            b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1);
            const u = vsplatAt<T>(p2 + k), w = vsplatAt<T>(p3 + k);
            c0 = vmadd<T>(m0, u, c0); c1 = vmadd<T>(m1, u, c1);
            e0 = vmadd<T>(m0, w, e0); e1 = vmadd<T>(m1, w, e1);
          }
        }
        finish<T>(a0, out, D, A, o0, h, act); finish<T>(a1, out, D, A, o0 + 16, h, act);
        finish<T>(b0, out, D, A, o1, h, act); finish<T>(b1, out, D, A, o1 + 16, h, act);
        finish<T>(c0, out, D, A, o2, h, act); finish<T>(c1, out, D, A, o2 + 16, h, act);
        finish<T>(e0, out, D, A, o3, h, act); finish<T>(e1, out, D, A, o3 + 16, h, act);
      }
    }
    for (; ix < nx; ix += 2) {
      const two = ix + 1 < nx;
      const q = (HY + iy) * PX + HX + ix;
      const i0 = inp + <usize>q * ldi, i1 = two ? i0 + ldi : i0;
      const o0 = <usize>q * ldm, o1 = o0 + ldm;
      let cb = 0;
      for (; cb + 4 * V <= coutp; cb += 4 * V) {
        const cbo = <usize>cb * sz;
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        if (bias != 0) {
          a0 = v128.load(bias + cbo); a1 = v128.load(bias + cbo, 16); a2 = v128.load(bias + cbo, 32); a3 = v128.load(bias + cbo, 48);
        }
        let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        let mp = M + cbo;
        for (let b = 0; b < ky; b++) {
          const off = <isize>(flip * (hy - b) * PX - hx) * <isize>ldi;
          const p0 = <usize>(<isize>i0 + off), p1 = <usize>(<isize>i1 + off);
          for (let k: usize = 0; k < run; k += sz, mp += ldm) {
            const s = vsplatAt<T>(p0 + k), t = vsplatAt<T>(p1 + k);
            const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
            a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1); a2 = vmadd<T>(m2, s, a2); a3 = vmadd<T>(m3, s, a3);
            b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1); b2 = vmadd<T>(m2, t, b2); b3 = vmadd<T>(m3, t, b3);
          }
        }
        const c0 = o0 + cbo, c1 = o1 + cbo;
        finish<T>(a0, out, D, A, c0, h, act); finish<T>(a1, out, D, A, c0 + 16, h, act);
        finish<T>(a2, out, D, A, c0 + 32, h, act); finish<T>(a3, out, D, A, c0 + 48, h, act);
        if (two) {
          finish<T>(b0, out, D, A, c1, h, act); finish<T>(b1, out, D, A, c1 + 16, h, act);
          finish<T>(b2, out, D, A, c1 + 32, h, act); finish<T>(b3, out, D, A, c1 + 48, h, act);
        }
      }
      // Two vectors (f32: 8 channels, the mnist-cnn width): four accumulators instead of two.
      for (; cb + 2 * V <= coutp; cb += 2 * V) {
        const cbo = <usize>cb * sz;
        let a0 = zero, a1 = zero;
        if (bias != 0) {
          a0 = v128.load(bias + cbo); a1 = v128.load(bias + cbo, 16);
        }
        let b0 = a0, b1 = a1;
        let mp = M + cbo;
        for (let b = 0; b < ky; b++) {
          const off = <isize>(flip * (hy - b) * PX - hx) * <isize>ldi;
          const p0 = <usize>(<isize>i0 + off), p1 = <usize>(<isize>i1 + off);
          for (let k: usize = 0; k < run; k += sz, mp += ldm) {
            const s = vsplatAt<T>(p0 + k), t = vsplatAt<T>(p1 + k);
            const m0 = v128.load(mp), m1 = v128.load(mp, 16);
            a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1);
            b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1);
          }
        }
        const c0 = o0 + cbo, c1 = o1 + cbo;
        finish<T>(a0, out, D, A, c0, h, act); finish<T>(a1, out, D, A, c0 + 16, h, act);
        if (two) {
          finish<T>(b0, out, D, A, c1, h, act); finish<T>(b1, out, D, A, c1 + 16, h, act);
        }
      }
      for (; cb < coutp; cb += V) {
        const cbo = <usize>cb * sz;
        let a0 = bias != 0 ? v128.load(bias + cbo) : zero;
        let b0 = a0;
        let mp = M + cbo;
        for (let b = 0; b < ky; b++) {
          const off = <isize>(flip * (hy - b) * PX - hx) * <isize>ldi;
          const p0 = <usize>(<isize>i0 + off), p1 = <usize>(<isize>i1 + off);
          for (let k: usize = 0; k < run; k += sz, mp += ldm) {
            const m0 = v128.load(mp);
            a0 = vmadd<T>(m0, vsplatAt<T>(p0 + k), a0);
            b0 = vmadd<T>(m0, vsplatAt<T>(p1 + k), b0);
          }
        }
        finish<T>(a0, out, D, A, o0 + cbo, h, act);
        if (two) finish<T>(b0, out, D, A, o1 + cbo, h, act);
      }
    }
  }
}

/**
 * ∇M_u += Σ_{images, pixels} G(q) inp(q + off_u) and ∇b += Σ G(q) over the
 * `cols` images of a block (image strides gs and is elements). ∇M has the
 * layout of M in {@link convImage} (coutp × (ky·kx·cs), flip = 1); its
 * columns are taken in pairs, so each loaded vector of G feeds two multiply-adds.
 */
function convGradM<T>(dM: usize, db: usize, G: usize, inp: usize, gs: i32, is: i32, cols: i32,
  nx: i32, ny: i32, HX: i32, HY: i32, cs: i32, coutp: i32, kx: i32, ky: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const PX = nx + 2 * HX, hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  const ldm = <usize>coutp * sz, ldi = <usize>cs * sz;
  const R = kx * cs, U = ky * R;
  // (Four columns per sweep for two-vector channels, as convImage takes four pixels, measured slower in
  // f32 at width 8: f64/f32 step ratio 1.16–1.23 against 1.31–1.43 with pairs.)
  for (let u = 0; u < U; u += 2) {
    const pair = u + 1 < U;
    // Input byte offsets of columns u and u + 1: row b = u / R, element u % R of its run.
    const u1 = pair ? u + 1 : u;
    const off0 = <isize>(((hy - u / R) * PX - hx) * cs + u % R) * <isize>sz;
    const off1 = <isize>(((hy - u1 / R) * PX - hx) * cs + u1 % R) * <isize>sz;
    const k0 = dM + <usize>u * ldm, k1 = dM + <usize>u1 * ldm;
    let cb = 0;
    for (; cb + 4 * V <= coutp; cb += 4 * V) {
      const cbo = <usize>cb * sz;
      let a0 = v128.load(k0 + cbo), a1 = v128.load(k0 + cbo, 16), a2 = v128.load(k0 + cbo, 32), a3 = v128.load(k0 + cbo, 48);
      let b0 = vsplat<T>(0), b1 = b0, b2 = b0, b3 = b0;
      if (pair) {
        b0 = v128.load(k1 + cbo); b1 = v128.load(k1 + cbo, 16); b2 = v128.load(k1 + cbo, 32); b3 = v128.load(k1 + cbo, 48);
      }
      for (let j = 0; j < cols; j++) {
        const gj = G + <usize>j * <usize>gs * sz + cbo, ij = inp + <usize>j * <usize>is * sz;
        for (let iy = 0; iy < ny; iy++) {
          const q = (HY + iy) * PX + HX;
          let g = gj + <usize>q * ldm;
          let y = ij + <usize>q * ldi;
          for (let ix = 0; ix < nx; ix++, g += ldm, y += ldi) {
            const s = vsplatAt<T>(<usize>(<isize>y + off0)), r = vsplatAt<T>(<usize>(<isize>y + off1));
            const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
            a0 = vmadd<T>(g0, s, a0); a1 = vmadd<T>(g1, s, a1); a2 = vmadd<T>(g2, s, a2); a3 = vmadd<T>(g3, s, a3);
            b0 = vmadd<T>(g0, r, b0); b1 = vmadd<T>(g1, r, b1); b2 = vmadd<T>(g2, r, b2); b3 = vmadd<T>(g3, r, b3);
          }
        }
      }
      v128.store(k0 + cbo, a0); v128.store(k0 + cbo, a1, 16); v128.store(k0 + cbo, a2, 32); v128.store(k0 + cbo, a3, 48);
      if (pair) {
        v128.store(k1 + cbo, b0); v128.store(k1 + cbo, b1, 16); v128.store(k1 + cbo, b2, 32); v128.store(k1 + cbo, b3, 48);
      }
    }
    for (; cb + 2 * V <= coutp; cb += 2 * V) {
      const cbo = <usize>cb * sz;
      let a0 = v128.load(k0 + cbo), a1 = v128.load(k0 + cbo, 16);
      let b0 = vsplat<T>(0), b1 = b0;
      if (pair) {
        b0 = v128.load(k1 + cbo); b1 = v128.load(k1 + cbo, 16);
      }
      for (let j = 0; j < cols; j++) {
        const gj = G + <usize>j * <usize>gs * sz + cbo, ij = inp + <usize>j * <usize>is * sz;
        for (let iy = 0; iy < ny; iy++) {
          const q = (HY + iy) * PX + HX;
          let g = gj + <usize>q * ldm;
          let y = ij + <usize>q * ldi;
          for (let ix = 0; ix < nx; ix++, g += ldm, y += ldi) {
            const s = vsplatAt<T>(<usize>(<isize>y + off0)), r = vsplatAt<T>(<usize>(<isize>y + off1));
            const g0 = v128.load(g), g1 = v128.load(g, 16);
            a0 = vmadd<T>(g0, s, a0); a1 = vmadd<T>(g1, s, a1);
            b0 = vmadd<T>(g0, r, b0); b1 = vmadd<T>(g1, r, b1);
          }
        }
      }
      v128.store(k0 + cbo, a0); v128.store(k0 + cbo, a1, 16);
      if (pair) {
        v128.store(k1 + cbo, b0); v128.store(k1 + cbo, b1, 16);
      }
    }
    for (; cb < coutp; cb += V) {
      const cbo = <usize>cb * sz;
      let a0 = v128.load(k0 + cbo);
      let b0 = pair ? v128.load(k1 + cbo) : vsplat<T>(0);
      for (let j = 0; j < cols; j++) {
        const gj = G + <usize>j * <usize>gs * sz + cbo, ij = inp + <usize>j * <usize>is * sz;
        for (let iy = 0; iy < ny; iy++) {
          const q = (HY + iy) * PX + HX;
          let g = gj + <usize>q * ldm;
          let y = ij + <usize>q * ldi;
          for (let ix = 0; ix < nx; ix++, g += ldm, y += ldi) {
            const g0 = v128.load(g);
            a0 = vmadd<T>(g0, vsplatAt<T>(<usize>(<isize>y + off0)), a0);
            b0 = vmadd<T>(g0, vsplatAt<T>(<usize>(<isize>y + off1)), b0);
          }
        }
      }
      v128.store(k0 + cbo, a0);
      if (pair) v128.store(k1 + cbo, b0);
    }
  }
  // ∇b: the sums of G over the pixels of all images.
  for (let cb = 0; cb < coutp; cb += V) {
    const cbo = <usize>cb * sz;
    let s = v128.load(db + cbo);
    for (let j = 0; j < cols; j++) {
      const gj = G + <usize>j * <usize>gs * sz + cbo;
      for (let iy = 0; iy < ny; iy++) {
        let g = gj + <usize>((HY + iy) * PX + HX) * ldm;
        for (let ix = 0; ix < nx; ix++, g += ldm) s = vadd<T>(s, v128.load(g));
      }
    }
    v128.store(db + cbo, s);
  }
}

/** G = A ∘ W on the interior pixels of one image (channel stride cs, a multiple of the lanes). */
function hadamardImage<T>(G: usize, A: usize, W: usize, nx: i32, ny: i32, HX: i32, HY: i32, cs: i32): void {
  const PX = nx + 2 * HX;
  const row = <usize>(nx * cs) * SZ<T>();
  for (let iy = 0; iy < ny; iy++) {
    const o = <usize>(((HY + iy) * PX + HX) * cs) * SZ<T>();
    for (let k: usize = 0; k < row; k += 16) v128.store(G + o + k, vmul<T>(v128.load(A + o + k), v128.load(W + o + k)));
  }
}

/**
 * Average pooling of one image, nx×ny → (nx/p)×(ny/p), channel stride cs
 * (a multiple of the lanes): z = (1/p²)·Σ over the patch, rows of the patch summed first.
 */
function poolImage<T>(out: usize, inp: usize, nx: i32, ny: i32, p: i32, HX: i32, HY: i32, cs: i32): void {
  const PX = nx + 2 * HX, mx = nx / p, my = ny / p, PXo = mx + 2 * HX;
  const ld = <usize>cs * SZ<T>();
  const s = vsplat<T>(1.0 / <f64>(p * p));
  if (p == 2) {
    // The 2×2 patch unrolled: z = s·(y00 + y10) + s·(y01 + y11), the order of the loop below.
    const down = <usize>PX * ld;
    for (let oy = 0; oy < my; oy++) {
      let o = out + <usize>((HY + oy) * PXo + HX) * ld;
      let i = inp + <usize>((HY + 2 * oy) * PX + HX) * ld;
      for (let ox = 0; ox < mx; ox++, o += ld, i += 2 * ld) {
        for (let c: usize = 0; c < ld; c += 16) {
          const r0 = vadd<T>(v128.load(i + c), v128.load(i + ld + c));
          const r1 = vadd<T>(v128.load(i + down + c), v128.load(i + down + ld + c));
          v128.store(o + c, vmadd<T>(s, r1, vmul<T>(s, r0)));
        }
      }
    }
    return;
  }
  for (let oy = 0; oy < my; oy++) {
    for (let ox = 0; ox < mx; ox++) {
      const o = out + <usize>((HY + oy) * PXo + HX + ox) * ld;
      const i = inp + <usize>((HY + p * oy) * PX + HX + p * ox) * ld;
      for (let c: usize = 0; c < ld; c += 16) {
        let z = vsplat<T>(0);
        for (let b = 0; b < p; b++) {
          let r = vsplat<T>(0);
          const rb = i + <usize>(b * PX) * ld + c;
          for (let a = 0; a < p; a++) r = vadd<T>(r, v128.load(rb + <usize>a * ld));
          z = vmadd<T>(s, r, z);
        }
        v128.store(o + c, z);
      }
    }
  }
}

/** The transpose of {@link poolImage}: every input pixel gets (1/p²) times its patch's value. */
function poolTransposeImage<T>(out: usize, W: usize, nx: i32, ny: i32, p: i32, HX: i32, HY: i32, cs: i32): void {
  const PX = nx + 2 * HX, PXo = nx / p + 2 * HX;
  const ld = <usize>cs * SZ<T>();
  const s = vsplat<T>(1.0 / <f64>(p * p));
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const o = out + <usize>((HY + iy) * PX + HX + ix) * ld;
      const w = W + <usize>((HY + iy / p) * PXo + HX + ix / p) * ld;
      for (let c: usize = 0; c < ld; c += 16) v128.store(o + c, vmul<T>(s, v128.load(w + c)));
    }
  }
}

/**
 * out_j = M x_j + bias (bias = 0: none) for j < cols; M rows × inner
 * column-major (rows a multiple of the lanes), x_j and out_j columns of length inner and rows.
 * Two columns per sweep: each loaded vector of M feeds two multiply-adds.
 */
function affine<T>(out: usize, M: usize, bias: usize, x: usize, rows: i32, inner: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldr = <usize>rows * sz, ldi = <usize>inner * sz;
  const zero = vsplat<T>(0);
  for (let j = 0; j < cols; j += 2) {
    const two = j + 1 < cols;
    const xj = x + <usize>j * ldi, xk = two ? xj + ldi : xj, oj = out + <usize>j * ldr, ok = oj + ldr;
    let r = 0;
    for (; r + 4 * V <= rows; r += 4 * V) {
      const ro = <usize>r * sz;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16); a2 = v128.load(bias + ro, 32); a3 = v128.load(bias + ro, 48);
      }
      let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = vsplatAt<T>(xj + <usize>q * sz), t = vsplatAt<T>(xk + <usize>q * sz);
        const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
        a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1); a2 = vmadd<T>(m2, s, a2); a3 = vmadd<T>(m3, s, a3);
        b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1); b2 = vmadd<T>(m2, t, b2); b3 = vmadd<T>(m3, t, b3);
      }
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16); v128.store(oj + ro, a2, 32); v128.store(oj + ro, a3, 48);
      if (two) {
        v128.store(ok + ro, b0); v128.store(ok + ro, b1, 16); v128.store(ok + ro, b2, 32); v128.store(ok + ro, b3, 48);
      }
    }
    for (; r < rows; r += V) {
      const ro = <usize>r * sz;
      let a0 = bias != 0 ? v128.load(bias + ro) : zero;
      let b0 = a0;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const m0 = v128.load(mp);
        a0 = vmadd<T>(m0, vsplatAt<T>(xj + <usize>q * sz), a0);
        b0 = vmadd<T>(m0, vsplatAt<T>(xk + <usize>q * sz), b0);
      }
      v128.store(oj + ro, a0);
      if (two) v128.store(ok + ro, b0);
    }
  }
}

/**
 * dK += G Yᵀ (m × k, m a multiple of the lanes) and db += rowsums(G) over `cols` columns;
 * G m × cols, Y k × cols. Two columns of dK per sweep over the block.
 */
function outerAccumulate<T>(dK: usize, db: usize, G: usize, Y: usize, m: i32, k: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldm = <usize>m * sz, ldk = <usize>k * sz;
  for (let q = 0; q < k; q += 2) {
    const pair = q + 1 < k;
    const kq = dK + <usize>q * ldm, kq1 = pair ? kq + ldm : kq;
    const yq = Y + <usize>q * sz, yq1 = pair ? yq + sz : yq;
    for (let r = 0; r < m; r += V) {
      const ro = <usize>r * sz;
      let a = v128.load(kq + ro), b = v128.load(kq1 + ro);
      let g = G + ro;
      for (let j = 0; j < cols; j++, g += ldm) {
        const gv = v128.load(g), jo = <usize>j * ldk;
        a = vmadd<T>(gv, vsplatAt<T>(yq + jo), a);
        b = vmadd<T>(gv, vsplatAt<T>(yq1 + jo), b);
      }
      v128.store(kq + ro, a);
      if (pair) v128.store(kq1 + ro, b);
    }
  }
  for (let r = 0; r < m; r += V) {
    const ro = <usize>r * sz;
    let a = v128.load(db + ro);
    let g = G + ro;
    for (let j = 0; j < cols; j++, g += ldm) a = vadd<T>(a, v128.load(g));
    v128.store(db + ro, a);
  }
}

/** Copy the block's data columns (float64, reference layout: channel planes) into the padded, channel-innermost images of T at X0. */
function padInput<T>(d: usize, col0: i32, cols: i32): void {
  const nx = hdr(d, H_NX0), ny = hdr(d, H_NY0), cin = hdr(d, H_CIN0), HX = hdr(d, H_HX), HY = hdr(d, H_HY);
  const nIn = hdr(d, H_NIN), size = hdr(d, H_X0SIZE);
  const PX = nx + 2 * HX;
  const Y = <usize>hdr(d, H_Y), X0 = <usize>hdr(d, H_X0);
  for (let j = 0; j < cols; j++) {
    const src = Y + (<usize>(col0 + j) * <usize>nIn << 3), dst = X0 + <usize>j * <usize>size * SZ<T>();
    for (let c = 0; c < cin; c++) {
      for (let iy = 0; iy < ny; iy++) {
        const s = src + (<usize>(nx * (iy + ny * c)) << 3);
        const t = dst + <usize>(((HY + iy) * PX + HX) * cin + c) * SZ<T>();
        for (let ix = 0; ix < nx; ix++) store<T>(t + <usize>(ix * cin) * SZ<T>(), <T>load<f64>(s + (<usize>ix << 3)));
      }
    }
  }
}

/** Where stage s reads its input images. */
// @ts-ignore: decorator
@inline function stageInput(d: usize, s: i32): usize {
  return s == 0 ? <usize>hdr(d, H_X0) : <usize>srec(d, s - 1, S_Y);
}

/** Forward over all stages of one block of `cols` images. */
function forward<T>(d: usize, cols: i32): void {
  const S = hdr(d, H_S), HX = hdr(d, H_HX), HY = hdr(d, H_HY);
  for (let s = 0; s < S; s++) {
    const inp = stageInput(d, s), out = <usize>srec(d, s, S_Y);
    const nx = srec(d, s, S_NX), ny = srec(d, s, S_NY), cs = srec(d, s, S_CS);
    const is = <usize>srec(d, s, S_INSIZE) * SZ<T>(), os = <usize>srec(d, s, S_OUTSIZE) * SZ<T>();
    if (srec(d, s, S_TYPE) == CONV) {
      const A = <usize>srec(d, s, S_A), res = srec(d, s, S_RES) != 0;
      const M = <usize>srec(d, s, S_M), bias = <usize>srec(d, s, S_BP), h = res ? sh(d, s) : 1.0, act = srec(d, s, S_ACT);
      const coutp = srec(d, s, S_COUTP), kx = srec(d, s, S_KX), ky = srec(d, s, S_KY);
      for (let j = 0; j < cols; j++) {
        const ij = inp + <usize>j * is;
        convImage<T>(out + <usize>j * os, res ? ij : 0, A + <usize>j * os, ij, M, bias, h, act, nx, ny, HX, HY, cs, coutp, kx, ky, 1);
      }
    } else {
      const p = srec(d, s, S_P);
      for (let j = 0; j < cols; j++) poolImage<T>(out + <usize>j * os, inp + <usize>j * is, nx, ny, p, HX, HY, cs);
    }
  }
}

/**
 * Backward over all stages of one block from W (the last stage's output
 * layout) in buffer w; w2 is the other scratch buffer. The parameter
 * gradients accumulate at grad; the first stage's input gradient is not formed.
 */
function backward<T>(d: usize, cols: i32, w: usize, w2: usize, grad: usize): void {
  const S = hdr(d, H_S), HX = hdr(d, H_HX), HY = hdr(d, H_HY);
  for (let s = S - 1; s >= 0; s--) {
    const nx = srec(d, s, S_NX), ny = srec(d, s, S_NY), cs = srec(d, s, S_CS);
    const isz = srec(d, s, S_INSIZE), osz = srec(d, s, S_OUTSIZE);
    const is = <usize>isz * SZ<T>(), os = <usize>osz * SZ<T>();
    if (srec(d, s, S_TYPE) == CONV) {
      const A = <usize>srec(d, s, S_A), G = <usize>srec(d, s, S_G), res = srec(d, s, S_RES) != 0;
      const coutp = srec(d, s, S_COUTP), kx = srec(d, s, S_KX), ky = srec(d, s, S_KY);
      for (let j = 0; j < cols; j++) hadamardImage<T>(G + <usize>j * os, A + <usize>j * os, w + <usize>j * os, nx, ny, HX, HY, coutp);
      convGradM<T>(grad + <usize>srec(d, s, S_GOFF) * SZ<T>(), grad + <usize>srec(d, s, S_DBOFF) * SZ<T>(), G, stageInput(d, s), osz, isz, cols,
        nx, ny, HX, HY, cs, coutp, kx, ky);
      if (s == 0) break;
      // W ← [W] + h·Kᵀ G: the convolution with the transposed taps, read at the mirrored offsets.
      const Mt = <usize>srec(d, s, S_MT), h = res ? sh(d, s) : 1.0;
      for (let j = 0; j < cols; j++) {
        convImage<T>(w2 + <usize>j * is, res ? w + <usize>j * os : 0, 0, G + <usize>j * os, Mt, 0, h, LINEAR, nx, ny, HX, HY, coutp, cs, kx, ky, -1);
      }
    } else {
      if (s == 0) break;
      const p = srec(d, s, S_P);
      for (let j = 0; j < cols; j++) poolTransposeImage<T>(w2 + <usize>j * is, w + <usize>j * os, nx, ny, p, HX, HY, cs);
    }
    const t = w; w = w2; w2 = t;
  }
}

/**
 * The loss of one block: S = W_Z Z + w_b (into P, ncp rows), per column the
 * value m + log Σ exp(S − m) − cᵀs and the hit (argmax S = argmax C, first
 * maximum) into the partial, P = softmax(S). With `grad`: T = (P − C)/n,
 * ∇W_Z += T Zᵀ, ∇w_b += rowsums T, and W = W_Zᵀ T into dz.
 */
function loss<T>(d: usize, col0: i32, cols: i32, part: usize, grad: bool, dz: usize): void {
  const sz = SZ<T>();
  const nc = hdr(d, H_NC), ncp = padClasses<T>(nc), F = hdr(d, H_F), bias = hdr(d, H_BIAS) != 0;
  const Z = <usize>srec(d, hdr(d, H_S) - 1, S_Y);
  const P = <usize>hdr(d, H_P), Tm = <usize>hdr(d, H_T), W = <usize>hdr(d, H_W);
  const wb = W + <usize>(ncp * F) * sz, Wt = wb + <usize>ncp * sz;
  const C = <usize>hdr(d, H_C) + (<usize>col0 * <usize>nc << 3);
  const invN = load<f64>(d + H_INVN);
  affine<T>(P, W, bias ? wb : 0, Z, ncp, F, cols);
  // Per column in double (S read from T): the softmax's max, sums and logarithm.
  let value = 0.0, hits = 0.0;
  for (let j = 0; j < cols; j++) {
    const pj = P + <usize>(j * ncp) * sz, cj = C + (<usize>(j * nc) << 3);
    let mx = -Infinity;
    let bs = 0, bc = 0;
    for (let i = 0; i < nc; i++) {
      const si = <f64>load<T>(pj + <usize>i * sz);
      if (si > mx) mx = si;
      if (i > 0) {
        if (si > <f64>load<T>(pj + <usize>bs * sz)) bs = i;
        if (load<f64>(cj + (<usize>i << 3)) > load<f64>(cj + (<usize>bc << 3))) bc = i;
      }
    }
    if (bs == bc) hits += 1.0;
    let zsum = 0.0, cs = 0.0;
    for (let i = 0; i < nc; i++) {
      const pi = pj + <usize>i * sz;
      const si = <f64>load<T>(pi);
      cs += load<f64>(cj + (<usize>i << 3)) * si;
      const e = Math.exp(si - mx);
      store<T>(pi, <T>e);
      zsum += e;
    }
    const inv = 1.0 / zsum;
    for (let i = 0; i < nc; i++) store<T>(pj + <usize>i * sz, <T>(<f64>load<T>(pj + <usize>i * sz) * inv));
    for (let i = nc; i < ncp; i++) store<T>(pj + <usize>i * sz, <T>0);
    value += mx + Math.log(zsum) - cs;
    if (!grad) continue;
    const tj = Tm + <usize>(j * ncp) * sz;
    for (let i = 0; i < nc; i++) store<T>(tj + <usize>i * sz, <T>((<f64>load<T>(pj + <usize>i * sz) - load<f64>(cj + (<usize>i << 3))) * invN));
    for (let i = nc; i < ncp; i++) store<T>(tj + <usize>i * sz, <T>0);
  }
  store<f64>(part, load<f64>(part) + value);
  store<f64>(part, load<f64>(part, 8) + hits, 8);
  if (!grad) return;
  const gW = part + PART_GRAD + <usize>hdr(d, H_GW) * sz;
  outerAccumulate<T>(gW, gW + <usize>(ncp * F) * sz, Tm, Z, ncp, F, cols);
  affine<T>(dz, Wt, 0, Tm, F, ncp, cols);
}

/** out = [D] + h·(A ∘ U) on the interior pixels of one image (channel stride cs, a multiple of the lanes). */
function maskImage<T>(out: usize, D: usize, A: usize, U: usize, h: f64, nx: i32, ny: i32, HX: i32, HY: i32, cs: i32): void {
  const PX = nx + 2 * HX;
  const row = <usize>(nx * cs) * SZ<T>();
  const hv = vsplat<T>(h);
  for (let iy = 0; iy < ny; iy++) {
    const o = <usize>(((HY + iy) * PX + HX) * cs) * SZ<T>();
    for (let k: usize = 0; k < row; k += 16) {
      const g = vmul<T>(v128.load(A + o + k), v128.load(U + o + k));
      v128.store(out + o + k, D != 0 ? vmadd<T>(hv, g, v128.load(D + o + k)) : vmul<T>(hv, g));
    }
  }
}

/**
 * The linearised forward of one block for the direction at H_V (the
 * gradient layout): per conv stage dY⁺ = [dY] + h·A ∘ (K(dθ) Y + db + K dY)
 * (dY = 0 for the data), per pooling dY⁺ = P dY, into each stage's dY
 * buffer (zero halo: the next convolution reads it). U = K(dθ) Y + db + K dY
 * is formed in the stage's G buffer (free until the backward sweep). Returns
 * the last stage's dY buffer (dZ).
 */
function jvpBlock<T>(d: usize, cols: i32): usize {
  const S = hdr(d, H_S), HX = hdr(d, H_HX), HY = hdr(d, H_HY);
  const V = <usize>hdr(d, H_V);
  let dy: usize = 0;
  for (let s = 0; s < S; s++) {
    const out = <usize>srec(d, s, S_DY);
    const nx = srec(d, s, S_NX), ny = srec(d, s, S_NY), cs = srec(d, s, S_CS);
    const is = <usize>srec(d, s, S_INSIZE) * SZ<T>(), os = <usize>srec(d, s, S_OUTSIZE) * SZ<T>();
    if (srec(d, s, S_TYPE) == CONV) {
      const inp = stageInput(d, s), A = <usize>srec(d, s, S_A), U = <usize>srec(d, s, S_G), res = srec(d, s, S_RES) != 0;
      const M = <usize>srec(d, s, S_M), h = res ? sh(d, s) : 1.0;
      const coutp = srec(d, s, S_COUTP), kx = srec(d, s, S_KX), ky = srec(d, s, S_KY);
      const dM = V + <usize>srec(d, s, S_GOFF) * SZ<T>(), db = V + <usize>srec(d, s, S_DBOFF) * SZ<T>();
      for (let j = 0; j < cols; j++) {
        const uj = U + <usize>j * os;
        convImage<T>(uj, 0, 0, inp + <usize>j * is, dM, db, 1.0, LINEAR, nx, ny, HX, HY, cs, coutp, kx, ky, 1);
        if (dy != 0) convImage<T>(uj, uj, 0, dy + <usize>j * is, M, 0, 1.0, LINEAR, nx, ny, HX, HY, cs, coutp, kx, ky, 1);
        maskImage<T>(out + <usize>j * os, res && dy != 0 ? dy + <usize>j * is : 0, A + <usize>j * os, uj, h, nx, ny, HX, HY, coutp);
      }
    } else {
      const p = srec(d, s, S_P);
      for (let j = 0; j < cols; j++) poolImage<T>(out + <usize>j * os, dy + <usize>j * is, nx, ny, p, HX, HY, cs);
    }
    dy = out;
  }
  return dy;
}

/** T ← ∇²_S E T column by column: p ∘ (t − pᵀt)/n (pad rows stay 0). */
function softmaxHess<T>(Tm: usize, P: usize, nc: i32, ncp: i32, invN: f64, cols: i32): void {
  const sz = SZ<T>();
  for (let j = 0; j < cols; j++) {
    const tj = Tm + <usize>(j * ncp) * sz, pj = P + <usize>(j * ncp) * sz;
    let pv = 0.0;
    for (let i = 0; i < nc; i++) pv += <f64>load<T>(pj + <usize>i * sz) * <f64>load<T>(tj + <usize>i * sz);
    for (let i = 0; i < nc; i++) {
      const ti = tj + <usize>i * sz;
      store<T>(ti, <T>(<f64>load<T>(pj + <usize>i * sz) * (<f64>load<T>(ti) - pv) * invN));
    }
  }
}

/**
 * The loss part of a Gauss-Newton mat-vec over one block:
 * T = W_Z dz (+ vW [Z; 1] when `full`), T ← ∇²_S E T, w = W_Zᵀ T; the W
 * block accumulates T [Z; 1]ᵀ (block-diagonal coupling: from its own
 * T2 = ∇²_S E vW [Z; 1]) into the partial. P = softmax(S) of the forward.
 */
function lossGN<T>(d: usize, cols: i32, part: usize, dz: usize, w: usize, full: bool): void {
  const sz = SZ<T>();
  const nc = hdr(d, H_NC), ncp = padClasses<T>(nc), F = hdr(d, H_F), bias = hdr(d, H_BIAS) != 0;
  const Z = <usize>srec(d, hdr(d, H_S) - 1, S_Y);
  const P = <usize>hdr(d, H_P), Tm = <usize>hdr(d, H_T), T2 = <usize>hdr(d, H_T2), W = <usize>hdr(d, H_W);
  const Wt = W + <usize>(ncp * F + ncp) * sz;
  const off = <usize>hdr(d, H_GW) * sz;
  const gW = part + PART_GRAD + off, vW = <usize>hdr(d, H_V) + off;
  const gWb = gW + <usize>(ncp * F) * sz, vWb = vW + <usize>(ncp * F) * sz;
  const invN = load<f64>(d + H_INVN);
  affine<T>(Tm, W, 0, dz, ncp, F, cols);
  affine<T>(T2, vW, bias ? vWb : 0, Z, ncp, F, cols);
  if (full) {
    const end = <usize>(ncp * cols) * sz;
    for (let k: usize = 0; k < end; k += 16) v128.store(Tm + k, vadd<T>(v128.load(Tm + k), v128.load(T2 + k)));
  }
  softmaxHess<T>(Tm, P, nc, ncp, invN, cols);
  affine<T>(w, Wt, 0, Tm, F, ncp, cols);
  if (!full) softmaxHess<T>(T2, P, nc, ncp, invN, cols);
  outerAccumulate<T>(gW, gWb, full ? Tm : T2, Z, ncp, F, cols);
}

/** One call's blocks of a pass in element type T (see {@link convNetChunks}). */
function chunks<T>(d: usize, mode: i32, c0: i32, count: i32, part: usize): void {
  const sz = SZ<T>();
  const n = hdr(d, H_N), B = hdr(d, H_B);
  const G0: usize = <usize>PART_GRAD + <usize>(hdr(d, H_GW) + padClasses<T>(hdr(d, H_NC)) * (hdr(d, H_F) + 1)) * sz;
  memory.fill(part, 0, G0);
  const scr = <usize>hdr(d, H_SCR), img = <usize>hdr(d, H_SCRIMG) * <usize>B * sz;
  const w1 = scr, w2 = scr + img;
  for (let c = c0; c < c0 + count; c++) {
    const col0 = c * B;
    const cols = min(B, n - col0);
    if (cols <= 0) break;
    padInput<T>(d, col0, cols);
    if ((mode & FWD) != 0) forward<T>(d, cols);
    if ((mode & LOSS) != 0) {
      const grad = (mode & GRAD) != 0;
      loss<T>(d, col0, cols, part, grad, w1);
      if (grad) backward<T>(d, cols, w1, w2, part + PART_GRAD);
    }
    if ((mode & GN) != 0) {
      lossGN<T>(d, cols, part, jvpBlock<T>(d, cols), w1, (mode & FULL) != 0);
      backward<T>(d, cols, w1, w2, part + PART_GRAD);
    }
  }
}

/**
 * Run column blocks c0 … c0+count−1 of a pass of the convolutional plan
 * described at `desc` (src/engine/convWorkspace.ts: one descriptor per thread
 * slot), float64, accumulating into the partial at `part` (zeroed first). `mode` bits: 1 forward, 2 loss value
 * (and P), 4 gradient (needs 1 and 2), 32 Gauss-Newton mat-vec Jᵀ ∇²_S E J v
 * for the direction v at H_V (needs 1 and 2: the states are recomputed per
 * block), 64 with the full (θ, W) coupling.
 */
export function convNetChunks(desc: usize, mode: i32, c0: i32, count: i32, part: usize): void {
  chunks<f64>(desc, mode, c0, count, part);
}

/**
 * {@link convNetChunks} in float32 (a workspace laid out for it): states,
 * parameters as the kernel reads them, products and the partial gradient in
 * single precision (channels and classes padded to 4); the data, labels, loss
 * value and hit count in double.
 */
export function convNetChunks32(desc: usize, mode: i32, c0: i32, count: i32, part: usize): void {
  chunks<f32>(desc, mode, c0, count, part);
}
