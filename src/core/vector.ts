/**
 * Level-1 operations on flat Float64Array vectors (parameters, vec'd matrices).
 * Tight loops, no allocation beyond the documented result.
 */
import { fail } from './errors.js';

/** Assert that `x` has a numeric length (an array or typed array): O(1), cheap enough for every call. */
function checkArray(fn: string, name: string, x: unknown): void {
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    fail(fn, `${name} must be an array or a Float64Array, got ${x === null ? 'null' : typeof x}`, 'badArgument', { argument: name });
  }
}

/** ⟨x, y⟩. */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkArray('dot', 'x', x);
  checkArray('dot', 'y', y);
  if (x.length !== y.length) fail('dot', `x has length ${x.length} but y has length ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** ‖x‖₂. */
export function norm2(x: ArrayLike<number>): number {
  checkArray('norm2', 'x', x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** ‖x‖_∞. */
export function normInf(x: ArrayLike<number>): number {
  checkArray('normInf', 'x', x);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > s || Number.isNaN(a)) s = a;
  }
  return s;
}

/** y ← y + a·x (in place on y; returns y). */
export function axpy(a: number, x: Float64Array, y: Float64Array): Float64Array {
  checkArray('axpy', 'x', x);
  checkArray('axpy', 'y', y);
  if (x.length !== y.length) fail('axpy', `x has length ${x.length} but y has length ${y.length}`);
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
  return y;
}

/** New vector a·x + b·y. */
export function linComb(a: number, x: Float64Array, b: number, y: Float64Array): Float64Array {
  checkArray('linComb', 'x', x);
  checkArray('linComb', 'y', y);
  if (x.length !== y.length) fail('linComb', `x has length ${x.length} but y has length ${y.length}`);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i] + b * y[i];
  return out;
}

/** New vector a·x. */
export function scaled(a: number, x: Float64Array): Float64Array {
  checkArray('scaled', 'x', x);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * x[i];
  return out;
}

/** True when every entry is finite. */
export function allFinite(x: ArrayLike<number>): boolean {
  checkArray('allFinite', 'x', x);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Concatenate vectors into one new Float64Array. */
export function concat(parts: ArrayLike<number>[]): Float64Array {
  if (!Array.isArray(parts)) fail('concat', `parts must be an array of vectors, got ${parts === null ? 'null' : typeof parts}`);
  parts.forEach((p, i) => checkArray('concat', `parts[${i}]`, p));
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
