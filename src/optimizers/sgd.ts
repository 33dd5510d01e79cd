/**
 * Stochastic gradient descent with optional (Nesterov) momentum.
 */
import type { Objective } from '../objectives/types.js';
import { fail } from '../core/errors.js';
import { bool, checkKnownOptions, checkProblem, inInterval } from './options.js';
import { STOCHASTIC_OPTION_KEYS, runStochastic, type StochasticOptions, type StochasticResult } from './stochastic.js';

/** Options of {@link sgd}. */
export interface SgdOptions extends StochasticOptions {
  /** Momentum β ∈ [0, 1) (default 0: plain SGD). */
  momentum?: number;
  /** Nesterov's accelerated form of the momentum step (default false; needs momentum > 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent on mini-batches: with g the gradient of the
 * objective on the batch and lr the epoch's learning rate,
 * plain: x ← x − lr·g;
 * momentum β: v ← βv − lr·g, x ← x + v;
 * Nesterov: v ← βv − lr·g, x ← x + βv − lr·g (the look-ahead form, with the
 * gradient taken at the shifted iterate).
 * Each epoch draws a seeded shuffle of the examples; the full objective (or the
 * `monitor` subset) is evaluated once per epoch for the history.
 * @param objective f with `nData` (examples) and `evaluate(x, batch)`; without `nData` every step uses all data
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link SgdOptions} and {@link StochasticOptions} (default lr 0.01, 10 epochs, batches of 32)
 * @returns `{ x, value, gradNorm, status ('maxEpochs', 'converged', 'nonFinite', 'stoppedByCallback'), steps, history, ... }`
 * @throws on invalid options, e.g. `sgd: batchSize must be a positive integer, got 0`
 * @example
 * const r = sgd(obj, x0, { lr: 0.05, momentum: 0.9, batchSize: 16, maxEpochs: 20, seed: 1 });
 */
export function sgd(objective: Objective, x0: Float64Array, opts: SgdOptions = {}): StochasticResult {
  const fn = 'sgd';
  checkKnownOptions(fn, opts, [...STOCHASTIC_OPTION_KEYS, 'momentum', 'nesterov']);
  checkProblem(fn, objective, x0);
  const beta = inInterval(fn, 'momentum', opts.momentum, 0, 0, 1);
  const nesterov = bool(fn, 'nesterov', opts.nesterov, false);
  if (nesterov && beta === 0) fail(fn, `nesterov needs momentum > 0, got momentum ${beta}`);
  const v = new Float64Array(x0.length);
  return runStochastic(fn, objective, x0, opts, 0.01, (x, g, _t, lr) => {
    const n = x.length;
    if (beta === 0) {
      for (let i = 0; i < n; i++) x[i] -= lr * g[i];
    } else if (!nesterov) {
      for (let i = 0; i < n; i++) {
        v[i] = beta * v[i] - lr * g[i];
        x[i] += v[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        v[i] = beta * v[i] - lr * g[i];
        x[i] += beta * v[i] - lr * g[i];
      }
    }
  });
}
