/**
 * Line searches along a descent direction p from x, on φ(α) = f(x + α p):
 * - Armijo backtracking: accept the first α with
 *   φ(α) ≤ φ(0) + c₁ α φ'(0), shrinking α by safeguarded quadratic
 *   interpolation (or a fixed factor);
 * - strong Wolfe: additionally |φ'(α)| ≤ c₂ |φ'(0)|, found by bracketing and
 *   zoom with cubic interpolation (Nocedal & Wright, Numerical Optimization,
 *   Alg. 3.5–3.6).
 *
 * A trial point whose value (or, for Wolfe, gradient) is NaN or infinite is
 * treated as "too far": the step shrinks. Only when every trial was non-finite
 * (for Wolfe: had a non-finite value or gradient) does the search report `nonFinite`.
 */
import { dot, norm2 } from '../core/vector.js';
import type { Evaluation, Objective } from '../objectives/types.js';
import { checkVector, fail } from '../core/errors.js';
import { bool, checkOptions, inInterval, positive, positiveInt } from '../core/options.js';

/** Outcome of a line search. */
export interface LineSearchResult {
  /**
   * `ok`: an acceptable step was found (`x`, `evaluation` set);
   * `failed`: no acceptable step within the budget (or p is not a descent direction);
   * `nonFinite`: every trial point had a non-finite value.
   */
  status: 'ok' | 'failed' | 'nonFinite';
  /** Accepted step length (the last one tried on failure). */
  alpha: number;
  /** x + α p at the accepted step (the input x on failure). */
  x: Float64Array;
  /** The objective at the accepted point (null on failure). */
  evaluation: Evaluation | null;
  /** Trial evaluations made. */
  iterations: number;
  /** For Wolfe: whether the curvature condition holds too (false if only sufficient decrease was reached). */
  wolfe?: boolean;
}

/** Options of {@link armijoLineSearch}. */
export interface ArmijoOptions {
  /** First trial step α₀ (default 1). */
  initialStep?: number;
  /** Sufficient-decrease constant c₁ ∈ (0, 1) (default 1e-4). */
  c1?: number;
  /** Trial evaluations allowed (default 30). */
  maxIter?: number;
  /** Use safeguarded quadratic interpolation (default true); otherwise multiply α by `shrink`. */
  interpolate?: boolean;
  /** Backtracking factor when not interpolating (default 0.5). */
  shrink?: number;
}

/** Options of {@link wolfeLineSearch}. */
export interface WolfeOptions {
  /** First trial step α₀ (default 1). */
  initialStep?: number;
  /** Sufficient-decrease constant c₁ (default 1e-4). */
  c1?: number;
  /** Curvature constant c₂ ∈ (c₁, 1) (default 0.9, the quasi-Newton choice). */
  c2?: number;
  /** Trial evaluations allowed (default 25). */
  maxIter?: number;
  /** Largest step the bracketing phase may try (default 1e10). */
  maxStep?: number;
  /** Factor by which the bracketing phase grows α (default 2). */
  grow?: number;
}

/** The value and gradient at the start, x. */
export interface LineStart {
  value: number;
  gradient: Float64Array;
}

/** x + α p, new vector. */
function stepTo(x: Float64Array, alpha: number, p: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * p[i];
  return out;
}

/** True if α p no longer changes x in floating point. */
function stepNegligible(x: Float64Array, alpha: number, p: Float64Array): boolean {
  return alpha * norm2(p) <= 1e-16 * Math.max(1, norm2(x)) || alpha === 0;
}

/** Check the arguments every line search takes (public entries only). */
function checkLineArgs(fn: string, objective: Objective, x: Float64Array, p: Float64Array, start: LineStart): void {
  const o = objective as Partial<Objective> | null;
  if (o === null || typeof o !== 'object' || typeof o.evaluate !== 'function') fail(fn, 'objective must have an evaluate(x) method');
  checkVector(fn, 'x', x);
  checkVector(fn, 'p', p, x.length);
  if (start === null || typeof start !== 'object') fail(fn, `start must be { value, gradient } at x (e.g. objective.evaluate(x)), got ${start === null ? 'null' : typeof start}`);
  if (typeof start.value !== 'number') fail(fn, `start.value must be a number, got ${typeof start.value}`);
  checkVector(fn, 'start.gradient', start.gradient, x.length);
}

function finiteVector(g: Float64Array): boolean {
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return false;
  return true;
}

/**
 * Armijo backtracking: the first α = α₀, α₁, … with
 * f(x + α p) ≤ f(x) + c₁ α ∇f(x)ᵀp. Each new α minimises the quadratic
 * through φ(0), φ'(0), φ(α), kept within [0.1 α, 0.5 α]; a non-finite φ(α)
 * divides α by 10. Trial points are evaluated with their gradient (the caller
 * needs it at the accepted point, usually the first trial).
 * @param objective the function (only `evaluate` is used)
 * @param x start point, length nParams (not modified)
 * @param p search direction, length nParams; must satisfy ∇f(x)ᵀp < 0
 * @param start value and gradient at x
 * @returns the accepted point and its evaluation, or status `failed`/`nonFinite`
 * @example
 * const r = armijoLineSearch(obj, x, p, obj.evaluate(x));
 * if (r.status === 'ok') x = r.x;
 */
export function armijoLineSearch(objective: Objective, x: Float64Array, p: Float64Array, start: LineStart, opts: ArmijoOptions = {}): LineSearchResult {
  const fn = 'armijoLineSearch';
  checkLineArgs(fn, objective, x, p, start);
  checkOptions(fn, opts, ['initialStep', 'c1', 'maxIter', 'interpolate', 'shrink']);
  positive(fn, 'initialStep', opts.initialStep, 1);
  const c1 = inInterval(fn, 'c1', opts.c1, 1e-4, 0, 1, true);
  const maxIter = positiveInt(fn, 'maxIter', opts.maxIter, 30);
  const interpolate = bool(fn, 'interpolate', opts.interpolate, true);
  const shrink = inInterval(fn, 'shrink', opts.shrink, 0.5, 0, 1, true);
  const f0 = start.value;
  const slope = dot(start.gradient, p);
  let alpha = opts.initialStep ?? 1;
  if (!(slope < 0) || !Number.isFinite(slope)) return { status: 'failed', alpha: 0, x, evaluation: null, iterations: 0 };
  let anyFinite = false;
  let it = 0;
  while (it < maxIter) {
    if (stepNegligible(x, alpha, p)) break;
    const xt = stepTo(x, alpha, p);
    const ev = objective.evaluate(xt);
    it++;
    const f = ev.value;
    if (Number.isFinite(f)) {
      anyFinite = true;
      if (f <= f0 + c1 * alpha * slope) return { status: 'ok', alpha, x: xt, evaluation: ev, iterations: it };
      if (interpolate) {
        // Minimiser of q(a) = f0 + slope a + c a², c = (f − f0 − slope α)/α² > 0 here.
        const aq = (-slope * alpha * alpha) / (2 * (f - f0 - slope * alpha));
        alpha = Math.min(0.5 * alpha, Math.max(0.1 * alpha, Number.isFinite(aq) ? aq : 0.5 * alpha));
      } else {
        alpha *= shrink;
      }
    } else {
      alpha *= 0.1;
    }
  }
  return { status: anyFinite || it === 0 ? 'failed' : 'nonFinite', alpha, x, evaluation: null, iterations: it };
}

/** A point on the line: α, x + α p, its evaluation, φ(α), φ'(α). */
interface LinePoint {
  alpha: number;
  x: Float64Array;
  ev: Evaluation | null;
  f: number;
  d: number;
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db); NaN if it does not exist. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

/**
 * Strong Wolfe line search: find α with
 * f(x + α p) ≤ f(x) + c₁ α ∇f(x)ᵀp and |∇f(x + α p)ᵀp| ≤ c₂ |∇f(x)ᵀp|.
 * Bracketing grows α until the interval is known to hold such a point, then
 * zoom shrinks it by safeguarded cubic interpolation. If the budget runs out
 * after a point with sufficient decrease was found, that point is returned
 * with `wolfe: false`.
 * @param objective the function (`evaluate` with gradients)
 * @param x start point (not modified)
 * @param p descent direction (∇f(x)ᵀp < 0)
 * @param start value and gradient at x
 * @returns the accepted point, or status `failed`/`nonFinite`
 * @example const r = wolfeLineSearch(obj, x, p, ev, { c2: 0.9 });
 */
export function wolfeLineSearch(objective: Objective, x: Float64Array, p: Float64Array, start: LineStart, opts: WolfeOptions = {}): LineSearchResult {
  const fn = 'wolfeLineSearch';
  checkLineArgs(fn, objective, x, p, start);
  checkOptions(fn, opts, ['initialStep', 'c1', 'c2', 'maxIter', 'maxStep', 'grow']);
  positive(fn, 'initialStep', opts.initialStep, 1);
  const c1 = inInterval(fn, 'c1', opts.c1, 1e-4, 0, 1, true);
  const c2 = inInterval(fn, 'c2', opts.c2, 0.9, c1, 1, true);
  const maxIter = positiveInt(fn, 'maxIter', opts.maxIter, 25);
  const maxStep = positive(fn, 'maxStep', opts.maxStep, 1e10, true);
  const grow = positive(fn, 'grow', opts.grow, 2);
  if (grow <= 1) fail(fn, `grow must be > 1, got ${grow}`, 'badOption', { option: 'grow', got: grow });
  const f0 = start.value;
  const d0 = dot(start.gradient, p);
  if (!(d0 < 0) || !Number.isFinite(d0)) return { status: 'failed', alpha: 0, x, evaluation: null, iterations: 0 };
  let it = 0;
  let anyFinite = false;
  const at = (alpha: number): LinePoint => {
    const xt = stepTo(x, alpha, p);
    const ev = objective.evaluate(xt);
    it++;
    let f = ev.value;
    let d = NaN;
    if (Number.isFinite(f)) {
      if (finiteVector(ev.gradient)) {
        d = dot(ev.gradient, p);
        anyFinite = true;
      } else {
        // A finite value with a non-finite gradient cannot be accepted: treat
        // the point as too far (and as non-finite for the final status).
        f = Infinity;
      }
    }
    return { alpha, x: xt, ev, f: Number.isFinite(f) ? f : Infinity, d };
  };
  const armijoOk = (q: LinePoint) => q.f <= f0 + c1 * q.alpha * d0;
  const curvatureOk = (q: LinePoint) => Math.abs(q.d) <= -c2 * d0;
  const ok = (q: LinePoint, wolfe: boolean): LineSearchResult => ({ status: 'ok', alpha: q.alpha, x: q.x, evaluation: q.ev, iterations: it, wolfe });
  const failed = (alpha: number): LineSearchResult => ({ status: anyFinite ? 'failed' : 'nonFinite', alpha, x, evaluation: null, iterations: it });

  // zoom: lo satisfies sufficient decrease and has the lowest value so far; the
  // interval between lo and hi contains a strong Wolfe point.
  const zoom = (lo: LinePoint, hi: LinePoint): LineSearchResult => {
    while (it < maxIter) {
      const a = Math.min(lo.alpha, hi.alpha), b = Math.max(lo.alpha, hi.alpha);
      const width = b - a;
      if (width <= 1e-14 * Math.max(1, b) || stepNegligible(x, width, p)) break;
      let alpha = Number.isFinite(hi.f) && Number.isFinite(hi.d) && lo.alpha > 0 ? cubicMin(lo.alpha, lo.f, lo.d, hi.alpha, hi.f, hi.d) : NaN;
      if (lo.alpha === 0 && Number.isFinite(hi.f)) {
        // Quadratic through φ(0), φ'(0), φ(hi): the usual first zoom guess.
        alpha = (-d0 * hi.alpha * hi.alpha) / (2 * (hi.f - f0 - d0 * hi.alpha));
      }
      // Safeguard: stay inside the interval, away from its ends.
      if (!Number.isFinite(alpha) || alpha < a + 0.1 * width || alpha > b - 0.1 * width) alpha = a + 0.5 * width;
      const q = at(alpha);
      if (!armijoOk(q) || q.f >= lo.f) {
        hi = q;
      } else {
        if (curvatureOk(q)) return ok(q, true);
        if (q.d * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = q;
      }
    }
    return lo.alpha > 0 ? ok(lo, false) : failed(hi.alpha);
  };

  let prev: LinePoint = { alpha: 0, x, ev: null, f: f0, d: d0 };
  let alpha = Math.min(opts.initialStep ?? 1, maxStep);
  let first = true;
  while (it < maxIter) {
    const q = at(alpha);
    if (!armijoOk(q) || (!first && q.f >= prev.f)) return zoom(prev, q);
    if (curvatureOk(q)) return ok(q, true);
    if (q.d >= 0) return zoom(q, prev);
    if (alpha >= maxStep) return ok(q, false);
    prev = q;
    alpha = Math.min(alpha * grow, maxStep);
    first = false;
  }
  return prev.alpha > 0 ? ok(prev, false) : failed(alpha);
}
