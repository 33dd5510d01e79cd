/**
 * Constructor specs: how a model, operator or activation describes itself.
 *
 * Every numdl constructor a user trains with (operators, activations, layers,
 * networks, regularisers) attaches to its result the call that built it —
 * its name and its arguments — as a read-only `spec`. Saving a model
 * (`modelToJSON`) writes these calls out; loading replays them. Because the
 * spec *is* the argument list, it cannot drift from the constructor's options:
 * a new option is saved and restored without touching the serializer.
 *
 * Arguments are snapshotted when the spec is attached (plain objects, arrays
 * and typed arrays are copied; models, operators and other objects are kept
 * by reference and described by their own specs), so a caller who later
 * changes an options object does not change the description. A factory
 * argument `k => model` cannot be written out; constructors that take one
 * record the objects it returned instead ({@link recordFactory}).
 */

import { columnMajorData, matrix, type Matrix } from './matrix.js';

/** The call that built an object: `kind(...args)`. */
export interface ConstructorSpec {
  /** The constructor's exported name, e.g. `'singleLayer'`, `'conv2d'`. */
  readonly kind: string;
  /** The arguments, snapshotted (see {@link withSpec}). */
  readonly args: readonly unknown[];
}

/** An object that carries a {@link ConstructorSpec}. */
export interface Described {
  readonly spec?: ConstructorSpec;
}

/**
 * The values a factory `k => value` returned, in the order of k — what a
 * constructor records in its spec in place of the factory (the loader turns
 * it back into `k => values[k]`).
 */
export class FactoryResults {
  constructor(readonly values: readonly unknown[]) {}
}

function isMatrix64(v: object): v is Matrix {
  const m = v as Matrix;
  return Array.isArray(m.shape) && m.shape.length === 2 && m.data instanceof Float64Array && Array.isArray(m.stride) && typeof m.get === 'function';
}

/** Methods by which models, operators, activations and regularisers are recognised. */
const BEHAVIOUR = ['forward', 'apply', 'evaluate', 'value', 'applyBatch'] as const;

/**
 * Whether a (plain) object is a model, operator, activation or regulariser
 * rather than options: it has one of their methods.
 */
export function hasBehaviour(v: object): boolean {
  return BEHAVIOUR.some((k) => typeof (v as Record<string, unknown>)[k] === 'function');
}

/**
 * Copy plain data (arrays, typed arrays, option objects); keep by reference
 * what has behaviour: objects with a spec or with methods (models, operators,
 * activations — built by object literals too) and class instances.
 */
function snapshot(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(snapshot);
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  // A matrix argument (e.g. linearParametric's Q, tikhonov's L) is copied like other data.
  if (isMatrix64(v)) return matrix(v.shape[0], v.shape[1], Float64Array.from(columnMajorData(v)));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  if (Object.prototype.hasOwnProperty.call(v, 'spec') || hasBehaviour(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = snapshot(x);
  return out;
}

/**
 * Attach `spec = { kind, args }` to `obj` (a non-enumerable, read-only
 * property; an inner constructor's spec is replaced by the outer one's, e.g.
 * `antisymmetricLayer` over the `singleLayer` it builds) and return `obj`.
 * @param obj the constructed model, operator, activation or regulariser
 * @param kind the constructor's exported name
 * @param args the arguments exactly as the constructor received them
 *   (trailing `undefined`s may be dropped); factories replaced by {@link FactoryResults}
 * @returns obj
 */
export function withSpec<T extends object>(obj: T, kind: string, args: readonly unknown[]): T {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const spec: ConstructorSpec = Object.freeze({ kind, args: Object.freeze(args.slice(0, n).map(snapshot)) });
  Object.defineProperty(obj, 'spec', { value: spec, enumerable: false, writable: false, configurable: true });
  return obj;
}

/**
 * Wrap a factory `k => value` so that what it returns is recorded (for the
 * spec of a constructor that takes a factory). Non-functions pass through.
 * @returns the wrapped argument and `recorded()`: the argument to put in the
 *   spec (the {@link FactoryResults} of a factory, else the argument itself)
 */
export function recordFactory<A>(arg: A): { arg: A; recorded(): unknown } {
  if (typeof arg !== 'function') return { arg, recorded: () => arg };
  const values: unknown[] = [];
  const f = arg as unknown as (k: number) => unknown;
  const wrapped = ((k: number) => {
    const v = f(k);
    values[k] = v;
    return v;
  }) as unknown as A;
  return { arg: wrapped, recorded: () => new FactoryResults(values.slice()) };
}
