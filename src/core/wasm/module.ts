/**
 * Loading of numdl's WebAssembly kernels and the layout of their linear memory.
 *
 * The kernels (built from `assembly/` by `node scripts/build-wasm.mjs`) are
 * part of the JavaScript: the generated module ./kernelBinaries.ts holds them
 * base64 encoded, so loading needs no file system, no URL and no bundler
 * support — the same code runs in Node (ESM and CommonJS), in a browser page
 * and in a Web Worker. They are decoded and instantiated synchronously when
 * this module is first imported (a few tens of KiB: well under a millisecond
 * or two). Which build is loaded (docs/kernels.md):
 *
 * - **shared or local memory**: the shared build imports a shared
 *   `WebAssembly.Memory`, so that the worker threads of ./threads.ts run the
 *   same kernels on the same bytes; browsers allow shared memory only on
 *   cross-origin isolated pages, so elsewhere the local build (same kernels,
 *   ordinary memory, one thread) is used;
 * - **FMA or not**: where the runtime validates relaxed SIMD, the FMA build
 *   (`relaxed_madd`, one rounding per multiply-add) is used. Node 22+ and
 *   Chromium have relaxed SIMD; on Node 20 it sits behind the V8 flag
 *   `--experimental-wasm-relaxed-simd`, which this module sets (through
 *   `v8.setFlagsFromString`, before compiling anything) unless the
 *   environment says `NUMDL_FMA=0`. Results of the two builds differ in the
 *   last bits of multiply-adds; {@link kernelBuild} says which one runs.
 *
 * If WebAssembly or its 128-bit SIMD is missing, nothing throws here:
 * {@link wasmAvailable} returns false, {@link wasmUnavailableReason} says why,
 * and numdl stays on its pure TypeScript kernels (./backend.ts says so once).
 *
 * Memory: the kernels never allocate. The heap (from `heapBase()`, 64-byte
 * aligned) holds two regions:
 *
 *   [static data | resident arena ........ | scratch ...........]
 *                 ^ heap start              ^ scratch start (= arena end)
 *
 * - the *resident arena* (./resident.ts): blocks that outlive kernel calls,
 *   matrices whose storage is WebAssembly memory, which the wrappers pass to
 *   the kernels by address instead of copying them;
 * - the *scratch area*: every call lays its copied operands, results and
 *   workspaces out from the scratch start ({@link wasmReserve}), calls are
 *   synchronous and never nested, so the scratch area is dead between calls
 *   and the arena may grow into it then.
 *
 * The memory grows when a call or an arena block needs more. Its maximum is
 * reserved up front (4 GiB of address space, less if the system refuses).
 * After `memory.grow` the old typed-array views no longer cover the whole
 * memory, so the views here are re-created after each growth and callers
 * must fetch them (through {@link wasmF64} / {@link wasmF32}) only after
 * {@link wasmReserve}.
 */
import { fail } from '../errors.js';
import { KERNEL_BINARIES } from './kernelBinaries.js';

// The project compiles against lib ES2022 without DOM, where the WebAssembly
// namespace is not declared: the few members used here, typed locally.
/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
/** A compiled WebAssembly.Module (opaque). */
export interface WasmModule {
  readonly [Symbol.toStringTag]?: string;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** The raw exports of the kernels (pointers are byte offsets into `memory`). */
export interface KernelExports {
  heapBase(): number;
  gemmWorkspace(m: number, n: number, k: number, size: number): number;
  dgemm(m: number, n: number, k: number, a: number, aRs: number, aCs: number, b: number, bRs: number, bCs: number,
    c: number, ldc: number, alpha: number, beta: number, ws: number): void;
  sgemm(m: number, n: number, k: number, a: number, aRs: number, aCs: number, b: number, bRs: number, bCs: number,
    c: number, ldc: number, alpha: number, beta: number, ws: number): void;
  conv2dWorkspace(nx: number, ny: number, kx: number, ky: number, cin: number, cout: number, s: number, transpose: number, size: number): number;
  dconv2d(out: number, inp: number, theta: number, n: number, nx: number, ny: number, kx: number, ky: number, cin: number, cout: number,
    s: number, beta: number, ws: number, flags: number): void;
  sconv2d(out: number, inp: number, theta: number, n: number, nx: number, ny: number, kx: number, ky: number, cin: number, cout: number,
    s: number, beta: number, ws: number, flags: number): void;
  conv2dGradWorkspace(nx: number, ny: number, kx: number, ky: number, cin: number, cout: number, s: number, size: number): number;
  dconv2dGradTheta(g: number, z: number, y: number, n: number, nx: number, ny: number, kx: number, ky: number, cin: number, cout: number,
    s: number, beta: number, ws: number, periodic: number): void;
  sconv2dGradTheta(g: number, z: number, y: number, n: number, nx: number, ny: number, kx: number, ky: number, cin: number, cout: number,
    s: number, beta: number, ws: number, periodic: number): void;
  tanhPass(x: number, value: number, deriv: number, n: number): void;
  reluPass(x: number, value: number, deriv: number, n: number): void;
  sinPass(x: number, value: number, deriv: number, n: number): void;
  dlayerAffine(p: number, K: number, bias: number, y: number, m: number, k: number, n: number): void;
  dlayerForward(out: number, deriv: number, K: number, bias: number, y: number,
    m: number, k: number, n: number, h: number, act: number, residual: boolean): void;
  dlayerJvp(out: number, y: number, a: number, dy: number, K: number, dK: number, db: number,
    m: number, k: number, n: number, h: number, flags: number): void;
  dlayerVjp(dyOut: number, dK: number, db: number, y: number, a: number, w: number, K: number,
    m: number, k: number, n: number, h: number, residual: boolean): void;
  dlayerVjp8(dyOut: number, dK: number, db: number, y: number, a: number, w: number, Kt: number, gs: number,
    k: number, n: number, h: number, residual: boolean): void;
  /** Column blocks c0 … c0+count−1 of a whole-network pass (assembly/network.ts, src/engine/). */
  netChunks(desc: number, mode: number, c0: number, count: number): void;
  /** {@link KernelExports.netChunks} in float32. */
  netChunks32(desc: number, mode: number, c0: number, count: number): void;
  /** The sum over blocks of a pass's partial gradients, in block order, as float64 at out (assembly/network.ts). */
  netReduce(desc: number, blocks: number, out: number, len: number): void;
  /** {@link KernelExports.netReduce} for float32 partials. */
  netReduce32(desc: number, blocks: number, out: number, len: number): void;
  /** x = [θ; vec W] (float64 at x) into a workspace's kernel layout (assembly/network.ts). */
  netParams(desc: number, x: number, nTheta: number, withW: number): void;
  /** {@link KernelExports.netParams} for a float32 workspace. */
  netParams32(desc: number, x: number, nTheta: number, withW: number): void;
  /** A direction in x's layout (float64) into a workspace's direction. */
  netDirection(desc: number, v: number, nTheta: number, withW: number): void;
  /** {@link KernelExports.netDirection} for a float32 workspace. */
  netDirection32(desc: number, v: number, nTheta: number, withW: number): void;
  /** netReduce's sum mapped into x's layout (float64, nOut entries, zeroed first). */
  netGather(desc: number, sum: number, out: number, nTheta: number, nOut: number, f32: number): void;
  /** Column blocks c0 … c0+count−1 of a convolutional plan's pass (assembly/convNetwork.ts, src/engine/convWorkspace.ts). */
  convNetChunks(desc: number, mode: number, c0: number, count: number, part: number): void;
  /** {@link KernelExports.convNetChunks} for a float32 workspace (states, products and partial gradient in single precision). */
  convNetChunks32(desc: number, mode: number, c0: number, count: number, part: number): void;
  /** Column segments s0 … s0+count−1 of a linear-classifier pass (assembly/linearClassifier.ts, src/objectives/linearClassifierObjective.ts). */
  lcSegments(desc: number, mode: number, s0: number, count: number): void;
  /** {@link KernelExports.lcSegments} with float32 features. */
  lcSegments32(desc: number, mode: number, s0: number, count: number): void;
  /** Columns j0 … j0+count−1 of K Y + b 1ᵀ over the nonzeros of Y (assembly/sparseColumns.ts, src/core/sparseColumns.ts). */
  sparseColumns(out: number, ldo: number, K: number, b: number, idx: number, val: number, start: number, m: number, j0: number, count: number): void;
  /** {@link KernelExports.sparseColumns} with K, b and the values of Y in float32, sums in float32, out float64. */
  sparseColumns32(out: number, ldo: number, K: number, b: number, idx: number, val: number, start: number, m: number, j0: number, count: number): void;
}

/** A 64 KiB WebAssembly page. */
const PAGE = 65536;
/** Initial memory: 2 MiB. */
const INITIAL_PAGES = 32;
/** Maxima tried for the shared memory, in pages (4 GiB, the wasm32 limit, first). */
const MAXIMA = [65536, 32768, 16384, 4096];

/** (module (func (result v128) i32.const 0 i8x16.splat)): validates only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

/**
 * (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f64x2.relaxed_madd)):
 * validates only where relaxed SIMD is supported.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0xfd, 0x87, 0x02, 0x0b,
]);

/** Which build of the kernels is loaded (see the module header). */
export interface KernelBuild {
  /** A shared memory (worker threads possible) or an ordinary one (one thread). */
  sharedMemory: boolean;
  /** The FMA (relaxed-SIMD `relaxed_madd`) build. */
  fma: boolean;
  /** Why FMA is off, '' when it is on. */
  fmaReason: string;
}

// Process-wide by nature (one per process, no caller's results): see
// docs/kernels.md, the bullet on process-wide state.
let wasmModule: WasmModule | null = null;
let build: KernelBuild = { sharedMemory: false, fma: false, fmaReason: 'the kernels are not loaded' };
let memory: WasmMemory | null = null;
let maxBytes = 0;
let ex: KernelExports | null = null;
let generation = 0;
let reason = '';
let heapStart = 0;
/** Start of the per-call scratch area: the end of the resident arena (≥ heapStart). */
let scratchStart = 0;
/**
 * Every ArrayBuffer object this module obtained from `memory.buffer` since the
 * memory was (re)created: a typed array over one of them is a view into the
 * kernels' memory (a growth hands out a new, longer buffer object; views over
 * the older ones stay valid for the bytes they cover, memory being shared).
 */
let memoryBuffers = new WeakSet<object>();
let F64 = new Float64Array(0);
let F32 = new Float32Array(0);

/** Does this runtime have WebAssembly with 128-bit SIMD? */
function simdSupported(): boolean {
  try {
    return WA !== undefined && WA.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The environment variable `name` where there is a `process` (Node), else undefined. */
function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}

/**
 * Whether the FMA build can and should run: `NUMDL_FMA=0` turns it off;
 * otherwise relaxed SIMD must validate — on Node 20 after enabling V8's
 * `--experimental-wasm-relaxed-simd` (a no-op where it is already on; worker
 * threads inherit the flag).
 * @returns '' when FMA is on, else the reason it is off
 */
function fmaOffReason(): string {
  const env = envVar('NUMDL_FMA');
  if (env !== undefined && ['0', 'false', 'off', 'no'].includes(env.trim().toLowerCase())) return 'NUMDL_FMA=' + env;
  try {
    if (WA!.validate(RELAXED_PROBE)) return '';
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const v8 = proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
    if (v8?.setFlagsFromString) {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
      if (WA!.validate(RELAXED_PROBE)) return '';
    }
  } catch {
    // fall through: treated as unsupported
  }
  return 'this runtime does not validate relaxed SIMD';
}

/** Can this runtime create a shared WebAssembly memory (Node; cross-origin isolated pages)? */
function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WA!.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/** Decode base64 (atob exists in Node ≥ 16, browsers and workers). */
function decodeBase64(text: string): Uint8Array {
  const bin = (globalThis as unknown as { atob: (s: string) => string }).atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** A new memory (shared or not, as the loaded build imports) with the largest maximum the system grants. */
function newMemory(): WasmMemory {
  let last: unknown;
  for (const maximum of MAXIMA) {
    try {
      const m = new WA!.Memory(build.sharedMemory ? { initial: INITIAL_PAGES, maximum, shared: true } : { initial: INITIAL_PAGES, maximum });
      maxBytes = maximum * PAGE;
      return m;
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

function instantiate(mod: WasmModule): void {
  memory = newMemory();
  ex = new WA!.Instance(mod, { env: { memory } }).exports as KernelExports;
  heapStart = (ex.heapBase() + 63) & ~63;
  scratchStart = heapStart;
  memoryBuffers = new WeakSet<object>();
  generation++;
  refreshViews();
}

function load(): void {
  if (!simdSupported()) {
    reason = WA !== undefined ? 'this runtime has WebAssembly but not its 128-bit SIMD' : 'this runtime has no WebAssembly';
    return;
  }
  const shared = sharedMemorySupported();
  const fmaReason = fmaOffReason();
  const fma = fmaReason === '';
  const name = shared ? (fma ? 'sharedFma' : 'shared') : fma ? 'localFma' : 'local';
  build = { sharedMemory: shared, fma, fmaReason };
  try {
    wasmModule = new WA!.Module(decodeBase64(KERNEL_BINARIES[name]));
    instantiate(wasmModule);
  } catch (e) {
    wasmModule = null;
    ex = null;
    build = { sharedMemory: false, fma: false, fmaReason: 'the kernels are not loaded' };
    reason = `the ${name} build of the kernels failed to load: ${(e as Error).message}`;
  }
}

function refreshViews(): void {
  const buf = memory!.buffer;
  memoryBuffers.add(buf);
  F64 = new Float64Array(buf);
  F32 = new Float32Array(buf);
}

load();

/**
 * Which build of the kernels is loaded: shared or local memory, FMA or not
 * (all false with a reason when the kernels are unavailable).
 * @example kernelBuild() // { sharedMemory: true, fma: true, fmaReason: '' } on Node
 */
export function kernelBuild(): KernelBuild {
  return { ...build };
}

/**
 * Whether the WebAssembly SIMD kernels can run here: WebAssembly exists, its
 * 128-bit SIMD validates, and the kernels loaded.
 * @returns true when every `wasm*` kernel of numdl is usable
 * @example wasmAvailable() // true on Node ≥ 16.4 after `npm run build`
 */
export function wasmAvailable(): boolean {
  return ex !== null;
}

/**
 * Why the WebAssembly kernels are unavailable ('' when they are available).
 * @example wasmUnavailableReason() // '' or 'this runtime has no WebAssembly'
 */
export function wasmUnavailableReason(): string {
  return reason;
}

/**
 * The kernel exports, for the wrappers in this folder.
 * @param fn the calling function, for the error message
 * @throws `fn: the WebAssembly kernels are unavailable: <reason>`
 */
export function wasmExports(fn: string): KernelExports {
  if (ex === null) fail(fn, `the WebAssembly kernels are unavailable: ${reason}`, 'unavailable');
  return ex;
}

/**
 * Make the scratch area hold at least `bytes` bytes from its (64-byte aligned)
 * start, growing the memory if needed; views fetched before this call may be
 * stale. The scratch area starts after the resident arena (./resident.ts) and
 * is only valid until the next call of this function or of an arena change.
 * @param fn the calling function, for the error message
 * @param bytes bytes needed from the scratch start
 * @returns the byte address of the scratch start
 * @throws when more than the 4 GiB of a wasm32 memory would be needed, or the
 *   engine refuses to grow it
 */
export function wasmReserve(fn: string, bytes: number): number {
  wasmExports(fn);
  ensureMemory(fn, scratchStart + bytes, "use setKernelBackend('js') for this size");
  return scratchStart;
}

/**
 * Grow the memory (geometrically) to at least `need` bytes and refresh the views.
 * @param hint what the caller can do instead, appended to the size error
 */
function ensureMemory(fn: string, need: number, hint: string): void {
  const mem = memory!;
  const have = mem.buffer.byteLength;
  if (need > have) {
    if (need > maxBytes) {
      throw new RangeError(`${fn}: needs ${(need / 2 ** 20).toFixed(0)} MiB of WebAssembly memory, more than its ${maxBytes / 2 ** 20} MiB maximum; ${hint}`);
    }
    // Grow geometrically (at least 1/8 more) so a sweep of growing sizes does not grow on every call.
    const pages = Math.min(maxBytes / PAGE, Math.max(Math.ceil(need / PAGE), Math.ceil((have * 1.125) / PAGE))) - have / PAGE;
    try {
      mem.grow(pages);
    } catch {
      try {
        mem.grow(Math.ceil(need / PAGE) - have / PAGE);
      } catch (err) {
        throw new RangeError(`${fn}: could not grow WebAssembly memory to ${(need / 2 ** 20).toFixed(0)} MiB (${(err as Error).message})`);
      }
    }
  }
  // A grown shared memory hands out a new, longer buffer object.
  if (F64.byteLength !== mem.buffer.byteLength) refreshViews();
}

/**
 * The resident arena's bounds `[heapStart, scratchStart)` in bytes (internal,
 * for ./resident.ts).
 */
export function wasmArenaBounds(): { start: number; end: number } {
  return { start: heapStart, end: scratchStart };
}

/**
 * Move the end of the resident arena, i.e. the start of the scratch area, to
 * `end` (64-byte aligned, ≥ the heap start), growing the memory so that the
 * arena and a little scratch fit. Internal, for ./resident.ts; only between
 * kernel calls (the scratch contents are dead then).
 * @param fn the calling function, for the error message
 * @throws RangeError when the memory cannot hold `end` bytes
 */
export function setWasmArenaEnd(fn: string, end: number): void {
  wasmExports(fn);
  if (end < heapStart || end % 64 !== 0) throw new RangeError(`${fn}: arena end ${end} is below the heap start ${heapStart} or not 64-byte aligned`);
  // 64 bytes beyond the arena keep a kernel reading a vector past the last block's end inside the memory.
  ensureMemory(fn, end + 64, 'release resident matrices you no longer need (releaseResident) or keep this one in ordinary memory');
  scratchStart = end;
}

/**
 * Whether `buf` is (a buffer object of) the kernels' current WebAssembly
 * memory, so that a typed array over it can be handed to a kernel by its
 * `byteOffset` (internal). Buffers of a memory replaced by
 * {@link releaseWasmMemory} are no longer recognised.
 */
export function isWasmMemoryBuffer(buf: ArrayBufferLike): boolean {
  return memoryBuffers.has(buf);
}

/**
 * Float64 view of the whole WebAssembly memory (valid until the next growth:
 * fetch it after {@link wasmReserve}).
 */
export function wasmF64(): Float64Array {
  return F64;
}

/** Float32 view of the whole WebAssembly memory (same rules as {@link wasmF64}). */
export function wasmF32(): Float32Array {
  return F32;
}

/**
 * Current size of the kernels' WebAssembly memory in bytes (it only grows,
 * up to what the largest call so far needed; see {@link releaseWasmMemory}).
 * @example wasmMemoryBytes() // 1114112 after small products
 */
export function wasmMemoryBytes(): number {
  return memory === null ? 0 : memory.buffer.byteLength;
}

/**
 * Give the kernels' WebAssembly memory back to the garbage collector: a
 * WebAssembly memory cannot shrink, so after one very large product it would
 * keep its size; this re-instantiates the module with a fresh, small memory
 * (worker threads, if any, are shut down and restarted on demand).
 * Resident matrices (./resident.ts) keep their contents but stop being
 * resident: they become ordinary matrices over the old memory's bytes, which
 * stay allocated until the last of them is garbage-collected, and the kernels
 * copy them again like any other array.
 * @example releaseWasmMemory(); wasmMemoryBytes() // back to the initial size
 */
export function releaseWasmMemory(): void {
  if (wasmModule !== null) {
    for (const f of releaseHooks) f();
    instantiate(wasmModule);
  }
}

const releaseHooks: (() => void)[] = [];

/**
 * The compiled module, the shared memory and a counter that changes whenever
 * they are replaced, for the worker pool (internal).
 */
export function wasmShared(): { module: WasmModule; memory: WasmMemory; generation: number } | null {
  return build.sharedMemory && wasmModule !== null && memory !== null && ex !== null ? { module: wasmModule, memory, generation } : null;
}

/** Register a callback run before the memory is replaced by {@link releaseWasmMemory} (internal). */
export function onWasmRelease(f: () => void): void {
  releaseHooks.push(f);
}

/** Round a byte count up to a multiple of 64 (cache-line aligned sub-blocks). */
export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
