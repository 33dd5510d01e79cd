/**
 * ADAM (Kingma & Ba, 2015): moving averages of the gradient and of its square
 * with bias correction.
 */
import type { Objective } from '../objectives/types.js';
import { checkKnownOptions, checkProblem, inInterval, positive } from './options.js';
import { STOCHASTIC_OPTION_KEYS, runStochastic, type StochasticOptions, type StochasticResult } from './stochastic.js';

/** Options of {@link adam}. */
export interface AdamOptions extends StochasticOptions {
  /** Decay of the first moment, β₁ ∈ [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second moment, β₂ ∈ [0, 1) (default 0.999). */
  beta2?: number;
  /** ε added to √v̂ (default 1e-8). */
  epsilon?: number;
}

/**
 * ADAM on mini-batches, step t = 1, 2, …:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g∘g,
 * m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), x ← x − lr·m̂/(√v̂ + ε).
 * Shuffling, schedule, monitoring and statuses as in {@link sgd}.
 * @param objective f with `nData` and `evaluate(x, batch)`
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link AdamOptions} and {@link StochasticOptions} (default lr 1e-3)
 * @returns `{ x, value, gradNorm, status, steps, history, ... }`
 * @throws on invalid options, e.g. `adam: beta1 must be in [0, 1), got 1`
 * @example const r = adam(obj, x0, { lr: 1e-2, batchSize: 20, maxEpochs: 50, seed: 3 });
 */
export function adam(objective: Objective, x0: Float64Array, opts: AdamOptions = {}): StochasticResult {
  const fn = 'adam';
  checkKnownOptions(fn, opts, [...STOCHASTIC_OPTION_KEYS, 'beta1', 'beta2', 'epsilon']);
  checkProblem(fn, objective, x0);
  const b1 = inInterval(fn, 'beta1', opts.beta1, 0.9, 0, 1);
  const b2 = inInterval(fn, 'beta2', opts.beta2, 0.999, 0, 1);
  const eps = positive(fn, 'epsilon', opts.epsilon, 1e-8);
  const m = new Float64Array(x0.length);
  const v = new Float64Array(x0.length);
  return runStochastic(fn, objective, x0, opts, 1e-3, (x, g, t, lr) => {
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    for (let i = 0; i < x.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      x[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  });
}
