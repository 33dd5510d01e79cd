/**
 * The computational core of every 2-D convolution operator (internal).
 *
 * Geometry: nx×ny images with `cin` channels in, `cout` out, pixel (ix, iy) of
 * channel c at `ix + nx*(iy + ny*c)` (docs/conventions.md §1); an odd kx×ky stencil with
 * half-widths hx = (kx−1)/2, hy = (ky−1)/2; output only at the strided pixels
 * (s·ox, s·oy), ox < mx = nx/s, oy < my = ny/s (0-based; MATLAB's 1, 1+s, …).
 * A list of channel pairs (ci → co) each carries its own stencil; the full
 * kernel W stores pair q's stencil at `q*kx*ky + a + kx*b`. A full conv2d has
 * every pair (q = ci + cin*co, so W is θ laid out [kx, ky, cin, cout]); a
 * depthwise one only (c → c).
 *
 * Convention (docs/conventions.md §2, the same in each direction):
 *   z(ix, iy) = Σ_{a,b} W[a, b] · y(ix + hx − a, iy + hy − b).
 *
 * Direct path: each image is copied once into a padded buffer P of size
 * (nx + 2hx) × (ny + 2hy) per channel, the border filled with zeros (zero
 * boundary) or with the wrapped-around image (periodic). Then every stencil
 * entry is one shifted, strided AXPY over contiguous rows — no bounds tests
 * in the inner loops, the same kernel for both boundaries. The transpose
 * scatters into a padded accumulator and then crops (zero) or folds the border
 * back onto the image (periodic). The W-gradient is a dot product of Z with the
 * shifted padded image.
 *
 * WebAssembly path: with the 'wasm' kernel backend, convolutions with every
 * channel pair in θ order (conv2d, separable and doubly symmetric kernels —
 * any stride, either boundary) run in the SIMD kernels of
 * src/core/wasm/conv2d.ts instead of the direct loops; depthwise pairings and
 * the FFT path stay in TypeScript.
 *
 * FFT path (periodic only): K^{co,ci} = F⁻¹ diag(λ_q) F with λ_q = F₂(K e_1).
 * Two real images travel as one complex image (y_j + i·y_{j+1}); their FFTs
 * are computed once per input channel and reused for every output channel.
 */
import { createFft2Plan, type Fft2Plan } from '../core/fft.js';
import { getKernelBackend } from '../core/wasm/backend.js';
import { wasmConv2d, wasmConv2dGradTheta, wasmConv2dTranspose } from '../core/wasm/conv2d.js';
import { circulantFirstColumn2d } from './circulantEigenvalues.js';
import type { Boundary } from './conv1d.js';

/** Sizes and channel pairing of a convolution (internal). */
export interface ConvGeometry {
  nx: number;
  ny: number;
  kx: number;
  ky: number;
  cin: number;
  cout: number;
  stride: number;
  boundary: Boundary;
  /** Input channel of pair q. */
  pairIn: Int32Array;
  /** Output channel of pair q. */
  pairOut: Int32Array;
}

/** All cin·cout pairs, q = ci + cin*co (θ layout [kx, ky, cin, cout]). */
export function fullPairs(cin: number, cout: number): { pairIn: Int32Array; pairOut: Int32Array } {
  const pairIn = new Int32Array(cin * cout), pairOut = new Int32Array(cin * cout);
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      pairIn[ci + cin * co] = ci;
      pairOut[ci + cin * co] = co;
    }
  }
  return { pairIn, pairOut };
}

/** Pairs c → c for a depthwise (channel-by-channel) convolution. */
export function depthwisePairs(c: number): { pairIn: Int32Array; pairOut: Int32Array } {
  const pairIn = new Int32Array(c);
  for (let i = 0; i < c; i++) pairIn[i] = i;
  return { pairIn, pairOut: Int32Array.from(pairIn) };
}

/**
 * The trusting kernels on raw column-major arrays (internal). Every output
 * array must be zero-filled on entry, as all callers hand them in (the
 * operators' `out`, base.ts): the TypeScript loops accumulate into it, the
 * WebAssembly kernels overwrite it (beta = 0, so it is not copied into
 * WebAssembly memory first).
 */
export class ConvEngine {
  readonly nx: number;
  readonly ny: number;
  readonly kx: number;
  readonly ky: number;
  readonly cin: number;
  readonly cout: number;
  readonly stride: number;
  readonly boundary: Boundary;
  readonly pairIn: Int32Array;
  readonly pairOut: Int32Array;
  readonly nPairs: number;
  readonly mx: number;
  readonly my: number;
  readonly nIn: number;
  readonly nOut: number;
  /** Length of the full kernel W. */
  readonly nW: number;
  readonly useFft: boolean;
  private readonly hx: number;
  private readonly hy: number;
  private readonly Px: number;
  private readonly Py: number;
  private fftPlan: Fft2Plan | null = null;
  private lamKey: Float64Array | null = null;
  private lamRe: Float64Array | null = null;
  private lamIm: Float64Array | null = null;

  constructor(g: ConvGeometry, useFft: boolean) {
    this.nx = g.nx;
    this.ny = g.ny;
    this.kx = g.kx;
    this.ky = g.ky;
    this.cin = g.cin;
    this.cout = g.cout;
    this.stride = g.stride;
    this.boundary = g.boundary;
    this.pairIn = g.pairIn;
    this.pairOut = g.pairOut;
    this.nPairs = g.pairIn.length;
    this.mx = g.nx / g.stride;
    this.my = g.ny / g.stride;
    this.nIn = g.nx * g.ny * g.cin;
    this.nOut = this.mx * this.my * g.cout;
    this.nW = g.kx * g.ky * this.nPairs;
    this.hx = (g.kx - 1) >> 1;
    this.hy = (g.ky - 1) >> 1;
    this.Px = g.nx + 2 * this.hx;
    this.Py = g.ny + 2 * this.hy;
    this.useFft = useFft && g.boundary === 'periodic';
    let full = this.nPairs === g.cin * g.cout;
    for (let q = 0; full && q < this.nPairs; q++) full = g.pairIn[q] === q % g.cin && g.pairOut[q] === Math.floor(q / g.cin);
    this.wasmEligible = full;
  }

  /**
   * The WebAssembly SIMD kernels cover every stride with all cin·cout pairs in
   * θ order (not the depthwise pairing, which would need a cin·cout kernel of
   * mostly zeros).
   */
  private readonly wasmEligible: boolean;

  private useWasm(): boolean {
    return this.wasmEligible && !this.useFft && getKernelBackend() === 'wasm';
  }

  // ------------------------------------------------------------------ padding
  /**
   * Copy one example (`c` channels of nx×ny at `src[off..]`) into the padded
   * buffer P ((nx+2hx)×(ny+2hy) per channel): the border stays zero (zero
   * boundary; only the interior is ever written) or gets the wrapped image.
   */
  private pad(src: Float64Array, off: number, c: number, P: Float64Array): void {
    const { nx, ny, hx, hy, Px, Py } = this;
    const PP = Px * Py;
    for (let ch = 0; ch < c; ch++) {
      const pc = ch * PP, sc = off + ch * nx * ny;
      // Row by row with a plain loop: rows are short (nx ≈ 7…28), where a
      // subarray view per row costs more than the copy itself.
      for (let iy = 0; iy < ny; iy++) {
        const s0 = sc + iy * nx, p0 = pc + (iy + hy) * Px + hx;
        for (let ix = 0; ix < nx; ix++) P[p0 + ix] = src[s0 + ix];
      }
      if (this.boundary === 'periodic') {
        // Wrap in x on the interior rows, then copy whole padded rows in y.
        for (let py = hy; py < hy + ny; py++) {
          const r = pc + py * Px;
          for (let a = 0; a < hx; a++) {
            P[r + a] = P[r + a + nx];
            P[r + hx + nx + a] = P[r + hx + a];
          }
        }
        for (let b = 0; b < hy; b++) {
          P.copyWithin(pc + b * Px, pc + (b + ny) * Px, pc + (b + ny + 1) * Px);
          P.copyWithin(pc + (hy + ny + b) * Px, pc + (hy + b) * Px, pc + (hy + b + 1) * Px);
        }
      }
    }
  }

  /** Add the padded accumulator A onto one example's image(s) at `dst[off..]`: crop (zero) or fold (periodic). */
  private unpad(A: Float64Array, dst: Float64Array, off: number): void {
    const { nx, ny, cin, hx, hy, Px, Py } = this;
    const PP = Px * Py;
    for (let c = 0; c < cin; c++) {
      const pc = c * PP, dc = off + c * nx * ny;
      if (this.boundary === 'zero') {
        for (let iy = 0; iy < ny; iy++) {
          const r = pc + (iy + hy) * Px + hx, d = dc + iy * nx;
          for (let ix = 0; ix < nx; ix++) dst[d + ix] += A[r + ix];
        }
      } else {
        for (let py = 0; py < Py; py++) {
          let iy = py - hy;
          if (iy < 0) iy += ny;
          else if (iy >= ny) iy -= ny;
          const r = pc + py * Px, d = dc + iy * nx;
          for (let ix = 0; ix < nx; ix++) dst[d + ix] += A[r + ix + hx];
          for (let a = 0; a < hx; a++) {
            dst[d + nx - hx + a] += A[r + a];
            dst[d + a] += A[r + hx + nx + a];
          }
        }
      }
    }
  }

  /**
   * The one correlation kernel behind forward and (stride-1) transpose:
   * out(ox, oy) += Σ_{u,v} V[u + kx·v] · P(s·ox + u, s·oy + v) for ox < mo, oy < no,
   * P a padded channel starting at `pc`, the output block at `zo` (row length mo).
   * 3×3 stencils get an unrolled body (stride 1: a sliding window, so each
   * padded pixel is loaded once per row); other sizes one contiguous AXPY per tap.
   */
  private correlate(P: Float64Array, pc: number, V: Float64Array, vq: number, out: Float64Array, zo: number, mo: number, no: number, s: number): void {
    const { kx, ky, Px } = this;
    if (kx === 3 && ky === 3) {
      const v00 = V[vq], v10 = V[vq + 1], v20 = V[vq + 2];
      const v01 = V[vq + 3], v11 = V[vq + 4], v21 = V[vq + 5];
      const v02 = V[vq + 6], v12 = V[vq + 7], v22 = V[vq + 8];
      for (let oy = 0; oy < no; oy++) {
        const r0 = pc + Px * s * oy, r1 = r0 + Px, r2 = r1 + Px, z = zo + mo * oy;
        if (s === 1) {
          let a0 = P[r0], b0 = P[r1], c0 = P[r2];
          let a1 = P[r0 + 1], b1 = P[r1 + 1], c1 = P[r2 + 1];
          for (let ox = 0; ox < mo; ox++) {
            const a2 = P[r0 + ox + 2], b2 = P[r1 + ox + 2], c2 = P[r2 + ox + 2];
            out[z + ox] += v00 * a0 + v10 * a1 + v20 * a2 + v01 * b0 + v11 * b1 + v21 * b2 + v02 * c0 + v12 * c1 + v22 * c2;
            a0 = a1; a1 = a2;
            b0 = b1; b1 = b2;
            c0 = c1; c1 = c2;
          }
        } else {
          for (let ox = 0; ox < mo; ox++) {
            const x = s * ox;
            out[z + ox] += v00 * P[r0 + x] + v10 * P[r0 + x + 1] + v20 * P[r0 + x + 2]
              + v01 * P[r1 + x] + v11 * P[r1 + x + 1] + v21 * P[r1 + x + 2]
              + v02 * P[r2 + x] + v12 * P[r2 + x + 1] + v22 * P[r2 + x + 2];
          }
        }
      }
      return;
    }
    if (s === 1 && (kx === 5 || kx === 3 || kx === 1)) {
      // Stride 1, kx ∈ {1, 3, 5}: one pass per stencil row v, the kx taps of
      // that row unrolled over a sliding window along x.
      for (let v = 0; v < ky; v++) {
        const w = vq + kx * v;
        const t0 = V[w], t1 = kx > 1 ? V[w + 1] : 0, t2 = kx > 1 ? V[w + 2] : 0, t3 = kx > 3 ? V[w + 3] : 0, t4 = kx > 3 ? V[w + 4] : 0;
        for (let oy = 0; oy < no; oy++) {
          const z = zo + mo * oy, r = pc + Px * (oy + v);
          if (kx === 5) {
            let p0 = P[r], p1 = P[r + 1], p2 = P[r + 2], p3 = P[r + 3];
            for (let ox = 0; ox < mo; ox++) {
              const p4 = P[r + ox + 4];
              out[z + ox] += t0 * p0 + t1 * p1 + t2 * p2 + t3 * p3 + t4 * p4;
              p0 = p1; p1 = p2; p2 = p3; p3 = p4;
            }
          } else if (kx === 3) {
            let p0 = P[r], p1 = P[r + 1];
            for (let ox = 0; ox < mo; ox++) {
              const p2 = P[r + ox + 2];
              out[z + ox] += t0 * p0 + t1 * p1 + t2 * p2;
              p0 = p1; p1 = p2;
            }
          } else {
            for (let ox = 0; ox < mo; ox++) out[z + ox] += t0 * P[r + ox];
          }
        }
      }
      return;
    }
    // Any other case: per output pixel a dot product over the stencil rows,
    // one stencil row (kx contiguous pixels) at a time.
    for (let oy = 0; oy < no; oy++) {
      const z = zo + mo * oy, r0 = pc + Px * s * oy;
      for (let ox = 0; ox < mo; ox++) {
        let acc = 0;
        for (let v = 0, r = r0 + s * ox, w = vq; v < ky; v++, r += Px, w += kx) {
          for (let u = 0; u < kx; u++) acc += V[w + u] * P[r + u];
        }
        out[z + ox] += acc;
      }
    }
  }

  /** The stencils rotated by 180° (V[u, v] = W[kx−1−u, ky−1−v]), as the forward correlation needs. */
  private flipped(W: Float64Array): Float64Array {
    const { kx, ky, nPairs } = this;
    const kk = kx * ky;
    const V = new Float64Array(W.length);
    for (let q = 0; q < nPairs; q++) {
      for (let v = 0; v < ky; v++) {
        for (let u = 0; u < kx; u++) V[q * kk + u + kx * v] = W[q * kk + (kx - 1 - u) + kx * (ky - 1 - v)];
      }
    }
    return V;
  }

  // ------------------------------------------------------------------- direct
  /** out (nOut × n, zero-filled) ← K(W) Y. */
  forward(W: Float64Array, Y: Float64Array, n: number, out: Float64Array): void {
    if (this.useFft) return this.fftForward(W, Y, n, out);
    if (this.useWasm()) return wasmConv2d(out, W, Y, n, this, { beta: 0 });
    const { kx, ky, Px, Py, mx, my, stride: s, nIn, nOut, nPairs, pairIn, pairOut } = this;
    const PP = Px * Py, M = mx * my, kk = kx * ky;
    // z(ox, oy) = Σ_{a,b} W[a,b] P(s·ox + 2hx − a, …) = Σ_{u,v} V[u,v] P(s·ox + u, …), V = W rotated.
    const V = this.flipped(W);
    const P = new Float64Array(PP * this.cin);
    for (let j = 0; j < n; j++) {
      this.pad(Y, j * nIn, this.cin, P);
      const oj = j * nOut;
      for (let q = 0; q < nPairs; q++) this.correlate(P, pairIn[q] * PP, V, q * kk, out, oj + pairOut[q] * M, mx, my, s);
    }
  }

  /** out (nIn × n, zero-filled) ← K(W)ᵀ Z. */
  transpose(W: Float64Array, Z: Float64Array, n: number, out: Float64Array): void {
    if (this.useFft) return this.fftTranspose(W, Z, n, out);
    if (this.useWasm()) return wasmConv2dTranspose(out, W, Z, n, this, { beta: 0 });
    const { nx, ny, kx, ky, hx, hy, Px, Py, mx, my, stride: s, nIn, nOut, nPairs, pairIn, pairOut } = this;
    const PP = Px * Py, M = mx * my, kk = kx * ky, N = nx * ny;
    if (s === 1) {
      // Stride 1: Kᵀ is again a correlation, with the unrotated stencil, over
      // the padded Z: y(ix, iy) = Σ_{a,b} W[a,b] Zp(ix + a, iy + b).
      const P = new Float64Array(PP * this.cout);
      for (let j = 0; j < n; j++) {
        this.pad(Z, j * nOut, this.cout, P);
        const oj = j * nIn;
        for (let q = 0; q < nPairs; q++) this.correlate(P, pairOut[q] * PP, W, q * kk, out, oj + pairIn[q] * N, nx, ny, 1);
      }
      return;
    }
    // Stride s > 1: scatter each output pixel's stencil into a padded
    // accumulator, then crop or fold its border.
    const A = new Float64Array(PP * this.cin);
    const rowStep = Px * s;
    for (let j = 0; j < n; j++) {
      A.fill(0);
      const zj = j * nOut;
      for (let q = 0; q < nPairs; q++) {
        const pc = pairIn[q] * PP, zc = zj + pairOut[q] * M, wq = q * kk;
        for (let b = 0; b < ky; b++) {
          for (let a = 0; a < kx; a++) {
            const w = W[wq + a + kx * b];
            if (w === 0) continue;
            let po = pc + (2 * hx - a) + Px * (2 * hy - b);
            let zo = zc;
            for (let oy = 0; oy < my; oy++, po += rowStep, zo += mx) {
              for (let ox = 0; ox < mx; ox++) A[po + s * ox] += w * Z[zo + ox];
            }
          }
        }
      }
      this.unpad(A, out, j * nIn);
    }
  }

  /** out (nW, zero-filled) ← Σ_examples ∂⟨Z, K(W)Y⟩/∂W. */
  gradW(Z: Float64Array, Y: Float64Array, n: number, out: Float64Array): void {
    if (this.useFft) return this.fftGradW(Z, Y, n, out);
    if (this.useWasm()) return wasmConv2dGradTheta(out, Z, Y, n, this, { beta: 0 });
    const { kx, ky, hx, hy, Px, Py, mx, my, stride: s, nIn, nOut, nPairs, pairIn, pairOut } = this;
    const PP = Px * Py, M = mx * my, kk = kx * ky;
    const P = new Float64Array(PP * this.cin);
    const rowStep = Px * s;
    const three = kx === 3 && ky === 3;
    for (let j = 0; j < n; j++) {
      this.pad(Y, j * nIn, this.cin, P);
      const zj = j * nOut;
      for (let q = 0; q < nPairs; q++) {
        const pc = pairIn[q] * PP, zc = zj + pairOut[q] * M, wq = q * kk;
        if (three) {
          // g(u, v) = Σ z(ox, oy) P(s·ox + u, s·oy + v), W index (2−u) + 3(2−v).
          let g00 = 0, g10 = 0, g20 = 0, g01 = 0, g11 = 0, g21 = 0, g02 = 0, g12 = 0, g22 = 0;
          for (let oy = 0; oy < my; oy++) {
            const r0 = pc + rowStep * oy, r1 = r0 + Px, r2 = r1 + Px, z = zc + mx * oy;
            if (s === 1) {
              let a0 = P[r0], b0 = P[r1], c0 = P[r2];
              let a1 = P[r0 + 1], b1 = P[r1 + 1], c1 = P[r2 + 1];
              for (let ox = 0; ox < mx; ox++) {
                const a2 = P[r0 + ox + 2], b2 = P[r1 + ox + 2], c2 = P[r2 + ox + 2];
                const zz = Z[z + ox];
                g00 += zz * a0; g10 += zz * a1; g20 += zz * a2;
                g01 += zz * b0; g11 += zz * b1; g21 += zz * b2;
                g02 += zz * c0; g12 += zz * c1; g22 += zz * c2;
                a0 = a1; a1 = a2;
                b0 = b1; b1 = b2;
                c0 = c1; c1 = c2;
              }
            } else {
              for (let ox = 0; ox < mx; ox++) {
                const x = s * ox, zz = Z[z + ox];
                g00 += zz * P[r0 + x]; g10 += zz * P[r0 + x + 1]; g20 += zz * P[r0 + x + 2];
                g01 += zz * P[r1 + x]; g11 += zz * P[r1 + x + 1]; g21 += zz * P[r1 + x + 2];
                g02 += zz * P[r2 + x]; g12 += zz * P[r2 + x + 1]; g22 += zz * P[r2 + x + 2];
              }
            }
          }
          out[wq + 8] += g00; out[wq + 7] += g10; out[wq + 6] += g20;
          out[wq + 5] += g01; out[wq + 4] += g11; out[wq + 3] += g21;
          out[wq + 2] += g02; out[wq + 1] += g12; out[wq] += g22;
          continue;
        }
        if (s === 1 && (kx === 3 || kx === 5)) {
          // Per stencil row v: kx accumulators over a sliding window along x;
          // g(u, v) = Σ z(ox, oy) P(ox + u, oy + v) lands at W index (kx−1−u) + kx(ky−1−v).
          for (let v = 0; v < ky; v++) {
            let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0;
            for (let oy = 0; oy < my; oy++) {
              const r = pc + Px * (oy + v), z = zc + mx * oy;
              if (kx === 5) {
                let p0 = P[r], p1 = P[r + 1], p2 = P[r + 2], p3 = P[r + 3];
                for (let ox = 0; ox < mx; ox++) {
                  const p4 = P[r + ox + 4], zz = Z[z + ox];
                  g0 += zz * p0; g1 += zz * p1; g2 += zz * p2; g3 += zz * p3; g4 += zz * p4;
                  p0 = p1; p1 = p2; p2 = p3; p3 = p4;
                }
              } else {
                let p0 = P[r], p1 = P[r + 1];
                for (let ox = 0; ox < mx; ox++) {
                  const p2 = P[r + ox + 2], zz = Z[z + ox];
                  g0 += zz * p0; g1 += zz * p1; g2 += zz * p2;
                  p0 = p1; p1 = p2;
                }
              }
            }
            const w = wq + kx * (ky - 1 - v) + kx - 1;
            out[w] += g0; out[w - 1] += g1; out[w - 2] += g2;
            if (kx === 5) {
              out[w - 3] += g3;
              out[w - 4] += g4;
            }
          }
          continue;
        }
        for (let b = 0; b < ky; b++) {
          for (let a = 0; a < kx; a++) {
            let po = pc + (2 * hx - a) + Px * (2 * hy - b);
            let zo = zc;
            let acc = 0;
            if (s === 1) {
              for (let oy = 0; oy < my; oy++, po += rowStep, zo += mx) {
                for (let ox = 0; ox < mx; ox++) acc += Z[zo + ox] * P[po + ox];
              }
            } else {
              for (let oy = 0; oy < my; oy++, po += rowStep, zo += mx) {
                for (let ox = 0; ox < mx; ox++) acc += Z[zo + ox] * P[po + s * ox];
              }
            }
            out[wq + a + kx * b] += acc;
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------- FFT
  private plan(): Fft2Plan {
    return (this.fftPlan ??= createFft2Plan(this.nx, this.ny));
  }

  /** λ_q for every pair (cached for the last W seen). */
  private eigen(W: Float64Array): { re: Float64Array; im: Float64Array } {
    const key = this.lamKey;
    let same = key !== null && key.length === W.length;
    if (same) {
      for (let i = 0; i < W.length; i++) {
        if (key![i] !== W[i]) {
          same = false;
          break;
        }
      }
    }
    if (!same) {
      const N = this.nx * this.ny;
      const re = new Float64Array(N * this.nPairs), im = new Float64Array(N * this.nPairs);
      for (let q = 0; q < this.nPairs; q++) {
        re.set(circulantFirstColumn2d(W, this.nx, this.ny, this.kx, this.ky, q * this.kx * this.ky), q * N);
      }
      this.plan().forward(re, im);
      this.lamKey = Float64Array.from(W);
      this.lamRe = re;
      this.lamIm = im;
    }
    return { re: this.lamRe!, im: this.lamIm! };
  }

  /** Load examples j, j+1 (if any) of X (rows per example `len`) into re/im. */
  private static loadPair(X: Float64Array, len: number, j: number, n: number, re: Float64Array, im: Float64Array): boolean {
    re.set(X.subarray(j * len, (j + 1) * len));
    const two = j + 1 < n;
    if (two) im.set(X.subarray((j + 1) * len, (j + 2) * len));
    else im.fill(0);
    return two;
  }

  /** Zero-fill and scatter strided outputs (mx×my per channel) of examples j, j+1 onto the full grid. */
  private upsamplePair(Z: Float64Array, j: number, n: number, re: Float64Array, im: Float64Array): boolean {
    const { nx, ny, mx, my, stride: s, cout, nOut } = this;
    if (s === 1) return ConvEngine.loadPair(Z, nOut, j, n, re, im);
    re.fill(0);
    im.fill(0);
    const two = j + 1 < n;
    const N = nx * ny, M = mx * my;
    for (let c = 0; c < cout; c++) {
      for (let oy = 0; oy < my; oy++) {
        const src = j * nOut + c * M + oy * mx, dst = c * N + s * oy * nx;
        for (let ox = 0; ox < mx; ox++) {
          re[dst + s * ox] = Z[src + ox];
          if (two) im[dst + s * ox] = Z[src + nOut + ox];
        }
      }
    }
    return two;
  }

  private fftForward(W: Float64Array, Y: Float64Array, n: number, out: Float64Array): void {
    const { nx, ny, cin, cout, mx, my, stride: s, nIn, nOut, nPairs, pairIn, pairOut } = this;
    const N = nx * ny, M = mx * my;
    const lam = this.eigen(W), lr = lam.re, li = lam.im;
    const plan = this.plan();
    const yr = new Float64Array(N * cin), yi = new Float64Array(N * cin);
    const zr = new Float64Array(N * cout), zi = new Float64Array(N * cout);
    for (let j = 0; j < n; j += 2) {
      const two = ConvEngine.loadPair(Y, nIn, j, n, yr, yi);
      plan.forward(yr, yi);
      zr.fill(0);
      zi.fill(0);
      // Ẑ_co = Σ_ci λ_{ci,co} ∘ Ŷ_ci: each input spectrum reused for every output channel.
      for (let q = 0; q < nPairs; q++) {
        const yo = pairIn[q] * N, zo = pairOut[q] * N, lo = q * N;
        for (let k = 0; k < N; k++) {
          const a = yr[yo + k], b = yi[yo + k], x = lr[lo + k], y = li[lo + k];
          zr[zo + k] += a * x - b * y;
          zi[zo + k] += a * y + b * x;
        }
      }
      plan.inverse(zr, zi);
      for (let c = 0; c < cout; c++) {
        for (let oy = 0; oy < my; oy++) {
          const src = c * N + s * oy * nx, dst = j * nOut + c * M + oy * mx;
          for (let ox = 0; ox < mx; ox++) {
            out[dst + ox] += zr[src + s * ox];
            if (two) out[dst + nOut + ox] += zi[src + s * ox];
          }
        }
      }
    }
  }

  private fftTranspose(W: Float64Array, Z: Float64Array, n: number, out: Float64Array): void {
    const { nx, ny, cin, cout, nIn, nPairs, pairIn, pairOut } = this;
    const N = nx * ny;
    const lam = this.eigen(W), lr = lam.re, li = lam.im;
    const plan = this.plan();
    const zr = new Float64Array(N * cout), zi = new Float64Array(N * cout);
    const yr = new Float64Array(N * cin), yi = new Float64Array(N * cin);
    for (let j = 0; j < n; j += 2) {
      const two = this.upsamplePair(Z, j, n, zr, zi);
      plan.forward(zr, zi);
      yr.fill(0);
      yi.fill(0);
      // Ŷ_ci = Σ_co conj(λ_{ci,co}) ∘ Ẑ_co
      for (let q = 0; q < nPairs; q++) {
        const yo = pairIn[q] * N, zo = pairOut[q] * N, lo = q * N;
        for (let k = 0; k < N; k++) {
          const a = zr[zo + k], b = zi[zo + k], x = lr[lo + k], y = li[lo + k];
          yr[yo + k] += a * x + b * y;
          yi[yo + k] += b * x - a * y;
        }
      }
      plan.inverse(yr, yi);
      const o = j * nIn;
      for (let k = 0; k < nIn; k++) out[o + k] += yr[k];
      if (two) for (let k = 0; k < nIn; k++) out[o + nIn + k] += yi[k];
    }
  }

  private fftGradW(Z: Float64Array, Y: Float64Array, n: number, out: Float64Array): void {
    const { nx, ny, kx, ky, hx, hy, cin, cout, nIn, nPairs, pairIn, pairOut } = this;
    const N = nx * ny, kk = kx * ky;
    const plan = this.plan();
    const zr = new Float64Array(N * cout), zi = new Float64Array(N * cout);
    const yr = new Float64Array(N * cin), yi = new Float64Array(N * cin);
    const rr = new Float64Array(N * nPairs), ri = new Float64Array(N * nPairs);
    for (let j = 0; j < n; j += 2) {
      ConvEngine.loadPair(Y, nIn, j, n, yr, yi);
      this.upsamplePair(Z, j, n, zr, zi);
      plan.forward(yr, yi);
      plan.forward(zr, zi);
      // R̂_q += Ẑ_co ∘ conj(Ŷ_ci); with packed pairs the real part of the
      // inverse is corr(z_j, y_j) + corr(z_{j+1}, y_{j+1}).
      for (let q = 0; q < nPairs; q++) {
        const yo = pairIn[q] * N, zo = pairOut[q] * N, ro = q * N;
        for (let k = 0; k < N; k++) {
          const a = zr[zo + k], b = zi[zo + k], x = yr[yo + k], y = yi[yo + k];
          rr[ro + k] += a * x + b * y;
          ri[ro + k] += b * x - a * y;
        }
      }
    }
    plan.inverse(rr, ri);
    // g[a, b] = r[(a − hx) mod nx, (b − hy) mod ny]
    for (let q = 0; q < nPairs; q++) {
      for (let b = 0; b < ky; b++) {
        let iy = b - hy;
        if (iy < 0) iy += ny;
        for (let a = 0; a < kx; a++) {
          let ix = a - hx;
          if (ix < 0) ix += nx;
          out[q * kk + a + kx * b] += rr[q * N + ix + nx * iy];
        }
      }
    }
  }

  // ------------------------------------------------------------ dense and Q
  /**
   * Visit every structural entry of K: K[row, col] has coefficient 1 on W[t].
   * Straight from the definition (with modular indices), independent of the kernels above.
   */
  entries(cb: (row: number, col: number, t: number) => void): void {
    const { nx, ny, kx, ky, hx, hy, mx, my, stride: s, nPairs, pairIn, pairOut } = this;
    const kk = kx * ky, periodic = this.boundary === 'periodic';
    for (let q = 0; q < nPairs; q++) {
      const ci = pairIn[q], co = pairOut[q];
      for (let oy = 0; oy < my; oy++) {
        for (let ox = 0; ox < mx; ox++) {
          const row = ox + mx * (oy + my * co);
          for (let b = 0; b < ky; b++) {
            let iy = s * oy + hy - b;
            if (iy < 0 || iy >= ny) {
              if (!periodic) continue;
              iy = (iy + ny) % ny;
            }
            for (let a = 0; a < kx; a++) {
              let ix = s * ox + hx - a;
              if (ix < 0 || ix >= nx) {
                if (!periodic) continue;
                ix = (ix + nx) % nx;
              }
              cb(row, ix + nx * (iy + ny * ci), q * kk + a + kx * b);
            }
          }
        }
      }
    }
  }

  /** out (nOut × nIn, column-major) += K(W). */
  toDense(W: Float64Array, out: Float64Array): void {
    const nOut = this.nOut;
    this.entries((row, col, t) => {
      out[row + col * nOut] += W[t];
    });
  }
}
