/**
 * mnist benchmark: time per epoch of the `mnist-cnn` example's network —
 * 3×3 conv 1 → 8 + ReLU at 28×28, 2×2 average pooling, a ResNet of 2 steps
 * Y + ReLU(3×3 conv 8 → 8 Y + b) at 14×14, a 10 × 1569 softmax classifier — in numdl against TensorFlow.js (`cpu` and `wasm`
 * backends) with the same architecture, weights and MNIST mini-batches, in
 * one run, timed interleaved (see harness.ts).
 *
 * Timed per backend:
 * - one ADAM training step on a mini-batch of 64 images: forward, gradient
 *   of the mean cross-entropy w.r.t. every weight, the ADAM update
 *   (numdl: `classificationObjective(...).evaluate(x, batch)` plus the ADAM
 *   update loop of `adam`; TF.js: `tf.train.adam().minimize` with the loss
 *   read back by `dataSync`);
 * - inference (forward and class scores) of a batch of 64 images.
 * Time per epoch = time per batch × ⌈60 000 / 64⌉ batches.
 *
 * The two implementations are first checked to compute the same loss on the
 * same weights (numdl's stencils are convolutions, TF.js's filters
 * correlations: the filter is θ rotated by 180°, and the flattening orders
 * differ; both are mapped). TF.js's wasm backend has no Conv2DBackpropFilter
 * kernel, so its training step cannot run; that is checked and reported.
 *
 *   npx tsx bench/mnist.bench.ts [--quick]     (prints only; bench/run.ts writes RESULTS.md)
 */
import { columnMajorData, matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { loadMnist } from '../src/node/mnist.js';
import { classificationObjective } from '../src/objectives/classificationObjective.js';
import { predict } from '../src/objectives/predict.js';
import { mnistCnn } from '../examples/mnist-cnn.js';
import { fmt, renderSection, speedup, timeCases, timeRoundRobin, withWasmThreads, type BenchCase, type BenchSection, type Timing, type TimingOptions } from './harness.js';
import { describe, loadTf, useBackend, type Tf } from './tfjs.js';

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

/** Network sizes of the benchmark (the example's defaults). */
const WIDTH = 8, STEPS = 2, H = 1, FINAL_POOL = false, BATCH = 64, EPOCH = 60_000;

/** The TF.js twin of the numdl network, its variables set from numdl's x = [θ; vec(W)]. */
function tfNetwork(tf: Tf, x: Float64Array, nTheta: number, nc: number) {
  const w = WIDTH;
  let o = 0;
  // numdl θ[a, b, ci, co] (convolution) → TF filter f[dy, dx, ci, co] = θ[2 − dx, 2 − dy, ci, co] (correlation).
  const filter = (cin: number, cout: number): Variable => {
    const f = new Float32Array(9 * cin * cout);
    for (let co = 0; co < cout; co++) {
      for (let ci = 0; ci < cin; ci++) {
        for (let dy = 0; dy < 3; dy++) {
          for (let dx = 0; dx < 3; dx++) f[((dy * 3 + dx) * cin + ci) * cout + co] = x[o + (2 - dx) + 3 * ((2 - dy) + 3 * (ci + cin * co))];
        }
      }
    }
    o += 9 * cin * cout;
    return tf.variable(tf.tensor4d(f, [3, 3, cin, cout]));
  };
  const bias = (c: number): Variable => {
    const v = tf.variable(tf.tensor1d(Float32Array.from(x.subarray(o, o + c))));
    o += c;
    return v;
  };
  const vars: Variable[] = [];
  const k0 = filter(1, w), b0 = bias(w);
  vars.push(k0, b0);
  const steps: [Variable, Variable][] = [];
  for (let j = 0; j < STEPS; j++) {
    const k = filter(w, w), b = bias(w);
    steps.push([k, b]);
    vars.push(k, b);
  }
  if (o !== nTheta) throw new Error(`mnist bench: mapped ${o} of ${nTheta} network parameters`);
  // Classifier: numdl feature ix + s(iy + s·c), TF flatten (iy·s + ix)·w + c; W column-major nc × (F+1), last column the bias.
  const s = FINAL_POOL ? 7 : 14, F = s * s * w;
  const Wt = new Float32Array(F * nc), bt = new Float32Array(nc);
  for (let c = 0; c < w; c++) {
    for (let iy = 0; iy < s; iy++) {
      for (let ix = 0; ix < s; ix++) {
        for (let i = 0; i < nc; i++) Wt[((iy * s + ix) * w + c) * nc + i] = x[nTheta + i + nc * (ix + s * (iy + s * c))];
      }
    }
  }
  for (let i = 0; i < nc; i++) bt[i] = x[nTheta + i + nc * F];
  const Wv = tf.variable(tf.tensor2d(Wt, [F, nc])), bv = tf.variable(tf.tensor1d(bt));
  vars.push(Wv, bv);
  const logits = (X: Tensor) => tf.tidy(() => {
    let y = tf.relu(tf.add(tf.conv2d(X as never, k0 as never, 1, 'same'), b0));
    y = tf.avgPool(y as never, 2, 2, 'valid');
    for (const [k, b] of steps) y = tf.add(y, tf.mul(H, tf.relu(tf.add(tf.conv2d(y as never, k as never, 1, 'same'), b))));
    if (FINAL_POOL) y = tf.avgPool(y as never, 2, 2, 'valid');
    return tf.add(tf.matMul(tf.reshape(y, [-1, F]), Wv), bv);
  });
  return { vars, logits };
}

/**
 * Run the mnist benchmark.
 * @param opts `quick`: fewer and shorter samples
 * @returns the `mnist` section: ms per batch and per epoch, ratios, notes
 */
/**
 * The area, like for like: TF.js runs on one thread in Node, so numdl's
 * WebAssembly kernels run on one thread too (`setWasmThreads(1)`) while it is
 * timed; the previous thread count is restored afterwards.
 */
export function run(opts: { quick: boolean }): Promise<BenchSection> {
  return withWasmThreads(1, () => runOneThread(opts));
}

async function runOneThread(opts: { quick: boolean }): Promise<BenchSection> {
  const timing: TimingOptions = opts.quick
    ? { warmupMs: 300, minSampleMs: 100, samples: 3, maxMs: 5_000, minSamples: 2 }
    : { warmupMs: 1000, minSampleMs: 300, samples: 7, maxMs: 30_000 };
  const peer = await loadTf();
  const tf = peer?.tf;
  const backends = peer?.backends ?? [];
  const notes: string[] = [];
  const checks: string[] = [];

  const data = loadMnist({ train: 2048, test: 0 });
  const { model, description } = mnistCnn({ width: WIDTH, steps: STEPS, h: H, finalPool: FINAL_POOL });
  const obj = classificationObjective(model, data.train.Y, data.train.C);
  // The same objective on the reference path (the model's own per-layer products), for the plan-vs-reference rows.
  const objRef = classificationObjective(model, data.train.Y, data.train.C, { engine: 'reference' });
  // And the plan in float32 (mixed precision: states and products single, parameters and ADAM double).
  const obj32 = classificationObjective(model, data.train.Y, data.train.C, { precision: 'float32' });
  const rng = createRng(20260501);
  const x0 = obj.initialize(rng);
  // A trained-looking point: small random classifier weights (W = 0 would make the θ-gradient vanish).
  for (let i = model.nParams; i < x0.length; i++) x0[i] = 0.05 * rng.normal();
  const batch = Int32Array.from(rng.randperm(2048).slice(0, BATCH)).sort();
  const nc = 10;

  // numdl: objective evaluation on the batch + the ADAM update (as `adam` does it), on each path from the same start.
  const adamStep = (o: typeof obj) => {
    const x = Float64Array.from(x0), m1 = new Float64Array(x.length), m2 = new Float64Array(x.length);
    let t = 0;
    return () => {
      const ev = o.evaluate(x, batch);
      const g = ev.gradient;
      t++;
      const c1 = 1 - 0.9 ** t, c2 = 1 - 0.999 ** t;
      for (let i = 0; i < x.length; i++) {
        m1[i] = 0.9 * m1[i] + 0.1 * g[i];
        m2[i] = 0.999 * m2[i] + 0.001 * g[i] * g[i];
        x[i] -= (1e-3 * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
      }
      return ev.value;
    };
  };
  const numdlStep = adamStep(obj);
  const planRel = Math.abs(obj.evaluate(x0, batch).value - objRef.evaluate(x0, batch).value) / Math.abs(objRef.evaluate(x0, batch).value);
  if (!(planRel < 1e-12)) checks.push(`numdl plan loss differs from the reference path by ${planRel.toExponential(2)}`);
  const rel32 = Math.abs(obj32.evaluate(x0, batch).value - obj.evaluate(x0, batch).value) / Math.abs(obj.evaluate(x0, batch).value);
  if (!(rel32 < 1e-5)) checks.push(`numdl float32 plan loss differs from the float64 plan by ${rel32.toExponential(2)}`);
  // Plan against reference path: their own steps, interleaved, wall and CPU time (the CPU time of this one-thread
  // process is the one-core figure on the shared machine), before TF.js runs.
  const engines = timeRoundRobin([
    { key: 'plan', fn: adamStep(obj), reps: opts.quick ? 8 : 16 },
    { key: 'plan32', fn: adamStep(obj32), reps: opts.quick ? 8 : 16 },
    { key: 'reference', fn: adamStep(objRef), reps: opts.quick ? 4 : 8 },
  ], opts.quick ? 3 : 7);
  const Yb = (() => {
    const Y = columnMajorData(data.train.Y);
    const out = new Float64Array(784 * BATCH);
    batch.forEach((j, k) => out.set(Y.subarray(j * 784, (j + 1) * 784), k * 784));
    return out;
  })();
  const YbM = matrix(784, BATCH, Yb);
  const numdlInfer = () => predict(model, x0, YbM).scores;

  const cases: BenchCase[] = [
    { name: 'numdl train step', params: { batch: BATCH, dtype: 'float64' }, fn: numdlStep },
    { name: 'numdl inference', params: { batch: BATCH, dtype: 'float64' }, fn: numdlInfer },
  ];
  const trainable: Record<string, boolean> = {};
  const disposers: (() => void)[] = [];
  if (tf) {
    // NHWC images (iy = row, ix = column: the IDX byte order is already row-major) and one-hot labels.
    const X32 = Float32Array.from(Yb), L32 = new Float32Array(BATCH * nc);
    batch.forEach((j, k) => {
      L32[k * nc + data.train.labels[j]] = 1;
    });
    const ref = obj.evaluate(x0, batch, { valueOnly: true }).value;
    for (const backend of backends) {
      await useBackend(tf, backend);
      const X = tf.tensor4d(X32, [BATCH, 28, 28, 1]), L = tf.tensor2d(L32, [BATCH, nc]);
      const net = tfNetwork(tf, x0, model.nParams, nc);
      const loss = () => tf.losses.softmaxCrossEntropy(L, net.logits(X)) as ReturnType<Tf['scalar']>;
      const v = tf.tidy(() => loss().dataSync()[0]);
      const rel = Math.abs(v - ref) / Math.abs(ref);
      if (!(rel < 1e-4)) checks.push(`tfjs-${backend} loss ${v} vs numdl ${ref} (relative difference ${rel.toExponential(2)})`);
      const opt = tf.train.adam(1e-3);
      const step = () => {
        const cost = opt.minimize(loss, true, net.vars as never);
        const value = cost ? cost.dataSync()[0] : NaN;
        cost?.dispose();
        return value;
      };
      try {
        step();
        trainable[backend] = true;
        cases.push({ name: 'tfjs train step', params: { batch: BATCH, dtype: 'float32', backend }, fn: step, setup: () => useBackend(tf, backend) });
      } catch (e) {
        trainable[backend] = false;
        notes.push(`tfjs-${backend} cannot train this network: ${(e as Error).message.split('\n')[0].slice(0, 120)}`);
      }
      const infer = () => {
        const s = net.logits(X);
        const d = s.dataSync();
        s.dispose();
        return d;
      };
      cases.push({ name: 'tfjs inference', params: { batch: BATCH, dtype: 'float32', backend }, fn: infer, setup: () => useBackend(tf, backend) });
      disposers.push(() => {
        X.dispose();
        L.dispose();
        for (const w of net.vars) w.dispose();
        opt.dispose();
      });
    }
  }

  const timings = await timeCases(cases, timing);
  for (const d of disposers) d();
  const find = (name: string, backend?: string): Timing | undefined => timings.find((q) => q.name === name && q.params.backend === backend);
  const batches = Math.ceil(EPOCH / BATCH);
  const rows: (string | number)[][] = [];
  for (const [what, nName, tName] of [['training (ADAM step)', 'numdl train step', 'tfjs train step'], ['inference (forward + scores)', 'numdl inference', 'tfjs inference']] as const) {
    const nd = find(nName) as Timing;
    const cell = (b: string) => {
      const p = find(tName, b);
      if (!p) return ['n/a', 'n/a', 'n/a'];
      return [fmt(1000 * p.median, 3), fmt(p.median * batches, 3), `${speedup(nd, p).toFixed(2)}×`];
    };
    const [cms, cep, cr] = cell('cpu'), [wms, wep, wr] = cell('wasm');
    rows.push([what, fmt(1000 * nd.median, 3), fmt(nd.median * batches, 3), cms, cep, cr, wms, wep, wr]);
    console.log(`  ${[nd, find(tName, 'cpu'), find(tName, 'wasm')].filter(Boolean).map((q) => `${q!.label}: ${fmt(1000 * q!.median, 3)} ms/batch`).join('\n  ')}`);
  }
  // numdl's two paths for the same training step (CPU time per epoch = per step × batches), and the Python figures of issue 12.
  const pl = engines.get('plan')!, p32 = engines.get('plan32')!, rf = engines.get('reference')!;
  const engineRows: (string | number)[][] = [
    ['numdl, plan (the default: one WebAssembly pass per block of images)', `${fmt(pl.wall)} / ${fmt(pl.cpu)}`, fmt((pl.cpu * batches) / 1000), '1.00×'],
    ['numdl, plan in float32 (`precision: \'float32\'`: states and products single, parameters and ADAM double)', `${fmt(p32.wall)} / ${fmt(p32.cpu)}`, fmt((p32.cpu * batches) / 1000), `${(p32.cpu / pl.cpu).toFixed(2)}×`],
    ['numdl, reference path (per-layer conv2d kernels)', `${fmt(rf.wall)} / ${fmt(rf.cpu)}`, fmt((rf.cpu * batches) / 1000), `${(rf.cpu / pl.cpu).toFixed(2)}×`],
    ['PyTorch, 1 thread (2026-12-06, quoted)', '—', '14.4', `${((14.4 * 1000) / batches / pl.cpu).toFixed(2)}×`],
    ['JAX, 1 thread (2026-12-06, quoted)', '—', '16.9', `${((16.9 * 1000) / batches / pl.cpu).toFixed(2)}×`],
  ];
  notes.unshift(
    `Network: ${description}; ${obj.nParams} parameters. Batch of ${BATCH} MNIST training images; an epoch = ${batches} batches (${EPOCH} images).`,
    'numdl computes in float64 on 1 thread (setWasmThreads(1) for this area), TF.js in float32 on 1 thread. numdl: `classificationObjective(...).evaluate(x, batch)` (forward, cross-entropy and gradient in one WebAssembly pass per block of 8 images: the convolutional plan, src/engine/convPlan.ts) plus the ADAM update; inference = `predict`. TF.js: the same network in tf ops (conv2d \'same\' = zero boundary, avgPool, relu, matMul), `tf.train.adam(1e-3).minimize(loss, true, vars)` with the loss read back by `dataSync`; inference reads the scores back.',
    'Second table: the same ADAM step on numdl\'s plan (float64 and float32) and on its reference path (`engine: \'reference\'`: the layers\' own forward / vjp with the per-layer conv2d kernels), timed round-robin before the TF.js cases: median wall / CPU ms per step (the CPU time of this one-thread process is the one-core figure on a shared machine), the epoch in CPU seconds (× 938 steps), and each row\'s epoch over the plan\'s. The PyTorch and JAX rows are the ADAM epochs (same network, batch 64, lr 3e-3, f64, one thread) measured on this machine for issue 12, quoted: they cannot run inside npm. The first table times numdl in wall time, interleaved with TF.js.',
    'A ratio is numdl speed / TF.js speed (median of per-round time ratios); above 1 means numdl is faster.',
  );
  if (tf && backends.includes('wasm') && trainable.wasm === false) notes.push('So the wasm training columns are n/a: only inference is compared there.');
  if (peer) notes.push(`Peer: ${describe(peer)}.`, ...peer.notes);
  else notes.push('@tensorflow/tfjs is not installed: no peer was timed.');
  notes.push(checks.length ? `Result checks FAILED: ${checks.join('; ')}.` : 'Before timing, each TF.js backend computed the same mean cross-entropy as numdl on the same weights and batch (relative difference below 1e-4).');
  return {
    title: 'mnist: time per epoch of the mnist-cnn network (lower is better)',
    tables: [{
      columns: ['phase', 'numdl ms/batch', 'numdl s/epoch', 'tfjs-cpu ms/batch', 'tfjs-cpu s/epoch', 'numdl / cpu', 'tfjs-wasm ms/batch', 'tfjs-wasm s/epoch', 'numdl / wasm'],
      rows,
    }, {
      columns: ['ADAM training step (batch 64, 1 thread)', 'ms/step wall / cpu', 'CPU s/epoch', 'epoch / plan\'s'],
      rows: engineRows,
    }],
    notes,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}
