/**
 * Options objects, validated the same way by every public function: unknown
 * keys are rejected (a typo such as `actvation` or `maxIters` would otherwise
 * be silently ignored) and each value is checked, with a {@link NumdlError}
 * naming the function, the option and the value
 * (`singleLayer: unknown option 'actvation' (did you mean 'activation'? known: …)`,
 * `sgd: batchSize must be a positive integer, got 0`).
 */
import { fail } from './errors.js';

/** Levenshtein distance of two short strings (for "did you mean"). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

/** The known key closest to `key` if it is a likely typo of it, else null. */
function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key, k);
    if (dist < bestD) { bestD = dist; best = k; }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/**
 * Check an options argument: `undefined` is allowed (all defaults), anything
 * else must be a plain object whose keys (with a defined value) are all in
 * `known`.
 * @param fn the public function, for the message
 * @param opts the options as passed
 * @param known the option names the function understands
 * @param what how the argument is called in messages (default `options`; e.g. `inner`)
 * @returns `opts`, or `{}` for `undefined`
 * @throws `NumdlError` with code `unknownOption` (`fn: unknown option 'actvation' (did you mean 'activation'? known: …)`) or `badOption`
 * @example const o = checkOptions('resnet', options, ['steps', 'h', 'T', 'opening']);
 */
export function checkOptions<T extends object>(fn: string, opts: T | undefined, known: readonly string[], what = 'options'): T {
  if (opts === undefined) return {} as T;
  checkKnownOptions(fn, opts, known, what);
  return opts;
}

/**
 * Reject options the method does not know (a typo such as `maxIters` would
 * otherwise be silently ignored).
 * @throws `fn: unknown option 'maxIters' (known: …)`
 */
export function checkKnownOptions(fn: string, opts: object, known: readonly string[], what = 'options'): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    fail(fn, `${what} must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`, 'badOption', { option: what, got: opts });
  }
  const prefix = what === 'options' ? '' : `${what}.`;
  for (const key of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[key] === undefined) continue;
    if (!known.includes(key)) {
      const hint = closest(key, known);
      fail(fn, `unknown option '${prefix}${key}' (${hint ? `did you mean '${hint}'? ` : ''}known: ${[...known].sort().join(', ')})`, 'unknownOption', { option: prefix + key, known: [...known] });
    }
  }
}

/** Format a value for an error message. */
export function show(v: unknown): string {
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

