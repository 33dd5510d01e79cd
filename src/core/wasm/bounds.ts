/**
 * Size checks at the boundary of the raw kernel wrappers. The kernels address
 * WebAssembly memory directly: an operand that is resident (./resident.ts)
 * is read and written in place by its byte address, so a buffer shorter than
 * its stated shape would let a kernel write into whatever block follows it —
 * another live matrix. These checks cost a few comparisons per call.
 */
import { fail } from '../errors.js';

type Data = Float64Array | Float32Array;

/** `x` is a Float64Array or Float32Array (named `name`), else a clear error. */
export function checkArray(fn: string, name: string, x: unknown): Data {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    fail(fn, `${name} must be a Float64Array or Float32Array, got ${x === null ? 'null' : (x as object)?.constructor?.name ?? typeof x}`);
  }
  return x;
}

/** `v` is a non-negative integer (a size), else a clear error. */
export function checkCount(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(fn, `${name} must be a non-negative integer, got ${String(v)}`);
  return v;
}

/** `x` holds at least `need` entries (`what` describes them, e.g. "C (3×4)"). */
export function checkLength(fn: string, name: string, x: Data, need: number, what: string): void {
  if (x.length < need) fail(fn, `${name} has ${x.length} entries but ${what} needs ${need}`);
}

/** All arrays have the precision of the first. */
export function checkSamePrecision(fn: string, named: [string, Data | null][]): void {
  const is32 = named[0][1] instanceof Float32Array;
  for (const [name, x] of named) {
    if (x && (x instanceof Float32Array) !== is32) {
      fail(fn, `${named[0][0]} is ${is32 ? 'float32' : 'float64'} but ${name} is ${is32 ? 'float64' : 'float32'}: all operands must share one precision`);
    }
  }
}

/**
 * The strided rows×cols view at `off` with steps (rs, cs) lies inside `x`:
 * entries off + i·rs + j·cs for i < rows, j < cols.
 */
export function checkStrided(fn: string, name: string, x: Data, off: number, rows: number, cols: number, rs: number, cs: number): void {
  if (rows === 0 || cols === 0) return;
  if (!Number.isInteger(off) || !Number.isInteger(rs) || !Number.isInteger(cs)) fail(fn, `${name}: offset and strides must be integers, got ${off}, ${rs}, ${cs}`);
  let lo = off, hi = off;
  const er = (rows - 1) * rs, ec = (cols - 1) * cs;
  if (er < 0) lo += er; else hi += er;
  if (ec < 0) lo += ec; else hi += ec;
  if (lo < 0 || hi >= x.length) {
    fail(fn, `${name} (${rows}×${cols} at offset ${off}, strides ${rs}, ${cs}) reaches entries ${lo} … ${hi}, but the array has ${x.length}`);
  }
}
