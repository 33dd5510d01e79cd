/**
 * A pool of worker threads running the WebAssembly kernels on the shared
 * memory of ./module.ts, for large products and batches split across cores.
 *
 * Work is cut into chunks (column or row blocks of a product, groups of
 * examples of a convolution) taken dynamically: every thread, the calling
 * one included, claims the next chunk with `Atomics.add` on a shared counter
 * until none is left. On a quiet machine this splits evenly; on a busy one a
 * thread that gets less CPU simply takes fewer chunks, so two threads are
 * never much slower than one.
 *
 * Hand-off without messages (a `postMessage` round trip costs more than a
 * 128³ product): each worker owns a slot of a small shared control array; the
 * caller writes the job (the name of an exported kernel, its arguments for
 * chunk 0, their per-chunk steps) into the slot, bumps the slot's sequence
 * number and wakes the worker with `Atomics.notify`; the worker, parked in
 * `Atomics.wait` on that number, claims chunks until none is left and
 * publishes the same number as "done". The calling thread claims chunks too
 * and then waits for the workers, so a call stays synchronous.
 *
 * A worker that dies mid-call cannot say so (its `exit` event needs the event
 * loop, which a blocked caller does not run): the caller therefore waits for
 * each worker in short slices, watching the per-chunk completion marks, and
 * presumes a worker dead when none of its chunks completes for much longer
 * than the caller needed per chunk (at least a second). It then redoes the
 * unfinished chunks itself, reports the loss (a warning once, and
 * {@link wasmThreadStatus}), and the next call starts a new pool.
 *
 * Workers are started lazily by the first call that wants them (until they
 * are ready the other threads take all chunks), `unref()`ed so they never
 * keep the process alive, and stopped by {@link shutdownWasmThreads} or when
 * the memory is released. The thread count defaults to the machine's
 * available parallelism (at most 8); `NUMDL_THREADS` or
 * {@link setWasmThreads} override it.
 */
import type { Worker } from 'node:worker_threads';
import { onWasmRelease, wasmExports, wasmShared } from './module.js';
import { fail } from '../errors.js';

/**
 * Node's built-in modules, fetched at run time through
 * `process.getBuiltinModule` (Node ≥ 20.16) rather than imported: the main
 * entry then has no `node:` import, so bundlers and browsers load it as is.
 * Where they are missing (a browser, an older Node) the pool never starts and
 * everything runs on the calling thread.
 */
function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
const os = nodeBuiltin<typeof import('node:os')>('node:os');
const workerThreads = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');

/** Int32 slots per worker in the control array (64 doubles). */
const SLOT = 128;
/** Int32 fields of a slot. */
const SEQ = 0, DONE = 1, READY = 2, OP = 3, NARGS = 4, ERR = 5, LENIDX = 6;
/** Float64 fields of a slot (indices relative to the slot's first double). */
const CHUNKLEN = 4, TOTAL = 5, ARGS = 6;
/** Most arguments a job can carry (arguments and their steps fill the slot). */
const MAX_ARGS = (SLOT / 2 - ARGS) / 2;
/** Most workers a pool can have. */
const MAX_WORKERS = 15;
/** Int32 index of the shared chunk counter (after the slots). */
const COUNTER = MAX_WORKERS * SLOT;
/** Int32 index of the current job's id (chunk completion marks carry it). */
const JOB = COUNTER + 1;
/** Int32 index of the first chunk completion mark: chunk c is done when it holds the job id. */
const CHUNK_DONE = COUNTER + 16;
/** Most chunks a threaded job may have (jobs with more run on the calling thread). */
const MAX_CHUNKS = 1024;
/**
 * How long the calling thread waits for a worker that holds unfinished chunks
 * before presuming it dead: at least WAIT_MIN_MS, and WAIT_FACTOR times the
 * longest the calling thread itself needed per chunk of the same job (a live
 * worker finishes its one chunk in about that time, a few times it on a busy
 * machine).
 */
const WAIT_MIN_MS = 1000;
const WAIT_FACTOR = 50;
/** The wait when the calling thread ran no chunk of the job itself (no time per chunk to scale). */
const WAIT_UNTIMED_MS = 10_000;

/** Kernel names a job may name; the index is the op code. */
const OPS = ['exit', 'dgemm', 'sgemm', 'dconv2d', 'sconv2d', 'dconv2dGradTheta', 'sconv2dGradTheta', 'netChunks', 'netChunks32', 'convNetChunks', 'convNetChunks32', 'lcSegments', 'lcSegments32', 'sparseColumns', 'sparseColumns32'] as const;
/** A kernel a worker can run. */
export type ThreadOp = Exclude<(typeof OPS)[number], 'exit'>;

// The worker: plain CommonJS source run with `eval`, so the same code serves
// `tsx` runs of src/ and the compiled dist/ (no worker file to locate).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, slot, ops } = workerData;
const I = new Int32Array(control), F = new Float64Array(control);
const base = slot * ${SLOT}, fbase = slot * ${SLOT / 2};
let ex;
try {
  ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  Atomics.store(I, base + ${READY}, 1);
} catch (e) {
  Atomics.store(I, base + ${READY}, -1);
}
Atomics.notify(I, base + ${READY});
let seq = 0;
while (ex) {
  Atomics.wait(I, base + ${SEQ}, seq);
  const s = Atomics.load(I, base + ${SEQ});
  if (s === seq) continue;
  seq = s;
  const op = I[base + ${OP}];
  if (op === 0) break;
  try {
    const n = I[base + ${NARGS}], lenIdx = I[base + ${LENIDX}];
    const chunkLen = F[fbase + ${CHUNKLEN}], total = F[fbase + ${TOTAL}];
    const chunks = Math.ceil(total / chunkLen), f = ex[ops[op]], args = new Array(n);
    for (;;) {
      const c = Atomics.add(I, ${COUNTER}, 1);
      if (c >= chunks) break;
      for (let i = 0; i < n; i++) args[i] = F[fbase + ${ARGS} + i] + c * F[fbase + ${ARGS} + n + i];
      args[lenIdx] = Math.min(chunkLen, total - c * chunkLen);
      f.apply(null, args);
      Atomics.store(I, ${CHUNK_DONE} + c, I[${JOB}]);
    }
    I[base + ${ERR}] = 0;
  } catch (e) {
    I[base + ${ERR}] = 1;
  }
  Atomics.store(I, base + ${DONE}, seq);
  Atomics.notify(I, base + ${DONE});
}
`;

interface Pool {
  generation: number;
  workers: Worker[];
  control: SharedArrayBuffer;
  I: Int32Array;
  F: Float64Array;
  seq: number;
  job: number;
  broken: boolean;
}

// Process-wide by nature (one per process, no caller's results): see
// docs/kernels.md, the bullet on process-wide state.
let pool: Pool | null = null;

/** What {@link wasmThreadStatus} reports. */
export interface WasmThreadStatus {
  /** Threads the kernels may use ({@link getWasmThreads}). */
  threads: number;
  /** Worker threads started in the current pool. */
  workers: number;
  /** Of those, booted and answering. */
  ready: number;
  /** Workers lost (died or stopped answering) since the process started; their work was redone on the calling thread. */
  lostWorkers: number;
  /** What happened at the last loss, or null. */
  lastLoss: string | null;
}

/** Losses of workers over the life of the process (the pool is rebuilt after each). */
const losses = { count: 0, last: null as string | null, warned: false };

function defaultThreads(): number {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  const env = proc?.env?.NUMDL_THREADS;
  if (env !== undefined && env !== '') {
    const t = Number(env);
    if (Number.isInteger(t) && t >= 1) return Math.min(t, MAX_WORKERS + 1);
    proc!.emitWarning(`NUMDL_THREADS=${env} is not a positive integer; using the default`, { code: 'NUMDL_THREADS' });
  }
  if (os === undefined || workerThreads === undefined || wasmShared() === null) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(8, cores));
}

// Process-wide by nature (one per process, no caller's results): see
// docs/kernels.md, the bullet on process-wide state.
let threads = defaultThreads();

/**
 * Use up to `n` threads (the calling thread and n − 1 workers) for large
 * WebAssembly products and batches; 1 keeps everything on the calling thread.
 * Workers beyond the new count stay parked (no CPU) until a larger count
 * wants them again; {@link shutdownWasmThreads} stops them.
 * @param n thread count, 1 … 16
 * @throws `setWasmThreads: n must be an integer from 1 to 16, got 0`
 * @example setWasmThreads(2); getWasmThreads() // 2
 */
export function setWasmThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS + 1) {
    fail('setWasmThreads', `n must be an integer from 1 to ${MAX_WORKERS + 1}, got ${String(n)}`, 'badArgument', { argument: 'n', got: n });
  }
  threads = n;
}

/**
 * Threads the WebAssembly kernels may use: the machine's available
 * parallelism (at most 8) unless `NUMDL_THREADS` or {@link setWasmThreads} say
 * otherwise.
 * @example getWasmThreads() // 2 on a two-core machine
 */
export function getWasmThreads(): number {
  return threads;
}

/**
 * How many worker threads are started and ready (they start on the first
 * large call and take a few tens of milliseconds to boot; until then their
 * shares run on the calling thread).
 * @example await waitFor(() => wasmThreadsReady() === getWasmThreads() - 1)
 */
export function wasmThreadsReady(): number {
  if (!pool) return 0;
  let r = 0;
  for (let w = 0; w < pool.workers.length; w++) if (Atomics.load(pool.I, w * SLOT + READY) === 1) r++;
  return r;
}

/**
 * Start the worker threads now instead of on the first large call (useful
 * before timing, or in tests), up to {@link getWasmThreads} − 1 of them.
 * @returns the number of workers started (ready or still booting)
 * @example startWasmThreads() // 1 on a two-core machine
 */
export function startWasmThreads(): number {
  const p = threads > 1 ? ensurePool(threads - 1) : null;
  return p ? p.workers.length : 0;
}

/**
 * Stop the worker threads now (they are `unref()`ed, so a process never waits
 * for them anyway); later calls start new ones when they need them.
 * @example shutdownWasmThreads()
 */
export function shutdownWasmThreads(): void {
  const p = pool;
  pool = null;
  if (!p) return;
  for (let w = 0; w < p.workers.length; w++) {
    const b = w * SLOT;
    p.I[b + OP] = 0;
    Atomics.store(p.I, b + SEQ, ++p.seq);
    Atomics.notify(p.I, b + SEQ);
    void p.workers[w].terminate();
  }
}

onWasmRelease(shutdownWasmThreads);

/** The pool for the current module and memory, with at least `want` workers started. */
function ensurePool(want: number): Pool | null {
  const shared = wasmShared();
  if (!shared || workerThreads === undefined) return null;
  if (pool && (pool.generation !== shared.generation || pool.broken)) shutdownWasmThreads();
  if (!pool) {
    const control = new SharedArrayBuffer(4 * (CHUNK_DONE + MAX_CHUNKS));
    pool = { generation: shared.generation, workers: [], control, I: new Int32Array(control), F: new Float64Array(control), seq: 0, job: 0, broken: false };
  }
  while (pool.workers.length < want) {
    const slot = pool.workers.length;
    const worker = new workerThreads!.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: shared.module, memory: shared.memory, control: pool.control, slot, ops: OPS },
    });
    worker.unref();
    const p = pool;
    // A worker that fails or exits is not sent more work (the pool is rebuilt
    // on the next call). These events arrive only when the event loop runs;
    // a death during a synchronous call is caught by runChunked's bounded wait.
    const gone = () => {
      p.broken = true;
      Atomics.store(p.I, slot * SLOT + READY, -1);
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    pool.workers.push(worker);
  }
  return pool;
}

/**
 * Work cut into chunks: chunk c (of ⌈total/chunkLen⌉) runs kernel `op` with
 * `args[i] + c·step[i]`, its length argument replaced by
 * min(chunkLen, total − c·chunkLen); thread t (0 = the caller) adds
 * `t·perThread[i]` (its own workspace or partial sum).
 */
export interface ChunkedJob {
  /** Exported kernel to run. */
  op: ThreadOp;
  /** Arguments of chunk 0 on thread 0. */
  args: number[];
  /** Per-chunk increments of the arguments (pointers into the chunked arrays). */
  step: number[];
  /** Per-thread increments of the arguments (0 where shared). */
  perThread: number[];
  /** Index of the argument that receives the chunk's length. */
  lenIdx: number;
  /** Items per chunk. */
  chunkLen: number;
  /** Items in all. */
  total: number;
}

/**
 * Run a chunked job on up to `threads` threads (the caller and workers),
 * each claiming chunks until none is left; returns when all are done.
 * Workers that are not ready yet are skipped (the others take their chunks).
 * @param fn the calling function, for error messages
 * @param job the kernel, its arguments and how they move per chunk and thread
 * @param threads threads to use, 1 … {@link getWasmThreads}
 * @throws when a kernel failed on a worker
 */
export function runChunked(fn: string, job: ChunkedJob, threads: number): void {
  const ex = wasmExports(fn);
  const n = job.args.length;
  if (n > MAX_ARGS) throw new Error(`${fn}: a job has ${n} arguments, at most ${MAX_ARGS} fit`);
  const chunks = Math.ceil(job.total / job.chunkLen);
  if (chunks <= 0) return;
  const kernel = ex[job.op] as (...a: number[]) => void;
  const args = new Array<number>(n);
  /** Run chunk c on the calling thread (thread 0's arguments). */
  const runHere = (c: number): void => {
    for (let i = 0; i < n; i++) args[i] = job.args[i] + c * job.step[i];
    args[job.lenIdx] = Math.min(job.chunkLen, job.total - c * job.chunkLen);
    kernel(...args);
  };
  const p = threads > 1 && chunks > 1 && chunks <= MAX_CHUNKS ? ensurePool(Math.min(threads, chunks) - 1) : null;
  if (!p) {
    for (let c = 0; c < chunks; c++) runHere(c);
    return;
  }
  const jobId = (p.job = (p.job % 0x7ffffffe) + 1);
  Atomics.store(p.I, JOB, jobId);
  Atomics.store(p.I, COUNTER, 0);
  const sent: number[] = [];
  const code = OPS.indexOf(job.op);
  for (let w = 0; w < Math.min(threads, chunks) - 1; w++) {
    const b = w * SLOT, fb = w * (SLOT / 2);
    if (Atomics.load(p.I, b + READY) !== 1) continue;
    const t = w + 1;
    for (let i = 0; i < n; i++) {
      p.F[fb + ARGS + i] = job.args[i] + t * job.perThread[i];
      p.F[fb + ARGS + n + i] = job.step[i];
    }
    p.F[fb + CHUNKLEN] = job.chunkLen;
    p.F[fb + TOTAL] = job.total;
    p.I[b + NARGS] = n;
    p.I[b + LENIDX] = job.lenIdx;
    p.I[b + OP] = code;
    Atomics.store(p.I, b + SEQ, ++p.seq);
    Atomics.notify(p.I, b + SEQ);
    sent[w] = p.seq;
  }
  // The calling thread (t = 0) claims chunks like the workers do, and times them.
  let slowest = 0;
  for (;;) {
    const c = Atomics.add(p.I, COUNTER, 1);
    if (c >= chunks) break;
    const t0 = performance.now();
    runHere(c);
    Atomics.store(p.I, CHUNK_DONE + c, jobId);
    slowest = Math.max(slowest, performance.now() - t0);
  }
  // Wait for the workers, each at most `limit` ms without finishing a chunk
  // (a dead worker never answers: Atomics.wait alone would block forever).
  // (When the workers took every chunk, nothing measured their size: wait longer.)
  const limit = slowest > 0 ? Math.max(WAIT_MIN_MS, WAIT_FACTOR * slowest) : WAIT_UNTIMED_MS;
  let failed = false;
  const lost: number[] = [];
  for (let w = 0; w < sent.length; w++) {
    const s = sent[w];
    if (s === undefined) continue;
    const b = w * SLOT;
    let mark = performance.now(), doneChunks = countDone(p, chunks, jobId);
    for (;;) {
      const d = Atomics.load(p.I, b + DONE);
      if (d === s) break;
      Atomics.wait(p.I, b + DONE, d, 20);
      const now = performance.now(), nowDone = countDone(p, chunks, jobId);
      if (nowDone !== doneChunks) {
        doneChunks = nowDone;
        mark = now;
      } else if (now - mark > limit) {
        lost.push(w);
        break;
      }
    }
    if (!lost.includes(w) && p.I[b + ERR] !== 0) failed = true;
  }
  if (lost.length > 0) {
    // Presumed dead: stop it (if it is merely stalled it must not write any more),
    // then redo here every chunk not marked done. Kernels write disjoint parts of
    // their output per chunk, so a chunk the worker did finish is simply written again.
    p.broken = true;
    for (const w of lost) {
      Atomics.store(p.I, w * SLOT + READY, -1);
      void p.workers[w].terminate();
    }
    let redone = 0;
    for (let c = 0; c < chunks; c++) {
      if (Atomics.load(p.I, CHUNK_DONE + c) === jobId) continue;
      runHere(c);
      Atomics.store(p.I, CHUNK_DONE + c, jobId);
      redone++;
    }
    losses.count += lost.length;
    losses.last = `${fn}: worker thread${lost.length > 1 ? 's' : ''} ${lost.map((w) => w + 1).join(', ')} did not answer within ${limit.toFixed(0)} ms; presumed dead, ${redone} chunk${redone === 1 ? '' : 's'} redone on the calling thread`;
    if (!losses.warned && typeof process === 'object' && typeof process.emitWarning === 'function') {
      losses.warned = true;
      process.emitWarning(`${losses.last} (reported once; see wasmThreadStatus())`, { code: 'NUMDL_WORKER_LOST' });
    }
  }
  if (failed) {
    p.broken = true;
    throw new Error(`${fn}: a WebAssembly kernel failed on a worker thread`);
  }
}

/** How many of the job's chunks are marked done. */
function countDone(p: Pool, chunks: number, jobId: number): number {
  let k = 0;
  for (let c = 0; c < chunks; c++) if (Atomics.load(p.I, CHUNK_DONE + c) === jobId) k++;
  return k;
}

/**
 * The worker pool's state: threads allowed, workers started and ready, and
 * workers lost so far. A worker that dies (or stops answering for much
 * longer than the calling thread needs per chunk, at least a second) while
 * the calling thread waits for it is presumed dead: its unfinished chunks are
 * redone on the calling thread, a warning is emitted once per process
 * (`NUMDL_WORKER_LOST`), the loss is counted here, and the next call starts a
 * new pool.
 * @example wasmThreadStatus() // { threads: 2, workers: 1, ready: 1, lostWorkers: 0, lastLoss: null }
 */
export function wasmThreadStatus(): WasmThreadStatus {
  return { threads, workers: pool ? pool.workers.length : 0, ready: wasmThreadsReady(), lostWorkers: losses.count, lastLoss: losses.last };
}

/** What {@link wasmPoolWorkers} exposes of a worker thread (no Node types in the declarations). */
export interface PoolWorker {
  /** Stop the thread (resolves with its exit code). */
  terminate(): Promise<number>;
}

/**
 * The current pool's worker threads (internal: diagnostics and tests).
 */
export function wasmPoolWorkers(): readonly PoolWorker[] {
  return pool ? pool.workers : [];
}

/**
 * Chunk length for `total` items on `threads` threads: about `perThread`
 * chunks per thread, a multiple of `unit`, at least `min` items.
 * @example chunkLength(512, 2, 2, 6, 48) // 132
 */
export function chunkLength(total: number, threads: number, perThread: number, unit: number, min: number): number {
  const len = Math.max(min, Math.ceil(total / (threads * perThread)));
  return Math.ceil(len / unit) * unit;
}
