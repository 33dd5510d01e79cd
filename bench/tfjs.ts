/**
 * TensorFlow.js as a benchmark peer: loaded once per process, quietly, with
 * its `cpu` backend and its `wasm` backend (XNNPACK; SIMD when the runtime
 * has it, single-threaded in Node — tfjs-backend-wasm disables threads there).
 *
 * The wasm binaries are pointed at explicitly (`setWasmPaths` with the
 * directory inside node_modules), and the wasm backend counts as available
 * only if `tf.setBackend('wasm')` really returns true. Production mode is on
 * (no debug checks, no console warnings), as a user timing TF.js would run it.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** The `@tensorflow/tfjs` namespace. */
export type Tf = typeof import('@tensorflow/tfjs');

/** A loaded TF.js with what we learnt about its backends. */
export interface TfPeer {
  tf: Tf;
  /** `@tensorflow/tfjs` version. */
  version: string;
  /** Backends that initialised (`cpu`, and `wasm` when it worked). */
  backends: string[];
  /** Whether the wasm backend runs its SIMD binary. */
  wasmSimd: boolean;
  /** XNNPACK threads used by the wasm backend (1 in Node). */
  wasmThreads: number;
  /** What went wrong or is worth saying (for the report). */
  notes: string[];
}

let loaded: Promise<TfPeer | null> | undefined;

/**
 * Run `f` with console.log/info/warn/debug silenced (TF.js greets Node users
 * and warns about kernels on import), then restore them.
 * @returns what `f` returns
 */
export async function quietly<T>(f: () => T | Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const mute = () => {};
  console.log = console.info = console.warn = console.debug = mute;
  try {
    return await f();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * Load TF.js and its backends once (later calls return the same promise).
 * @returns the peer, or null when `@tensorflow/tfjs` is not installed
 */
export function loadTf(): Promise<TfPeer | null> {
  loaded ??= quietly(load);
  return loaded;
}

async function load(): Promise<TfPeer | null> {
  let tf: Tf;
  try {
    tf = await import('@tensorflow/tfjs');
  } catch {
    return null;
  }
  const notes: string[] = [];
  tf.enableProdMode();
  const backends: string[] = [];
  if (await tf.setBackend('cpu')) backends.push('cpu');
  let wasmSimd = false, wasmThreads = 0;
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(dir + path.sep);
    const ok = await tf.setBackend('wasm');
    if (ok === true && tf.getBackend() === 'wasm') {
      backends.push('wasm');
      wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      wasmThreads = wasm.getThreadsCount();
    } else {
      notes.push('tfjs-backend-wasm did not initialise (setBackend returned false).');
    }
  } catch (e) {
    notes.push(`tfjs-backend-wasm unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
  await tf.setBackend('cpu');
  return { tf, version: tf.version.tfjs, backends, wasmSimd, wasmThreads, notes };
}

/**
 * Make `name` the active TF.js backend (cheap once initialised).
 * @throws if the backend cannot be selected
 */
export async function useBackend(tf: Tf, name: string): Promise<void> {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} could not be selected`);
}

/**
 * One line describing the peer for a report.
 * @example describe(peer) // 'TF.js 4.22.0: cpu, wasm (SIMD, 1 thread)'
 */
export function describe(p: TfPeer): string {
  const w = p.backends.includes('wasm') ? ` (${p.wasmSimd ? 'SIMD' : 'no SIMD'}, ${p.wasmThreads} thread${p.wasmThreads === 1 ? '' : 's'})` : '';
  return `TF.js ${p.version}: ${p.backends.join(', ')}${w}`;
}
