/**
 * Option validation for the optimizers (the generic validators live in
 * core/options.ts and are shared by every public function). Every public
 * method validates once, at its entry, and throws a `NumdlError("method: option must be …, got …")` naming the
 * method, the option and the value, e.g.
 * `sgd: batchSize must be a positive integer, got 0`.
 */
import { checkVector, fail } from '../core/errors.js';
import { bool, optionalFunction, show } from '../core/options.js';
import type { Objective } from '../objectives/types.js';
import type { CommonOptions } from './types.js';

export { checkKnownOptions, show, positive, nonNegative, inInterval, positiveInt, nonNegativeInt, bool, oneOf, optionalFunction } from '../core/options.js';

/** Names of the options in {@link CommonOptions}. */
export const COMMON_OPTION_KEYS = ['onIteration', 'verbose', 'quiet', 'print'] as const;

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
