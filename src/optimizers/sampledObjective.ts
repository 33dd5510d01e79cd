/**
 * Sample average approximation: replace the expectation over all examples by
 * the average over one fixed random sample S, then use any deterministic
 * method (line search, stopping tests) on it. The sample stays fixed.
 */
import { fail } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { Evaluation, EvaluateOptions, Objective } from '../objectives/types.js';
import { checkObjective } from './options.js';

/** An objective restricted to a fixed sample of the examples. */
export interface SampledObjective extends Objective {
  /** Number of examples in the sample (= sampleSize). */
  readonly nData: number;
  /** The sampled example indices of the original objective, increasing. */
  readonly sample: Int32Array;
}

/**
 * The objective on a fixed random sample S of `sampleSize` examples, drawn
 * without replacement: `evaluate(x)` is the original `evaluate(x, S)`, and
 * `evaluate(x, batch)` maps the batch (indices 0..sampleSize−1 into S) to
 * the original examples, so the stochastic methods can run on it too.
 * @param objective an objective with `nData` examples that accepts a `batch`
 * @param sampleSize 1 ≤ sampleSize ≤ objective.nData
 * @param rng a generator, or a seed for one
 * @returns an Objective with `nData = sampleSize` and the `sample` indices
 * @throws `sampledObjective: sampleSize must be <= objective.nData = 100, got 200`; or if the objective has no nData
 * @example
 * const saa = sampledObjective(obj, 500, 7);
 * const r = newtonCG(saa, x0); // deterministic method on a fixed sample
 */
export function sampledObjective(objective: Objective, sampleSize: number, rng: Rng | number | string): SampledObjective {
  const fn = 'sampledObjective';
  checkObjective(fn, objective);
  const nData = objective.nData;
  if (nData === undefined) fail(fn, 'objective.nData is undefined: the objective has no examples to sample');
  if (typeof sampleSize !== 'number' || !Number.isInteger(sampleSize) || sampleSize <= 0) fail(fn, `sampleSize must be a positive integer, got ${String(sampleSize)}`);
  if (sampleSize > nData) fail(fn, `sampleSize must be <= objective.nData = ${nData}, got ${sampleSize}`);
  let gen: Rng;
  if (typeof rng === 'number' || typeof rng === 'string') gen = createRng(rng);
  else if (rng && typeof rng === 'object' && typeof rng.randperm === 'function') gen = rng;
  else return fail(fn, `rng must be an Rng or a seed, got ${rng === null ? 'null' : typeof rng}`);
  // Increasing order keeps the sample's data access sequential.
  const sample = gen.randperm(nData).slice(0, sampleSize).sort();
  return {
    nParams: objective.nParams,
    nData: sampleSize,
    sample,
    // The wrapped objective's own state (e.g. a warm start) is reset with it.
    resetState: typeof objective.resetState === 'function' ? () => objective.resetState!() : undefined,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      if (batch === undefined || batch === null) return objective.evaluate(x, sample, opts);
      const idx = new Int32Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const b = batch[i];
        if (!Number.isInteger(b) || b < 0 || b >= sampleSize) fail(`${fn}.evaluate`, `batch index ${i} is ${b}, expected an integer in [0, ${sampleSize})`);
        idx[i] = sample[b];
      }
      return objective.evaluate(x, idx, opts);
    },
  };
}
