/**
 * AdaGrad: per-coordinate learning rates from the accumulated squared gradients.
 */
import type { Objective } from '../objectives/types.js';
import { checkKnownOptions, checkProblem, positive } from './options.js';
import { STOCHASTIC_OPTION_KEYS, runStochastic, type StochasticOptions, type StochasticResult } from './stochastic.js';

/** Options of {@link adagrad}. */
export interface AdagradOptions extends StochasticOptions {
  /** ε added to √G for safety (default 1e-8). */
  epsilon?: number;
}

/**
 * AdaGrad on mini-batches: G ← G + g∘g, x ← x − lr·g / (√G + ε), element-wise.
 * Shuffling, schedule, monitoring and statuses as in {@link sgd}.
 * @param objective f with `nData` and `evaluate(x, batch)`
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link AdagradOptions} and {@link StochasticOptions} (default lr 0.1)
 * @returns `{ x, value, gradNorm, status, steps, history, ... }`
 * @throws on invalid options, e.g. `adagrad: epsilon must be a positive finite number, got 0`
 * @example const r = adagrad(obj, x0, { lr: 0.5, maxEpochs: 30, seed: 2 });
 */
export function adagrad(objective: Objective, x0: Float64Array, opts: AdagradOptions = {}): StochasticResult {
  const fn = 'adagrad';
  checkKnownOptions(fn, opts, [...STOCHASTIC_OPTION_KEYS, 'epsilon']);
  checkProblem(fn, objective, x0);
  const eps = positive(fn, 'epsilon', opts.epsilon, 1e-8);
  const G = new Float64Array(x0.length);
  return runStochastic(fn, objective, x0, opts, 0.1, (x, g, _t, lr) => {
    for (let i = 0; i < x.length; i++) {
      G[i] += g[i] * g[i];
      x[i] -= (lr * g[i]) / (Math.sqrt(G[i]) + eps);
    }
  });
}
