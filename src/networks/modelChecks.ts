/**
 * Checks that composites run on their child models.
 */
import { fail } from '../core/errors.js';
import type { Model } from './types.js';

/** Assert that `m` looks like a {@link Model}. */
export function checkModel(fn: string, what: string, m: unknown): Model {
  const o = m as Model;
  const ok = !!o && typeof o === 'object'
    && ['forward', 'jvp', 'vjp', 'initialize', 'paramBlocks'].every((k) => typeof (o as unknown as Record<string, unknown>)[k] === 'function')
    && [o.nParams, o.nIn, o.nOut].every((v) => Number.isInteger(v) && v >= 0);
  if (!ok) fail(fn, `${what} must be a Model (nParams, nIn, nOut, forward, jvp, vjp, initialize, paramBlocks)`);
  return o;
}
