/**
 * Option validation for the optimizers. Every public method validates once, at
 * its entry, and throws `Error("method: option must be …, got …")` naming the
 * method, the option and the value, e.g.
 * `sgd: batchSize must be a positive integer, got 0`.
 */
import { checkVector, fail } from '../core/errors.js';
import type { Objective } from '../objectives/types.js';
import type { CommonOptions } from './types.js';

/** Names of the options in {@link CommonOptions}. */
export const COMMON_OPTION_KEYS = ['onIteration', 'verbose', 'quiet', 'print'] as const;

/**
 * Reject options the method does not know (a typo such as `maxIters` would
 * otherwise be silently ignored).
 * @throws `fn: unknown option 'maxIters' (known: …)`
 */
export function checkKnownOptions(fn: string, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object') fail(fn, `options must be an object, got ${opts === null ? 'null' : typeof opts}`, 'badOption', { got: opts });
  for (const key of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[key] === undefined) continue;
    if (!known.includes(key)) fail(fn, `unknown option '${key}' (known: ${[...known].sort().join(', ')})`, 'unknownOption', { option: key, known: [...known] });
  }
}

/** Format a value for an error message. */
function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'function') return 'a function';
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}

/** `opts[name]` if given, else `def`, checked to be a number > 0 (finite unless `allowInfinity`). */
export function positive(fn: string, name: string, v: unknown, def: number, allowInfinity = false): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v) || (!allowInfinity && !Number.isFinite(v)) || !(v > 0)) {
    fail(fn, `${name} must be a positive ${allowInfinity ? 'number (Infinity allowed)' : 'finite number'}, got ${show(v)}`, 'badOption', { option: name, got: v });
  }
  return v;
}

/** Like {@link positive} but 0 is allowed. */
export function nonNegative(fn: string, name: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(fn, `${name} must be a non-negative finite number, got ${show(v)}`, 'badOption', { option: name, got: v });
  return v;
}

/** A number in the interval [lo, hi) or (lo, hi) (`openLo`). */
export function inInterval(fn: string, name: string, v: unknown, def: number, lo: number, hi: number, openLo = false): number {
  if (v === undefined) return def;
  const ok = typeof v === 'number' && Number.isFinite(v) && (openLo ? v > lo : v >= lo) && v < hi;
  if (!ok) fail(fn, `${name} must be in ${openLo ? '(' : '['}${lo}, ${hi}), got ${show(v)}`, 'badOption', { option: name, got: v });
  return v as number;
}

/** A positive integer (or `Infinity` if `allowInfinity`). */
export function positiveInt(fn: string, name: string, v: unknown, def: number, allowInfinity = false): number {
  if (v === undefined) return def;
  if (allowInfinity && v === Infinity) return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(fn, `${name} must be a positive integer, got ${show(v)}`, 'badOption', { option: name, got: v });
  return v;
}

/** A non-negative integer. */
export function nonNegativeInt(fn: string, name: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(fn, `${name} must be a non-negative integer, got ${show(v)}`, 'badOption', { option: name, got: v });
  return v;
}

/** A boolean. */
export function bool(fn: string, name: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') fail(fn, `${name} must be true or false, got ${show(v)}`, 'badOption', { option: name, got: v });
  return v;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(fn: string, name: string, v: unknown, def: T, allowed: readonly T[]): T {
  if (v === undefined) return def;
  if (typeof v !== 'string' || !allowed.includes(v as T)) fail(fn, `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`, 'badOption', { option: name, got: v, allowed: [...allowed] });
  return v as T;
}

/** An optional function. */
export function optionalFunction<F>(fn: string, name: string, v: unknown): F | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') fail(fn, `${name} must be a function, got ${show(v)}`, 'badOption', { option: name, got: v });
  return v as F;
}

/** Check the common options (callbacks, printing flags). */
export function checkCommon(fn: string, opts: CommonOptions): void {
  optionalFunction(fn, 'onIteration', opts.onIteration);
  if (opts.print !== undefined && typeof opts.print !== 'boolean' && typeof opts.print !== 'function') fail(fn, `print must be true, false or a function (line) => void, got ${show(opts.print)}`, 'badOption', { option: 'print', got: opts.print });
  bool(fn, 'verbose', opts.verbose, false);
  bool(fn, 'quiet', opts.quiet, false);
}

/** Check that `objective` looks like an {@link Objective}. */
export function checkObjective(fn: string, objective: Objective): void {
  const o = objective as Partial<Objective> | null;
  if (o === null || typeof o !== 'object' || typeof o.evaluate !== 'function') fail(fn, `objective must have an evaluate(x, batch?, opts?) method`);
  if (typeof o.nParams !== 'number' || !Number.isInteger(o.nParams) || o.nParams < 0) fail(fn, `objective.nParams must be a non-negative integer, got ${show(o.nParams)}`);
  if (o.nData !== undefined && (typeof o.nData !== 'number' || !Number.isInteger(o.nData) || o.nData < 0)) {
    fail(fn, `objective.nData must be a non-negative integer when given, got ${show(o.nData)}`);
  }
}

/** Check that `objective` looks like an {@link Objective} and `x0` fits it. */
export function checkProblem(fn: string, objective: Objective, x0: Float64Array): void {
  checkObjective(fn, objective);
  checkVector(fn, 'x0', x0, objective.nParams);
}
