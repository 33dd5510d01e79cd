/**
 * Element-wise activation passes in WebAssembly SIMD (f64x2), with the
 * signature of the activations' one-pass kernels (`ActivationKernel` in
 * src/layers/activations/elementwise.ts): `value[k] = σ(x[k])` and, unless
 * `derivative` is null, `derivative[k] = σ'(x[k])`; `value` may alias `x`.
 *
 * WebAssembly has no transcendental instructions, so tanh and sin use their
 * own vector polynomials (see assembly/activations.ts): results agree with
 * `Math.tanh` / `Math.sin` / `Math.cos` to a few units in the last place, and
 * tanh' is computed as (2/(e+2))·(1 + tanh|x|) = 4(e+1)/(e+2)², e = expm1(2|x|),
 * accurate also where 1 − tanh² cancels. ReLU is exact. Arrays are copied through WebAssembly
 * memory in chunks of {@link CHUNK} entries, except when x, value and
 * derivative are all resident (./resident.ts): then the pass runs in place.
 */
import { align64, wasmExports, wasmF64, wasmReserve, type KernelExports } from './module.js';
import { fail } from '../errors.js';
import { checkLength } from './bounds.js';
import { residentAddress } from './resident.js';

/** Entries per round trip through WebAssembly memory (8 MiB of input). */
const CHUNK = 1 << 20;

type Pass = 'tanhPass' | 'reluPass' | 'sinPass';

function run(fn: string, pass: Pass, x: Float64Array, value: Float64Array, derivative: Float64Array | null): void {
  const ex = wasmExports(fn);
  // Resident arrays are written in place: a short one would let the pass write into the next block.
  for (const [name, a] of [['x', x], ['value', value], ['derivative', derivative]] as const) {
    if (a !== null && !(a instanceof Float64Array)) fail(fn, `${name} must be a Float64Array, got ${(a as object)?.constructor?.name ?? typeof a}`);
  }
  checkLength(fn, 'value', value, x.length, `x (${x.length} entries)`);
  if (derivative) checkLength(fn, 'derivative', derivative, x.length, `x (${x.length} entries)`);
  const n = x.length;
  if (n === 0) return;
  const res = residentArgs(x, value, derivative, n);
  if (res === null) {
    copied(fn, ex[pass], x, value, derivative, 0, n);
    return;
  }
  // In place: the kernel handles whole vectors, and an odd tail would write one
  // entry past value/derivative, i.e. into a neighbouring block; it takes the
  // copied path instead (lanes are independent: the same bits).
  const even = n & ~1;
  if (even > 0) ex[pass](res.x, res.v, res.d, even);
  if (even < n) copied(fn, ex[pass], x, value, derivative, even, n);
}

/** Byte addresses of x, value and derivative (0 when null) for the in-place path, or null to copy. */
function residentArgs(x: Float64Array, value: Float64Array, derivative: Float64Array | null, n: number): { x: number; v: number; d: number } | null {
  const xa = residentAddress(x), va = residentAddress(value), da = derivative ? residentAddress(derivative) : 0;
  if (xa < 0 || va < 0 || da < 0) return null;
  // Element k is read and written in the same step: an output may alias x
  // exactly but not partly (nor overlap the other output).
  const bytes = n * 8;
  if (va !== xa && va < xa + bytes && xa < va + bytes) return null;
  if (derivative && ((da < va + bytes && va < da + bytes) || (da !== xa && da < xa + bytes && xa < da + bytes))) return null;
  return { x: xa, v: va, d: da };
}

/** Entries [from, to) through scratch memory, in chunks of {@link CHUNK}. */
function copied(fn: string, kernel: KernelExports[Pass], x: Float64Array, value: Float64Array, derivative: Float64Array | null, from: number, to: number): void {
  const chunk = Math.min(to - from, CHUNK);
  const bytes = align64(chunk * 8 + 16);
  const base = wasmReserve(fn, 3 * bytes);
  const xP = base, vP = xP + bytes, dP = vP + bytes;
  const mem = wasmF64();
  const xi = xP / 8, vi = vP / 8, di = dP / 8;
  for (let s = from; s < to; s += chunk) {
    const len = Math.min(chunk, to - s);
    mem.set(x.subarray(s, s + len), xi);
    // The kernel reads whole vectors: give an odd tail a defined partner lane.
    if (len & 1) mem[xi + len] = 0;
    kernel(xP, vP, derivative ? dP : 0, len);
    value.set(mem.subarray(vi, vi + len), s);
    if (derivative) derivative.set(mem.subarray(di, di + len), s);
  }
}

/**
 * tanh and its derivative in one WebAssembly SIMD pass:
 * `value[k] = tanh(x[k])`, `derivative[k] = 1 − tanh(x[k])²` (computed without
 * cancellation). value and derivative must hold x.length entries (checked).
 * @param x inputs (any length)
 * @param value σ(x), may alias x
 * @param derivative σ'(x), or null to skip it
 * @throws when the WebAssembly kernels are unavailable
 * @example
 * const v = new Float64Array(2), d = new Float64Array(2);
 * wasmTanh(Float64Array.of(0, 1), v, d); // v = [0, 0.7615941559557649], d = [1, 0.41997434161402614]
 */
export function wasmTanh(x: Float64Array, value: Float64Array, derivative: Float64Array | null): void {
  run('wasmTanh', 'tanhPass', x, value, derivative);
}

/**
 * ReLU and its derivative in one WebAssembly SIMD pass: `value[k] = max(x[k], 0)`,
 * `derivative[k] = 1` for x > 0 and 0 otherwise (NaN gives 0 and 0, like the
 * TypeScript kernel).
 * @param x inputs
 * @param value σ(x), may alias x
 * @param derivative σ'(x), or null
 * @throws when the WebAssembly kernels are unavailable
 * @example
 * wasmRelu(Float64Array.of(-1, 2), v, d); // v = [0, 2], d = [0, 1]
 */
export function wasmRelu(x: Float64Array, value: Float64Array, derivative: Float64Array | null): void {
  run('wasmRelu', 'reluPass', x, value, derivative);
}

/**
 * sin and its derivative cos in one WebAssembly SIMD pass (arguments beyond
 * about 8·10⁵ in magnitude, and non-finite ones, fall back to scalar sin/cos).
 * @param x inputs
 * @param value sin(x), may alias x
 * @param derivative cos(x), or null
 * @throws when the WebAssembly kernels are unavailable
 * @example
 * wasmSin(Float64Array.of(0, Math.PI / 2), v, d); // v = [0, 1], d = [1, 6.123233995736766e-17]
 */
export function wasmSin(x: Float64Array, value: Float64Array, derivative: Float64Array | null): void {
  run('wasmSin', 'sinPass', x, value, derivative);
}

/**
 * Array length from which each WebAssembly pass beats the TypeScript
 * kernel of src/layers/activations (measured here, value and derivative;
 * informative: the activations use the pass of the selected kernel family
 * for every length, so that results do not depend on the array length):
 * tanh from about 64 entries (2–3× faster from a few thousand on), sin from
 * about 128 (≈ 2×), ReLU from about 1024 (≈ 3× on random signs, where the
 * TypeScript loop mispredicts its branch; below that the copies into
 * WebAssembly memory dominate).
 */
export const WASM_ACTIVATION_MIN: Readonly<{ tanh: number; sin: number; relu: number }> = Object.freeze({ tanh: 64, sin: 128, relu: 1024 });
