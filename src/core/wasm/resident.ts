/**
 * Resident matrices: numdl matrices whose storage lives in the WebAssembly
 * kernels' memory, so that the kernel wrappers (gemm, the activation passes)
 * hand them to the kernels by address instead of copying them in and out on
 * every call. For a product with a large operand that is used many times —
 * the features Z of a classifier in every Hessian mat-vec — the copies are a
 * large part of the time (a 1530 × 50 000 Z is 612 MB, copied twice per
 * mat-vec without this).
 *
 * A resident matrix is an ordinary column-major `ndarray` (a {@link Matrix}
 * or {@link Matrix32}) whose `data` is a Float64Array / Float32Array view into
 * the shared WebAssembly memory: every numdl function accepts it, reads and
 * writes work as usual, and the JS kernels use it like any other array.
 *
 * Lifetime rules:
 * - its block stays allocated until {@link releaseResident} (there is no
 *   garbage collection of blocks: an unreleased matrix keeps its memory for
 *   the life of the process, like a `malloc` without `free`);
 * - {@link releaseResident} gives the block back to a free list (a later
 *   resident matrix may reuse the same bytes) and empties the released
 *   matrix's view: its `data` becomes a zero-length array, so reads give
 *   undefined, writes go nowhere and numdl functions reject it with a clear
 *   error. Other views of the same storage made before the release (another
 *   ndarray view, a subarray of `data`) cannot be revoked and must be dropped;
 * - growth of the WebAssembly memory keeps resident data valid (the memory is
 *   shared, so old views still cover their bytes);
 * - `releaseWasmMemory()` replaces the memory: resident matrices keep their
 *   values but become ordinary (copied) matrices over the old bytes, and
 *   {@link releaseResident} on them is a no-op.
 *
 * Layout (see ./module.ts): blocks are carved from an arena at the bottom of
 * the heap, 64-byte aligned, first fit from an address-ordered free list with
 * coalescing; a freed block at the top of the arena shrinks it. The per-call
 * scratch area of the kernel wrappers starts after the arena, which grows
 * only between kernel calls (all calls are synchronous).
 *
 * Fallback: with the `'js'` kernel backend, where the WebAssembly kernels do
 * not load, and with the local-memory kernel build (browsers without
 * cross-origin isolation: growing an unshared memory detaches its buffer and
 * every view of it) the constructors return ordinary matrices in JS memory,
 * so the same code runs everywhere; {@link releaseResident} then does nothing.
 */
import { checkMatrix, checkSize, fail, shapeStr } from '../errors.js';
import { matrix, type AnyMatrix, type Matrix, type Matrix32 } from '../matrix.js';
import { getKernelBackend } from './backend.js';
import { align64, isWasmMemoryBuffer, kernelBuild, onWasmRelease, setWasmArenaEnd, wasmArenaBounds, wasmF64 } from './module.js';

/**
 * Whether resident matrices live in WebAssembly memory here: the 'wasm'
 * backend with the shared-memory build (internal: callers that keep resident
 * caches skip them otherwise instead of copying into ordinary matrices).
 */
export function residentAvailable(): boolean {
  return getKernelBackend() === 'wasm' && kernelBuild().sharedMemory;
}

/** Element type of a resident matrix. */
export type ResidentDtype = 'float64' | 'float32';

/** Options of {@link residentMatrix}. */
export interface ResidentOptions {
  /** 'float64' (default, a {@link Matrix}) or 'float32' (a {@link Matrix32}). */
  dtype?: ResidentDtype;
}

/** Sizes of the resident arena, from {@link residentMemoryStats}. */
export interface ResidentMemoryStats {
  /** Live (not released) resident blocks. */
  blocks: number;
  /** Bytes in live blocks (each rounded up to 64). */
  liveBytes: number;
  /** Bytes in free blocks inside the arena (reused by later allocations). */
  freeBytes: number;
  /** Size of the arena: liveBytes + freeBytes. */
  arenaBytes: number;
}

/** One arena block; `epoch` ties it to the memory it was carved from. */
interface Block {
  addr: number;
  bytes: number;
  live: boolean;
  epoch: number;
}

// Process-wide by nature (one per process, no caller's results): see
// docs/kernels.md, the bullet on process-wide state.
/** Free ranges of the arena, ordered by address, never adjacent, never touching the arena end. */
let freeList: { addr: number; bytes: number }[] = [];
/** The block behind each resident data array (views made by ndarray share the array). */
const blockOf = new WeakMap<object, Block>();
/** Bumped whenever releaseWasmMemory replaces the memory: older blocks are void. */
let epoch = 0;
let liveBlocks = 0;
let liveBytes = 0;

onWasmRelease(() => {
  epoch++;
  freeList = [];
  liveBlocks = 0;
  liveBytes = 0;
});

/**
 * Byte address of a typed array in the kernels' WebAssembly memory, or −1 when
 * it is ordinary JS memory and must be copied (internal, for the kernel
 * wrappers). An array counts as resident iff its buffer is one of the current
 * memory's buffer objects and it lies inside the resident arena (views of the
 * scratch area are copied like anything else).
 * @param arr the storage of an operand
 */
export function residentAddress(arr: Float64Array | Float32Array): number {
  if (!isWasmMemoryBuffer(arr.buffer)) return -1;
  const { start, end } = wasmArenaBounds();
  const a = arr.byteOffset;
  return a >= start && a + arr.byteLength <= end ? a : -1;
}

/**
 * A zero-filled `rows × cols` matrix whose storage lives in WebAssembly memory
 * (column-major, contiguous). The wasm gemm and activation kernels read and
 * write it in place instead of copying it; everything else treats it as a
 * normal matrix. Free it with {@link releaseResident} when done (see the
 * lifetime rules of this module). With the 'js' kernel backend, or without
 * the WebAssembly kernels, this is `zeros(rows, cols)` (or `zeros32`).
 * A matrix without entries is always ordinary (nothing to keep resident).
 * @param rows number of rows
 * @param cols number of columns
 * @param opts `dtype`: 'float64' (default) or 'float32'
 * @returns the matrix (a `Matrix32` for 'float32')
 * @throws `residentMatrix: rows must be a non-negative integer, got -1`;
 *   `residentMatrix: dtype must be 'float64' or 'float32', got "int8"`;
 *   RangeError `residentMatrix: a 50000×50000 float64 matrix (19073 MiB) does not fit …`
 * @example
 * const Z = residentMatrix(1530, 50000); // 612 MB in WebAssembly memory
 * matmulInto(S, W, Z);                   // no copy of Z
 * releaseResident(Z);                    // Z must not be used any more
 */
export function residentMatrix(rows: number, cols: number, opts?: { dtype?: 'float64' }): Matrix;
export function residentMatrix(rows: number, cols: number, opts: { dtype: 'float32' }): Matrix32;
export function residentMatrix(rows: number, cols: number, opts?: ResidentOptions): AnyMatrix;
export function residentMatrix(rows: number, cols: number, opts: ResidentOptions = {}): AnyMatrix {
  const fn = 'residentMatrix';
  checkSize(fn, 'rows', rows);
  checkSize(fn, 'cols', cols);
  const dtype = checkDtype(fn, opts.dtype);
  const M = allocateMatrix(fn, 'the matrix', rows, cols, dtype);
  // A reused block, or arena grown over old scratch, holds stale bytes.
  M.data.fill(0);
  return M;
}

/**
 * A resident copy of M (see {@link residentMatrix}): same shape, same
 * precision, contiguous column-major, whatever M's strides. It is always a new
 * matrix, also when M is resident; with the 'js' backend an ordinary copy.
 * @param M the matrix to copy
 * @returns the copy, in WebAssembly memory when the wasm backend is active
 * @throws `toResident: M must be a 2-D ndarray matrix, got number`; RangeError
 *   when M does not fit in WebAssembly memory
 * @example
 * const Zr = toResident(Z); // then many products with Zr, none copying it
 * releaseResident(Zr);
 */
export function toResident(M: Matrix): Matrix;
export function toResident(M: Matrix32): Matrix32;
export function toResident(M: AnyMatrix): AnyMatrix;
export function toResident(M: AnyMatrix): AnyMatrix {
  const fn = 'toResident';
  const src = checkMatrix(fn, 'M', M);
  const [rows, cols] = src.shape;
  const R = allocateMatrix(fn, `M (${shapeStr(src)})`, rows, cols, src.data instanceof Float32Array ? 'float32' : 'float64');
  copyColumnMajor(R.data, src);
  return R;
}

/**
 * Give a resident matrix's block back to the arena. M's view is emptied (its
 * `data` becomes a zero-length array: numdl functions then reject M, plain
 * reads give undefined and writes are lost, never reaching the block's next
 * owner); other matrices or arrays viewing the same storage must not be used
 * afterwards. Releasing an
 * ordinary matrix, a matrix released before, or one whose memory
 * `releaseWasmMemory()` replaced does nothing (so code written for resident
 * matrices runs unchanged on the 'js' backend).
 * @param M a matrix from {@link residentMatrix} / {@link toResident}, or any view of its data
 * @returns true when a block was released
 * @throws `releaseResident: M must be a 2-D ndarray matrix, got undefined`
 * @example releaseResident(Z) // true; releaseResident(Z) // false
 */
export function releaseResident(M: AnyMatrix): boolean {
  const m = matrixObject('releaseResident', M);
  const b = blockOf.get(m.data);
  if (b === undefined || !b.live || b.epoch !== epoch) return false;
  b.live = false;
  liveBlocks--;
  liveBytes -= b.bytes;
  freeRange(b.addr, b.bytes);
  // Empty the view: a later read of M gives undefined and a write goes nowhere,
  // instead of landing in the block's next owner; numdl functions reject it
  // (checkMatrix: "has no storage"). Views of the storage made before (other
  // ndarray views, subarrays of M.data) cannot be revoked: drop them too.
  (m as { data: Float64Array | Float32Array }).data = m.data instanceof Float32Array ? new Float32Array(0) : new Float64Array(0);
  return true;
}

/**
 * Whether M's storage is a live resident block of the current WebAssembly
 * memory (the kernels then use it without copying).
 * @param M any matrix
 * @example isResident(residentMatrix(2, 2)) // true with the wasm backend
 */
export function isResident(M: AnyMatrix): boolean {
  const b = blockOf.get(matrixObject('isResident', M).data);
  return b !== undefined && b.live && b.epoch === epoch;
}

/**
 * Current sizes of the resident arena (all zero on the 'js' backend).
 * @example residentMemoryStats() // { blocks: 1, liveBytes: 612000000, freeBytes: 0, arenaBytes: 612000000 }
 */
export function residentMemoryStats(): ResidentMemoryStats {
  let freeBytes = 0;
  for (const f of freeList) freeBytes += f.bytes;
  return { blocks: liveBlocks, liveBytes, freeBytes, arenaBytes: liveBytes + freeBytes };
}

/** M as a matrix object, without checkMatrix's storage check (a released matrix has none, and may be asked about again). */
function matrixObject(fn: string, M: unknown): AnyMatrix {
  const m = M as AnyMatrix;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.shape) || !(m.data instanceof Float64Array || m.data instanceof Float32Array)) {
    return checkMatrix(fn, 'M', M);
  }
  return m;
}

function checkDtype(fn: string, dtype: unknown): ResidentDtype {
  if (dtype === undefined) return 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') fail(fn, `dtype must be 'float64' or 'float32', got ${JSON.stringify(dtype)}`);
  return dtype;
}

/** A rows×cols matrix over a new arena block (contents undefined), or an ordinary one on the js backend. */
function allocateMatrix(fn: string, what: string, rows: number, cols: number, dtype: ResidentDtype): AnyMatrix {
  const len = rows * cols;
  const is32 = dtype === 'float32';
  // Only a shared memory keeps old views valid when it grows; an ordinary one
  // (browsers without cross-origin isolation) detaches its ArrayBuffer, which
  // would break every resident matrix. There the kernels copy operands instead.
  if (len === 0 || !residentAvailable()) return is32 ? matrix(rows, cols, new Float32Array(len)) : matrix(rows, cols);
  const bytes = align64(len * (is32 ? 4 : 8));
  let addr: number;
  try {
    addr = allocate(fn, bytes);
  } catch (e) {
    throw new RangeError(`${fn}: ${what}, a ${rows}×${cols} ${dtype} matrix (${(bytes / 2 ** 20).toFixed(0)} MiB), does not fit in WebAssembly memory beside ${(liveBytes / 2 ** 20).toFixed(0)} MiB of resident blocks: ${(e as Error).message}`);
  }
  // wasmF64()'s buffer is the current (registered) buffer object, valid after the growth in allocate.
  const buf = wasmF64().buffer;
  const data = is32 ? new Float32Array(buf, addr, len) : new Float64Array(buf, addr, len);
  blockOf.set(data, { addr, bytes, live: true, epoch });
  liveBlocks++;
  liveBytes += bytes;
  return data instanceof Float32Array ? matrix(rows, cols, data) : matrix(rows, cols, data);
}

/** A raw arena block of {@link arenaBlock}: its byte address and size. */
export interface ArenaBlock {
  readonly addr: number;
  readonly bytes: number;
}

/**
 * A raw block of the resident arena (internal, for the engine's workspaces,
 * src/engine/workspace.ts), 64-byte aligned, contents undefined. Unlike a
 * resident matrix it also works with the local-memory build: its owner keeps
 * no views, it takes them from `wasmF64()` / `wasmF32()` (which follow the
 * memory's growth) whenever it reads or writes the block. Free it with
 * {@link releaseArenaBlock}.
 * @throws RangeError when it does not fit in WebAssembly memory
 */
export function arenaBlock(fn: string, bytes: number): ArenaBlock {
  const size = align64(Math.max(bytes, 64));
  let addr: number;
  try {
    addr = allocate(fn, size);
  } catch (e) {
    throw new RangeError(`${fn}: a workspace of ${(size / 2 ** 20).toFixed(1)} MiB does not fit in WebAssembly memory beside ${(liveBytes / 2 ** 20).toFixed(0)} MiB of resident blocks: ${(e as Error).message}`);
  }
  const b: Block = { addr, bytes: size, live: true, epoch };
  liveBlocks++;
  liveBytes += size;
  return b;
}

/** Whether an {@link arenaBlock} is live in the current memory (not released, not replaced by releaseWasmMemory). */
export function arenaBlockLive(b: ArenaBlock): boolean {
  const k = b as Block;
  return k.live && k.epoch === epoch;
}

/** Give an {@link arenaBlock} back (idempotent; nothing for a block of a replaced memory). */
export function releaseArenaBlock(b: ArenaBlock): boolean {
  const k = b as Block;
  if (!k.live || k.epoch !== epoch) return false;
  k.live = false;
  liveBlocks--;
  liveBytes -= k.bytes;
  freeRange(k.addr, k.bytes);
  return true;
}

/** First fit from the free list, else extend the arena (which may grow the memory and throw). */
function allocate(fn: string, bytes: number): number {
  for (let i = 0; i < freeList.length; i++) {
    const f = freeList[i];
    if (f.bytes < bytes) continue;
    const addr = f.addr;
    if (f.bytes === bytes) freeList.splice(i, 1);
    else {
      f.addr += bytes;
      f.bytes -= bytes;
    }
    return addr;
  }
  const addr = wasmArenaBounds().end;
  setWasmArenaEnd(fn, addr + bytes);
  return addr;
}

/** Put [addr, addr+bytes) back: merge with free neighbours, and give a top range back to the scratch area. */
function freeRange(addr: number, bytes: number): void {
  let lo = 0, hi = freeList.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (freeList[mid].addr < addr) lo = mid + 1;
    else hi = mid;
  }
  const prev = lo > 0 ? freeList[lo - 1] : null, next = lo < freeList.length ? freeList[lo] : null;
  let range = { addr, bytes };
  if (prev !== null && prev.addr + prev.bytes === addr) {
    prev.bytes += bytes;
    range = prev;
    lo--;
  } else freeList.splice(lo, 0, range);
  if (next !== null && range.addr + range.bytes === next.addr) {
    range.bytes += next.bytes;
    freeList.splice(lo + 1, 1);
  }
  if (range.addr + range.bytes === wasmArenaBounds().end) {
    freeList.splice(lo, 1);
    setWasmArenaEnd('releaseResident', range.addr);
  }
}

/** Copy any-strided src into contiguous column-major dst (same precision). */
function copyColumnMajor(dst: Float64Array | Float32Array, src: AnyMatrix): void {
  const [r, c] = src.shape;
  const d = src.data, s0 = src.stride[0], s1 = src.stride[1];
  if (s0 === 1 && (s1 === r || c <= 1)) {
    dst.set(d.subarray(src.offset, src.offset + r * c));
    return;
  }
  for (let j = 0; j < c; j++) {
    const base = src.offset + j * s1, o = j * r;
    for (let i = 0; i < r; i++) dst[o + i] = d[base + i * s0];
  }
}
