/**
 * The stochastic-approximation driver shared by SGD, AdaGrad and ADAM: each
 * epoch shuffles the examples with a seeded generator, walks through them in
 * mini-batches, evaluates the objective on the batch only and lets the method
 * update x; once per epoch it evaluates the full objective (or a fixed
 * monitor subset) for the history.
 */
import { fail } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { norm2 } from '../core/vector.js';
import type { EvaluateOptions, Objective } from '../objectives/types.js';
import { COMMON_OPTION_KEYS, bool, checkCommon, checkProblem, nonNegative, optionalFunction, positive, positiveInt } from './options.js';
import { Recorder, countingObjective, isFiniteEvaluation, stopOnException } from './history.js';
import { formatScientific } from './printer.js';
import type { CommonOptions, IterationCallback, OptimizerResult, OptimizerStatus } from './types.js';

/**
 * Learning rate per epoch e = 0, 1, … (lr₀ the option `lr`):
 * - `'constant'`: lr₀;
 * - `{ type: 'step', factor, every }`: lr₀ · factor^⌊e / every⌋ (step decay);
 * - `{ type: 'inverse', decay }`: lr₀ / (1 + decay · e) (the 1/t schedule);
 * - a function `(epoch, lr0) => lr`.
 */
export type LearningRateSchedule =
  | 'constant'
  | { type: 'step'; factor: number; every: number }
  | { type: 'inverse'; decay: number }
  | ((epoch: number, lr0: number) => number);

/** Options of the stochastic methods ({@link sgd}, {@link adagrad}, {@link adam}). */
export interface StochasticOptions extends CommonOptions {
  /** Initial learning rate lr₀ > 0 (default: sgd 0.01, adagrad 0.1, adam 0.001). */
  lr?: number;
  /** Learning-rate schedule over epochs (default `'constant'`). */
  schedule?: LearningRateSchedule;
  /** Number of epochs (default 10). */
  maxEpochs?: number;
  /** Examples per mini-batch, ≤ objective.nData (default min(32, nData)). Needs `objective.nData`. */
  batchSize?: number;
  /** Seed of the shuffles and of the monitor subset (default 0). */
  seed?: number | string;
  /** A generator to use instead of `seed`. */
  rng?: Rng;
  /** Reshuffle the examples every epoch (default true); false walks them in order. */
  shuffle?: boolean;
  /** Drop the last, incomplete batch of each epoch (default false). */
  dropLast?: boolean;
  /**
   * What the once-per-epoch history evaluation uses: `'full'` (all data, the
   * default), a number s (a fixed random subset of s examples, drawn once), or
   * explicit example indices.
   */
  monitor?: 'full' | number | ArrayLike<number>;
  /** Evaluate the monitor gradient (for `gradNorm` and `gradTol`; default true). */
  monitorGradient?: boolean;
  /** Stop (status `converged`) when the monitored gradient norm ≤ gradTol (default 0: off). */
  gradTol?: number;
  /**
   * Called once per epoch (row 0 = start) with the epoch row and x; may return
   * fields to merge (e.g. validation accuracy) or `false` to stop.
   */
  onEpoch?: IterationCallback;
}

/** Names of {@link StochasticOptions}. */
export const STOCHASTIC_OPTION_KEYS = [...COMMON_OPTION_KEYS, 'lr', 'schedule', 'maxEpochs', 'batchSize', 'seed', 'rng', 'shuffle', 'dropLast', 'monitor', 'monitorGradient', 'gradTol', 'onEpoch'] as const;

/** Result of a stochastic method. */
export interface StochasticResult extends OptimizerResult {
  /** Mini-batch steps taken in total. */
  steps: number;
}

/**
 * A method's update rule: modify x in place given the batch gradient g, the
 * step count t (1, 2, …) and the learning rate. g may be a buffer the next
 * step overwrites: read it, do not keep it.
 */
export type StochasticUpdate = (x: Float64Array, g: Float64Array, t: number, lr: number) => void;

function checkSchedule(fn: string, schedule: unknown): LearningRateSchedule {
  if (schedule === undefined || schedule === 'constant') return 'constant';
  if (typeof schedule === 'function') return schedule as LearningRateSchedule;
  const sch = schedule as { type?: unknown; factor?: unknown; every?: unknown; decay?: unknown };
  if (sch && typeof sch === 'object' && sch.type === 'step') {
    const factor = positive(fn, 'schedule.factor', sch.factor, NaN);
    if (factor > 1) fail(fn, `schedule.factor must be in (0, 1], got ${factor}`);
    return { type: 'step', factor, every: positiveInt(fn, 'schedule.every', sch.every, NaN) };
  }
  if (sch && typeof sch === 'object' && sch.type === 'inverse') return { type: 'inverse', decay: nonNegative(fn, 'schedule.decay', sch.decay, NaN) };
  return fail(fn, `schedule must be 'constant', { type: 'step', factor, every }, { type: 'inverse', decay } or a function (epoch, lr0) => lr, got ${JSON.stringify(schedule)}`);
}

/**
 * The learning rate of epoch `epoch` (0-based) under `schedule`.
 * @example learningRate({ type: 'step', factor: 0.5, every: 10 }, 25, 0.1) // 0.025
 */
export function learningRate(schedule: LearningRateSchedule, epoch: number, lr0: number): number {
  checkSchedule('learningRate', schedule);
  if (!Number.isInteger(epoch) || epoch < 0) fail('learningRate', `epoch must be a non-negative integer, got ${String(epoch)}`);
  if (typeof lr0 !== 'number' || !Number.isFinite(lr0) || lr0 < 0) fail('learningRate', `lr0 must be a finite number >= 0, got ${String(lr0)}`);
  if (schedule === 'constant') return lr0;
  if (typeof schedule === 'function') return schedule(epoch, lr0);
  if (schedule.type === 'step') return lr0 * Math.pow(schedule.factor, Math.floor(epoch / schedule.every));
  return lr0 / (1 + schedule.decay * epoch);
}

/** Validated settings of the stochastic driver. */
interface StochasticSettings {
  lr0: number;
  schedule: LearningRateSchedule;
  maxEpochs: number;
  batchSize: number | null;
  rng: Rng;
  shuffle: boolean;
  dropLast: boolean;
  monitor: ArrayLike<number> | null;
  monitorGradient: boolean;
  gradTol: number;
  onEpoch?: IterationCallback;
}

function stochasticSettings(fn: string, objective: Objective, opts: StochasticOptions, lrDefault: number): StochasticSettings {
  checkCommon(fn, opts);
  const lr0 = positive(fn, 'lr', opts.lr, lrDefault);
  const schedule = checkSchedule(fn, opts.schedule);
  const lrFirst = learningRate(schedule, 0, lr0);
  if (!(lrFirst >= 0) || !Number.isFinite(lrFirst)) fail(fn, `the learning-rate schedule gave ${lrFirst} at epoch 0, expected a finite number >= 0`, 'badOption', { option: 'schedule', got: lrFirst, epoch: 0 });
  const maxEpochs = positiveInt(fn, 'maxEpochs', opts.maxEpochs, 10);
  const nData = objective.nData;
  let batchSize: number | null = null;
  if (nData === undefined) {
    if (opts.batchSize !== undefined) fail(fn, `batchSize needs objective.nData, but this objective has no examples to batch`);
  } else {
    if (nData === 0) fail(fn, 'objective.nData is 0: there are no examples to draw batches from');
    batchSize = positiveInt(fn, 'batchSize', opts.batchSize, Math.min(32, nData));
    if (batchSize > nData) fail(fn, `batchSize must be <= objective.nData = ${nData}, got ${batchSize}`);
  }
  if (opts.seed !== undefined && typeof opts.seed !== 'number' && typeof opts.seed !== 'string') fail(fn, `seed must be a number or a string, got ${typeof opts.seed}`);
  if (opts.rng !== undefined && (typeof opts.rng !== 'object' || typeof opts.rng.randperm !== 'function')) fail(fn, 'rng must be an Rng from createRng');
  const rng = opts.rng ?? createRng(opts.seed ?? 0);
  const shuffle = bool(fn, 'shuffle', opts.shuffle, true);
  const dropLast = bool(fn, 'dropLast', opts.dropLast, false);
  let monitor: ArrayLike<number> | null = null;
  const m = opts.monitor;
  if (m === undefined || m === 'full') {
    monitor = null;
  } else if (typeof m === 'number') {
    if (nData === undefined) fail(fn, 'monitor as a sample size needs objective.nData');
    const s = positiveInt(fn, 'monitor (sample size)', m, 1);
    if (s > nData) fail(fn, `monitor sample size must be <= objective.nData = ${nData}, got ${s}`);
    // A fixed subset, drawn once from its own stream (independent of the shuffles).
    monitor = rng.fork('monitor').randperm(nData).slice(0, s).sort();
  } else if (m !== null && typeof m === 'object' && typeof (m as ArrayLike<number>).length === 'number') {
    const idx = m as ArrayLike<number>;
    if (idx.length === 0) fail(fn, 'monitor indices are empty');
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i];
      if (!Number.isInteger(v) || v < 0 || (nData !== undefined && v >= nData)) fail(fn, `monitor index ${i} is ${v}, expected an integer in [0, ${nData ?? 'nData'})`);
    }
    monitor = idx;
  } else {
    fail(fn, `monitor must be 'full', a sample size or an array of example indices, got ${String(m)}`);
  }
  return {
    lr0,
    schedule,
    maxEpochs,
    batchSize,
    rng,
    shuffle,
    dropLast,
    monitor,
    monitorGradient: bool(fn, 'monitorGradient', opts.monitorGradient, true),
    gradTol: nonNegative(fn, 'gradTol', opts.gradTol, 0),
    onEpoch: optionalFunction<IterationCallback>(fn, 'onEpoch', opts.onEpoch),
  };
}

/**
 * Run a stochastic method: epochs of seeded shuffled mini-batches, the update
 * `update` per batch, one monitor evaluation per epoch for the history.
 * Internal (the public entries are {@link sgd}, {@link adagrad}, {@link adam}).
 */
export function runStochastic(fn: string, objective: Objective, x0: Float64Array, opts: StochasticOptions, lrDefault: number, update: StochasticUpdate): StochasticResult {
  checkProblem(fn, objective, x0);
  const st = stochasticSettings(fn, objective, opts, lrDefault);
  const obj = countingObjective(objective, fn);
  const rec = new Recorder(opts, ['iter', 'value', 'gradNorm', 'lr', 'batchValue'], st.onEpoch ?? null);
  const n = x0.length;
  const x = Float64Array.from(x0);
  const xPrevStep = Float64Array.from(x0);
  const xEpoch = Float64Array.from(x0);
  // The last monitored iterate whose evaluation was finite: value, gnorm and
  // the last history row belong to it, so results that end early return it.
  const xGood = Float64Array.from(x0);
  let steps = 0;
  let value = NaN, gnorm = NaN;
  let epochsDone = 0;
  const finish = (status: OptimizerStatus, message: string, xOut: Float64Array): StochasticResult => ({
    x: Float64Array.from(xOut), value, gradNorm: gnorm, status, message, iterations: epochsDone, evals: obj.evals, matvecs: obj.matvecs, time: rec.elapsed(), history: rec.rows, steps,
  });
  // One evaluation on the monitor set; false if not finite.
  const monitorEval = (): { ok: boolean; info?: Record<string, number> } => {
    const ev = obj.evaluate(x, st.monitor, st.monitorGradient ? undefined : { valueOnly: true });
    const ok = st.monitorGradient ? isFiniteEvaluation(ev) : Number.isFinite(ev.value);
    if (ok) {
      value = ev.value;
      gnorm = st.monitorGradient ? norm2(ev.gradient) : NaN;
      xGood.set(x);
    }
    return { ok, info: ev.info };
  };
  const epochRow = (epoch: number, lr: number, stepNorm: number, batchValue: number) => ({
    iter: epoch, value, gradNorm: gnorm, step: lr, stepNorm, lsIter: 0, cgIter: 0, matvecs: obj.matvecs, evals: obj.evals, epoch, lr, steps, batchValue,
  });

  return stopOnException(fn, () => {
    const m0 = monitorEval();
    if (!m0.ok) {
      rec.record(epochRow(0, 0, 0, NaN), x, m0.info);
      return finish('nonFinite', `${fn}: the objective is not finite at x0`, x0);
    }
    if (!rec.record(epochRow(0, learningRate(st.schedule, 0, st.lr0), 0, NaN), x, m0.info)) return finish('stoppedByCallback', 'onEpoch returned false', x);
    if (gnorm <= st.gradTol) return finish('converged', `monitored gradient norm ${formatScientific(gnorm)} <= gradTol ${st.gradTol}`, x);

    // Per step: the gradient into one buffer of the run (objectives that take it), no Hessian kept.
    const stepOpts: EvaluateOptions = { gradientOut: new Float64Array(n), hessian: false };
    const nData = objective.nData;
    const order = nData === undefined ? null : Int32Array.from({ length: nData }, (_, i) => i);
    const batchRows = (nData: number, bs: number) => (st.dropLast ? Math.floor(nData / bs) : Math.ceil(nData / bs));
    for (let epoch = 1; epoch <= st.maxEpochs; epoch++) {
      const lr = learningRate(st.schedule, epoch - 1, st.lr0);
      if (!(lr >= 0) || !Number.isFinite(lr)) fail(fn, `the learning-rate schedule gave ${lr} at epoch ${epoch - 1}, expected a finite number >= 0`, 'badOption', { option: 'schedule', got: lr, epoch: epoch - 1 });
      if (order && st.shuffle) st.rng.shuffle(order);
      const nBatches = order ? batchRows(order.length, st.batchSize as number) : 1;
      let batchSum = 0;
      for (let b = 0; b < nBatches; b++) {
        const batch = order ? order.subarray(b * (st.batchSize as number), Math.min(order.length, (b + 1) * (st.batchSize as number))) : null;
        const ev = obj.evaluate(x, batch, stepOpts);
        if (!isFiniteEvaluation(ev)) {
          // Return the last monitored point (the last history row) with its
          // evaluation, not a mid-epoch iterate whose full value is unknown.
          return finish('nonFinite', `the objective on mini-batch ${b} of epoch ${epoch} is not finite; returning the last monitored iterate (epoch ${epochsDone}), whose evaluation was finite`, xGood);
        }
        if (opts.onIteration) xPrevStep.set(x);
        batchSum += ev.value;
        update(x, ev.gradient, ++steps, lr);
        if (opts.onIteration) {
          let dx = 0;
          for (let i = 0; i < n; i++) dx += (x[i] - xPrevStep[i]) ** 2;
          const light = { iter: steps, value: ev.value, gradNorm: norm2(ev.gradient), step: lr, stepNorm: Math.sqrt(dx), lsIter: 0, cgIter: 0, matvecs: obj.matvecs, evals: obj.evals, time: rec.elapsed(), epoch };
          const r = opts.onIteration(light, x);
          if (r === false || (r && typeof r === 'object' && (r as Record<string, unknown>).stop === true)) {
            epochsDone = epoch - 1;
            // Stopped mid-epoch: the caller asked for this iterate, so evaluate
            // the monitor set there — x, value and gradNorm of the result then
            // belong to the same point. If that evaluation is not finite, the
            // last monitored iterate is returned instead (like a NaN batch).
            const ms = monitorEval();
            if (!ms.ok) return finish('nonFinite', `onIteration returned false at step ${steps}, but the monitored objective there is not finite; returning the last monitored iterate (epoch ${epochsDone}), whose evaluation was finite`, xGood);
            return finish('stoppedByCallback', `onIteration returned false at step ${steps} (mid-epoch ${epoch}); value and gradNorm are the monitor's at that iterate`, x);
          }
        }
      }
      let dx = 0;
      for (let i = 0; i < n; i++) dx += (x[i] - xEpoch[i]) ** 2;
      xEpoch.set(x);
      const me = monitorEval();
      if (!me.ok) return finish('nonFinite', `the monitored objective after epoch ${epoch} is not finite; returning the last monitored iterate (epoch ${epochsDone}), whose evaluation was finite`, xGood);
      epochsDone = epoch;
      if (!rec.record(epochRow(epoch, lr, Math.sqrt(dx), batchSum / nBatches), x, me.info)) return finish('stoppedByCallback', `onEpoch returned false after epoch ${epoch}`, x);
      if (gnorm <= st.gradTol) return finish('converged', `monitored gradient norm ${formatScientific(gnorm)} <= gradTol ${st.gradTol}`, x);
    }
    return finish('maxEpochs', `reached maxEpochs = ${st.maxEpochs}`, x);
  }, (_e, message) => finish('error', message, xGood));
}
