/**
 * The flagship (`npm run demo`): a residual network classifies the Peaks
 * problem, trained four ways — SGD (with momentum), ADAM, Newton-CG with the
 * block-diagonal Gauss-Newton Hessian, and Variable Projection — on the same
 * data from the same starting point.
 *
 * Network (lecture, "Residual Neural Networks" and "Experiment: Peaks",
 * EResNet_PeaksSGD.m / EResNet_PeaksNewtonCG.m / EResNet_PeaksVarPro.m):
 * an opening layer Y₀ = tanh(K_o Y + b_o), 2 → 8, then a ResNet of width 8,
 * Y_{j+1} = Y_j + h tanh(K_j Y_j + b_j), 16 steps, h = T/16 with T = 4, and
 * the linear softmax classifier W [Y₁₆; 1ᵀ]. Training minimises
 * E(W [Y₁₆; 1ᵀ], C) + (λ/2)‖θ‖² + (λ_W/2)‖W‖² on 1000 Peaks points; the
 * accuracy is measured on 2000 fresh points.
 *
 * Reference (the lecture's own code in Octave, examples/reference/lecture-octave.json):
 * validation accuracy 88.55 % (its "SGD", full-batch steps), 95.20 %
 * (Newton-CG, 50 iterations), 95.75 % (VarPro).
 *
 * References: the lecture "Residual CNNs and their relation to PDEs",
 * parts "Residual Neural Networks", "Gauss-Newton
 * Method", "Variable Projection" and "Stochastic Optimization"; K. He et al.,
 * "Deep residual learning for image recognition", CVPR 2016.
 *
 *   npm run demo                                   # full run (results under out/; --write-results records it)
 *   npx tsx examples/resnet-peaks.ts --fast        # smaller, a few seconds
 *   npx tsx examples/resnet-peaks.ts --seed 3 --out /tmp/rp --ntrain 2000 --steps 32
 *
 * Figures (in `out/resnet-peaks/` or `--out`): `regions-<method>.svg`
 * (decision regions with the training points), `regions-truth.svg`,
 * `history.svg` (validation accuracy against work, all methods),
 * `history-time.svg` (the same against training CPU time) and
 * `objective.svg` (training objective against work).
 *
 * Work is counted in passes over the training data: one pass is one forward
 * propagation, one Jacobian product J v or one transpose product Jᵀ w of the
 * network on all training examples (a mini-batch of b examples counts b/n);
 * a Gauss-Newton mat-vec costs two passes. Times exclude the per-iteration
 * validation monitoring (the validation accuracy of every history row); the
 * table gives wall time and CPU time (the wall time on an idle core: the
 * machines we share are often oversubscribed).
 */
import { createRng, type Rng } from '../src/core/rng.js';
import type { Matrix } from '../src/core/matrix.js';
import { dense } from '../src/operators/index.js';
import { singleLayer, type ActivationName } from '../src/layers/index.js';
import { resnet, type Model, type ResNetModel } from '../src/networks/index.js';
import { labelAccuracy } from '../src/losses/index.js';
import { setupPeaks, peaksLabels, type PeaksData } from '../src/data/index.js';
import { classificationObjective, varproObjective, predict, type Objective, type Evaluation, type EvaluateOptions } from '../src/objectives/index.js';
import { adam, newtonCG, sgd, varpro, type HistoryRow, type IterationCallback, type OptimizerResult } from '../src/optimizers/index.js';
import { formatTable, saveDecisionRegions, saveLineChart, type TableColumn } from '../src/plots/index.js';
import { lectureSource, lectureValAccuracy } from './lib/reference.js';
import { figuresSummary, flagArg, listArg, npmRunCommand, numArg, optionalNumArg, outDir, runExample, type Args, type ExampleRun, type OptionSpecs, type ResultsSection } from './lib/cli.js';

// ---------------------------------------------------------------------------
// Shared pieces of the Peaks training examples (also used by
// single-layer-peaks.ts and bench/peaks.bench.ts).
// ---------------------------------------------------------------------------

/** Training and validation data of a Peaks experiment. */
export interface PeaksSplit {
  train: PeaksData;
  val: PeaksData;
}

/**
 * Training and validation points drawn independently (the lecture calls
 * setupPeaks twice), from forks of one seeded generator.
 * @example const { train, val } = peaksSplit(1000, 2000, 1); // 2×1000 and 2×2000
 */
export function peaksSplit(nTrain: number, nVal: number, seed: number | string): PeaksSplit {
  const rng = createRng(seed);
  return { train: setupPeaks({ n: nTrain, rng: rng.fork('train') }), val: setupPeaks({ n: nVal, rng: rng.fork('validation') }) };
}

/** An objective wrapper counting work in passes over the data (see the file header). */
export interface WorkCounter {
  /** The wrapped objective to hand to the optimizer. */
  objective: Objective;
  /** Passes over the training data so far. */
  passes(): number;
  /** Wall and CPU seconds spent in evaluations that are not counted (monitoring, see `ignoreFull`). */
  ignored(): { wall: number; cpu: number };
}

/** CPU seconds of this process (user + system). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Count the model work of an objective over n examples: an evaluation costs
 * one forward pass (value only) or two (with the gradient's Jᵀ product), a
 * Hessian mat-vec two (J v and Jᵀ w), each scaled by batch size / n.
 * @param objective the objective (classification or VarPro)
 * @param n number of training examples
 * @param ignoreFull do not count (and time separately) full-data evaluations —
 *   for the stochastic methods, whose full evaluation is the per-epoch monitor, not training
 */
export function countWork(objective: Objective, n: number, ignoreFull = false): WorkCounter {
  let passes = 0;
  const ignored = { wall: 0, cpu: 0 };
  const wrapped: Objective = {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      const full = batch === undefined || batch === null;
      if (full && ignoreFull) {
        const t0 = performance.now(), c0 = cpuSeconds();
        const ev = objective.evaluate(x, batch, opts);
        ignored.wall += (performance.now() - t0) / 1000;
        ignored.cpu += cpuSeconds() - c0;
        return ev;
      }
      const f = full ? 1 : batch.length / n;
      passes += opts?.valueOnly ? f : 2 * f;
      const ev = objective.evaluate(x, batch, opts);
      const h = ev.hessian;
      if (!h) return ev;
      return {
        ...ev,
        hessian: (v: Float64Array) => {
          passes += 2 * f;
          return h(v);
        },
      };
    },
  };
  return { objective: wrapped, passes: () => passes, ignored: () => ({ ...ignored }) };
}

/** One point of a training history as the examples plot it. */
export interface HistoryPoint {
  /** Iteration (epoch for the stochastic methods). */
  iter: number;
  /** Work so far, passes over the training data. */
  passes: number;
  /** Training wall time so far (monitoring excluded), seconds. */
  time: number;
  /** Training CPU time so far (monitoring excluded), seconds. */
  cpu: number;
  /** Training objective. */
  value: number;
  /** Training accuracy (of the evaluation at that iterate; NaN if not known). */
  trainAcc: number;
  /** Validation accuracy. */
  valAcc: number;
}

/**
 * A callback for `onIteration` / `onEpoch` that adds the validation accuracy,
 * the work and the training wall and CPU time (monitoring excluded) to every
 * history row. Create it right before the optimizer starts (its CPU clock starts here).
 * @param work the work counter of the run
 * @param validate x ↦ validation accuracy (its time is not counted as training)
 * @param stop optional: stop when it returns true for the extended row
 */
export function monitor(work: WorkCounter, validate: (x: Float64Array) => number, stop?: (p: HistoryPoint) => boolean): IterationCallback {
  const cpu0 = cpuSeconds();
  const spent = { wall: 0, cpu: 0 };
  return (row, x) => {
    const t0 = performance.now(), c0 = cpuSeconds();
    const ign = work.ignored();
    const time = row.time - spent.wall - ign.wall;
    const cpu = c0 - cpu0 - spent.cpu - ign.cpu;
    const valAcc = validate(x);
    spent.wall += (performance.now() - t0) / 1000;
    spent.cpu += cpuSeconds() - c0;
    const extra = { valAcc, passes: Math.round(1e6 * work.passes()) / 1e6, trainTime: time, trainCpu: cpu }; // rounded: batch shares sum with round-off
    if (stop && stop(historyPoint({ ...row, ...extra } as HistoryRow))) {
      // The recorder keeps this row object but merges nothing when we return false: fill it in ourselves.
      Object.assign(row as HistoryRow, extra);
      return false;
    }
    return extra;
  };
}

/** The plotted fields of a history row extended by {@link monitor}. */
export function historyPoint(row: Readonly<HistoryRow>): HistoryPoint {
  const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
  return { iter: row.iter, passes: num(row.passes), time: num(row.trainTime), cpu: num(row.trainCpu), value: row.value, trainAcc: num(row.accuracy), valAcc: num(row.valAcc) };
}

/** One line of the results table of a Peaks training example. */
export interface PeaksRow {
  method: string;
  /** Iterations (epochs for SGD/ADAM; outer iterations for VarPro). */
  iterations: number;
  /** Gauss-Newton Hessian mat-vecs (0 for the stochastic methods). */
  matvecs: number;
  /** Inner Newton iterations of VarPro (undefined for the others). */
  inner?: number;
  /** Work, passes over the training data. */
  passes: number;
  /** Training wall time in seconds (validation monitoring excluded). */
  time: number;
  /** Training CPU time in seconds (validation monitoring excluded): the wall time on an idle core. */
  cpu: number;
  /** Final training and validation accuracy, in [0, 1]. */
  trainAcc: number;
  valAcc: number;
  /** The lecture's reference (text), if any. */
  lecture?: string;
}

/** A trained method: its row, history and what predicting needs. */
export interface MethodRun {
  /** File-safe name, e.g. `newton-cg`. */
  key: string;
  row: PeaksRow;
  history: HistoryPoint[];
  /** Final parameters (θ for VarPro, [θ; vec W] otherwise). */
  x: Float64Array;
  /** W for VarPro (x = θ), undefined otherwise. */
  W?: Matrix;
  result: OptimizerResult;
  /** The run's own model when the runs of one experiment differ (e.g. in activation); else the experiment's. */
  model?: Model;
}

const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(2)} %` : '-');

/** The table columns of {@link PeaksRow}. */
export const PEAKS_COLUMNS: TableColumn[] = [
  { key: 'method', label: 'method' },
  { key: 'iterations', label: 'iterations' },
  { key: 'matvecs', label: 'Hv mat-vecs' },
  { key: 'inner', label: 'inner Newton' },
  { key: 'passes', label: 'work [passes]', format: (v) => (typeof v === 'number' ? v.toFixed(0) : '-') },
  { key: 'time', label: 'wall [s]', format: (v) => (typeof v === 'number' ? v.toFixed(2) : '-') },
  { key: 'cpu', label: 'cpu [s]', format: (v) => (typeof v === 'number' ? v.toFixed(2) : '-') },
  { key: 'trainAcc', label: 'train acc', format: pct, align: 'right' },
  { key: 'valAcc', label: 'val acc', format: pct, align: 'right' },
  { key: 'lecture', label: 'lecture val acc' },
];

/**
 * Save the figures of a Peaks training example: decision regions per method
 * (and of the true classes) with the training points, the validation accuracy
 * and the objective against work for all methods.
 * @returns the paths written
 */
export async function savePeaksFigures(dir: string, model: Model, runs: MethodRun[], data: PeaksSplit, classes = 5): Promise<string[]> {
  const files: string[] = [];
  const pts = { points: data.train.Y, labels: data.train.labels, classes };
  files.push(await saveDecisionRegions(`${dir}/regions-truth.svg`, (P) => peaksLabels(P, { classes }), { ...pts, title: 'true classes, training points' }));
  for (const r of runs) {
    files.push(await saveDecisionRegions(`${dir}/regions-${r.key}.svg`, (P) => predict(r.model ?? model, r.x, P, r.W ? { W: r.W } : {}).labels,
      { ...pts, title: r.row.method, accuracy: r.row.valAcc, accuracyLabel: 'validation accuracy' }));
  }
  const series = (y: (p: HistoryPoint) => number, x: (p: HistoryPoint) => number = (p) => p.passes) =>
    runs.map((r) => ({ name: r.row.method, x: r.history.map(x), y: r.history.map(y) }));
  const work = 'work [passes over the training data]';
  files.push(await saveLineChart(`${dir}/history.svg`, series((p) => 100 * p.valAcc), { title: 'validation accuracy against work', xLabel: work, yLabel: 'validation accuracy [%]' }));
  files.push(await saveLineChart(`${dir}/history-time.svg`, series((p) => 100 * p.valAcc, (p) => p.cpu), { title: 'validation accuracy against training time', xLabel: 'training CPU time [s]', yLabel: 'validation accuracy [%]' }));
  files.push(await saveLineChart(`${dir}/objective.svg`, series((p) => p.value), { title: 'training objective against work', xLabel: work, yLabel: 'objective', logY: true }));
  return files;
}

/** Accuracy of a trained run on data (Y, labels). */
export function accuracyOf(model: Model, r: { x: Float64Array; W?: Matrix }, d: PeaksData): number {
  return labelAccuracy(predict(model, r.x, d.Y, r.W ? { W: r.W } : {}).labels, d.labels);
}

/**
 * The history of two runs one after the other (e.g. steepest descent, then
 * Newton-CG from its result) with the same work counter: the second run's
 * start row is dropped, its iterations and times continue the first's.
 */
export function joinHistories(first: HistoryPoint[], second: HistoryPoint[]): HistoryPoint[] {
  const last = first[first.length - 1];
  return [...first, ...second.slice(1).map((p) => ({ ...p, iter: p.iter + last.iter, time: p.time + last.time, cpu: p.cpu + last.cpu }))];
}

/**
 * Final row and history of a run whose rows were extended by {@link monitor}.
 * `extra.history` replaces the result's history (see {@link joinHistories});
 * `extra.iterations` and `extra.matvecs` the result's counts.
 */
export function finishRun(
  key: string, method: string, model: Model, result: OptimizerResult, data: PeaksSplit,
  extra: { W?: Matrix; inner?: number; lecture?: string; iterations?: number; matvecs?: number; history?: HistoryPoint[] },
): MethodRun {
  const history = extra.history ?? result.history.map(historyPoint);
  const last = history[history.length - 1];
  const r = { x: result.x, W: extra.W };
  return {
    key,
    x: result.x,
    W: extra.W,
    result,
    history,
    row: {
      method,
      iterations: extra.iterations ?? result.iterations,
      matvecs: extra.matvecs ?? result.matvecs,
      inner: extra.inner,
      passes: last.passes,
      time: last.time,
      cpu: last.cpu,
      trainAcc: accuracyOf(model, r, data.train),
      valAcc: accuracyOf(model, r, data.val),
      lecture: extra.lecture,
    },
  };
}

// ---------------------------------------------------------------------------
// The ResNet experiment.
// ---------------------------------------------------------------------------

/** The four training methods of the experiment. */
export type ResnetPeaksMethod = 'sgd' | 'adam' | 'newtonCG' | 'varpro';

/** Options of {@link run}; the defaults are the full configuration. */
export interface ResnetPeaksOptions {
  /** The fast variant (tests): 400 training / 1000 validation points, fewer iterations. Explicit options still win. */
  fast?: boolean;
  /** Seed of data, initialisation and shuffles (default 1). */
  seed?: number;
  /** Training points (default 1000; fast 400). */
  nTrain?: number;
  /** Validation points (default 2000; fast 1000). */
  nVal?: number;
  /** Width of the ResNet (default 8). */
  width?: number;
  /** Residual steps N (default 16). */
  steps?: number;
  /** Final time T, h = T/N (default 4). */
  T?: number;
  /** Activation (default tanh). */
  activation?: ActivationName;
  /** Methods to run, in order (default all four). */
  methods?: ResnetPeaksMethod[];
  /** SGD and ADAM epochs (default 50; fast 25). */
  epochs?: number;
  /** Mini-batch size of SGD and ADAM (default 32). */
  batchSize?: number;
  /** SGD learning rate (default 0.1, momentum 0.9). */
  sgdLr?: number;
  /** ADAM learning rate (default 0.02). */
  adamLr?: number;
  /**
   * Both learning rates are halved every `lrHalving` epochs (default 10).
   * With constant rates (SGD 0.05, ADAM 0.01) the accuracy after epoch 50
   * swings with the last mini-batches: 80–92 % (SGD) and 85–89 % (ADAM) over
   * seeds 1–4, against 92–94 % and 88–95 % with the halving.
   */
  lrHalving?: number;
  /** Newton-CG iterations (default 50; fast 20). */
  newtonIter?: number;
  /** VarPro outer iterations (default 20; fast 12). */
  varproIter?: number;
  /** CG iterations per Newton step, outer problems (default 10). */
  cgMaxIter?: number;
  /** λ of (λ/2)‖θ‖² (default 1e-5, as the lecture). */
  lambda?: number;
  /** λ_W of (λ_W/2)‖W‖² for SGD, ADAM and Newton-CG (default 1e-5, as the lecture). */
  lambdaW?: number;
  /** λ_W of VarPro's inner problem (default 1e-3, as the lecture). */
  lambdaWVarpro?: number;
  /** Print the optimizers' iteration tables (default false). */
  verbose?: boolean;
  /** Folder for the figures; null (default) saves none. */
  out?: string | null;
}

/** What {@link run} returns. */
export interface ResnetPeaksResult {
  rows: PeaksRow[];
  runs: MethodRun[];
  model: ResNetModel;
  data: PeaksSplit;
  /** The printed table. */
  table: string;
  /** Figures written. */
  files: string[];
  /** The settings used (after defaults). */
  config: Required<Omit<ResnetPeaksOptions, 'out' | 'fast' | 'verbose' | 'methods'>> & { methods: ResnetPeaksMethod[] };
}

/**
 * The lecture's reference validation accuracies (its own code in Octave, see
 * examples/reference/lecture-octave.json; its "SGD" is full-batch gradient descent).
 */
export const RESNET_REFERENCE: Record<ResnetPeaksMethod, string> = {
  sgd: `${lectureValAccuracy('EResNet_PeaksSGD')} (full-batch GD)`,
  adam: '-',
  newtonCG: lectureValAccuracy('EResNet_PeaksNewtonCG'),
  varpro: lectureValAccuracy('EResNet_PeaksVarPro'),
};

/**
 * The flagship's network: Y₀ = σ(K_o Y + b_o) (2 → width), then
 * Y_{j+1} = Y_j + h σ(K_j Y_j + b_j), j < steps, h = T/steps, dense K and
 * per-row biases everywhere.
 * @example const net = resnetPeaksModel({}); net.nParams // 16·(64+8) + (16+8) = 1176
 */
export function resnetPeaksModel(o: { width?: number; steps?: number; T?: number; activation?: ActivationName } = {}): ResNetModel {
  const width = o.width ?? 8, steps = o.steps ?? 16, T = o.T ?? 4, activation = o.activation ?? 'tanh';
  const opening = singleLayer(dense(width, 2), { activation, bias: 'vector' });
  return resnet(() => singleLayer(dense(width, width), { activation, bias: 'vector' }), { steps, T, opening });
}

/**
 * Train the flagship ResNet on Peaks by the chosen methods and return the
 * table rows, histories and figures.
 * @param options sizes, methods, iterations, regularisation; `fast` for the test variant
 * @returns `{ rows, runs, model, data, table, files, config }`
 * @example const { rows } = await run({ fast: true }); rows[2].valAcc // > 0.85
 */
export async function run(options: ResnetPeaksOptions = {}): Promise<ResnetPeaksResult> {
  const fast = options.fast ?? false;
  const config = {
    seed: options.seed ?? 1,
    nTrain: options.nTrain ?? (fast ? 400 : 1000),
    nVal: options.nVal ?? (fast ? 1000 : 2000),
    width: options.width ?? 8,
    steps: options.steps ?? 16,
    T: options.T ?? 4,
    activation: options.activation ?? 'tanh',
    methods: options.methods ?? (['sgd', 'adam', 'newtonCG', 'varpro'] as ResnetPeaksMethod[]),
    epochs: options.epochs ?? (fast ? 25 : 50),
    batchSize: options.batchSize ?? 32,
    sgdLr: options.sgdLr ?? 0.1,
    adamLr: options.adamLr ?? 0.02,
    lrHalving: options.lrHalving ?? 10,
    newtonIter: options.newtonIter ?? (fast ? 20 : 50),
    varproIter: options.varproIter ?? (fast ? 12 : 20),
    cgMaxIter: options.cgMaxIter ?? 10,
    lambda: options.lambda ?? 1e-5,
    lambdaW: options.lambdaW ?? 1e-5,
    lambdaWVarpro: options.lambdaWVarpro ?? 1e-3,
  };
  const verbose = options.verbose ?? false;
  const say = (s: string) => {
    if (verbose) console.log(s);
  };
  const data = peaksSplit(config.nTrain, config.nVal, config.seed);
  const { train, val } = data;
  const n = train.Y.shape[1];
  const model = resnetPeaksModel(config);
  const rng: Rng = createRng(config.seed).fork('init');
  const theta0 = model.initialize(rng);
  const reg = { theta: config.lambda, W: config.lambdaW };
  const full = classificationObjective(model, train.Y, train.C, { regularization: reg });
  const x0 = new Float64Array(full.nParams);
  x0.set(theta0); // W₀ = 0
  const valAccOf = (x: Float64Array, W?: Matrix) => labelAccuracy(predict(model, x, val.Y, W ? { W } : {}).labels, val.labels);
  say(`ResNet on Peaks: opening 2 → ${config.width}, ${config.steps} residual steps of width ${config.width}, T = ${config.T} (h = ${config.T / config.steps}), σ = ${config.activation}; ${model.nParams} weights + W ${full.wShape.join('×')}; ${n} training / ${val.Y.shape[1]} validation points, seed ${config.seed}`);

  const runs: MethodRun[] = [];
  for (const method of config.methods) {
    if (method === 'sgd' || method === 'adam') {
      const work = countWork(full, n, true);
      const common = {
        maxEpochs: config.epochs, batchSize: config.batchSize, seed: `${config.seed}-${method}`, monitorGradient: false,
        schedule: { type: 'step' as const, factor: 0.5, every: config.lrHalving },
        onEpoch: monitor(work, (x) => valAccOf(x)), verbose,
      };
      const name = method === 'sgd' ? 'SGD' : 'ADAM';
      say(`\n${name}: ${config.epochs} epochs, batches of ${config.batchSize}, ${method === 'sgd' ? `lr ${config.sgdLr}, momentum 0.9` : `lr ${config.adamLr}`}, halved every ${config.lrHalving} epochs`);
      const result = method === 'sgd'
        ? sgd(work.objective, x0, { ...common, lr: config.sgdLr, momentum: 0.9 })
        : adam(work.objective, x0, { ...common, lr: config.adamLr });
      runs.push(finishRun(method, method === 'sgd' ? 'SGD (momentum 0.9)' : 'ADAM', model, result, data, { lecture: RESNET_REFERENCE[method] }));
    } else if (method === 'newtonCG') {
      const work = countWork(full, n);
      say(`\nNewton-CG (block-diagonal Gauss-Newton): ${config.newtonIter} iterations, CG ≤ ${config.cgMaxIter}`);
      const result = newtonCG(work.objective, x0, { maxIter: config.newtonIter, cgMaxIter: config.cgMaxIter, onIteration: monitor(work, (x) => valAccOf(x)), verbose });
      runs.push(finishRun('newton-cg', 'Newton-CG', model, result, data, { lecture: RESNET_REFERENCE.newtonCG }));
    } else {
      const phi = varproObjective(model, train.Y, train.C, { regularization: { theta: config.lambda, W: config.lambdaWVarpro }, inner: { tol: 1e-6, maxIter: 10 } });
      const work = countWork(phi, n);
      say(`\nVarPro (Newton-CG on θ, W(θ) by Newton): ${config.varproIter} iterations, CG ≤ ${config.cgMaxIter}`);
      // During a run, the last evaluation (the accepted line-search trial) holds W(θ) of the current iterate.
      const result = varpro(work.objective, theta0, {
        method: 'newtonCG', maxIter: config.varproIter, cgMaxIter: config.cgMaxIter,
        onIteration: monitor(work, (x) => valAccOf(x, phi.currentW() ?? undefined)), verbose,
      });
      const W = phi.solveW(result.x).W;
      runs.push(finishRun('varpro', 'VarPro', model, result, data, { W, inner: result.innerIterations, lecture: RESNET_REFERENCE.varpro }));
    }
  }
  const rows = runs.map((r) => r.row);
  const table = formatTable(rows as unknown as Record<string, unknown>[], PEAKS_COLUMNS);
  const files = options.out ? await savePeaksFigures(options.out, model, runs, data) : [];
  return { rows, runs, model, data, table, files, config };
}

/** The command-line options the Peaks training examples share (see {@link peaksArgs}). */
export const PEAKS_OPTIONS: OptionSpecs = {
  ntrain: { help: 'training points (default 1000; fast smaller)' },
  nval: { help: 'validation points (default 2000; fast 1000)' },
  width: { help: 'width of the layers' },
  epochs: { help: 'SGD/ADAM epochs (default 50; fast 20–25)' },
  'newton-iter': { help: 'Newton-CG iterations (default 50; fast 20–25)' },
  'varpro-iter': { help: 'VarPro iterations (default 20; fast 12)' },
  lambda: { value: 'X', help: 'Tikhonov weight λ of (λ/2)‖θ‖²' },
};

/**
 * The command-line options the Peaks training examples share; the sizes and
 * iteration counts not given stay undefined so that `run` picks its fast or
 * full defaults.
 */
export function peaksArgs(name: string, args: Args, fast: boolean) {
  return {
    fast,
    seed: numArg(args, 'seed', 1),
    nTrain: optionalNumArg(args, 'ntrain', true),
    nVal: optionalNumArg(args, 'nval', true),
    width: optionalNumArg(args, 'width', true),
    epochs: optionalNumArg(args, 'epochs', true),
    newtonIter: optionalNumArg(args, 'newton-iter', true),
    varproIter: optionalNumArg(args, 'varpro-iter', true),
    lambda: args.lambda === undefined ? undefined : numArg(args, 'lambda', 0, { min: 0 }),
    verbose: flagArg(args, 'verbose'),
    out: outDir(name, args.out),
  };
}

/** The short console table of a Peaks training example (≤ 120 columns): no work or wall-time columns. */
export const PEAKS_SUMMARY_COLUMNS: TableColumn[] = PEAKS_COLUMNS.filter((c) => ['method', 'iterations', 'matvecs', 'cpu', 'trainAcc', 'valAcc', 'lecture'].includes(c.key));

/** Print a Peaks training example's short table, total time and figure paths. */
export function printPeaksRun({ options, result, seconds }: ExampleRun<{ out: string }, { rows: PeaksRow[]; files: string[] }>): void {
  const table = formatTable(result.rows as unknown as Record<string, unknown>[], PEAKS_SUMMARY_COLUMNS);
  console.log(`\n${table}\n\n${lectureSource()}\ntotal ${seconds.toFixed(1)} s (monitoring and figures included; cpu [s] = training CPU time)\n${figuresSummary(options.out, result.files)}`);
}
/**
 * The RESULTS.md section of a Peaks training example: its title, the setup
 * (which gives the whole run's time, so none follows the command), the
 * table, and the figures line.
 */
export function peaksSection(title: string, setup: string, rows: PeaksRow[], figures: string): ResultsSection {
  return { title, time: null, setup, lines: ['', formatTable(rows as unknown as Record<string, unknown>[], PEAKS_COLUMNS, { style: 'markdown' }), '', `${lectureSource()}.`, '', figures] };
}

runExample({
  name: 'resnet-peaks',
  metaUrl: import.meta.url,
  summary: 'The flagship: a ResNet (opening 2 → 8, 16 residual steps, T = 4) classifies Peaks, trained by SGD, ADAM, Newton-CG and VarPro from the same start.',
  options: {
    ...PEAKS_OPTIONS,
    steps: { help: 'residual steps N (default 16)' },
    T: { value: 'X', help: 'final time T, h = T/N (default 4)' },
    methods: { value: 'LIST', help: 'comma-separated subset of sgd,adam,newtonCG,varpro (default all)' },
  },
  parse: (args, fast): ResnetPeaksOptions & { out: string } => ({
    ...peaksArgs('resnet-peaks', args, fast),
    steps: optionalNumArg(args, 'steps', true),
    T: args.T === undefined ? undefined : numArg(args, 'T', 4, { min: Number.MIN_VALUE }),
    methods: listArg(args, 'methods', ['sgd', 'adam', 'newtonCG', 'varpro'] as const, ['sgd', 'adam', 'newtonCG', 'varpro']),
  }),
  run,
  print: (done) => printPeaksRun(done),
  // The flagship runs as `npm run demo`.
  command: (argv) => npmRunCommand('demo', argv),
  results: ({ result: r, seconds }) => {
    const c = r.config;
    return peaksSection(
      'ResNet on Peaks (flagship)',
      `Opening 2 → ${c.width} (tanh), ${c.steps} residual steps of width ${c.width}, T = ${c.T}; ${c.nTrain} training / ${c.nVal} validation points, seed ${c.seed}; `
        + `λ = ${c.lambda} (θ), λ_W = ${c.lambdaW} (VarPro ${c.lambdaWVarpro}); SGD lr ${c.sgdLr} momentum 0.9 and ADAM lr ${c.adamLr}, both halved every ${c.lrHalving} epochs, ${c.epochs} epochs of batches of ${c.batchSize}; `
        + `Newton-CG ${c.newtonIter} iterations and VarPro ${c.varproIter} iterations, CG ≤ ${c.cgMaxIter} per step. Whole run ${seconds.toFixed(1)} s on 2 shared cores; times exclude validation monitoring.`,
      r.rows,
      'Figures: `out/resnet-peaks/regions-*.svg`, `history.svg`, `history-time.svg`, `objective.svg`.',
    );
  },
});
