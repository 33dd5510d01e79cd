/**
 * WebAssembly SIMD direct 2-D convolution (stride 1, zero or periodic
 * boundary, odd kx×ky, cin → cout channels) on numdl's layouts, its transpose
 * and its θ-gradient.
 *
 * Kernel (assembly/conv.ts): each image is copied into a zero-padded buffer,
 * the stencil is rotated by 180° and arranged four output channels at a time,
 * and register tiles of 2–3 vectors along ix × 4 output channels accumulate
 * Σ_ci Σ_{u,v} over unaligned vector loads of the padded rows. The transpose
 * is the same correlation with the unrotated stencil and the channel roles
 * swapped. Batches are processed in chunks of examples so the WebAssembly
 * memory stays near {@link CHUNK_BYTES}.
 */
import { align64, wasmExports, wasmF32, wasmF64, wasmReserve } from './module.js';
import { chunkLength, getWasmThreads, runChunked } from './threads.js';

type Data = Float64Array | Float32Array;

/**
 * Geometry of a stride-1 multi-channel 2-D convolution. Any object with these
 * fields will do — the conv2d operator's engine (src/operators/conv2dEngine.ts)
 * has them all, so it can pass itself.
 */
export interface WasmConvGeometry {
  /** Image width (fastest pixel index). */
  nx: number;
  /** Image height. */
  ny: number;
  /** Odd stencil width, at most nx. */
  kx: number;
  /** Odd stencil height, at most ny. */
  ky: number;
  /** Input channels. */
  cin: number;
  /** Output channels. */
  cout: number;
  /** 'zero' (default) or 'periodic'. */
  boundary?: 'zero' | 'periodic';
  /** Must be 1 (or absent): the WebAssembly kernels have no strided output. */
  stride?: number;
}

/** Options of the WebAssembly convolution kernels. */
export interface WasmConvOptions {
  /** Factor of the old output (default 0: overwritten, even NaN ignored; 1 accumulates). */
  beta?: number;
}

function checkStride(fn: string, g: WasmConvGeometry): boolean {
  if (g.stride !== undefined && g.stride !== 1) throw new Error(`${fn}: stride ${g.stride} is not supported by the WebAssembly kernels (stride 1 only)`);
  return g.boundary === 'periodic';
}

/** Target size of the example chunks copied into WebAssembly memory at once. */
const CHUNK_BYTES = 32 * 2 ** 20;

/** Pieces (each with its own partial sum) a chunk of examples is cut into for the θ-gradient. */
const GRAD_PIECES = 16;

/** Below this many multiply-adds per call the work stays on one thread. */
const PARALLEL_MIN = 1 << 21;

/** Threads for a call of `work` multiply-adds over `n` examples. */
function threadsFor(work: number, n: number): number {
  return work >= PARALLEL_MIN ? Math.max(1, Math.min(getWasmThreads(), n)) : 1;
}

function run(fn: string, transpose: boolean, out: Data, theta: Data, input: Data, n: number,
  g: WasmConvGeometry, beta: number): void {
  const ex = wasmExports(fn);
  const periodic = checkStride(fn, g);
  const { nx, ny, kx, ky, cin, cout } = g;
  const is32 = out instanceof Float32Array;
  const sz = is32 ? 4 : 8;
  const N = nx * ny;
  const cIn = transpose ? cout : cin, cOut = transpose ? cin : cout;
  const lenIn = N * cIn, lenOut = N * cOut, nTheta = kx * ky * cin * cout;
  if (n <= 0 || lenOut === 0) return;
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / ((lenIn + lenOut) * sz))));
  const threads = threadsFor(N * kx * ky * cin * cout * n, chunk);
  const tBytes = align64(nTheta * sz);
  const wBytes = align64(ex.conv2dWeightsBytes(kx, ky, cIn, cOut, sz));
  const sBytes = align64(ex.conv2dWorkspace(nx, ny, kx, ky, cIn, sz));
  const inBytes = align64(chunk * lenIn * sz), outBytes = align64(chunk * lenOut * sz);
  const base = wasmReserve(fn, tBytes + wBytes + threads * sBytes + inBytes + outBytes + 64);
  const tP = base, wP = tP + tBytes, sP = wP + wBytes, inP = sP + threads * sBytes, outP = inP + inBytes;
  const mem = is32 ? wasmF32() : wasmF64();
  mem.set(theta.subarray(0, nTheta), tP / sz);
  (is32 ? ex.sconv2dPackWeights : ex.dconv2dPackWeights)(wP, tP, kx, ky, cin, cout, transpose);
  const op = is32 ? 'sconv2d' : 'dconv2d';
  const ii = inP / sz, oi = outP / sz;
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const nc = Math.min(chunk, n - j0);
    mem.set(input.subarray(j0 * lenIn, (j0 + nc) * lenIn), ii);
    if (beta !== 0) mem.set(out.subarray(j0 * lenOut, (j0 + nc) * lenOut), oi);
    // Examples are independent: chunks of them, claimed by the threads, one workspace per thread.
    const per = threads > 1 ? chunkLength(nc, threads, 4, 1, 1) : nc;
    runChunked(fn, {
      op,
      args: [outP, inP, nc, nx, ny, kx, ky, cIn, cOut, wP, beta, sP, periodic ? 1 : 0],
      step: [per * lenOut * sz, per * lenIn * sz, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      perThread: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sBytes, 0],
      lenIdx: 2,
      chunkLen: per,
      total: nc,
    }, threads);
    out.set(mem.subarray(oi, oi + nc * lenOut), j0 * lenOut);
  }
}

/**
 * z ← K(θ) y + beta·z, the multi-channel 2-D convolution of numdl's conv2d
 * operator (stride 1, zero or periodic boundary), in WebAssembly SIMD:
 * `z(ix, iy, co) = Σ_ci Σ_{a,b} θ[a, b, ci, co] · y(ix + hx − a, iy + hy − b, ci)`,
 * hx = (kx−1)/2, hy = (ky−1)/2, y = 0 outside the image (zero) or wrapped
 * (periodic). Float64Array arguments use f64x2 lanes, Float32Array arguments
 * f32x4 (all three alike). Large batches use the worker threads
 * ({@link getWasmThreads}), split by examples. Trusts its caller beyond the
 * stride check.
 * @param z output, `nx·ny·cout × n` column-major (pixel ix + nx*(iy + ny*co))
 * @param theta stencils `[kx, ky, cin, cout]` column-major, length kx·ky·cin·cout
 * @param y input, `nx·ny·cin × n`
 * @param n number of examples (columns)
 * @param g geometry `{ nx, ny, kx, ky, cin, cout, boundary? }` (a conv2d engine will do)
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride other than 1
 * @example
 * // 1 channel, 3×1 image, stencil θ = [1, 2, 3] (kx = 3, ky = 1): z_i = 3y_{i−1} + 2y_i + y_{i+1}
 * const g = { nx: 3, ny: 1, kx: 3, ky: 1, cin: 1, cout: 1 };
 * wasmConv2d(z, Float64Array.of(1, 2, 3), Float64Array.of(1, 0, 0), 1, g); // z = [2, 3, 0]
 */
export function wasmConv2d(z: Data, theta: Data, y: Data, n: number, g: WasmConvGeometry, opts: WasmConvOptions = {}): void {
  run('wasmConv2d', false, z, theta, y, n, g, opts.beta ?? 0);
}

/**
 * y ← K(θ)ᵀ z + beta·y, the transpose (vjp in y) of {@link wasmConv2d}, same
 * θ and geometry: `y(ix, iy, ci) = Σ_co Σ_{a,b} θ[a, b, ci, co] · z(ix − hx + a, iy − hy + b, co)`
 * (z zero outside, or wrapped for the periodic boundary).
 * @param y output, `nx·ny·cin × n`
 * @param theta stencils `[kx, ky, cin, cout]`
 * @param z input, `nx·ny·cout × n`
 * @param n number of examples
 * @param g geometry of the forward convolution
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride other than 1
 * @example
 * wasmConv2dTranspose(y, Float64Array.of(1, 2, 3), Float64Array.of(1, 0, 0), 1, { nx: 3, ny: 1, kx: 3, ky: 1, cin: 1, cout: 1 }); // y = [2, 1, 0]
 */
export function wasmConv2dTranspose(y: Data, theta: Data, z: Data, n: number, g: WasmConvGeometry, opts: WasmConvOptions = {}): void {
  run('wasmConv2dTranspose', true, y, theta, z, n, g, opts.beta ?? 0);
}

/**
 * gθ ← Σ_examples ∂⟨z, K(θ) y⟩/∂θ + beta·gθ, the θ-gradient (vjp in θ) of
 * {@link wasmConv2d}: `gθ[a, b, ci, co] = Σ_j Σ_{ix,iy} z(ix, iy, co) · y(ix + hx − a, iy + hy − b, ci)`,
 * laid out like θ. The batch is cut into up to 16 pieces with partial sums
 * added in a fixed order, so the result is the same for every thread count;
 * float32 partial sums are added in double.
 * @param gTheta output, length kx·ky·cin·cout (layout `[kx, ky, cin, cout]`)
 * @param z the output-side vectors, `nx·ny·cout × n`
 * @param y the inputs, `nx·ny·cin × n`
 * @param n number of examples
 * @param g geometry of the convolution
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride other than 1
 * @example
 * wasmConv2dGradTheta(gt, Float64Array.of(1, 0, 0), Float64Array.of(1, 2, 3), 1, { nx: 3, ny: 1, kx: 3, ky: 1, cin: 1, cout: 1 }); // gt = [2, 1, 0]
 */
export function wasmConv2dGradTheta(gTheta: Data, z: Data, y: Data, n: number, g: WasmConvGeometry, opts: WasmConvOptions = {}): void {
  const fn = 'wasmConv2dGradTheta';
  const ex = wasmExports(fn);
  const periodic = checkStride(fn, g);
  const { nx, ny, kx, ky, cin, cout } = g;
  const beta = opts.beta ?? 0;
  const is32 = gTheta instanceof Float32Array;
  const sz = is32 ? 4 : 8;
  const N = nx * ny, lenY = N * cin, lenZ = N * cout, nTheta = kx * ky * cin * cout;
  if (nTheta === 0) return;
  if (n <= 0) {
    for (let i = 0; i < nTheta; i++) gTheta[i] = beta === 0 ? 0 : beta * gTheta[i];
    return;
  }
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / ((lenY + lenZ) * sz))));
  const threads = threadsFor(N * nTheta * n, chunk);
  // Examples go in at most GRAD_PIECES pieces per chunk of memory, each with its
  // own partial gradient, summed here in piece order: the result does not
  // depend on the thread count or on which thread took which piece.
  const pieces = Math.min(GRAD_PIECES, chunk);
  const gBytes = align64(nTheta * sz);
  const sBytes = align64(ex.conv2dGradWorkspace(nx, ny, kx, ky, cin, cout, sz));
  const yBytes = align64(chunk * lenY * sz), zBytes = align64(chunk * lenZ * sz);
  const base = wasmReserve(fn, pieces * gBytes + threads * sBytes + yBytes + zBytes + 64);
  const gP = base, sP = gP + pieces * gBytes, yP = sP + threads * sBytes, zP = yP + yBytes;
  const mem = is32 ? wasmF32() : wasmF64();
  const op = is32 ? 'sconv2dGradTheta' : 'dconv2dGradTheta';
  const gi = gP / sz, stride = gBytes / sz;
  const acc = new Float64Array(nTheta);
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const nc = Math.min(chunk, n - j0);
    mem.set(y.subarray(j0 * lenY, (j0 + nc) * lenY), yP / sz);
    mem.set(z.subarray(j0 * lenZ, (j0 + nc) * lenZ), zP / sz);
    const per = Math.ceil(nc / pieces), used = Math.ceil(nc / per);
    runChunked(fn, {
      op,
      args: [gP, zP, yP, nc, nx, ny, kx, ky, cin, cout, 0, sP, periodic ? 1 : 0],
      step: [gBytes, per * lenZ * sz, per * lenY * sz, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      perThread: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sBytes, 0],
      lenIdx: 3,
      chunkLen: per,
      total: nc,
    }, threads);
    for (let t = 0; t < used; t++) {
      const o = gi + t * stride;
      for (let i = 0; i < nTheta; i++) acc[i] += mem[o + i];
    }
  }
  for (let i = 0; i < nTheta; i++) gTheta[i] = beta === 0 ? acc[i] : acc[i] + beta * gTheta[i];
}
