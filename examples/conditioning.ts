/**
 * Conditioning of single-layer training (the lecture "Residual CNNs and their
 * relation to PDEs", part "Nonlinear Models", slides "Example: Conditioning of
 * Single Layer Training" and "Example: Condition Numbers"; docs/conventions.md §2).
 *
 * For the residual R(W, K) = W σ(K Y) − C (d = 3 inputs, one output, s = 100
 * examples from U([−1, 1]³), σ = tanh, widths m = 8, 16, 32) the Jacobian of
 * r = vec(R) with respect to (vec(W), vec(K)) is
 *
 *   J = [J_W  J_K],  J_W = σ(K Y)ᵀ ⊗ I,  J_K = (I ⊗ W) diag(σ'(K Y)) (Yᵀ ⊗ I).
 *
 * It is assembled here through its Kronecker structure (core `kron`,
 * `compose` and a diagonal-scaling LinearOperator, made dense with `toDense`
 * only for the SVD) and checked against the matrix-free products of the
 * single layer (`singleLayer(dense(m, d)).jvp` / `vjp`). Its singular values
 * and condition numbers are then compared in double, single and emulated half
 * precision: Y, K, W are rounded to the precision, K Y, tanh and σ' are
 * evaluated with every operation rounded, and J's entries are rounded; the SVD
 * of that J is taken in double, so what is shown is the error of *forming* J
 * in low precision — by Weyl's inequality every σ_i moves by up to about
 * u·σ₁ (u the unit roundoff), so singular values below ~u·σ₁ are lost. An SVD
 * carried out in the low precision as well would lose at least as much.
 *
 *   npx tsx examples/conditioning.ts                  # m = 8, 16, 32, s = 100
 *   npx tsx examples/conditioning.ts --fast           # m = 4, 8, s = 40, no results section
 *   npx tsx examples/conditioning.ts --seed 3 --s 200 --widths 8,16,32,64 --out out/cond
 */
import { compose, kron, linearOperator, toDense, transposeOp, type LinearOperator } from '../src/core/linearOperator.js';
import { columnMajorData, matrix, transpose, zeros, type Matrix } from '../src/core/matrix.js';
import { matmul } from '../src/core/matmul.js';
import { createRng } from '../src/core/rng.js';
import { svd } from '../src/core/solvers/svd.js';
import { dense } from '../src/operators/dense.js';
import { singleLayer } from '../src/layers/singleLayer.js';
import { formatTable, saveSpectrum } from '../src/plots/index.js';
import { codeBlock, figuresLine, numArg, outDir, runExample, withFigures, strArg } from './lib/cli.js';

// ---------------------------------------------------------------------------
// Emulated floating-point formats

/** Unit roundoff u = 2^-p of the three precisions (p = significand bits). */
export const UNIT_ROUNDOFF: Readonly<Record<Precision, number>> = Object.freeze({
  double: 2 ** -53,
  single: 2 ** -24,
  half: 2 ** -11,
});

/** The precisions compared. */
export type Precision = 'double' | 'single' | 'half';

/** Largest finite IEEE binary16 number, (2 − 2⁻¹⁰)·2¹⁵. */
export const HALF_MAX = 65504;

/**
 * Round a double to the nearest IEEE 754 binary16 ("half") number, ties to
 * even, returned as a double: 11-bit significand (10 stored bits), exponents
 * −14 … 15, gradual underflow through the subnormals k·2⁻²⁴ (k < 1024), and
 * overflow to ±Infinity from 65520 = 65504 + half an ulp on (the tie rounds to
 * the even 2¹⁶, which does not exist). Signs of zero and NaN pass through.
 *
 * Exact: the quantum q = 2^(max(e, −14) − 10) of the binade of |x| is a power
 * of two, so |x|/q is computed without error and only the integer rounding of
 * it (ties to even) decides.
 * @param x any double
 * @returns the binary16 value nearest to x (as a double)
 * @example roundToHalf(1 + 2 ** -11) // 1 (tie, to even); roundToHalf(65519) // 65504; roundToHalf(2 ** -25) // 0
 */
export function roundToHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return x > 0 ? Infinity : -Infinity;
  // Exponent e with 2^e ≤ a < 2^(e+1); log2 may be off by one near powers of two.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = 2 ** (Math.max(e, -14) - 10);
  const r = a / q;
  const f = Math.floor(r);
  const frac = r - f;
  const k = frac > 0.5 || (frac === 0.5 && f % 2 === 1) ? f + 1 : f;
  const out = k * q;
  return x < 0 ? -out : out;
}

/** Rounding of a double to each precision: identity, `Math.fround`, {@link roundToHalf}. */
export const ROUND: Readonly<Record<Precision, (x: number) => number>> = Object.freeze({
  double: (x: number) => x,
  single: Math.fround,
  half: roundToHalf,
});

// ---------------------------------------------------------------------------
// The Jacobian

/** What J depends on: Y (d × s), K (m × d), W (1 × m), and σ(K Y), σ'(K Y) (m × s). */
export interface JacobianFactors {
  Y: Matrix;
  K: Matrix;
  W: Matrix;
  /** Z = σ(K Y), m × s. */
  Z: Matrix;
  /** A = σ'(K Y), m × s. */
  A: Matrix;
}

/**
 * The factors of J evaluated in a precision: Y, K, W rounded, then
 * P = K Y with every product and sum rounded, Z = round(tanh P),
 * A = round(1 − round(Z²)).
 */
export function factorsInPrecision(Y: Matrix, K: Matrix, W: Matrix, precision: Precision): JacobianFactors {
  const rd = ROUND[precision];
  const roundAll = (M: Matrix) => matrix(M.shape[0], M.shape[1], Float64Array.from(columnMajorData(M), rd));
  const Yp = roundAll(Y), Kp = roundAll(K), Wp = roundAll(W);
  const [m, d] = Kp.shape, s = Yp.shape[1];
  const Z = zeros(m, s), A = zeros(m, s);
  const k = Kp.data, y = Yp.data;
  for (let j = 0; j < s; j++) {
    for (let i = 0; i < m; i++) {
      let p = 0;
      for (let l = 0; l < d; l++) p = rd(p + rd(k[i + l * m] * y[l + j * d]));
      const z = rd(Math.tanh(p));
      Z.data[i + j * m] = z;
      A.data[i + j * m] = rd(1 - rd(z * z));
    }
  }
  return { Y: Yp, K: Kp, W: Wp, Z, A };
}

/** The m·s × m·s operator diag(vec(A)): entry-wise scaling, its own transpose. */
function diagonalScaling(a: Float64Array): LinearOperator {
  const scaleBy = (x: Float64Array) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = a[i] * x[i];
    return out;
  };
  return linearOperator({ name: 'diag(σ\'(KY))', rows: a.length, cols: a.length, apply: scaleBy, applyTranspose: scaleBy });
}

/** [A B] as an operator: x = [x_A; x_B] ↦ A x_A + B x_B. */
function horizontalConcat(A: LinearOperator, B: LinearOperator): LinearOperator {
  return linearOperator({
    name: '[J_W J_K]',
    rows: A.rows,
    cols: A.cols + B.cols,
    apply: (x) => {
      const u = A.apply(x.slice(0, A.cols)), v = B.apply(x.slice(A.cols));
      for (let i = 0; i < u.length; i++) u[i] += v[i];
      return u;
    },
    applyTranspose: (y) => {
      const out = new Float64Array(A.cols + B.cols);
      out.set(A.applyTranspose(y), 0);
      out.set(B.applyTranspose(y), A.cols);
      return out;
    },
  });
}

/**
 * J = [J_W J_K] of r = vec(W σ(K Y) − C) with respect to (vec(W), vec(K)),
 * through its Kronecker structure, never formed:
 * J_W = Zᵀ ⊗ I_nc, J_K = (I_s ⊗ W) diag(vec(A)) (Yᵀ ⊗ I_m).
 * @returns an (nc·s) × (nc·m + m·d) LinearOperator
 */
export function kroneckerJacobian(f: JacobianFactors): LinearOperator {
  const [m, d] = f.K.shape, s = f.Y.shape[1], nc = f.W.shape[0];
  const eye = (n: number) => {
    const I = zeros(n, n);
    for (let i = 0; i < n; i++) I.data[i + i * n] = 1;
    return I;
  };
  const JW = kron(transpose(f.Z), eye(nc));
  const JK = compose(kron(eye(s), f.W), diagonalScaling(columnMajorData(f.A)), kron(transpose(f.Y), eye(m)));
  if (JW.rows !== nc * s || JK.cols !== m * d) throw new Error('conditioning: internal size error');
  return horizontalConcat(JW, JK);
}

/**
 * The same J from the single layer's matrix-free products:
 * J [vW; vK] = mat(vW) Z + W J_layer(vK), Jᵀ r = [vec(R Zᵀ); J_layerᵀ(Wᵀ R)].
 */
export function matrixFreeJacobian(Y: Matrix, K: Matrix, W: Matrix): LinearOperator {
  const [m, d] = K.shape, s = Y.shape[1], nc = W.shape[0];
  const layer = singleLayer(dense(m, d), { activation: 'tanh', bias: 'none' });
  const x = Float64Array.from(columnMajorData(K));
  const state = layer.forward(x, Y);
  const nW = nc * m;
  return linearOperator({
    name: 'matrix-free J',
    rows: nc * s,
    cols: nW + m * d,
    apply: (v) => {
      const dW = matrix(nc, m, v.slice(0, nW));
      const R = matmul(dW, state.output);
      const RK = matmul(W, layer.jvp(x, state, v.slice(nW), null));
      for (let i = 0; i < R.data.length; i++) R.data[i] += RK.data[i];
      return R.data;
    },
    applyTranspose: (r) => {
      const Rm = matrix(nc, s, Float64Array.from(r));
      const out = new Float64Array(nW + m * d);
      out.set(matmul(Rm, state.output, { transB: true }).data, 0);
      out.set(layer.vjp(x, state, matmul(W, Rm, { transA: true })).dx, nW);
      return out;
    },
  });
}

// ---------------------------------------------------------------------------
// The experiment

/** Options of {@link run}. */
export interface ConditioningOptions {
  /** Widths m (default [8, 16, 32]). */
  widths?: number[];
  /** Input dimension d (default 3). */
  d?: number;
  /** Number of examples s (default 100). */
  s?: number;
  /** Seed of Y, K, W (default 1). */
  seed?: number;
}

/** One line of the table: one width in one precision. */
export interface ConditioningRow {
  m: number;
  precision: Precision;
  /** Size of J, rows × cols. */
  size: string;
  /** Unit roundoff u of the precision. */
  u: number;
  /** κ₂(J) = σ₁/σ_min over the min(rows, cols) singular values (MATLAB's `cond`). */
  cond: number;
  /** cols − rows when J is wide: the dimension its null space has at least (the least-squares problem then has no unique solution). */
  nullity: number;
  sigmaMax: number;
  sigmaMin: number;
  /** How many σ_i (of double-precision J) lie below u·σ₁: those the precision cannot resolve. */
  belowU: number;
  /** How many σ_i differ from the double-precision ones by more than 10% (relative). */
  lost: number;
  /** Largest relative error |σ_i − σ_i^double|/σ_i^double among the σ_i^double > 100·u·σ₁. */
  maxRelErrResolved: number;
}

/** Kronecker J against the matrix-free J, per width. */
export interface JacobianCheck {
  m: number;
  /** max |J_kron − J_free| / max |J_free| (columns from apply). */
  applyError: number;
  /** The same for the transposes (columns from applyTranspose). */
  transposeError: number;
}

/** Everything {@link run} computed. */
export interface ConditioningResult {
  rows: ConditioningRow[];
  checks: JacobianCheck[];
  /** Singular values per width and precision (descending). */
  spectra: { m: number; precision: Precision; values: Float64Array }[];
  table: string;
  checkTable: string;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}
function maxAbs(a: Float64Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]));
  return e;
}

/**
 * Run the experiment: for each width m draw Y ~ U([−1,1]^{d×s}), K ~ N(0,1)^{m×d},
 * W ~ N(0,1)^{1×m}; check the Kronecker J against the matrix-free one; compute
 * the singular values of J formed in double, single and half precision.
 * @example const { rows, table } = run({ widths: [4, 8], s: 40 }); console.log(table);
 */
export function run(opts: ConditioningOptions = {}): ConditioningResult {
  const widths = opts.widths ?? [8, 16, 32];
  const d = opts.d ?? 3;
  const s = opts.s ?? 100;
  const seed = opts.seed ?? 1;
  const rows: ConditioningRow[] = [];
  const checks: JacobianCheck[] = [];
  const spectra: ConditioningResult['spectra'] = [];
  for (const m of widths) {
    const rng = createRng(`${seed}/conditioning/m=${m}`);
    const Y = matrix(d, s, rng.uniformArray(d * s, -1, 1));
    const K = matrix(m, d, rng.normalArray(m * d));
    const W = matrix(1, m, rng.normalArray(m));

    // Kronecker structure against the matrix-free products (double precision).
    const f64 = factorsInPrecision(Y, K, W, 'double');
    const Jkron = kroneckerJacobian(f64);
    const Jfree = matrixFreeJacobian(Y, K, W);
    const Dk = toDense(Jkron), Df = toDense(Jfree);
    const DkT = toDense(transposeOp(Jkron)), DfT = toDense(transposeOp(Jfree));
    checks.push({ m, applyError: maxAbsDiff(Dk.data, Df.data) / maxAbs(Df.data), transposeError: maxAbsDiff(DkT.data, DfT.data) / maxAbs(DfT.data) });

    let ref: Float64Array | null = null;
    for (const precision of ['double', 'single', 'half'] as Precision[]) {
      const rd = ROUND[precision];
      const J = toDense(kroneckerJacobian(factorsInPrecision(Y, K, W, precision)));
      for (let i = 0; i < J.data.length; i++) J.data[i] = rd(J.data[i]);
      const S = svd(J, { vectors: false }).S;
      spectra.push({ m, precision, values: S });
      if (!ref) ref = S;
      const u = UNIT_ROUNDOFF[precision];
      let belowU = 0, lost = 0, maxRel = 0;
      for (let i = 0; i < S.length; i++) {
        const rel = Math.abs(S[i] - ref[i]) / ref[i];
        if (ref[i] < u * ref[0]) belowU++;
        if (!(rel <= 0.1)) lost++;
        if (ref[i] > 100 * u * ref[0]) maxRel = Math.max(maxRel, rel);
      }
      const sMin = S[S.length - 1];
      rows.push({
        m, precision, size: `${J.shape[0]}×${J.shape[1]}`, u, cond: sMin === 0 ? Infinity : S[0] / sMin,
        nullity: Math.max(0, J.shape[1] - J.shape[0]),
        sigmaMax: S[0], sigmaMin: sMin, belowU, lost, maxRelErrResolved: maxRel,
      });
    }
  }
  const table = formatTable(rows as unknown as Record<string, unknown>[], [
    'm', 'precision', { key: 'size', label: 'J' }, { key: 'u', label: 'u', digits: 2 }, { key: 'cond', label: 'cond(J)', digits: 3 }, { key: 'nullity', label: 'dim null(J) ≥' },
    { key: 'sigmaMax', label: 'σ_max', digits: 3 }, { key: 'sigmaMin', label: 'σ_min', digits: 3 },
    { key: 'belowU', label: '#σ < u·σ₁ (double J)' }, { key: 'lost', label: '#σ off by >10%' },
    { key: 'maxRelErrResolved', label: 'max rel. err. of σ > 100u·σ₁', digits: 2 },
  ]);
  const checkTable = formatTable(checks as unknown as Record<string, unknown>[], [
    'm', { key: 'applyError', label: 'Kronecker J vs matrix-free J (rel.)', digits: 2 }, { key: 'transposeError', label: 'same for Jᵀ', digits: 2 },
  ]);
  return { rows, checks, spectra, table, checkTable };
}

/** Save the spectra: one figure per width (three precisions and the u·σ₁ levels) and one of the double-precision spectra of all widths. */
export async function saveFigures(result: ConditioningResult, dir: string): Promise<string[]> {
  const files: string[] = [];
  const widths = [...new Set(result.spectra.map((e) => e.m))];
  for (const m of widths) {
    const series: { name: string; values: ArrayLike<number> }[] = result.spectra.filter((e) => e.m === m).map((e) => ({ name: e.precision, values: e.values }));
    const ref = series[0].values;
    for (const p of ['single', 'half'] as Precision[]) series.push({ name: `u(${p})·σ₁`, values: new Float64Array(ref.length).fill(UNIT_ROUNDOFF[p] * ref[0]) });
    files.push(await saveSpectrum(`${dir}/singular-values-m${m}.svg`, series, { title: `singular values of J, m = ${m}` }));
  }
  files.push(await saveSpectrum(`${dir}/singular-values-double.svg`,
    result.spectra.filter((e) => e.precision === 'double').map((e) => ({ name: `m = ${e.m}`, values: e.values })),
    { title: 'singular values of J (double), σ_i / σ₁', normalize: true }));
  return files;
}

/** The setup sentence, printed and in RESULTS.md. */
function setupOf(opts: Required<ConditioningOptions>): string {
  return `R(W, K) = W tanh(K Y) − C, d = ${opts.d}, one output, s = ${opts.s} examples from U([−1,1]^d), K, W ~ N(0, 1), seed ${opts.seed}`;
}

runExample({
  name: 'conditioning',
  metaUrl: import.meta.url,
  parse: (args, fast) => ({
    widths: strArg(args, 'widths', fast ? '4,8' : '8,16,32').split(',').map(Number),
    d: numArg(args, 'd', 3),
    s: numArg(args, 's', fast ? 40 : 100),
    seed: numArg(args, 'seed', 1),
    out: outDir('conditioning', typeof args.out === 'string' ? args.out : undefined),
  }),
  run: (opts) => withFigures(run(opts), saveFigures, opts.out),
  print: ({ options, result, seconds }) => {
    console.log(`${setupOf(options)}\n\n${result.checkTable}\n\n${result.table}\n\nfigures: ${result.files.join(', ')}  (${seconds.toFixed(1)} s)`);
  },
  // A full run has the default sizes, so the recorded command names the seed only.
  command: (_, opts) => `npx tsx examples/conditioning.ts --seed ${opts.seed}`,
  results: ({ options, result, seconds }) => {
    return {
      time: `${seconds.toFixed(1)} s`,
      setup: `${setupOf(options)}.`,
      lines: [
        'J = [J_W J_K] assembled from its Kronecker structure and checked against the matrix-free products:',
        '',
        codeBlock(result.checkTable),
        '',
        'Singular values of J formed in each precision (inputs, K Y, tanh, σ\' and J\'s entries rounded; SVD in double). u = unit roundoff; singular values below about u·σ₁ are not resolved. cond(J) = σ₁/σ_min over the min(rows, cols) singular values, as MATLAB\'s `cond`: it grows with m while J is tall (m(d+1) ≤ s); once J is wide (m = 32: 128 unknowns, 100 residuals) J has a null space of dimension ≥ cols − rows, the least-squares problem has no unique solution (ill-posed: regularize), and σ₁/σ_s alone no longer measures that.',
        '',
        codeBlock(result.table),
        '',
        `Lost singular values (off by more than 10% from double): ${(['single', 'half'] as Precision[]).map((p) => `${p} ${result.rows.filter((r) => r.precision === p).map((r) => `${r.lost}/${r.size.split('×').map(Number).reduce((a, b) => Math.min(a, b))} (m = ${r.m})`).join(', ')}`).join('; ')}.`,
        '',
        figuresLine(result.files),
      ],
    };
  },
});
