/**
 * Gauss-Newton: the Newton-CG driver on the Gauss-Newton mat-vec JᵀJ v
 * (what `Evaluation.hessian` of a least-squares or classification objective
 * returns), optionally with Levenberg–Marquardt damping instead of a line search.
 */
import { dot, norm2 } from '../core/vector.js';
import type { Objective } from '../objectives/types.js';
import { fail } from '../core/errors.js';
import type { Evaluation } from '../objectives/types.js';
import { ProgressMonitor, atRoundoff, convergenceTest, descentSettings } from './descent.js';
import { formatScientific } from './printer.js';
import { Recorder, countingObjective, isFiniteEvaluation, stopOnException } from './history.js';
import { NEWTON_OPTION_KEYS, cgSettings, newtonDirection, requireHessian, runNewton, type NewtonCGOptions } from './newtonCG.js';
import { checkCommon, checkKnownOptions, checkProblem, inInterval, oneOf, positive } from './options.js';
import type { OptimizerResult, OptimizerStatus } from './types.js';

/** Options of {@link gaussNewton}: those of Newton-CG plus the damping. */
export interface GaussNewtonOptions extends NewtonCGOptions {
  /**
   * `'none'` (default): Armijo line search on the Gauss-Newton direction.
   * `'levenbergMarquardt'`: solve (H + μI) p = −g, take x + p if the ratio
   * ρ = (actual decrease)/(predicted decrease) exceeds `lmEta`, and adapt μ
   * by ρ (Nielsen's rule: μ ← μ·max(1/3, 1 − (2ρ − 1)³) on success, μ ← μ·ν,
   * ν ← 2ν on rejection). Rejections count as `lsIter`, at most `maxLsIter`.
   * The line-search options (c1, initialStep, maxStep, stepGrowth,
   * maxStepNorm, interpolate) do not apply to the damped method and are
   * rejected with it.
   */
  damping?: 'none' | 'levenbergMarquardt';
  /** Initial μ (default: lmTau·gᵀHg/gᵀg, a Rayleigh quotient of H, one extra mat-vec). */
  mu0?: number;
  /** Scale of the default initial μ (default 1e-3). */
  lmTau?: number;
  /** Acceptance threshold on ρ, in [0, 1) (default 1e-4). */
  lmEta?: number;
}

/** Names of {@link GaussNewtonOptions}. */
export const GAUSS_NEWTON_OPTION_KEYS = [...NEWTON_OPTION_KEYS, 'damping', 'mu0', 'lmTau', 'lmEta'] as const;

/** The line-search options, which the damped method does not use (and rejects). */
const LINE_SEARCH_KEYS = ['c1', 'initialStep', 'maxStep', 'stepGrowth', 'maxStepNorm', 'interpolate'];

/**
 * Gauss-Newton: Newton-CG on the objective's Gauss-Newton Hessian mat-vec
 * (for ½‖r(x)‖², JᵀJ v; for a classification loss, Jᵀ∇²E J v), with an Armijo
 * line search — or, with `damping: 'levenbergMarquardt'`, the damped system
 * (H + μI) p = −∇f and μ adapted by the ratio of actual to predicted decrease
 * (predicted: −gᵀp − ½pᵀHp). History rows of the damped method add `mu` and
 * `rho`; `lsIter` counts the trial steps (1 + rejections).
 * @param objective f with value, gradient and Gauss-Newton `hessian` mat-vec
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link GaussNewtonOptions} and {@link NewtonCGOptions}
 * @returns `{ x, value, gradNorm, status, message, iterations, evals, matvecs, time, history }`
 * @throws on invalid options (`gaussNewton: mu0 must be a positive finite number, got -1`), or if the objective has no Hessian mat-vec
 * @example
 * // A tanh layer fitted to targets C by least squares, Levenberg–Marquardt damped
 * const obj = classificationObjective(singleLayer(dense(8, 2), { activation: 'tanh' }), Y, C, { loss: 'leastSquares' });
 * const r = gaussNewton(obj, obj.initialize(createRng(1)), { damping: 'levenbergMarquardt' });
 */
export function gaussNewton(objective: Objective, x0: Float64Array, opts: GaussNewtonOptions = {}): OptimizerResult {
  return gaussNewtonAs('gaussNewton', objective, x0, opts);
}

/** {@link gaussNewton} reporting errors under the name `fn` (for drivers such as varpro). */
export function gaussNewtonAs(fn: string, objective: Objective, x0: Float64Array, opts: GaussNewtonOptions): OptimizerResult {
  checkKnownOptions(fn, opts, GAUSS_NEWTON_OPTION_KEYS);
  const damping = oneOf(fn, 'damping', opts.damping, 'none', ['none', 'levenbergMarquardt'] as const);
  if (damping === 'none') {
    const { damping: _d, mu0: _m, lmTau: _t, lmEta: _e, ...rest } = opts;
    return runNewton(fn, objective, x0, rest, NEWTON_OPTION_KEYS);
  }
  for (const key of LINE_SEARCH_KEYS) {
    if ((opts as Record<string, unknown>)[key] !== undefined) {
      const known = GAUSS_NEWTON_OPTION_KEYS.filter((k) => !LINE_SEARCH_KEYS.includes(k)).sort();
      fail(fn, `unknown option '${key}' with damping 'levenbergMarquardt': it is a line-search option and the damped method has no line search (known: ${known.join(', ')})`, 'unknownOption', { option: key, known });
    }
  }
  return levenbergMarquardt(fn, objective, x0, opts);
}

function levenbergMarquardt(fn: string, objective: Objective, x0: Float64Array, opts: GaussNewtonOptions): OptimizerResult {
  checkProblem(fn, objective, x0);
  checkCommon(fn, opts);
  const s = descentSettings(fn, opts, { maxIter: 100, maxLsIter: 30, maxStep: 1, columns: ['iter', 'value', 'gradNorm', 'stepNorm', 'lsIter', 'cgIter', 'mu', 'rho'] });
  const cg = cgSettings(fn, opts);
  const mu0 = opts.mu0 === undefined ? undefined : positive(fn, 'mu0', opts.mu0, 1);
  const tau = positive(fn, 'lmTau', opts.lmTau, 1e-3);
  const eta = inInterval(fn, 'lmEta', opts.lmEta, 1e-4, 0, 1);

  const obj = countingObjective(objective, fn);
  const rec = new Recorder(opts, s.columns);
  let x: Float64Array = Float64Array.from(x0);
  // The last good iterate's evaluation (null until x0 has been evaluated).
  let ev: Evaluation | null = null;
  let gnorm = NaN;
  let done = 0;
  const finish = (status: OptimizerStatus, message: string, iterations: number): OptimizerResult => ({
    x, value: ev ? ev.value : NaN, gradNorm: gnorm, status, message, iterations, evals: obj.evals, matvecs: obj.matvecs, time: rec.elapsed(), history: rec.rows,
  });
  return stopOnException(fn, () => {
    ev = obj.evaluate(x);
    gnorm = norm2(ev.gradient);
    const gnorm0 = gnorm;
    const row0 = { iter: 0, value: ev.value, gradNorm: gnorm, step: 0, stepNorm: 0, lsIter: 0, cgIter: 0, matvecs: obj.matvecs, evals: obj.evals };
    if (!isFiniteEvaluation(ev)) {
      rec.record(row0, x, ev.info);
      return finish('nonFinite', `${fn}: the objective is not finite at x0 (value ${ev.value})`, 0);
    }
    let mu = mu0 ?? NaN;
    if (mu0 === undefined) {
      // μ₀ on the scale of H: τ times the Rayleigh quotient gᵀHg / gᵀg.
      const Hg = requireHessian(fn, ev)(ev.gradient);
      const rq = dot(ev.gradient, Hg) / (gnorm * gnorm);
      mu = Number.isFinite(rq) && rq > 0 ? tau * rq : tau;
    }
    let nu = 2;
    if (!rec.record({ ...row0, matvecs: obj.matvecs, mu }, x, ev.info)) return finish('stoppedByCallback', 'onIteration returned false', 0);
    const c0 = convergenceTest(s, gnorm, gnorm0, NaN, ev.value);
    if (c0) return finish('converged', c0, 0);
    const progress = new ProgressMonitor(ev.value);

    for (let k = 1; k <= s.maxIter; k++) {
      const cur: Evaluation = ev;
      const H = requireHessian(fn, cur);
      let trials = 0, cgIter = 0, anyFinite = false;
      let accepted = false, rho = NaN, firstPred = NaN;
      let muTried = mu;
      while (trials < s.maxLsIter) {
        muTried = mu;
        const d = newtonDirection(fn, cur, cg, gnorm, gnorm0, mu);
        cgIter += d.cgIter ?? 0;
        // If CG failed (H + μI not positive definite along its first direction),
        // use the large-μ limit −g/μ so that growing μ still shortens the step.
        const fallback = d.fields?.fallback === true;
        const p = fallback ? d.p.map((v) => v / mu) : d.p;
        // Predicted decrease of the model m(p) = f + gᵀp + ½pᵀHp.
        const Hp = H(p);
        // A non-finite H p makes every ρ NaN: growing μ cannot help, so stop
        // instead of rejecting steps until μ overflows.
        if (!Number.isFinite(norm2(Hp))) return finish('nonFinite', `the Hessian product H p at iteration ${k} is not finite; returning the last finite iterate`, done);
        const pred = -dot(cur.gradient, p) - 0.5 * dot(p, Hp);
        if (trials === 0) firstPred = pred;
        const xt = new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) xt[i] = x[i] + p[i];
        const evt = obj.evaluate(xt);
        trials++;
        const ft = evt.value;
        if (Number.isFinite(ft)) anyFinite = true;
        rho = (cur.value - ft) / pred;
        if (Number.isFinite(ft) && pred > 0 && rho > eta) {
          if (!isFiniteEvaluation(evt)) return finish('nonFinite', `the gradient at the accepted point of iteration ${k} is not finite; returning the last finite iterate`, done);
          const fPrev = cur.value, gPrev = gnorm;
          const stepNorm = norm2(p);
          x = xt;
          ev = evt;
          gnorm = norm2(evt.gradient);
          mu *= Math.max(1 / 3, 1 - Math.pow(2 * rho - 1, 3));
          nu = 2;
          accepted = true;
          done = k;
          const row = { iter: k, value: evt.value, gradNorm: gnorm, step: 1, stepNorm, lsIter: trials, cgIter, matvecs: obj.matvecs, evals: obj.evals, mu: muTried, rho, cgFlag: d.cg.flag, fallback };
          if (!rec.record(row, x, evt.info)) return finish('stoppedByCallback', 'onIteration returned false', k);
          const c = convergenceTest(s, gnorm, gnorm0, fPrev, evt.value);
          if (c) return finish('converged', c, k);
          const stuck = progress.check(fPrev, evt.value, gPrev, gnorm);
          if (stuck) return finish(stuck.status, `${stuck.message} at iteration ${k}`, k);
          break;
        }
        mu *= nu;
        nu *= 2;
      }
      if (!accepted) {
        if (Number.isFinite(firstPred) && firstPred >= 0 && atRoundoff(firstPred, cur.value)) {
          return finish('converged', `no further decrease possible in floating point at iteration ${k}: the predicted decrease ${formatScientific(firstPred)} is at the round-off level of f = ${formatScientific(cur.value)}`, done);
        }
        if (!anyFinite) return finish('nonFinite', `every damped trial step at iteration ${k} gave a non-finite value; returning the last finite iterate`, done);
        return finish('lineSearchFailed', `no damping μ gave an acceptable step at iteration ${k} in ${trials} trials (last μ ${muTried.toExponential(2)}, ρ ${rho})`, done);
      }
    }
    return finish('maxIter', `reached maxIter = ${s.maxIter}`, s.maxIter);
  }, (_e, message) => finish('error', message, done));
}
