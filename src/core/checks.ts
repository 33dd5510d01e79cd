/**
 * Derivative and adjoint checks, the tools every numdl test is built on.
 *
 * Taylor test: for a smooth f with Jacobian J at x and a direction v,
 *   E0(h) = ‖f(x + h v) − f(x)‖           = O(h),
 *   E1(h) = ‖f(x + h v) − f(x) − h J v‖   = O(h²),
 * so halving h should divide E1 by 4 (observed order log2(E1(h)/E1(h/2)) ≈ 2)
 * until round-off wins. A wrong J leaves E1 at order 1.
 *
 * Adjoint test: for J and a claimed transpose Jᵀ, ⟨J v, w⟩ = ⟨v, Jᵀ w⟩ for
 * random v, w, to near machine precision relative to the size of the terms.
 */
import { checkSize, checkVector, fail } from './errors.js';
import { columnMajorData, type AnyMatrix } from './matrix.js';
import type { Rng } from './rng.js';
import { createRng } from './rng.js';
import { checkOptions, nonNegative, positive, positiveInt } from './options.js';

/** What a checked function may return: a scalar, a vector, or a matrix. */
export type CheckValue = number | ArrayLike<number> | AnyMatrix;

function flatten(v: CheckValue): ArrayLike<number> {
  if (typeof v === 'number') return [v];
  if (v && typeof v === 'object' && 'shape' in v && 'stride' in v) return columnMajorData(v as AnyMatrix);
  return v as ArrayLike<number>;
}

/** One row of a Taylor table. */
export interface TaylorRow {
  h: number;
  /** ‖f(x+hv) − f(x)‖ */
  e0: number;
  /** ‖f(x+hv) − f(x) − h·Jv‖ */
  e1: number;
}

/** Result of {@link taylorTest}. */
export interface TaylorResult {
  rows: TaylorRow[];
  /** Observed orders of E0 between consecutive rows (≈ 1). */
  orders0: number[];
  /** Observed orders of E1 between consecutive rows (≈ 2, or the `order` option). */
  orders1: number[];
  /** True when E1 shows at least the expected order on the last `minRun` steps before it reaches round-off, or E1 is at rounding level throughout (f linear along v). */
  passed: boolean;
  /** True when f is linear along v to rounding: E1 at round-off level (or ≤ 1e-10·E0) on every row. */
  exact: boolean;
  /** The table as text (for printing on failure). */
  table: string;
}

/** Options of {@link taylorTest}. */
export interface TaylorOptions {
  /** J v at x: a precomputed value, or a function of v. */
  jvp: CheckValue | ((v: Float64Array) => CheckValue);
  /** Largest step (default 2^-1). */
  h0?: number;
  /** Number of halvings (default 20: h = 2^-1 … 2^-20). */
  steps?: number;
  /** Expected order of E1 (default 2). */
  order?: number;
  /** Allowed shortfall below the order (default 0.25); higher orders pass (a vanishing second-order term). */
  slack?: number;
  /** Consecutive steps (the last ones above round-off) that must show the order (default 3). */
  minRun?: number;
}

/**
 * Taylor test of a Jacobian-vector product.
 * @param f the function; may return a number, an array or a matrix
 * @param x the point (not modified)
 * @param v the direction (same length as x)
 * @param opts `jvp` = J v at x (value or function), plus step options
 * @returns the table, observed orders and a pass flag
 * @example
 * const r = taylorTest(x => x[0] ** 3, new Float64Array([1]), new Float64Array([1]), { jvp: 3 });
 * r.passed // true, r.orders1 ≈ [2, 2, …]
 */
export function taylorTest(f: (x: Float64Array) => CheckValue, x: Float64Array, v: Float64Array, opts: TaylorOptions): TaylorResult {
  if (typeof f !== 'function') fail('taylorTest', 'f must be a function');
  if (!(x instanceof Float64Array) || !(v instanceof Float64Array)) fail('taylorTest', 'x and v must be Float64Arrays');
  if (x.length !== v.length) fail('taylorTest', `x has length ${x.length} but v has length ${v.length}`);
  if (opts === undefined || opts === null || typeof opts !== 'object' || opts.jvp === undefined) fail('taylorTest', 'opts.jvp (J v at x) is required');
  checkOptions('taylorTest', opts, ['jvp', 'h0', 'steps', 'order', 'slack', 'minRun'], 'opts');
  const h0 = positive('taylorTest', 'h0', opts.h0, 0.5);
  const steps = positiveInt('taylorTest', 'steps', opts.steps, 20);
  const order = positive('taylorTest', 'order', opts.order, 2);
  const slack = nonNegative('taylorTest', 'slack', opts.slack, 0.25);
  const minRun = positiveInt('taylorTest', 'minRun', opts.minRun, 3);
  const xc = Float64Array.from(x);
  const f0 = Float64Array.from(flatten(f(xc)));
  const jv = flatten(typeof opts.jvp === 'function' ? opts.jvp(Float64Array.from(v)) : opts.jvp);
  if (jv.length !== f0.length) fail('taylorTest', `J v has length ${jv.length} but f(x) has length ${f0.length}`);
  const rows: TaylorRow[] = [];
  const xh = new Float64Array(x.length);
  let h = h0;
  for (let s = 0; s < steps; s++, h /= 2) {
    for (let i = 0; i < x.length; i++) xh[i] = x[i] + h * v[i];
    const fh = flatten(f(xh));
    if (fh.length !== f0.length) fail('taylorTest', `f returned length ${fh.length} at step ${s}, expected ${f0.length}`);
    let e0 = 0, e1 = 0;
    for (let i = 0; i < f0.length; i++) {
      const d = fh[i] - f0[i];
      e0 += d * d;
      const r = d - h * jv[i];
      e1 += r * r;
    }
    rows.push({ h, e0: Math.sqrt(e0), e1: Math.sqrt(e1) });
  }
  const ord = (a: number, b: number) => (a > 0 && b > 0 ? Math.log2(a / b) : NaN);
  const orders0: number[] = [];
  const orders1: number[] = [];
  for (let s = 0; s + 1 < rows.length; s++) {
    orders0.push(ord(rows[s].e0, rows[s + 1].e0));
    orders1.push(ord(rows[s].e1, rows[s + 1].e1));
  }
  // Round-off floor of E1: f(x+hv) − f(x) carries an absolute error of about
  // eps·‖f(x)‖, so rows whose E1 is not well above it say nothing about the order.
  let nf0 = 0;
  for (let i = 0; i < f0.length; i++) nf0 += f0[i] * f0[i];
  const noise = 1e4 * 2.220446049250313e-16 * Math.max(1, Math.sqrt(nf0));
  const exact = rows.every((r) => r.e1 <= Math.max(noise, 1e-10 * r.e0));
  // The order must hold asymptotically: on the last `minRun` steps before E1
  // reaches the floor (a slightly wrong J shows order 2 at large h, then 1).
  let nClean = 0;
  while (nClean < rows.length && rows[nClean].e1 > noise) nClean++;
  const clean = orders1.slice(0, Math.max(0, nClean - 1));
  const asymptotic = clean.length >= minRun && clean.slice(-minRun).every((o) => o >= order - slack);
  const passed = (exact && rows.some((r) => r.e0 > 0)) || asymptotic;
  const fmt = (n: number) => (Number.isFinite(n) ? n.toExponential(3).padStart(11) : String(n).padStart(11));
  const lines = ['         h          E0          E1   order(E0)   order(E1)'];
  rows.forEach((r, s) => {
    lines.push(`${fmt(r.h)} ${fmt(r.e0)} ${fmt(r.e1)} ${s > 0 ? orders0[s - 1].toFixed(2).padStart(11) : ''.padStart(11)} ${s > 0 ? orders1[s - 1].toFixed(2).padStart(11) : ''.padStart(11)}`);
  });
  return { rows, orders0, orders1, passed, exact, table: lines.join('\n') };
}

/** Result of {@link adjointTest}. */
export interface AdjointResult {
  /** ⟨J v, w⟩ */
  lhs: number;
  /** ⟨v, Jᵀ w⟩ */
  rhs: number;
  /** |lhs − rhs| / max(‖Jv‖‖w‖, ‖v‖‖Jᵀw‖, tiny) — scale-aware relative error. */
  relError: number;
  passed: boolean;
}

/** Options of {@link adjointTest}. */
export interface AdjointOptions {
  /** Length of the input v. */
  nIn: number;
  /** Length of the output w. */
  nOut: number;
  /** Generator for v and w (default: seed 0). */
  rng?: Rng;
  /** Explicit v (overrides rng). */
  v?: Float64Array;
  /** Explicit w (overrides rng). */
  w?: Float64Array;
  /** Pass threshold on relError (default 1e-12; use about 1e-5 in single precision). */
  tol?: number;
}

/**
 * Adjoint (dot-product) test: checks ⟨J v, w⟩ = ⟨v, Jᵀ w⟩ for random v, w.
 * The error is relative to ‖Jv‖‖w‖ (the size of the terms), so cancellation
 * in the inner product cannot hide a wrong transpose or fake a failure.
 * @param apply v ↦ J v (length nOut)
 * @param applyT w ↦ Jᵀ w (length nIn)
 */
export function adjointTest(apply: (v: Float64Array) => CheckValue, applyT: (w: Float64Array) => CheckValue, opts: AdjointOptions): AdjointResult {
  const fn = 'adjointTest';
  if (typeof apply !== 'function' || typeof applyT !== 'function') fail(fn, 'apply and applyT must be functions');
  if (opts === undefined || opts === null || typeof opts !== 'object') fail(fn, 'opts { nIn, nOut } (the lengths of v and of J v) is required', 'badArgument', { argument: 'opts', got: opts });
  checkOptions(fn, opts, ['nIn', 'nOut', 'rng', 'v', 'w', 'tol'], 'opts');
  checkSize(fn, 'opts.nIn (length of v)', opts.nIn);
  checkSize(fn, 'opts.nOut (length of J v)', opts.nOut);
  if (opts.rng !== undefined && (opts.rng === null || typeof opts.rng.normalArray !== 'function')) fail(fn, 'opts.rng must be a generator from createRng(seed)', 'badOption', { option: 'rng' });
  if (opts.v !== undefined) checkVector(fn, 'opts.v', opts.v, opts.nIn);
  if (opts.w !== undefined) checkVector(fn, 'opts.w', opts.w, opts.nOut);
  if (opts.tol !== undefined) positive(fn, 'tol', opts.tol, 1e-12);
  const rng = opts.rng ?? createRng(0);
  const v = opts.v ?? rng.normalArray(opts.nIn);
  const w = opts.w ?? rng.normalArray(opts.nOut);
  if (v.length !== opts.nIn) fail('adjointTest', `v has length ${v.length}, expected nIn = ${opts.nIn}`);
  if (w.length !== opts.nOut) fail('adjointTest', `w has length ${w.length}, expected nOut = ${opts.nOut}`);
  const Jv = flatten(apply(Float64Array.from(v)));
  const JTw = flatten(applyT(Float64Array.from(w)));
  if (Jv.length !== opts.nOut) fail('adjointTest', `apply returned length ${Jv.length}, expected nOut = ${opts.nOut}`);
  if (JTw.length !== opts.nIn) fail('adjointTest', `applyT returned length ${JTw.length}, expected nIn = ${opts.nIn}`);
  let lhs = 0, rhs = 0, nJv = 0, nw = 0, nv = 0, nJTw = 0;
  for (let i = 0; i < Jv.length; i++) {
    lhs += Jv[i] * w[i];
    nJv += Jv[i] * Jv[i];
    nw += w[i] * w[i];
  }
  for (let i = 0; i < JTw.length; i++) {
    rhs += v[i] * JTw[i];
    nv += v[i] * v[i];
    nJTw += JTw[i] * JTw[i];
  }
  const denom = Math.max(Math.sqrt(nJv * nw), Math.sqrt(nv * nJTw), 1e-300);
  const relError = Math.abs(lhs - rhs) / denom;
  return { lhs, rhs, relError, passed: relError <= (opts.tol ?? 1e-12) && Number.isFinite(relError) };
}
