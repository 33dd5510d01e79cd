/**
 * Linear versus nonlinear models on the Peaks problem.
 *
 * 1. A linear classifier fitted by least squares, min_W ½‖W [Y; 1ᵀ] − C‖²_F,
 *    cannot separate the five Peaks classes; replacing Y by random features
 *    Z = σ(K Y + b) (K m × 2 and b with N(0, 1) entries) in the same
 *    least-squares problem can. Both are solved matrix-free by CGLS on
 *    vec(W A) = (Aᵀ ⊗ I) vec(W), A = [Y; 1ᵀ] or [Z; 1ᵀ], with the Kronecker
 *    operator never formed (a small Tikhonov shift for the features).
 * 2. The rank of σ(K Y + b) against the width m, for σ = identity, tanh,
 *    ReLU and sin, on n distinct points: with σ = identity,
 *    rank(K Y + b 1ᵀ) ≤ rank([Y; 1ᵀ]) = rank(Y) + 1 = 3 for every m ("what
 *    happens to rank(σ(KY)) when σ(x) = x?"); with a nonlinear σ the rank
 *    grows with m and reaches n once m ≥ n (the lecture's "conjecture:
 *    universal approximation", rank(σ(KY + b)) = n). The rows of K for a
 *    width m are the first m rows of one random K, so the rank cannot drop as
 *    m grows.
 *
 * Reference: the lecture "Residual CNNs and their relation to PDEs"
 * (`/work/shared/seed/`), parts "Example: Linear Fitting", "Illustrating
 * Nonlinear Models" and "Conjecture: Universal Approximation Properties".
 *
 *   npm run linear-vs-nonlinear                      # full run (writes examples/RESULTS.md)
 *   npx tsx examples/linear-vs-nonlinear.ts --fast   # smaller, a few seconds
 *   npx tsx examples/linear-vs-nonlinear.ts --width 400 --rank-n 300 --out /tmp/lvn
 *
 * Figures (in `out/linear-vs-nonlinear/` or `--out`): `regions-linear.svg`,
 * `regions-<σ>.svg`, `regions-truth.svg` (decision regions with the training
 * points), `rank.svg` (rank against width), `spectra.svg` (singular values of
 * σ(K Y + b) for m = 2n).
 */
import { kron } from '../src/core/linearOperator.js';
import { eye, mat, transpose, vec, zeros, type Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { cgls } from '../src/core/solvers/cgls.js';
import { svd } from '../src/core/solvers/svd.js';
import { dense } from '../src/operators/index.js';
import { singleLayer, type ActivationName } from '../src/layers/index.js';
import { labelAccuracy, predictClasses } from '../src/losses/index.js';
import { peaksLabels, setupPeaks } from '../src/data/index.js';
import { formatTable, saveDecisionRegions, saveLineChart, saveSpectrum, type TableColumn } from '../src/plots/index.js';
import { cpuSeconds, peaksSplit } from './resnet-peaks.js';
import { npmRunCommand, numArg, optionalNumArg, outDir, runExample } from './lib/cli.js';

/** Options of {@link run}; the defaults are the full configuration. */
export interface LinearVsNonlinearOptions {
  /** The fast variant (tests). Explicit options still win. */
  fast?: boolean;
  /** Seed of data and random features (default 1). */
  seed?: number;
  /** Training / validation points of the classifiers (default 1000 / 2000; fast 500 / 1000). */
  nTrain?: number;
  nVal?: number;
  /** Number of random features of the nonlinear classifiers (default 200; fast 100). */
  width?: number;
  /** Activations of the random-feature classifiers (default tanh, relu, sin). */
  activations?: ActivationName[];
  /** Tikhonov shift s of the feature least-squares problems, relative to n: s = shift·n (default 1e-4). */
  shift?: number;
  /** CGLS relative tolerance (default 1e-8) and iteration cap (default 500). */
  tol?: number;
  maxIter?: number;
  /** Points of the rank study (default 200; fast 60) and its widths (default powers of 2 up to 4n, and n). */
  rankN?: number;
  widths?: number[];
  /** Print progress (default false). */
  verbose?: boolean;
  /** Folder for the figures; null (default) saves none. */
  out?: string | null;
}

/** One classifier of the comparison. */
export interface LinearVsNonlinearRow {
  method: string;
  /** Features per point (2 for the linear model, m for random features). */
  features: number;
  /** CGLS iterations. */
  iterations: number;
  /** Products with the Kronecker operator and its transpose (2 per iteration plus 2 at the start). */
  matvecs: number;
  /** Wall and CPU seconds of the solve. */
  time: number;
  cpu: number;
  /** Numerical rank of the training features [·; 1ᵀ] (features + 1 at most). */
  rank: number;
  /** Relative least-squares residual ‖W A − C‖_F / ‖C‖_F on the training data. */
  residual: number;
  trainAcc: number;
  valAcc: number;
}

/** Rank of σ(K Y + b) for one activation at every width. */
export interface RankCurve {
  activation: ActivationName;
  widths: number[];
  ranks: number[];
}

/** What {@link run} returns. */
export interface LinearVsNonlinearResult {
  rows: LinearVsNonlinearRow[];
  /** Rank against width per activation (identity first). */
  rankCurves: RankCurve[];
  /** rank(Y) of the rank study's points and their number of distinct points. */
  rankY: number;
  distinct: number;
  /** Singular values of σ(K Y + b) at m = 2n per activation. */
  spectra: Record<string, Float64Array>;
  table: string;
  rankTable: string;
  files: string[];
  config: Required<Omit<LinearVsNonlinearOptions, 'out' | 'fast' | 'verbose'>>;
}

/** Numerical rank from singular values, MATLAB's tolerance max(size)·eps·σ₁. */
function rankOf(S: Float64Array, rows: number, cols: number): number {
  if (S.length === 0 || S[0] === 0) return 0;
  const tol = Math.max(rows, cols) * 2.220446049250313e-16 * S[0];
  let r = 0;
  for (const s of S) if (s > tol) r++;
  return r;
}

/** [A; 1ᵀ]. */
function withOnes(A: Matrix): Matrix {
  const [r, n] = A.shape;
  const out = zeros(r + 1, n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < r; i++) out.data[i + j * (r + 1)] = A.data[i + j * r];
    out.data[r + j * (r + 1)] = 1;
  }
  return out;
}

/**
 * Least-squares classifier W = argmin ½‖W A − C‖²_F + (s/2)‖W‖²_F, A = [F; 1ᵀ],
 * by CGLS on the Kronecker operator Aᵀ ⊗ I (vec(W A) = (Aᵀ ⊗ I) vec(W)).
 * @param F features, f × n (data or random features)
 * @param C one-hot labels, nc × n
 * @returns W (nc × (f + 1)), the CGLS report, and the timing
 */
export function leastSquaresClassifier(F: Matrix, C: Matrix, opts: { shift: number; tol: number; maxIter: number }) {
  const nc = C.shape[0];
  const A = withOnes(F);
  const op = kron(transpose(A), eye(nc));
  const t0 = performance.now(), c0 = cpuSeconds();
  const r = cgls(op, vec(C), { shift: opts.shift, tol: opts.tol, maxIter: opts.maxIter });
  const time = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
  const W = mat(r.x, nc, A.shape[0]);
  // Relative residual ‖W A − C‖ / ‖C‖.
  const R = op.apply(r.x), c = vec(C);
  let num = 0, den = 0;
  for (let i = 0; i < c.length; i++) {
    num += (R[i] - c[i]) ** 2;
    den += c[i] ** 2;
  }
  return { W, report: r, time, cpu, residual: Math.sqrt(num / den), A };
}

/** The first m rows of K (m × 2, column-major data of the full K with mMax rows) and of b. */
function firstRows(theta: Float64Array, mMax: number, m: number): Float64Array {
  const out = new Float64Array(3 * m);
  for (let j = 0; j < 2; j++) for (let i = 0; i < m; i++) out[i + j * m] = theta[i + j * mMax];
  for (let i = 0; i < m; i++) out[2 * m + i] = theta[2 * mMax + i];
  return out;
}

/** Random features σ(K Y + b) of the first m rows of a random (K, b) with mMax rows: θ = [vec K; b], one bias per feature. */
export function features(activation: ActivationName, theta: Float64Array, mMax: number, m: number, Y: Matrix): Matrix {
  const layer = singleLayer(dense(m, 2), { activation, bias: 'vector' });
  return layer.forward(firstRows(theta, mMax, m), Y).output;
}

const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(2)} %` : '-');

/** Table columns of {@link LinearVsNonlinearRow}. */
export const LVN_COLUMNS: TableColumn[] = [
  { key: 'method', label: 'model' },
  { key: 'features', label: 'features' },
  { key: 'rank', label: 'rank [F;1]' },
  { key: 'iterations', label: 'CGLS iter' },
  { key: 'matvecs', label: 'mat-vecs' },
  { key: 'time', label: 'wall [s]', format: (v) => (typeof v === 'number' ? v.toFixed(3) : '-') },
  { key: 'cpu', label: 'cpu [s]', format: (v) => (typeof v === 'number' ? v.toFixed(3) : '-') },
  { key: 'residual', label: '‖WA−C‖/‖C‖', format: (v) => (typeof v === 'number' ? v.toFixed(3) : '-') },
  { key: 'trainAcc', label: 'train acc', format: pct, align: 'right' },
  { key: 'valAcc', label: 'val acc', format: pct, align: 'right' },
];

/**
 * Run both parts: the classifiers and the rank study.
 * @param options sizes, activations, solver settings; `fast` for the test variant
 * @returns `{ rows, rankCurves, rankY, distinct, spectra, table, rankTable, files, config }`
 * @example const r = await run({ fast: true }); r.rankCurves[0].ranks // identity: never above 3
 */
export async function run(options: LinearVsNonlinearOptions = {}): Promise<LinearVsNonlinearResult> {
  const fast = options.fast ?? false;
  const rankN = options.rankN ?? (fast ? 60 : 200);
  const config = {
    seed: options.seed ?? 1,
    nTrain: options.nTrain ?? (fast ? 500 : 1000),
    nVal: options.nVal ?? (fast ? 1000 : 2000),
    width: options.width ?? (fast ? 100 : 200),
    activations: options.activations ?? (['tanh', 'relu', 'sin'] as ActivationName[]),
    shift: options.shift ?? 1e-4,
    tol: options.tol ?? 1e-8,
    maxIter: options.maxIter ?? 500,
    rankN,
    widths: options.widths ?? [...new Set([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].filter((m) => m <= 4 * rankN).concat([rankN, 2 * rankN]))].sort((a, b) => a - b),
  };
  const verbose = options.verbose ?? false;
  const say = (s: string) => {
    if (verbose) console.log(s);
  };
  const rng = createRng(config.seed);
  const data = peaksSplit(config.nTrain, config.nVal, config.seed);
  const { train, val } = data;
  const n = train.Y.shape[1];
  const mMax = Math.max(config.width, ...config.widths);
  const theta = rng.fork('features').normalArray(3 * mMax); // [vec K; b], K mMax × 2, N(0, 1) entries
  const solver = { tol: config.tol, maxIter: config.maxIter };

  // 1. Linear vs random-feature least-squares classifiers.
  const rows: LinearVsNonlinearRow[] = [];
  const predictors: { key: string; predict: (P: Matrix) => Int32Array }[] = [];
  const addRow = (method: string, key: string, Ftrain: Matrix, featureMap: (P: Matrix) => Matrix, shift: number) => {
    const r = leastSquaresClassifier(Ftrain, train.C, { ...solver, shift });
    const S = svd(r.A, { vectors: false }).S;
    const predict = (P: Matrix) => predictClasses(r.W, featureMap(P));
    predictors.push({ key, predict });
    rows.push({
      method,
      features: Ftrain.shape[0],
      iterations: r.report.iterations,
      matvecs: 2 * r.report.iterations + 2,
      time: r.time,
      cpu: r.cpu,
      rank: rankOf(S, r.A.shape[0], r.A.shape[1]),
      residual: r.residual,
      trainAcc: labelAccuracy(predictClasses(r.W, Ftrain), train.labels),
      valAcc: labelAccuracy(predict(val.Y), val.labels),
    });
    say(`${method}: CGLS ${r.report.iterations} iterations (${r.report.flag}), residual ${r.residual.toFixed(3)}, validation accuracy ${pct(rows[rows.length - 1].valAcc)}`);
  };
  say(`Least-squares classifiers on Peaks: ${n} training / ${val.Y.shape[1]} validation points, seed ${config.seed}`);
  addRow('linear: W [Y; 1]', 'linear', train.Y, (P) => P, 0);
  for (const act of config.activations) {
    const fm = (P: Matrix) => features(act, theta, mMax, config.width, P);
    addRow(`random features: W [${act}(K Y + b); 1]`, act, fm(train.Y), fm, config.shift * n);
  }
  const table = formatTable(rows as unknown as Record<string, unknown>[], LVN_COLUMNS);

  // 2. Rank of σ(K Y + b) against the width m, on rankN points.
  const pts = setupPeaks({ n: rankN, rng: rng.fork('rank points') });
  const Yr = pts.Y.shape[1] === rankN ? pts.Y : mat(pts.Y.data.slice(0, 2 * rankN), 2, rankN);
  const keys = new Set<string>();
  for (let j = 0; j < rankN; j++) keys.add(`${Yr.data[2 * j]},${Yr.data[2 * j + 1]}`);
  const distinct = keys.size;
  const rankY = rankOf(svd(Yr, { vectors: false }).S, 2, rankN);
  const rankCurves: RankCurve[] = [];
  const spectra: Record<string, Float64Array> = {};
  const acts: ActivationName[] = ['identity', 'tanh', 'relu', 'sin'];
  for (const act of acts) {
    const ranks = config.widths.map((m) => {
      const Z = features(act, theta, mMax, m, Yr);
      const S = svd(Z, { vectors: false }).S;
      if (m === 2 * rankN) spectra[act] = S;
      return rankOf(S, m, rankN);
    });
    rankCurves.push({ activation: act, widths: config.widths, ranks });
  }
  const rankRows = config.widths.map((m, k) => Object.fromEntries([['m', m], ...rankCurves.map((c) => [c.activation, c.ranks[k]])]));
  const rankTable = formatTable(rankRows);
  say(`\nrank of σ(K Y + b) (m × ${rankN}) on ${rankN} points (${distinct} distinct), rank(Y) = ${rankY}:\n${rankTable}`);

  const files: string[] = [];
  if (options.out) {
    const dir = options.out;
    const opts = { points: train.Y, labels: train.labels, classes: 5 };
    files.push(await saveDecisionRegions(`${dir}/regions-truth.svg`, (P) => peaksLabels(P), { ...opts, title: 'true classes, training points' }));
    for (const p of predictors) {
      files.push(await saveDecisionRegions(`${dir}/regions-${p.key}.svg`, p.predict,
        { ...opts, title: p.key, accuracy: labelAccuracy(p.predict(val.Y), val.labels), accuracyLabel: 'validation accuracy' }));
    }
    files.push(await saveLineChart(`${dir}/rank.svg`, [
      ...rankCurves.map((c) => ({ name: c.activation, x: c.widths, y: c.ranks })),
      { name: `n = ${rankN} points`, x: [config.widths[0], config.widths[config.widths.length - 1]], y: [rankN, rankN] },
    ], { title: `rank of σ(K Y + b) against the width m (${rankN} points, rank(Y) = ${rankY})`, xLabel: 'width m', yLabel: 'numerical rank', logX: true }));
    files.push(await saveSpectrum(`${dir}/spectra.svg`, acts.filter((a) => spectra[a]).map((a) => ({ name: a, values: spectra[a] })), {
      title: `singular values of σ(K Y + b), m = ${2 * rankN}, ${rankN} points`,
    }));
  }
  return { rows, rankCurves, rankY, distinct, spectra, table, rankTable, files, config };
}

runExample({
  name: 'linear-vs-nonlinear',
  metaUrl: import.meta.url,
  parse: (args, fast): LinearVsNonlinearOptions & { out: string } => {
    return {
      fast, seed: numArg(args, 'seed', 1), nTrain: optionalNumArg(args, 'ntrain'), nVal: optionalNumArg(args, 'nval'), width: optionalNumArg(args, 'width'),
      rankN: optionalNumArg(args, 'rank-n'), verbose: true, out: outDir('linear-vs-nonlinear', typeof args.out === 'string' ? args.out : undefined),
    };
  },
  run,
  print: ({ options, result: r, seconds }) => console.log(`\n${r.table}\n\n(total ${seconds.toFixed(1)} s; figures in ${options.out})`),
  command: (argv) => npmRunCommand('linear-vs-nonlinear', argv),
  results: ({ result: r }) => {
    const c = r.config;
    const rankRows = c.widths.map((m, k) => Object.fromEntries([['m', m], ...r.rankCurves.map((cv) => [cv.activation, cv.ranks[k]])]));
    return {
      title: 'linear least squares vs random features; rank of σ(K Y + b)',
      time: null,
      setup: `${c.nTrain} training / ${c.nVal} validation Peaks points, seed ${c.seed}; least squares ½‖W [F; 1ᵀ] − C‖² by CGLS on the Kronecker operator [F; 1ᵀ]ᵀ ⊗ I (tolerance ${c.tol}), F = Y (linear) or F = σ(K Y + b) with m = ${c.width} random features (K, b ~ N(0, 1), Tikhonov shift ${c.shift}·n). The lecture gives no numbers here: its point is the poor linear fit.`,
      lines: [
        '',
        formatTable(r.rows as unknown as Record<string, unknown>[], LVN_COLUMNS, { style: 'markdown' }),
        '',
        `Rank of σ(K Y + b) (m × ${c.rankN}) on ${c.rankN} Peaks points (${r.distinct} distinct), rank(Y) = ${r.rankY}, MATLAB's tolerance max(m, n)·eps·σ₁: the identity never exceeds rank(Y) + 1 = ${r.rankY + 1}; `
          + `the nonlinear activations grow with m (K's rows nested across widths) up to ${r.rankCurves.filter((cv) => cv.activation !== 'identity').map((cv) => `${cv.activation} ${Math.max(...cv.ranks)}`).join(', ')} `
          + `of ${r.distinct} possible. A smooth σ with moderate frequencies (sin with N(0, 1) rows of K) gives rapidly decaying singular values (\`spectra.svg\`), so its *numerical* rank can stay below n.`,
        '',
        formatTable(rankRows, undefined, { style: 'markdown' }),
        '',
        'Figures: `out/linear-vs-nonlinear/regions-*.svg`, `rank.svg`, `spectra.svg`.',
      ],
    };
  },
});
