/**
 * Stable architectures on Peaks — Haber & Ruthotto 2017, "Stable
 * architectures for deep neural networks" (Inverse Problems 34, 014004), §3,
 * and the lecture "Residual CNNs and their relation to PDEs" ("Experiment:
 * Peaks", EResNet_PeaksNewtonCG.m / EResNet_PeaksVarPro.m).
 *
 * Three networks of the same depth N and time T = N·h, each after an opening
 * Y_0 = tanh(K_o Y + b_o) (2 → m) and followed by the softmax classifier W [Y_N; 1ᵀ]:
 * - plain ResNet (forward Euler):  Y_{j+1} = Y_j + h tanh(K_j Y_j + b_j), K_j dense;
 * - antisymmetric ResNet:          Y_{j+1} = Y_j + h tanh((A(θ_j) − γI) Y_j + b_j),
 *                                  A(θ)ᵀ = −A(θ) (the antisymmetric operator), small damping γ;
 * - Hamiltonian (Verlet) network:  Y_{j+1} = Y_j + h tanh(K_j Z_j + b_j),
 *                                  Z_{j+1} = Z_j − h tanh(K_jᵀ Y_{j+1} + b_j), Z_0 = 0;
 * each trained by Newton-CG (block-diagonal Gauss-Newton, x = [θ; W]) and by
 * Variable Projection (W eliminated, Newton-CG on θ), from the same start.
 * The table gives parameters, iterations, Hessian mat-vecs, accuracy and CPU
 * time; the figures show how the points move through the layers — the features
 * Y_j at j = 0, N/4, N/2, 3N/4, N projected onto their two principal
 * directions, coloured by class — i.e. the network "moves the points to make
 * them linearly separable" for the final linear classifier.
 *
 *   npm run peaks-stable          # full run (writes its section of examples/RESULTS.md)
 *   npx tsx examples/peaks-stable.ts --fast
 *   npx tsx examples/peaks-stable.ts [--seed 1] [--ntrain 500] [--nval 2000] [--width 8] [--steps 16] [--T 4]
 *       [--gamma 0.05] [--newton-iters 40] [--varpro-iters 20] [--cg 10] [--out out/peaks-stable] [--fast]
 *
 * Figures (`out/peaks-stable/` or `--out`): `features-<model>-j<j>.svg`,
 * `regions-<model>-<method>.svg`.
 */
import { eigSym } from '../src/core/solvers/eigvals.js';
import { createRng } from '../src/core/rng.js';
import { matrix, type Matrix } from '../src/core/matrix.js';
import { antisymmetricLayer, continuousResnet, hamiltonianNetwork, type Model } from '../src/networks/index.js';
import { singleLayer } from '../src/layers/index.js';
import { dense } from '../src/operators/index.js';
import { labelAccuracy } from '../src/losses/index.js';
import { classificationObjective, predict, varproObjective } from '../src/objectives/index.js';
import { newtonCG, varpro } from '../src/optimizers/index.js';
import { formatTable, progressBar, saveDecisionRegions, saveScatter, type TableColumn } from '../src/plots/index.js';
import { cpuSeconds, peaksSplit } from './resnet-peaks.js';
import { flagArg, numArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface PeaksStableOptions {
  seed: number;
  nTrain: number;
  nVal: number;
  width: number;
  steps: number;
  T: number;
  /** Damping γ of the antisymmetric network. */
  gamma: number;
  newtonIters: number;
  varproIters: number;
  cg: number;
  /** Tikhonov λ on θ and on W (VarPro's W: 1e-3, as in the flagship, for a well-posed inner problem). */
  lambda: number;
  out: string;
  figures: boolean;
  verbose: boolean;
}

/** The full configuration (`npm run <example>`). */
export const FULL: PeaksStableOptions = {
  seed: 1, nTrain: 500, nVal: 2000, width: 8, steps: 16, T: 4, gamma: 0.05, newtonIters: 40, varproIters: 20, cg: 10, lambda: 1e-5, out: 'out/peaks-stable', figures: true, verbose: true,
};
/** The fast variant (`--fast`), run by the tests: smaller sizes, same code path. */
export const FAST: PeaksStableOptions = { ...FULL, nTrain: 150, nVal: 300, width: 4, steps: 4, newtonIters: 6, varproIters: 3 };

/** One row of the results table. */
export interface StableRow {
  model: string;
  method: string;
  params: number;
  iterations: number;
  matvecs: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** CPU seconds of the training run. */
  cpu: number;
}

/** What {@link run} returns. */
export interface PeaksStableResult {
  rows: StableRow[];
  files: string[];
  options: PeaksStableOptions;
}

/** Columns of the results table. */
export const STABLE_COLUMNS: TableColumn[] = [
  { key: 'model' },
  { key: 'method' },
  { key: 'params', label: 'θ params' },
  { key: 'iterations', label: 'iters' },
  { key: 'matvecs', label: 'Hv' },
  { key: 'trainAccuracy', label: 'train acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'valAccuracy', label: 'val acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'cpu', label: 'CPU [s]', format: (v) => (v as number).toFixed(1) },
];

interface NetworkSpec {
  key: string;
  name: string;
  model: Model;
  /** Y_0 … Y_N of a forward state. */
  trajectory(x: Float64Array, Y: Matrix): Matrix[];
}

/** The three networks of the comparison. */
export function networks(o: Pick<PeaksStableOptions, 'width' | 'steps' | 'T' | 'gamma'>): NetworkSpec[] {
  const m = o.width;
  const opening = () => singleLayer(dense(m, 2), { activation: 'tanh', bias: 'vector' });
  const plain = continuousResnet(() => singleLayer(dense(m, m), { activation: 'tanh', bias: 'vector' }), { T: o.T, steps: o.steps, opening: opening() });
  const anti = continuousResnet(() => antisymmetricLayer(m, { gamma: o.gamma, activation: 'tanh', bias: 'vector' }), { T: o.T, steps: o.steps, opening: opening() });
  const ham = hamiltonianNetwork(dense(m, m), { T: o.T, steps: o.steps, activation: 'tanh', bias: 'scalar', opening: opening() });
  return [
    { key: 'resnet', name: 'ResNet (dense K_j)', model: plain, trajectory: (x, Y) => plain.forward(x, Y).trajectory },
    { key: 'antisymmetric', name: `antisymmetric (γ = ${o.gamma})`, model: anti, trajectory: (x, Y) => anti.forward(x, Y).trajectory },
    { key: 'hamiltonian', name: 'Hamiltonian (Verlet)', model: ham, trajectory: (x, Y) => ham.forward(x, Y).Y },
  ];
}

/** The columns of F (m × n) projected onto their two principal directions (2 × n). */
export function pca2(F: Matrix): Matrix {
  const [m, n] = F.shape;
  const d = F.data;
  const mean = new Float64Array(m);
  for (let c = 0; c < n; c++) for (let i = 0; i < m; i++) mean[i] += d[i + c * m] / n;
  const Cov = matrix(m, m);
  for (let c = 0; c < n; c++) {
    for (let j = 0; j < m; j++) {
      const xj = d[j + c * m] - mean[j];
      for (let i = 0; i < m; i++) Cov.data[i + j * m] += ((d[i + c * m] - mean[i]) * xj) / n;
    }
  }
  const { vectors: V } = eigSym(Cov); // ascending: the last two columns
  const P = matrix(2, n);
  for (let c = 0; c < n; c++) {
    for (let k = 0; k < 2; k++) {
      const col = m - 1 - k;
      let s = 0;
      for (let i = 0; i < m; i++) s += V.data[i + col * m] * (d[i + c * m] - mean[i]);
      P.data[k + 2 * c] = s;
    }
  }
  return P;
}

/**
 * Train the three networks by Newton-CG and VarPro.
 * @param options overrides of {@link FULL} (or {@link FAST} with `fast: true`)
 * @returns one row per (network, method), the figures written
 */
export async function run(options: Partial<PeaksStableOptions> & { fast?: boolean } = {}): Promise<PeaksStableResult> {
  const { fast, ...rest } = options;
  const o: PeaksStableOptions = { ...(fast ? FAST : FULL), ...rest };
  const log = o.verbose ? (s: string) => console.log(s) : () => {};
  const { train, val } = peaksSplit(o.nTrain, o.nVal, o.seed);
  const nets = networks(o);
  log(`Peaks: ${o.nTrain} training / ${o.nVal} validation points; opening 2 → ${o.width}, N = ${o.steps} steps, T = ${o.T} (h = ${o.T / o.steps}); Newton-CG ${o.newtonIters} and VarPro ${o.varproIters} iterations (CG ≤ ${o.cg}); λ = ${o.lambda}; seed ${o.seed}`);
  const rows: StableRow[] = [];
  const files: string[] = [];
  const pts = { points: train.Y, labels: train.labels, classes: 5, resolution: 150 };
  for (const net of nets) {
    const { model } = net;
    const theta0 = model.initialize(createRng(o.seed).fork(`init-${net.key}`));
    const acc = (x: Float64Array, Y: Matrix, labels: Int32Array, W?: Matrix) => labelAccuracy(predict(model, x, Y, W ? { W } : {}).labels, labels);

    // Newton-CG on x = [θ; vec(W)], W₀ = 0.
    const full = classificationObjective(model, train.Y, train.C, { regularization: { theta: o.lambda, W: o.lambda } });
    const x0 = new Float64Array(full.nParams);
    x0.set(theta0);
    let bar = o.verbose ? progressBar(o.newtonIters, { label: `${net.key} Newton-CG` }) : null;
    let c0 = cpuSeconds();
    const rn = newtonCG(full, x0, { maxIter: o.newtonIters, cgMaxIter: o.cg, onIteration: (row) => void (row.iter > 0 && bar?.tick(1, `objective ${row.value.toFixed(4)}`)) });
    bar?.finish();
    rows.push({ model: net.name, method: 'Newton-CG', params: model.nParams, iterations: rn.iterations, matvecs: rn.matvecs, trainAccuracy: acc(rn.x, train.Y, train.labels), valAccuracy: acc(rn.x, val.Y, val.labels), cpu: cpuSeconds() - c0 });

    // VarPro: θ only, W(θ) by Newton inside every evaluation.
    const phi = varproObjective(model, train.Y, train.C, { regularization: { theta: o.lambda, W: 1e-3 }, inner: { tol: 1e-6, maxIter: 10 } });
    bar = o.verbose ? progressBar(o.varproIters, { label: `${net.key} VarPro` }) : null;
    c0 = cpuSeconds();
    const rv = varpro(phi, theta0, { method: 'newtonCG', maxIter: o.varproIters, cgMaxIter: o.cg, onIteration: (row) => void (row.iter > 0 && bar?.tick(1, `objective ${row.value.toFixed(4)}`)) });
    bar?.finish();
    const W = phi.solveW(rv.x).W;
    rows.push({ model: net.name, method: 'VarPro', params: model.nParams, iterations: rv.iterations, matvecs: rv.matvecs, trainAccuracy: acc(rv.x, train.Y, train.labels, W), valAccuracy: acc(rv.x, val.Y, val.labels, W), cpu: cpuSeconds() - c0 });

    if (o.figures) {
      // The points moving through the layers (Newton-CG weights).
      const traj = net.trajectory(rn.x.subarray(0, model.nParams), train.Y);
      const N = traj.length - 1;
      const depths = [...new Set([0, Math.round(N / 4), Math.round(N / 2), Math.round((3 * N) / 4), N])];
      for (const j of depths) {
        files.push(await saveScatter(`${o.out}/features-${net.key}-j${j}.svg`, pca2(traj[j]), train.labels, {
          title: `${net.name}: Y_${j} (t = ${((j * o.T) / N).toFixed(2)}), 2 principal directions`,
          xLabel: 'pc 1',
          yLabel: 'pc 2',
          classes: 5,
        }));
      }
      files.push(await saveDecisionRegions(`${o.out}/regions-${net.key}-newton-cg.svg`, (P) => predict(model, rn.x, P).labels,
        { ...pts, title: `${net.name}, Newton-CG`, accuracy: acc(rn.x, val.Y, val.labels), accuracyLabel: 'validation accuracy' }));
      files.push(await saveDecisionRegions(`${o.out}/regions-${net.key}-varpro.svg`, (P) => predict(model, rv.x, P, { W }).labels,
        { ...pts, title: `${net.name}, VarPro`, accuracy: acc(rv.x, val.Y, val.labels, W), accuracyLabel: 'validation accuracy' }));
    }
  }
  log('');
  log(formatTable(rows as unknown as Record<string, unknown>[], STABLE_COLUMNS));
  if (files.length) log(`\nfigures in ${o.out}: ${files.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(', ')}`);
  return { rows, files, options: o };
}

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): Partial<PeaksStableOptions> & { fast?: boolean } {
  const fast = flagArg(args, 'fast');
  const b = fast ? FAST : FULL;
  return {
    fast,
    seed: numArg(args, 'seed', b.seed),
    nTrain: numArg(args, 'ntrain', b.nTrain),
    nVal: numArg(args, 'nval', b.nVal),
    width: numArg(args, 'width', b.width),
    steps: numArg(args, 'steps', b.steps),
    T: numArg(args, 'T', b.T),
    gamma: numArg(args, 'gamma', b.gamma),
    newtonIters: numArg(args, 'newton-iters', b.newtonIters),
    varproIters: numArg(args, 'varpro-iters', b.varproIters),
    cg: numArg(args, 'cg', b.cg),
    lambda: numArg(args, 'lambda', b.lambda),
    out: outDir('peaks-stable', typeof args.out === 'string' ? args.out : undefined),
  };
}

runExample({
  name: 'peaks-stable',
  metaUrl: import.meta.url,
  parse: optionsFromArgs,
  run,
  results: ({ result: r }) => {
    const o = r.options;
    return {
      setup: `Peaks, ${o.nTrain} training / ${o.nVal} validation points; opening 2 → ${o.width}, N = ${o.steps}, T = ${o.T}, γ = ${o.gamma}; Newton-CG ${o.newtonIters} / VarPro ${o.varproIters} iterations, CG ≤ ${o.cg}, λ = ${o.lambda} (VarPro λ_W = 1e-3); seed ${o.seed}.`,
      lines: [
        '',
        formatTable(r.rows as unknown as Record<string, unknown>[], STABLE_COLUMNS, { style: 'markdown' }),
        '',
        `Figures: \`out/peaks-stable/features-<model>-j<j>.svg\` (the points through the layers), \`regions-<model>-<method>.svg\`.`,
      ],
    };
  },
});
