/**
 * training benchmark: the model-level cost of the two real workloads, timed
 * per step, on both kernel families (pure TypeScript `js` and WebAssembly
 * SIMD `wasm`, switched with `setKernelBackend` before every sample):
 *
 * 1. the flagship (examples/resnet-peaks.ts): opening dense 2 → 8 tanh,
 *    16 residual steps Y + h·tanh(K Y + b) (h = 1/4), softmax classifier,
 *    1000 Peaks points, (λ/2)‖·‖² with λ = 1e-5 —
 *    - one Newton-CG iteration (gradient evaluation, CG with at most 10
 *      Gauss-Newton mat-vecs, Armijo line search: `newtonCG(obj, x, { maxIter: 1 })`),
 *    - one Gauss-Newton mat-vec H v (a jvp and a vjp through the 17 layers),
 *    - one objective evaluation with gradient (forward + vjp);
 * 2. one ADAM step of the mnist-cnn network (examples/mnist-cnn.ts: 3×3 conv
 *    1 → 8 ReLU at 28×28, 2×2 average pooling, 2 residual steps of 3×3 conv
 *    8 → 8 ReLU at 14×14, 10 × 1569 classifier) on a batch of 64 MNIST images:
 *    `classificationObjective(...).evaluate(x, batch)` plus the ADAM update.
 *
 * A second table shows what the model-level options save: the network vjp
 * with and without the input gradient (`{ input: false }`, which the
 * objectives use), and the ResNet jvp with fused residual steps against the
 * unfused jvp-then-update path.
 *
 *   npx tsx bench/run.ts --only training [--quick]     (writes bench/RESULTS.md)
 *   npx tsx bench/training.bench.ts [--quick]          (prints only)
 */
import { randn } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { getKernelBackend, setKernelBackend, type KernelBackend } from '../src/core/wasm/backend.js';
import { wasmAvailable } from '../src/core/wasm/module.js';
import { loadMnist } from '../src/node/mnist.js';
import { singleLayer } from '../src/layers/index.js';
import { resnet } from '../src/networks/index.js';
import type { Model } from '../src/networks/types.js';
import { classificationObjective } from '../src/objectives/index.js';
import { dense } from '../src/operators/index.js';
import { newtonCG } from '../src/optimizers/index.js';
import { mnistCnn } from '../examples/mnist-cnn.js';
import { peaksSplit } from '../examples/resnet-peaks.js';
import { fmt, renderSection, speedup, timeCases, type BenchCase, type BenchSection, type Timing, type TimingOptions } from './harness.js';

/** The flagship's sizes. */
const FLAG = { width: 8, steps: 16, T: 4, n: 1000, lambda: 1e-5, cgMaxIter: 10, seed: 1 };
/** The mnist-cnn step's sizes. */
const CNN = { width: 8, steps: 2, batch: 64, lr: 1e-3 };

/** The flagship network; `fused: false` hides the steps' residualJvp / residualVjp (the product-then-update path). */
function flagshipModel(fused = true): Model {
  const step = () => {
    const layer = singleLayer(dense(FLAG.width, FLAG.width), { activation: 'tanh', bias: 'vector' });
    if (fused) return layer;
    const { residualJvp: _fusedJvp, residualVjp: _fusedVjp, ...plain } = layer;
    return plain;
  };
  const opening = singleLayer(dense(FLAG.width, 2), { activation: 'tanh', bias: 'vector' });
  return resnet(step, { steps: FLAG.steps, T: FLAG.T, opening });
}

/**
 * Run the training benchmark.
 * @param opts `quick`: fewer and shorter samples (well under 30 s)
 * @returns the `training` section
 */
export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  const timing: TimingOptions = opts.quick
    ? { warmupMs: 300, minSampleMs: 100, samples: 3, maxMs: 2_500, minSamples: 2 }
    : { warmupMs: 1000, minSampleMs: 300, samples: 7, maxMs: 20_000 };
  const backends: KernelBackend[] = wasmAvailable() ? ['js', 'wasm'] : ['js'];
  const initial = getKernelBackend();
  const notes: string[] = [];

  // --- the flagship: a point after a few Newton-CG iterations (a realistic curvature).
  const { train } = peaksSplit(FLAG.n, 10, FLAG.seed);
  const model = flagshipModel();
  const obj = classificationObjective(model, train.Y, train.C, { regularization: { theta: FLAG.lambda, W: FLAG.lambda } });
  const x0 = new Float64Array(obj.nParams);
  x0.set(model.initialize(createRng(FLAG.seed).fork('init')));
  const x = newtonCG(obj, x0, { maxIter: 3, cgMaxIter: FLAG.cgMaxIter }).x;
  const ev = obj.evaluate(x);
  const hv = ev.hessian as (v: Float64Array) => Float64Array;
  const v = createRng(2).normalArray(obj.nParams);

  // --- mnist-cnn: the example's network, a batch of 64, the ADAM update as `adam` does it.
  const data = loadMnist({ train: 1024, test: 0 });
  const cnn = mnistCnn({ width: CNN.width, steps: CNN.steps });
  const cobj = classificationObjective(cnn.model, data.train.Y, data.train.C, { regularization: { theta: 1e-4, W: 1e-4 } });
  const rng = createRng(20260501);
  const cx = cobj.initialize(rng);
  for (let i = cnn.model.nParams; i < cx.length; i++) cx[i] = 0.05 * rng.normal();
  const batch = Int32Array.from(rng.randperm(1024).slice(0, CNN.batch)).sort();
  const m1 = new Float64Array(cx.length), m2 = new Float64Array(cx.length);
  let t = 0;
  const adamStep = () => {
    const e = cobj.evaluate(cx, batch);
    const g = e.gradient;
    t++;
    const c1 = 1 - 0.9 ** t, c2 = 1 - 0.999 ** t;
    for (let i = 0; i < cx.length; i++) {
      m1[i] = 0.9 * m1[i] + 0.1 * g[i];
      m2[i] = 0.999 * m2[i] + 0.001 * g[i] * g[i];
      cx[i] -= (CNN.lr * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
    }
    return e.value;
  };

  const flagParams = { width: FLAG.width, steps: FLAG.steps, n: FLAG.n };
  const cases: BenchCase[] = [];
  for (const b of backends) {
    const setup = () => setKernelBackend(b);
    cases.push(
      { name: 'flagship Newton-CG iteration', params: { ...flagParams, cgMaxIter: FLAG.cgMaxIter, kernels: b }, fn: () => newtonCG(obj, x, { maxIter: 1, cgMaxIter: FLAG.cgMaxIter }).value, setup },
      { name: 'flagship Gauss-Newton mat-vec', params: { ...flagParams, kernels: b }, fn: () => hv(v), setup },
      { name: 'flagship evaluation (value + gradient)', params: { ...flagParams, kernels: b }, fn: () => obj.evaluate(x).gradient, setup },
      { name: 'mnist-cnn ADAM step', params: { width: CNN.width, steps: CNN.steps, batch: CNN.batch, kernels: b }, fn: adamStep, setup },
    );
  }

  // --- what the model-level options save (current kernels).
  const theta = x.subarray(0, model.nParams);
  const state = model.forward(theta, train.Y);
  const dZ = randn(model.nOut, FLAG.n, createRng(3));
  const unfused = flagshipModel(false);
  const ustate = unfused.forward(theta, train.Y);
  const dTheta = createRng(4).normalArray(model.nParams);
  const kernels = wasmAvailable() ? 'wasm' : 'js';
  const setKernels = () => setKernelBackend(kernels);
  const cnnTheta = cx.subarray(0, cnn.model.nParams);
  const cnnY = randn(784, CNN.batch, createRng(5));
  const cnnState = cnn.model.forward(cnnTheta, cnnY);
  const cnnW = randn(cnn.model.nOut, CNN.batch, createRng(6));
  const optionCases: BenchCase[] = [
    { name: 'flagship vjp, with input gradient', params: { ...flagParams, kernels }, fn: () => model.vjp(theta, state, dZ).dx, setup: setKernels },
    { name: 'flagship vjp, input: false', params: { ...flagParams, kernels }, fn: () => model.vjp(theta, state, dZ, { input: false }).dx, setup: setKernels },
    { name: 'flagship jvp, jvp then Euler update', params: { ...flagParams, kernels }, fn: () => unfused.jvp(theta, ustate, dTheta, null), setup: setKernels },
    { name: 'flagship jvp, fused residualJvp', params: { ...flagParams, kernels }, fn: () => model.jvp(theta, state, dTheta, null), setup: setKernels },
    { name: 'mnist-cnn vjp, with input gradient', params: { batch: CNN.batch, kernels }, fn: () => cnn.model.vjp(cnnTheta, cnnState, cnnW).dx, setup: setKernels },
    { name: 'mnist-cnn vjp, input: false', params: { batch: CNN.batch, kernels }, fn: () => cnn.model.vjp(cnnTheta, cnnState, cnnW, { input: false }).dx, setup: setKernels },
  ];

  let timings: Timing[], optTimings: Timing[];
  try {
    timings = await timeCases(cases, timing);
    optTimings = await timeCases(optionCases, timing);
  } finally {
    setKernelBackend(initial);
  }
  const find = (ts: Timing[], name: string, b?: string) => ts.find((q) => q.name === name && (b === undefined || q.params.kernels === b)) as Timing;
  const rows = ['flagship Newton-CG iteration', 'flagship Gauss-Newton mat-vec', 'flagship evaluation (value + gradient)', 'mnist-cnn ADAM step'].map((name) => {
    const js = find(timings, name, 'js'), wa = backends.includes('wasm') ? find(timings, name, 'wasm') : undefined;
    return [js.label.replace(/ kernels=js$/, ''), fmt(1000 * js.median, 3), wa ? fmt(1000 * wa.median, 3) : 'n/a', wa ? `${speedup(wa, js).toFixed(2)}×` : 'n/a'];
  });
  const pairs: [string, string, string][] = [
    ['flagship vjp: input: false vs full', 'flagship vjp, input: false', 'flagship vjp, with input gradient'],
    ['flagship jvp: fused residualJvp vs jvp + update', 'flagship jvp, fused residualJvp', 'flagship jvp, jvp then Euler update'],
    ['mnist-cnn vjp: input: false vs full', 'mnist-cnn vjp, input: false', 'mnist-cnn vjp, with input gradient'],
  ];
  const optRows = pairs.map(([what, a, b]) => {
    const ta = find(optTimings, a), tb = find(optTimings, b);
    return [what, fmt(1000 * ta.median, 3), fmt(1000 * tb.median, 3), `${speedup(ta, tb).toFixed(2)}×`];
  });
  const iter = find(timings, 'flagship Newton-CG iteration', backends[backends.length - 1]);
  notes.push(
    `Flagship: ${obj.nParams} parameters (${model.nParams} in the network); the point is the iterate after 3 Newton-CG iterations from the example's start. A Newton-CG iteration here made ${FLAG.cgMaxIter} or fewer mat-vecs plus 1–2 evaluations; 50 iterations ≈ 50 × ${fmt(iter.median, 3)} s = ${fmt(50 * iter.median, 3)} s with the ${iter.params.kernels} kernels.`,
    'mnist-cnn: the ADAM step is `classificationObjective(...).evaluate(x, batch)` (forward, cross-entropy, gradient; the first layer\'s input gradient is skipped) plus the update loop.',
    'The speed-up column is js time / wasm time (median of per-round ratios). Option rows: time with the option / time without, as a speed-up (> 1: the option is faster).',
  );
  return {
    title: 'training: model-level cost per step of the flagship and mnist-cnn (lower is better)',
    tables: [
      { columns: ['step', 'js kernels ms', 'wasm kernels ms', 'wasm speed-up'], rows },
      { caption: `Model-level options (${kernels} kernels):`, columns: ['comparison', 'with option ms', 'without ms', 'speed-up'], rows: optRows },
    ],
    notes,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => {
    console.log(renderSection(s));
    process.exit(0);
  });
}
