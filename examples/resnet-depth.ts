/**
 * Depth convergence of a trained ResNet — the continuous-depth view of
 * Haber & Ruthotto 2017, "Stable architectures for deep neural networks"
 * (Inverse Problems 34, 014004), §2, and the lecture "Residual CNNs and their
 * relation to PDEs" ("ResNets can be very deep (∞ as we see next)").
 *
 * The network is forward Euler for dY/dt = tanh(K(t) Y + b(t)) on [0, T],
 * with N steps h = T/N, after an opening Y_0 = tanh(K_o Y + b_o) (2 → m). The
 * weights θ(t) are piecewise constant on a FIXED coarse grid of M intervals
 * (M divides N), so the parameter vector — and the starting point — is the
 * same for every N: refining N refines only the time discretisation.
 * Trained on Peaks by Newton-CG (block-diagonal Gauss-Newton) from the same
 * start for N = 4, 8, 16, 32, 64, it reports per N: iterations, accuracy,
 * CPU time per iteration (∝ N), and how the learned map converges:
 * - ‖θ_N − θ_{N_max}‖/‖θ_{N_max}‖, the learned weights against the deepest run;
 * - ‖F_N(θ_N) − F_ref(θ_N)‖/‖F_ref(θ_N)‖, the discretisation error of the
 *   learned network against the same weights on a fine grid (N_ref = 4·N_max)
 *   — O(h) for forward Euler;
 * - the validation accuracy of θ_N evaluated at N_ref (does the learned map
 *   survive refinement?) and the label disagreement with the deepest run on a
 *   grid of [−3, 3]².
 *
 *   npm run resnet-depth          # full run (writes its section of examples/RESULTS.md)
 *   npx tsx examples/resnet-depth.ts --fast
 *   npx tsx examples/resnet-depth.ts [--seed 1] [--ntrain 500] [--nval 2000] [--width 8] [--T 4] [--intervals 4]
 *       [--depths 4,8,16,32,64] [--iters 40] [--cg 10] [--lambda 1e-5] [--out out/resnet-depth] [--fast]
 *
 * Figures (`out/resnet-depth/` or `--out`): `regions-N<N>.svg` (decision
 * regions with the training points), `convergence.svg` (the two relative
 * differences against N, log-log), `history.svg` (objective per iteration).
 */
import { createRng } from '../src/core/rng.js';
import { matrix, type Matrix } from '../src/core/matrix.js';
import { norm2 } from '../src/core/vector.js';
import { dense } from '../src/operators/index.js';
import { singleLayer } from '../src/layers/index.js';
import { continuousResnet, type ContinuousResNetModel } from '../src/networks/index.js';
import { labelAccuracy } from '../src/losses/index.js';
import { classificationObjective, predict } from '../src/objectives/index.js';
import { newtonCG } from '../src/optimizers/index.js';
import { formatTable, progressBar, saveDecisionRegions, saveLineChart, type TableColumn } from '../src/plots/index.js';
import { cpuSeconds, peaksSplit } from './resnet-peaks.js';
import { figuresLine, flagArg, numArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface ResnetDepthOptions {
  seed: number;
  nTrain: number;
  nVal: number;
  /** Width m of the residual states. */
  width: number;
  /** Final time T. */
  T: number;
  /** Coarse weight intervals M (must divide every N). */
  intervals: number;
  depths: number[];
  /** Newton-CG iterations and CG iterations per step. */
  iters: number;
  cg: number;
  /** Tikhonov λ on θ and W. */
  lambda: number;
  out: string;
  figures: boolean;
  verbose: boolean;
}

/** The full configuration (`npm run <example>`). */
export const FULL: ResnetDepthOptions = {
  seed: 1, nTrain: 500, nVal: 2000, width: 8, T: 4, intervals: 4, depths: [4, 8, 16, 32, 64], iters: 40, cg: 10, lambda: 1e-5, out: 'out/resnet-depth', figures: true, verbose: true,
};
/** The fast variant (`--fast`), run by the tests: smaller sizes, same code path. */
export const FAST: ResnetDepthOptions = { ...FULL, nTrain: 200, nVal: 400, depths: [4, 8, 16], iters: 8 };

/** One row of the results table. */
export interface DepthRow {
  N: number;
  h: number;
  iterations: number;
  matvecs: number;
  /** Final training objective. */
  objective: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** CPU seconds per Newton iteration (the machines are shared: CPU time, not wall time). */
  timePerIter: number;
  /** ‖θ_N − θ_{Nmax}‖ / ‖θ_{Nmax}‖ (classifier included). */
  weightDiff: number;
  /** ‖F_N(θ_N, Y) − F_ref(θ_N, Y)‖ / ‖F_ref(θ_N, Y)‖ on the training points. */
  discretizationError: number;
  /** Validation accuracy of θ_N evaluated with N_ref steps. */
  valAccuracyAtRef: number;
  /** Share of a 100×100 grid of [−3, 3]² where the labels differ from the deepest run. */
  disagreement: number;
}

/** What {@link run} returns. */
export interface ResnetDepthResult {
  rows: DepthRow[];
  Nref: number;
  nParams: number;
  files: string[];
  options: ResnetDepthOptions;
}

/** Columns of the results table. */
export const DEPTH_COLUMNS: TableColumn[] = [
  { key: 'N' },
  { key: 'h', digits: 3 },
  { key: 'iterations', label: 'iters' },
  { key: 'matvecs', label: 'Hv' },
  { key: 'objective', label: 'objective', digits: 4 },
  { key: 'trainAccuracy', label: 'train acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'valAccuracy', label: 'val acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'timePerIter', label: 'CPU s/iter', format: (v) => (v as number).toFixed(3) },
  { key: 'weightDiff', label: '‖θ_N−θ_max‖/‖θ_max‖', digits: 3 },
  { key: 'discretizationError', label: '‖F_N−F_ref‖/‖F_ref‖ at θ_N', digits: 3 },
  { key: 'valAccuracyAtRef', label: 'val acc at N_ref', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'disagreement', label: 'labels ≠ N_max', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
];

/**
 * The network of depth N: opening tanh(K_o Y + b_o) (2 → m), then forward Euler
 * with weights piecewise constant on `intervals` coarse intervals of [0, T].
 * @example depthModel(16, FULL).nParams === depthModel(64, FULL).nParams // true
 */
export function depthModel(N: number, o: Pick<ResnetDepthOptions, 'width' | 'T' | 'intervals'>): ContinuousResNetModel {
  return continuousResnet(singleLayer(dense(o.width, o.width), { activation: 'tanh', bias: 'vector' }), {
    T: o.T,
    steps: N,
    weights: { intervals: o.intervals },
    integrator: 'forwardEuler',
    opening: singleLayer(dense(o.width, 2), { activation: 'tanh', bias: 'vector' }),
  });
}

/** A 100 × 100 grid of [−3, 3]² as a 2 × 10 000 matrix. */
function grid(): Matrix {
  const k = 100, P = new Float64Array(2 * k * k);
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) {
    P[2 * (i + k * j)] = -3 + (6 * i) / (k - 1);
    P[2 * (i + k * j) + 1] = -3 + (6 * j) / (k - 1);
  }
  return matrix(2, k * k, P);
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] * b[i];
  }
  return Math.sqrt(d / s);
}

/**
 * Train at every depth from the same start and compare.
 * @param options overrides of {@link FULL} (or {@link FAST} with `fast: true`)
 * @returns one row per depth, N_ref, the figures written
 */
export async function run(options: Partial<ResnetDepthOptions> & { fast?: boolean } = {}): Promise<ResnetDepthResult> {
  const { fast, ...rest } = options;
  const o: ResnetDepthOptions = { ...(fast ? FAST : FULL), ...rest };
  const log = o.verbose ? (s: string) => console.log(s) : () => {};
  const { train, val } = peaksSplit(o.nTrain, o.nVal, o.seed);
  const Nmax = Math.max(...o.depths), Nref = 4 * Nmax;
  const ref = depthModel(Nref, o);
  const reg = { theta: o.lambda, W: o.lambda };
  // The same starting point for every N: the parameterisation does not depend on N.
  const x0 = classificationObjective(ref, train.Y, train.C, { regularization: reg }).initialize(createRng(o.seed).fork('init'));
  log(`ResNet depth study on Peaks: opening 2 → ${o.width}, forward Euler on [0, ${o.T}], weights piecewise constant on ${o.intervals} intervals; ${ref.nParams} weights + classifier = ${x0.length} parameters for every N; ${o.nTrain} training / ${o.nVal} validation points; Newton-CG ${o.iters} iterations (CG ≤ ${o.cg}), λ = ${o.lambda}, seed ${o.seed}`);

  const runs: { N: number; x: Float64Array; history: number[]; model: ContinuousResNetModel; row: Omit<DepthRow, 'weightDiff' | 'disagreement'> }[] = [];
  for (const N of o.depths) {
    const model = depthModel(N, o);
    const obj = classificationObjective(model, train.Y, train.C, { regularization: reg });
    const bar = o.verbose ? progressBar(o.iters, { label: `N = ${String(N).padStart(3)}` }) : null;
    const history: number[] = [];
    const cpu0 = cpuSeconds();
    const r = newtonCG(obj, x0, {
      maxIter: o.iters,
      cgMaxIter: o.cg,
      onIteration: (row) => {
        history.push(row.value);
        if (row.iter > 0) bar?.tick(1, `objective ${row.value.toFixed(4)}`);
      },
    });
    const cpu = cpuSeconds() - cpu0;
    bar?.finish();
    const acc = (m: ContinuousResNetModel, Y: Matrix, labels: Int32Array) => labelAccuracy(predict(m, r.x, Y).labels, labels);
    const theta = r.x.subarray(0, model.nParams);
    const FN = model.forward(theta, train.Y).output, Fref = ref.forward(theta, train.Y).output;
    runs.push({
      N,
      x: r.x,
      history,
      model,
      row: {
        N,
        h: o.T / N,
        iterations: r.iterations,
        matvecs: r.matvecs,
        objective: r.value,
        trainAccuracy: acc(model, train.Y, train.labels),
        valAccuracy: acc(model, val.Y, val.labels),
        timePerIter: r.iterations ? cpu / r.iterations : NaN,
        discretizationError: relDiff(FN.data, Fref.data),
        valAccuracyAtRef: acc(ref, val.Y, val.labels),
      },
    });
  }
  const last = runs[runs.length - 1];
  const G = grid();
  const labelsMax = predict(last.model, last.x, G).labels;
  const rows: DepthRow[] = runs.map((q) => {
    const lab = predict(q.model, q.x, G).labels;
    let diff = 0;
    for (let i = 0; i < lab.length; i++) if (lab[i] !== labelsMax[i]) diff++;
    const d = new Float64Array(q.x.length);
    for (let i = 0; i < d.length; i++) d[i] = q.x[i] - last.x[i];
    return { ...q.row, weightDiff: norm2(d) / norm2(last.x), disagreement: diff / lab.length };
  });

  const files: string[] = [];
  if (o.figures) {
    const pts = { points: train.Y, labels: train.labels, classes: 5, resolution: 150 };
    for (const q of runs) {
      files.push(await saveDecisionRegions(`${o.out}/regions-N${q.N}.svg`, (P) => predict(q.model, q.x, P).labels,
        { ...pts, title: `ResNet, N = ${q.N} steps`, accuracy: q.row.valAccuracy, accuracyLabel: 'validation accuracy' }));
    }
    const sub = rows.filter((r) => r.N !== Nmax);
    files.push(await saveLineChart(`${o.out}/convergence.svg`, [
      { name: '‖F_N − F_ref‖/‖F_ref‖ at θ_N', x: rows.map((r) => r.N), y: rows.map((r) => r.discretizationError) },
      ...(sub.length ? [{ name: '‖θ_N − θ_Nmax‖/‖θ_Nmax‖', x: sub.map((r) => r.N), y: sub.map((r) => r.weightDiff) }] : []),
    ], { title: `learned ResNet as N grows (T = ${o.T}, ${o.intervals} weight intervals)`, xLabel: 'depth N', yLabel: 'relative difference', logX: true, logY: true, points: true }));
    files.push(await saveLineChart(`${o.out}/history.svg`, runs.map((q) => ({ name: `N = ${q.N}`, x: q.history.map((_, i) => i), y: q.history })), { title: 'Newton-CG: training objective', xLabel: 'iteration', yLabel: 'objective', logY: true }));
  }
  log(`\nDepth convergence (N_ref = ${Nref} for the discretisation error and "val acc at N_ref"):`);
  log(formatTable(rows as unknown as Record<string, unknown>[], DEPTH_COLUMNS));
  if (files.length) log(`\nfigures: ${files.join(', ')}`);
  return { rows, Nref, nParams: x0.length, files, options: o };
}

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): Partial<ResnetDepthOptions> & { fast?: boolean } {
  const fast = flagArg(args, 'fast');
  const b = fast ? FAST : FULL;
  return {
    fast,
    seed: numArg(args, 'seed', b.seed),
    nTrain: numArg(args, 'ntrain', b.nTrain),
    nVal: numArg(args, 'nval', b.nVal),
    width: numArg(args, 'width', b.width),
    T: numArg(args, 'T', b.T),
    intervals: numArg(args, 'intervals', b.intervals),
    depths: typeof args.depths === 'string' ? args.depths.split(',').map(Number) : b.depths,
    iters: numArg(args, 'iters', b.iters),
    cg: numArg(args, 'cg', b.cg),
    lambda: numArg(args, 'lambda', b.lambda),
    out: outDir('resnet-depth', typeof args.out === 'string' ? args.out : undefined),
  };
}

runExample({
  name: 'resnet-depth',
  metaUrl: import.meta.url,
  parse: optionsFromArgs,
  run,
  results: ({ result: r }) => {
    const o = r.options;
    return {
      setup: `Peaks, ${o.nTrain} training / ${o.nVal} validation points; opening 2 → ${o.width}, forward Euler on [0, ${o.T}] with weights piecewise constant on ${o.intervals} intervals (${r.nParams} parameters for every N), the same start; Newton-CG ${o.iters} iterations, CG ≤ ${o.cg}, λ = ${o.lambda}, seed ${o.seed}; N_ref = ${r.Nref}.`,
      lines: ['', formatTable(r.rows as unknown as Record<string, unknown>[], DEPTH_COLUMNS, { style: 'markdown' }), '', figuresLine(r.files)],
    };
  },
});
