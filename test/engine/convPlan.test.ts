import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, releaseWasmMemory, residentMemoryStats } from '../../src/core/index.js';
import { startWasmThreads, wasmThreadsReady } from '../../src/core/wasm/threads.js';
import { averagePoolLayer, singleLayer } from '../../src/layers/index.js';
import { chain, resnet, type Model } from '../../src/networks/index.js';
import { classificationObjective, type ClassificationObjective } from '../../src/objectives/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { networkPlanSupport } from '../../src/engine/index.js';
import { compileConvNetwork, convPlanSupport } from '../../src/engine/convPlan.js';
import { oneHot } from '../helpers/lossSuite.js';
import { checkGradient, checkHessianSymmetricPsd } from '../helpers/objectiveSuite.js';
import { withBackend } from '../helpers/backend.js';
import { mnistCnn } from '../../examples/mnist-cnn.js';

type Act = 'relu' | 'tanh' | 'identity';
const conv = (nx: number, ny: number, k: [number, number, number, number], act: Act, bias: 'vector' | 'scalar' | 'none' = 'vector') =>
  singleLayer(conv2d([nx, ny], k, { boundary: 'zero' }), { activation: act, bias });

/** Small networks of the shapes the convolutional plans handle. */
const cases: { label: string; make: () => Model; nc: number; bias?: boolean }[] = [
  {
    label: 'mnist-cnn shape at 8×8: conv 1→4 ReLU, pool, ResNet 2 × conv 4→4 ReLU (h = 1)',
    make: () => chain([conv(8, 8, [3, 3, 1, 4], 'relu'), averagePoolLayer([8, 8], 4, 2), resnet(() => conv(4, 4, [3, 3, 4, 4], 'relu'), { steps: 2, h: 1 })]),
    nc: 5,
  },
  {
    label: 'odd channels (3, 5), tanh / identity, scalar and no bias, residual h = 0.3, final pool, no W bias',
    make: () => chain([
      conv(6, 6, [3, 3, 2, 3], 'tanh', 'scalar'),
      resnet(() => conv(6, 6, [3, 3, 3, 3], 'tanh', 'vector'), { steps: 2, h: 0.3 }),
      conv(6, 6, [3, 3, 3, 5], 'identity', 'none'),
      averagePoolLayer([6, 6], 5, 3),
    ]),
    nc: 3, bias: false,
  },
  {
    label: 'ResNet with a conv opening, 5×3 stencil, 10 channels (a block of 8 and one of 2), 7×5 images',
    make: () => resnet(() => conv(7, 5, [5, 3, 10, 10], 'tanh'), { steps: 1, h: 0.5, opening: conv(7, 5, [1, 3, 1, 10], 'relu') }),
    nc: 4,
  },
];

function problem(nIn: number, nc: number, n: number, seed: number) {
  const rng = createRng(seed);
  return { Y: randn(nIn, n, rng), C: oneHot(nc, n, rng) };
}

/** A point with non-trivial W and biases (the initial point plus `scale` times normal noise). */
function point(obj: ClassificationObjective, seed: number, scale = 0.3): Float64Array {
  const rng = createRng(seed);
  const x = obj.initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] += scale * rng.normal();
  return x;
}

/** max |a − b| / max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

for (const c of cases) {
  test(`conv plan vs reference (${c.label}): value, accuracy, gradient, GN mat-vecs (both couplings), mini-batches to 1e-12`, () => {
    const model = c.make();
    const { Y, C } = problem(model.nIn, c.nc, 37, 3);
    assert.equal(convPlanSupport(model), null);
    assert.equal(networkPlanSupport(model, { objective: 'classification' }), null);
    assert.notEqual(networkPlanSupport(model), null, 'the dense plans (compile, varpro) do not take it');
    for (const coupling of ['blockDiagonal', 'full'] as const) {
      const opts = { regularization: { theta: 1e-3, W: 1e-4 }, bias: c.bias, coupling };
      const ref = classificationObjective(model, Y, C, { ...opts, engine: 'reference' });
      const pl = classificationObjective(model, Y, C, { ...opts, blockColumns: 8 });
      assert.equal(pl.engine, 'plan', 'the default (auto) takes the conv plan');
      assert.equal(ref.engine, 'reference');
      const x = point(ref, 4);
      const v = createRng(5).normalArray(ref.nParams);
      // All columns (five blocks, the last short), a batch with repeats, a single column.
      for (const batch of [null, [7, 3, 36, 0, 15, 3, 20, 21, 22, 9, 1], [5]]) {
        const a = ref.evaluate(x, batch), b = pl.evaluate(x, batch);
        assert.ok(Math.abs(a.value - b.value) <= 1e-13 * Math.abs(a.value), `${c.label}: value ${b.value} vs ${a.value}`);
        assert.equal(b.info?.accuracy, a.info?.accuracy);
        assert.ok(relErr(b.gradient, a.gradient) < 1e-12, `${c.label}: gradient rel. error ${relErr(b.gradient, a.gradient)}`);
        const ha = a.hessian!(v), hb = b.hessian!(v);
        assert.ok(relErr(hb, ha) < 1e-12, `${c.label}: GN mat-vec rel. error ${relErr(hb, ha)}`);
        assert.equal(pl.evaluate(x, batch, { valueOnly: true }).value, b.value, 'valueOnly gives the same value');
        // The mat-vec of an older evaluation (another one, at another point and batch, ran since) gives its own numbers.
        pl.evaluate(point(ref, 99), [2, 30]);
        assert.deepEqual(b.hessian!(v), hb);
      }
      pl.dispose();
    }
  });
}

test('conv plan: GN mat-vec symmetric and positive semi-definite through the plan (both couplings)', () => {
  const model = cases[1].make();
  const { Y, C } = problem(model.nIn, 3, 25, 16);
  for (const coupling of ['blockDiagonal', 'full'] as const) {
    const obj = classificationObjective(model, Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, engine: 'plan', bias: false, coupling });
    checkHessianSymmetricPsd(`conv plan ${coupling}`, obj, point(obj, 17));
    obj.dispose();
  }
});

test('conv plan: gradient Taylor test (second order) through the plan', () => {
  const model = cases[0].make();
  const { Y, C } = problem(model.nIn, 5, 20, 6);
  const obj = classificationObjective(model, Y, C, { regularization: { theta: 1e-4, W: 1e-4 }, engine: 'plan' });
  assert.equal(obj.engine, 'plan');
  // tanh network: smooth, so the Taylor orders are clean (ReLU kinks spoil them at large steps).
  const smooth = classificationObjective(cases[1].make(), randn(72, 20, createRng(8)), oneHot(3, 20, createRng(9)), { engine: 'plan', bias: false });
  const r = checkGradient('conv plan (tanh)', smooth, point(smooth, 7));
  console.log(`Taylor orders of E1, conv plan (tanh) gradient: ${r.orders1.slice(0, 10).map((o) => o.toFixed(2)).join(' ')}`);
  checkGradient('conv plan (ReLU)', obj, point(obj, 7), 1, 1e-3);
  obj.dispose();
  smooth.dispose();
});

test('conv plan: block size, batch and upload size do not change the numbers beyond rounding; same input, same bits', () => {
  const model = cases[2].make();
  const { Y, C } = problem(model.nIn, 4, 30, 11);
  const a = classificationObjective(model, Y, C, { blockColumns: 8 });
  const b = classificationObjective(model, Y, C, { blockColumns: 3 });
  const x = point(a, 12);
  const ea = a.evaluate(x), eb = b.evaluate(x);
  assert.ok(relErr(eb.gradient, ea.gradient) < 1e-13);
  assert.deepEqual(a.evaluate(x).gradient, ea.gradient, 'same evaluation, same bits');
  // A short last batch: its columns give the numbers of the same columns inside a larger workspace.
  const big = a.evaluate(x, Array.from({ length: 30 }, (_, j) => j));
  assert.deepEqual(big.gradient, ea.gradient);
  a.dispose();
  b.dispose();
});

test('conv plan: 1 and 2 threads give bit-identical values, gradients and GN mat-vecs (groups of blocks, not threads, fix the sums)', async () => {
  const model = cases[0].make();
  const { Y, C } = problem(model.nIn, 5, 150, 18);
  const o1 = classificationObjective(model, Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 1 });
  const o2 = classificationObjective(model, Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 2 });
  startWasmThreads();
  for (let k = 0; k < 200 && wasmThreadsReady() < 1; k++) await new Promise((r) => setTimeout(r, 10));
  const x = point(o1, 19), v = createRng(20).normalArray(o1.nParams);
  for (const batch of [null, Array.from({ length: 64 }, (_, j) => (7 * j) % 150)]) {
    const a = o1.evaluate(x, batch), b = o2.evaluate(x, batch);
    assert.equal(b.value, a.value);
    assert.deepEqual(b.gradient, a.gradient);
    assert.deepEqual(b.hessian!(v), a.hessian!(v));
  }
  // setThreads changes nothing either.
  const before = o2.evaluate(x).gradient;
  o2.setThreads(1);
  assert.deepEqual(o2.evaluate(x).gradient, before);
  o1.dispose();
  o2.dispose();
});

test('conv plan: dispose gives the WebAssembly memory back; evaluations and mat-vecs work again after it and after releaseWasmMemory()', () => {
  const model = cases[0].make();
  const { Y, C } = problem(model.nIn, 5, 40, 21);
  const before = residentMemoryStats().liveBytes;
  const obj = classificationObjective(model, Y, C, { threads: 1 });
  const x = point(obj, 22), v = createRng(23).normalArray(obj.nParams);
  const a = obj.evaluate(x);
  const ha = a.hessian!(v);
  assert.ok(residentMemoryStats().liveBytes > before);
  obj.dispose();
  assert.equal(residentMemoryStats().liveBytes, before);
  assert.deepEqual(a.hessian!(v), ha, 'a mat-vec after dispose() makes its workspace again');
  const b = obj.evaluate(x);
  assert.equal(b.value, a.value);
  releaseWasmMemory();
  const released = residentMemoryStats().liveBytes;
  assert.deepEqual(obj.evaluate(x).gradient, a.gradient, 'after releaseWasmMemory() the workspace is made again');
  obj.dispose();
  obj.dispose();
  assert.equal(residentMemoryStats().liveBytes, released);
});

test('mnist-cnn: the example network compiles (conv, pool, two residual convs) and its gradient agrees with the reference', () => {
  const { model } = mnistCnn({ width: 4, steps: 2 });
  const plan = compileConvNetwork(model);
  assert.deepEqual(plan.stages.map((s) => s.type), ['conv', 'pool', 'conv', 'conv']);
  const { Y, C } = problem(784, 10, 9, 13);
  const ref = classificationObjective(model, Y, C, { engine: 'reference', regularization: { theta: 1e-4, W: 1e-4 } });
  const pl = classificationObjective(model, Y, C, { engine: 'plan', regularization: { theta: 1e-4, W: 1e-4 } });
  const x = point(ref, 14);
  const a = ref.evaluate(x), b = pl.evaluate(x);
  assert.ok(Math.abs(a.value - b.value) <= 1e-13 * Math.abs(a.value));
  assert.ok(relErr(b.gradient, a.gradient) < 1e-12, `gradient rel. error ${relErr(b.gradient, a.gradient)}`);
  pl.dispose();
});

test('conv plans: what does not compile says why; the js backend and float32 take the reference path or fail clearly', () => {
  assert.match(convPlanSupport(chain([averagePoolLayer([8, 8], 2, 2), conv(4, 4, [3, 3, 2, 2], 'relu')])) ?? '', /cannot start with a pooling/);
  assert.match(convPlanSupport(singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'periodic' }), { activation: 'relu' })) ?? '', /periodic boundary has no kernel/);
  assert.match(convPlanSupport(singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero', stride: 2 }), { activation: 'relu' })) ?? '', /stride 2 has no kernel/);
  assert.match(convPlanSupport(singleLayer(conv2d([4, 4], [3, 3, 1, 2]), { activation: 'sin' })) ?? '', /activation sin has no kernel/);
  assert.match(convPlanSupport(chain([conv(4, 4, [3, 3, 1, 2], 'relu'), singleLayer(dense(3, 32))])) ?? '', /not a conv2d/);
  assert.match(convPlanSupport(resnet(() => conv(4, 4, [3, 3, 1, 1], 'relu'), { steps: 1 })) ?? '', /odd channel count cannot read the data directly/);
  assert.match(convPlanSupport(singleLayer(dense(3, 3))) ?? '', /not a conv2d/);
  assert.throws(() => compileConvNetwork(singleLayer(dense(3, 3))), /compileConvNetwork: cannot compile/);
  assert.throws(() => convPlanSupport(null as never), /convPlanSupport: model must be a Model/);
  assert.throws(() => networkPlanSupport(singleLayer(dense(3, 3)), { objectve: 'classification' } as never), /networkPlanSupport: unknown option/);
  const model = cases[0].make();
  const { Y, C } = problem(model.nIn, 5, 6, 15);
  assert.equal(classificationObjective(model, Y, C, { precision: 'float32' }).engine, 'plan', 'float32 conv plans compile');
  // A residual first stage adds the data in its own layout: 2 channels are even (float64) but not a multiple of 4 (float32).
  const res2 = resnet(() => conv(4, 4, [3, 3, 2, 2], 'relu'), { steps: 1 });
  const d2 = problem(res2.nIn, 3, 4, 16);
  assert.equal(classificationObjective(res2, d2.Y, d2.C).engine, 'plan');
  assert.throws(() => classificationObjective(res2, d2.Y, d2.C, { precision: 'float32' }),
    /classificationObjective: precision 'float32': a residual first stage with 2 channels reads the data directly: float32 needs a multiple of 4 there/);
  assert.throws(() => classificationObjective(model, Y, C, { precision: 'float32', engine: 'reference' }), /classificationObjective: precision 'float32' needs the plan: engine is 'reference'/);
  withBackend('js', () => {
    const obj = classificationObjective(model, Y, C);
    assert.equal(obj.engine, 'reference');
    assert.ok(Number.isFinite(obj.evaluate(obj.initialize(createRng(1))).value));
  });
});

// float32 plans (mixed precision: states, products and per-group partial gradients in single precision,
// x, gradient and mat-vecs float64). Their error against the float64 plan is rounding of order
// u32 = 6e-8 times the depth and the conditioning of the sums: the bound 1e-5 (max-norm relative) is
// ~100 u32 and far below what a wrong index or a missing term gives (O(1)).
const F32_TOL = 1e-5;

for (const c of cases) {
  test(`conv plan float32 vs float64 (${c.label}): value, gradient, GN mat-vecs within ${F32_TOL} relative`, () => {
    const model = c.make();
    const { Y, C } = problem(model.nIn, c.nc, 37, 3);
    let worst = 0;
    for (const coupling of ['blockDiagonal', 'full'] as const) {
      // No regularization: the mat-vecs are the Gauss-Newton products alone (a saturated softmax would make them 0 and the check NaN).
      const opts = { regularization: { theta: 0, W: 0 }, bias: c.bias, coupling, blockColumns: 8 };
      const f64 = classificationObjective(model, Y, C, opts);
      const f32 = classificationObjective(model, Y, C, { ...opts, precision: 'float32' });
      assert.equal(f32.engine, 'plan');
      const x = point(f64, 4);
      const v = createRng(5).normalArray(f64.nParams);
      for (const batch of [null, [7, 3, 36, 0, 15, 3, 20, 21, 22, 9, 1], [5]]) {
        const a = f64.evaluate(x, batch), b = f32.evaluate(x, batch);
        const ev = Math.abs(a.value - b.value) / Math.abs(a.value), eg = relErr(b.gradient, a.gradient);
        const eh = relErr(b.hessian!(v), a.hessian!(v));
        worst = Math.max(worst, ev, eg, eh);
        assert.ok(ev < F32_TOL && eg < F32_TOL && eh < F32_TOL, `${c.label} (${coupling}, batch ${batch?.length ?? 'all'}): value ${ev.toExponential(1)}, gradient ${eg.toExponential(1)}, GN ${eh.toExponential(1)}`);
        // Not float64 in disguise: the rounding of single precision shows.
        assert.ok(eg > 1e-12, `${c.label}: the float32 gradient equals the float64 one to ${eg}`);
        assert.deepEqual(f32.evaluate(x, batch).gradient, b.gradient, 'same input, same bits');
      }
      f64.dispose();
      f32.dispose();
    }
    console.log(`float32 vs float64 plan (${c.label}): largest relative error ${worst.toExponential(2)}`);
  });
}

test('conv plan float32: 1 and 2 threads give bit-identical values, gradients and GN mat-vecs', async () => {
  const model = cases[0].make();
  const { Y, C } = problem(model.nIn, 5, 150, 18);
  const opts = { regularization: { theta: 1e-5, W: 1e-5 }, precision: 'float32' } as const;
  const o1 = classificationObjective(model, Y, C, { ...opts, threads: 1 });
  const o2 = classificationObjective(model, Y, C, { ...opts, threads: 2 });
  startWasmThreads();
  for (let k = 0; k < 200 && wasmThreadsReady() < 1; k++) await new Promise((r) => setTimeout(r, 10));
  const x = point(o1, 19), v = createRng(20).normalArray(o1.nParams);
  for (const batch of [null, Array.from({ length: 64 }, (_, j) => (7 * j) % 150)]) {
    const a = o1.evaluate(x, batch), b = o2.evaluate(x, batch);
    assert.equal(b.value, a.value);
    assert.deepEqual(b.gradient, a.gradient);
    assert.deepEqual(b.hessian!(v), a.hessian!(v));
  }
  o1.dispose();
  o2.dispose();
});

// Width 8 (the example's): channels exactly two f32 vectors, four pixels / four ∇M columns per sweep, 14×14 images
// leaving a pair; width 18: a block of 16 channels and a short one.
for (const width of [8, 18]) {
  test(`mnist-cnn float32 (width ${width}): value, accuracy, gradient, GN mat-vec within single-precision tolerance of the float64 plan`, () => {
    const { model } = mnistCnn({ width, steps: 2 });
    const { Y, C } = problem(784, 10, 40, 13);
    const opts = { regularization: { theta: 0, W: 0 } };
    const f64 = classificationObjective(model, Y, C, opts);
    const f32 = classificationObjective(model, Y, C, { ...opts, precision: 'float32' });
    // Noise 0.02: with 0.3 the softmax of width·196 features saturates, and the GN products vanish.
    const x = point(f64, 14, 0.02);
    const a = f64.evaluate(x), b = f32.evaluate(x);
    const v = createRng(15).normalArray(f64.nParams);
    const ev = Math.abs(a.value - b.value) / Math.abs(a.value), eg = relErr(b.gradient, a.gradient), eh = relErr(b.hessian!(v), a.hessian!(v));
    console.log(`mnist-cnn (width ${width}) float32 vs float64 plan: value ${ev.toExponential(2)}, gradient ${eg.toExponential(2)}, GN mat-vec ${eh.toExponential(2)} (max-norm relative)`);
    assert.ok(ev < F32_TOL && eg < F32_TOL && eh < F32_TOL, `value ${ev}, gradient ${eg}, GN ${eh}`);
    assert.ok(eg > 1e-12 && eh > 1e-12, 'the float32 results are not the float64 ones');
    assert.equal(b.info?.accuracy, a.info?.accuracy);
    f64.dispose();
    f32.dispose();
  });
}
