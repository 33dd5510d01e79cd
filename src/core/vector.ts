/**
 * Level-1 operations on flat Float64Array vectors (parameters, vec'd matrices).
 * Tight loops, no allocation beyond the documented result.
 */
import { fail } from './errors.js';

/** ⟨x, y⟩. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) fail('dot', `x has length ${x.length} but y has length ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** ‖x‖₂. */
export function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** ‖x‖_∞. */
export function normInf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > s || Number.isNaN(a)) s = a;
  }
  return s;
}

/** y ← y + a·x (in place on y; returns y). */
export function axpy(a: number, x: Float64Array, y: Float64Array): Float64Array {
  if (x.length !== y.length) fail('axpy', `x has length ${x.length} but y has length ${y.length}`);
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
  return y;
}

/** New vector a·x + b·y. */
export function linComb(a: number, x: Float64Array, b: number, y: Float64Array): Float64Array {
  if (x.length !== y.length) fail('linComb', `x has length ${x.length} but y has length ${y.length}`);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

/** New vector a·x. */
export function scaled(a: number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i];
  return out;
}

/** True when every entry is finite. */
export function allFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Concatenate vectors into one new Float64Array. */
export function concat(parts: ArrayLike<number>[]): Float64Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
