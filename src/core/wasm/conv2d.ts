/**
 * WebAssembly SIMD direct 2-D convolution (any stride s dividing the image
 * size, zero or periodic boundary, odd kx×ky, cin → cout channels) on numdl's
 * layouts, its transpose and its θ-gradient.
 *
 * Kernel (assembly/conv.ts): each image is copied into a padded buffer (for
 * s > 1 split into s² polyphase planes per channel, which turns the strided
 * correlation into a stride-1 one), the stencil is rotated by 180° and
 * arranged four output channels at a time, and register tiles of 2 vectors ×
 * 4 output channels accumulate Σ_ci Σ_{u,v} over unaligned vector loads of the
 * planes (output rows of whole vectors straight into the output, a 1-vector
 * tile for an odd tail; otherwise the planes read as one long row, positions
 * past a row end computed and dropped). The transpose is the same correlation per output
 * phase with the unrotated stencil over the padded z, the channel roles
 * swapped. Batches are processed in chunks of examples so the WebAssembly
 * memory stays near {@link CHUNK_BYTES}; inputs already resident in
 * WebAssembly memory (./resident.ts) are read in place.
 */
import { fail } from '../errors.js';
import { align64, wasmExports, wasmF32, wasmF64, wasmReserve } from './module.js';
import { checkArray, checkCount, checkLength, checkSamePrecision } from './bounds.js';
import { residentAddress } from './resident.js';
import { chunkLength, getWasmThreads, runChunked } from './threads.js';

type Data = Float64Array | Float32Array;

/**
 * Geometry of a multi-channel 2-D convolution. Any object with these fields
 * will do — the conv2d operator's engine (src/operators/conv2dEngine.ts) has
 * them all, so it can pass itself.
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
  /** Output at every s-th pixel (default 1); must divide nx and ny. */
  stride?: number;
}

/** Options of the WebAssembly convolution kernels. */
export interface WasmConvOptions {
  /** Factor of the old output (default 0: overwritten, even NaN ignored; 1 accumulates). */
  beta?: number;
}

/** The stride of g, checked: a positive integer dividing nx and ny. */
function strideOf(fn: string, g: WasmConvGeometry): number {
  const s = g.stride ?? 1;
  if (!Number.isInteger(s) || s < 1 || g.nx % s !== 0 || g.ny % s !== 0) {
    fail(fn, `stride ${s} must be a positive integer dividing nx = ${g.nx} and ny = ${g.ny}`);
  }
  return s;
}

/**
 * Target size of the example chunks copied into WebAssembly memory at once:
 * small enough that a chunk's copied operands are still in the last-level
 * cache when the kernel reads them (and its results when they are copied
 * out). Batch-256 forward on one thread: about 22 ms with 2–8 MiB chunks,
 * 35 ms and more with the whole batch (25 MiB) in one chunk.
 */
const CHUNK_BYTES = 4 * 2 ** 20;

/** Pieces (each with its own partial sum) a chunk of examples is cut into for the θ-gradient. */
const GRAD_PIECES = 16;

/** Below this many multiply-adds per call the work stays on one thread. */
const PARALLEL_MIN = 1 << 21;

/** Kernel flags (assembly/conv.ts): periodic boundary, transpose. */
const PERIODIC = 1, TRANSPOSE = 2;

/** Threads for a call of `work` multiply-adds over `n` examples. */
function threadsFor(work: number, n: number): number {
  return work >= PARALLEL_MIN ? Math.max(1, Math.min(getWasmThreads(), n)) : 1;
}

/**
 * The geometry's sizes are positive integers with odd stencils no larger than
 * the image, and each array holds what its shape needs (resident arrays are
 * read and written in place: a short one would let the kernel reach into the
 * next block). Returns the stride.
 */
function checkConvArgs(fn: string, g: WasmConvGeometry, n: number, arrays: [string, Data, number, string][]): number {
  if (g === null || typeof g !== 'object') fail(fn, `g must be a geometry { nx, ny, kx, ky, cin, cout }, got ${String(g)}`);
  for (const key of ['nx', 'ny', 'kx', 'ky', 'cin', 'cout'] as const) {
    const v = g[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(fn, `g.${key} must be a positive integer, got ${String(v)}`);
  }
  if (g.kx % 2 === 0 || g.ky % 2 === 0 || g.kx > g.nx || g.ky > g.ny) {
    fail(fn, `the stencil must be odd and fit the image, got ${g.kx}×${g.ky} on ${g.nx}×${g.ny}`);
  }
  const s = strideOf(fn, g);
  checkCount(fn, 'n', n);
  for (const [name, x] of arrays) checkArray(fn, name, x);
  checkSamePrecision(fn, arrays.map(([name, x]) => [name, x] as [string, Data]));
  for (const [name, x, need, what] of arrays) checkLength(fn, name, x, need, what);
  return s;
}

/**
 * Where the kernel reads an input: in place when it is resident (no scratch
 * bytes), else in a scratch copy of `bytes` bytes made per chunk.
 */
function inputPlace(x: Data, bytes: number): { res: number; scratch: number } {
  const res = residentAddress(x);
  return { res, scratch: res >= 0 ? 0 : align64(bytes) };
}

function run(fn: string, transpose: boolean, out: Data, theta: Data, input: Data, n: number,
  g: WasmConvGeometry, beta: number): void {
  const ex = wasmExports(fn);
  const s0 = strideOf(fn, g);
  const M0 = (g.nx * g.ny) / (s0 * s0);
  const inShape = transpose ? `z (${M0 * g.cout} × ${n})` : `y (${g.nx * g.ny * g.cin} × ${n})`;
  const outShape = transpose ? `y (${g.nx * g.ny * g.cin} × ${n})` : `z (${M0 * g.cout} × ${n})`;
  const s = checkConvArgs(fn, g, n, [
    [transpose ? 'y' : 'z', out, n * (transpose ? g.nx * g.ny * g.cin : M0 * g.cout), outShape],
    ['theta', theta, g.kx * g.ky * g.cin * g.cout, `θ (${g.kx}·${g.ky}·${g.cin}·${g.cout})`],
    [transpose ? 'z' : 'y', input, n * (transpose ? M0 * g.cout : g.nx * g.ny * g.cin), inShape],
  ]);
  const { nx, ny, kx, ky, cin, cout } = g;
  const is32 = out instanceof Float32Array;
  const sz = is32 ? 4 : 8;
  const N = nx * ny, M = N / (s * s);
  // Forward: N·cin in, M·cout out; transpose the other way round.
  const lenIn = transpose ? M * cout : N * cin, lenOut = transpose ? N * cin : M * cout;
  const nTheta = kx * ky * cin * cout;
  if (n <= 0 || lenOut === 0) return;
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / ((lenIn + lenOut) * sz))));
  const threads = threadsFor(M * kx * ky * cin * cout * n, chunk);
  const flags = (g.boundary === 'periodic' ? PERIODIC : 0) | (transpose ? TRANSPOSE : 0);
  const tBytes = align64(nTheta * sz);
  const sBytes = align64(ex.conv2dWorkspace(nx, ny, kx, ky, cin, cout, s, transpose ? 1 : 0, sz));
  const inp = inputPlace(input, chunk * lenIn * sz);
  const outBytes = align64(chunk * lenOut * sz);
  const base = wasmReserve(fn, tBytes + threads * sBytes + inp.scratch + outBytes + 64);
  const tP = base, sP = tP + tBytes, inP = sP + threads * sBytes, outP = inP + inp.scratch;
  const mem = is32 ? wasmF32() : wasmF64();
  mem.set(theta.subarray(0, nTheta), tP / sz);
  const op = is32 ? 'sconv2d' : 'dconv2d';
  const oi = outP / sz;
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const nc = Math.min(chunk, n - j0);
    let src = inP;
    if (inp.res >= 0) src = inp.res + j0 * lenIn * sz;
    else mem.set(input.subarray(j0 * lenIn, (j0 + nc) * lenIn), inP / sz);
    if (beta !== 0) mem.set(out.subarray(j0 * lenOut, (j0 + nc) * lenOut), oi);
    // Examples are independent: chunks of them, claimed by the threads, one workspace per thread.
    const per = threads > 1 ? chunkLength(nc, threads, 4, 1, 1) : nc;
    runChunked(fn, {
      op,
      args: [outP, src, tP, nc, nx, ny, kx, ky, cin, cout, s, beta, sP, flags],
      step: [per * lenOut * sz, per * lenIn * sz, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      perThread: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sBytes, 0],
      lenIdx: 3,
      chunkLen: per,
      total: nc,
    }, threads);
    out.set(mem.subarray(oi, oi + nc * lenOut), j0 * lenOut);
  }
}

/**
 * z ← K(θ) y + beta·z, the multi-channel 2-D convolution of numdl's conv2d
 * operator (stride s, zero or periodic boundary), in WebAssembly SIMD:
 * `z(ox, oy, co) = Σ_ci Σ_{a,b} θ[a, b, ci, co] · y(s·ox + hx − a, s·oy + hy − b, ci)`,
 * ox < nx/s, oy < ny/s, hx = (kx−1)/2, hy = (ky−1)/2, y = 0 outside the image
 * (zero) or wrapped (periodic). Float64Array arguments use f64x2 lanes, Float32Array arguments
 * f32x4 (all three alike). Large batches use the worker threads
 * ({@link getWasmThreads}), split by examples. Checks the geometry and that
 * every array holds what its shape needs (resident arrays are used in place).
 * @param z output, `(nx/s)·(ny/s)·cout × n` column-major (pixel ox + (nx/s)*(oy + (ny/s)*co))
 * @param theta stencils `[kx, ky, cin, cout]` column-major, length kx·ky·cin·cout
 * @param y input, `nx·ny·cin × n`
 * @param n number of examples (columns)
 * @param g geometry `{ nx, ny, kx, ky, cin, cout, boundary?, stride? }` (a conv2d engine will do)
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride that does not divide nx and ny
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
 * θ and geometry: `y(ix, iy, ci) = Σ_co Σ_{a,b} θ[a, b, ci, co] · z((ix − hx + a)/s, (iy − hy + b)/s, co)`
 * over the a, b where the divisions are exact (z zero outside, or wrapped for
 * the periodic boundary).
 * @param y output, `nx·ny·cin × n`
 * @param theta stencils `[kx, ky, cin, cout]`
 * @param z input, `(nx/s)·(ny/s)·cout × n`
 * @param n number of examples
 * @param g geometry of the forward convolution
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride that does not divide nx and ny
 * @example
 * wasmConv2dTranspose(y, Float64Array.of(1, 2, 3), Float64Array.of(1, 0, 0), 1, { nx: 3, ny: 1, kx: 3, ky: 1, cin: 1, cout: 1 }); // y = [2, 1, 0]
 */
export function wasmConv2dTranspose(y: Data, theta: Data, z: Data, n: number, g: WasmConvGeometry, opts: WasmConvOptions = {}): void {
  run('wasmConv2dTranspose', true, y, theta, z, n, g, opts.beta ?? 0);
}

/**
 * gθ ← Σ_examples ∂⟨z, K(θ) y⟩/∂θ + beta·gθ, the θ-gradient (vjp in θ) of
 * {@link wasmConv2d}: `gθ[a, b, ci, co] = Σ_j Σ_{ox,oy} z(ox, oy, co) · y(s·ox + hx − a, s·oy + hy − b, ci)`,
 * laid out like θ. The batch is cut into up to 16 pieces with partial sums
 * added in a fixed order, so the result is the same for every thread count;
 * float32 partial sums are added in double.
 * @param gTheta output, length kx·ky·cin·cout (layout `[kx, ky, cin, cout]`)
 * @param z the output-side vectors, `(nx/s)·(ny/s)·cout × n`
 * @param y the inputs, `nx·ny·cin × n`
 * @param n number of examples
 * @param g geometry of the convolution
 * @param opts `{ beta? = 0 }`
 * @throws when the WebAssembly kernels are unavailable, or for a stride that does not divide nx and ny
 * @example
 * wasmConv2dGradTheta(gt, Float64Array.of(1, 0, 0), Float64Array.of(1, 2, 3), 1, { nx: 3, ny: 1, kx: 3, ky: 1, cin: 1, cout: 1 }); // gt = [2, 1, 0]
 */
export function wasmConv2dGradTheta(gTheta: Data, z: Data, y: Data, n: number, g: WasmConvGeometry, opts: WasmConvOptions = {}): void {
  const fn = 'wasmConv2dGradTheta';
  const ex = wasmExports(fn);
  const s0 = strideOf(fn, g);
  const M0 = (g.nx * g.ny) / (s0 * s0);
  const s = checkConvArgs(fn, g, n, [
    ['gTheta', gTheta, g.kx * g.ky * g.cin * g.cout, `θ (${g.kx}·${g.ky}·${g.cin}·${g.cout})`],
    ['z', z, n * M0 * g.cout, `z (${M0 * g.cout} × ${n})`],
    ['y', y, n * g.nx * g.ny * g.cin, `y (${g.nx * g.ny * g.cin} × ${n})`],
  ]);
  const periodic = g.boundary === 'periodic';
  const { nx, ny, kx, ky, cin, cout } = g;
  const beta = opts.beta ?? 0;
  const is32 = gTheta instanceof Float32Array;
  const sz = is32 ? 4 : 8;
  const N = nx * ny, M = N / (s * s), lenY = N * cin, lenZ = M * cout, nTheta = kx * ky * cin * cout;
  if (nTheta === 0) return;
  if (n <= 0) {
    for (let i = 0; i < nTheta; i++) gTheta[i] = beta === 0 ? 0 : beta * gTheta[i];
    return;
  }
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / ((lenY + lenZ) * sz))));
  const threads = threadsFor(M * nTheta * n, chunk);
  // Examples go in at most GRAD_PIECES pieces per chunk of memory, each with its
  // own partial gradient, summed here in piece order: the result does not
  // depend on the thread count or on which thread took which piece.
  const pieces = Math.min(GRAD_PIECES, chunk);
  const gBytes = align64(nTheta * sz);
  const sBytes = align64(ex.conv2dGradWorkspace(nx, ny, kx, ky, cin, cout, s, sz));
  const yIn = inputPlace(y, chunk * lenY * sz), zIn = inputPlace(z, chunk * lenZ * sz);
  const base = wasmReserve(fn, pieces * gBytes + threads * sBytes + yIn.scratch + zIn.scratch + 64);
  const gP = base, sP = gP + pieces * gBytes, yP = sP + threads * sBytes, zP = yP + yIn.scratch;
  const mem = is32 ? wasmF32() : wasmF64();
  const op = is32 ? 'sconv2dGradTheta' : 'dconv2dGradTheta';
  const gi = gP / sz, stride = gBytes / sz;
  const acc = new Float64Array(nTheta);
  for (let j0 = 0; j0 < n; j0 += chunk) {
    const nc = Math.min(chunk, n - j0);
    let ySrc = yP, zSrc = zP;
    if (yIn.res >= 0) ySrc = yIn.res + j0 * lenY * sz;
    else mem.set(y.subarray(j0 * lenY, (j0 + nc) * lenY), yP / sz);
    if (zIn.res >= 0) zSrc = zIn.res + j0 * lenZ * sz;
    else mem.set(z.subarray(j0 * lenZ, (j0 + nc) * lenZ), zP / sz);
    const per = Math.ceil(nc / pieces), used = Math.ceil(nc / per);
    runChunked(fn, {
      op,
      args: [gP, zSrc, ySrc, nc, nx, ny, kx, ky, cin, cout, s, 0, sP, periodic ? 1 : 0],
      step: [gBytes, per * lenZ * sz, per * lenY * sz, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      perThread: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sBytes, 0],
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
