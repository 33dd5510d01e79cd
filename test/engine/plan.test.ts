import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, releaseWasmMemory, residentMemoryStats, type Matrix } from '../../src/core/index.js';
import { startWasmThreads, wasmThreadsReady } from '../../src/core/wasm/threads.js';
import { singleLayer } from '../../src/layers/index.js';
import { chain, resnet, type Model } from '../../src/networks/index.js';
import { classificationObjective, varproObjective, type ClassificationObjective } from '../../src/objectives/index.js';
import { newtonCG } from '../../src/optimizers/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { compile, compileNetwork, networkPlanSupport } from '../../src/engine/index.js';
import { assertAdjoint, assertClose, assertTaylor } from '../helpers/assertions.js';
import { oneHot } from '../helpers/lossSuite.js';
import { checkGradient, checkHessianSymmetricPsd } from '../helpers/objectiveSuite.js';
import { withBackend } from '../helpers/backend.js';

/** The flagship's shape (opening 2 → 8, residual steps of width 8, tanh, per-row biases). */
const flagship = (steps = 16, act: 'tanh' | 'relu' | 'identity' = 'tanh') =>
  resnet(() => singleLayer(dense(8, 8), { activation: act, bias: 'vector' }), { steps, T: 4, opening: singleLayer(dense(8, 2), { activation: act, bias: 'vector' }) });

/** Networks of other shapes the plans must handle: odd widths, scalar and no biases, chains, no opening. */
const cases: { label: string; make: () => Model; nIn: number; nc: number; bias?: boolean }[] = [
  { label: 'flagship ResNet (tanh, 16 steps)', make: () => flagship(), nIn: 2, nc: 5 },
  { label: 'ResNet with ReLU, 3 steps', make: () => flagship(3, 'relu'), nIn: 2, nc: 5 },
  {
    label: 'chain of odd widths (5, 3), scalar / no bias, identity, no W bias',
    make: () => chain([singleLayer(dense(5, 3), { activation: 'tanh' }), singleLayer(dense(3, 5), { activation: 'identity', bias: 'none' })]),
    nIn: 3, nc: 4, bias: false,
  },
  { label: 'ResNet without opening, width 6, scalar bias', make: () => resnet(() => singleLayer(dense(6, 6), { activation: 'tanh' }), { steps: 4, h: 0.3 }), nIn: 6, nc: 3 },
  {
    label: 'chain of a layer and a ResNet of width 7',
    make: () => chain([singleLayer(dense(7, 2), { bias: 'vector' }), resnet(() => singleLayer(dense(7, 7), { activation: 'relu', bias: 'vector' }), { steps: 2, h: 0.5 })]),
    nIn: 2, nc: 3,
  },
];

function problem(nIn: number, nc: number, n: number, seed: number) {
  const rng = createRng(seed);
  return { Y: randn(nIn, n, rng), C: oneHot(nc, n, rng) };
}

/** A point with a non-trivial W and biases. */
function point(obj: ClassificationObjective, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = obj.initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] += 0.3 * rng.normal();
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
  test(`plan vs reference (${c.label}): value, gradient, GN mat-vecs (both couplings), mini-batches to 1e-12`, () => {
    const { Y, C } = problem(c.nIn, c.nc, 300, 3);
    const model = c.make();
    assert.equal(networkPlanSupport(model), null);
    for (const coupling of ['blockDiagonal', 'full'] as const) {
      const opts = { regularization: { theta: 1e-3, W: 1e-4 }, coupling, bias: c.bias, threads: 1 };
      const ref = classificationObjective(model, Y, C, { ...opts, engine: 'reference' });
      const pl = classificationObjective(model, Y, C, { ...opts, engine: 'plan', blockColumns: 64 });
      assert.equal(pl.engine, 'plan');
      assert.equal(ref.engine, 'reference');
      const x = point(ref, 4);
      const v = createRng(5).normalArray(ref.nParams);
      for (const batch of [null, [7, 3, 299, 0, 150, 3, 64, 65, 66]]) {
        const a = ref.evaluate(x, batch), b = pl.evaluate(x, batch);
        assert.ok(Math.abs(a.value - b.value) <= 1e-13 * Math.abs(a.value), `${c.label}: value ${b.value} vs ${a.value}`);
        assert.equal(b.info?.accuracy, a.info?.accuracy);
        assert.ok(relErr(b.gradient, a.gradient) < 1e-12, `${c.label} ${coupling}: gradient rel. error ${relErr(b.gradient, a.gradient)}`);
        const ha = a.hessian!(v), hb = b.hessian!(v);
        assert.ok(relErr(hb, ha) < 1e-12, `${c.label} ${coupling}: GN mat-vec rel. error ${relErr(hb, ha)}`);
      }
      pl.dispose();
    }
  });
}

test('VarPro through the plan: value, gradient and both Gauss-Newton mat-vecs agree with the reference path; old states are restored', () => {
  const { Y, C } = problem(2, 5, 300, 24);
  for (const hessian of ['block', 'schur'] as const) {
    const opts = { regularization: { theta: 1e-4, W: 1e-3 }, hessian, inner: { tol: 1e-12 }, threads: 1 };
    const ref = varproObjective(flagship(6), Y, C, { ...opts, engine: 'reference' });
    const pl = varproObjective(flagship(6), Y, C, { ...opts, engine: 'plan' });
    assert.equal(pl.engine, 'plan');
    const x = ref.initialize(createRng(25));
    const v = createRng(26).normalArray(ref.nParams);
    const a = ref.evaluate(x), b = pl.evaluate(x);
    assert.ok(Math.abs(a.value - b.value) <= 1e-12 * Math.abs(a.value), `${hessian}: value ${b.value} vs ${a.value}`);
    assert.ok(relErr(b.gradient, a.gradient) < 1e-9, `${hessian}: gradient rel. error ${relErr(b.gradient, a.gradient)}`);
    // Another evaluation in between: the first one's mat-vec must restore its states.
    pl.evaluate(point(classificationObjective(flagship(6), Y, C), 27).subarray(0, ref.nParams), [1, 2, 3]);
    const ha = a.hessian!(v), hb = b.hessian!(v);
    assert.ok(relErr(hb, ha) < 1e-9, `${hessian}: GN mat-vec rel. error ${relErr(hb, ha)}`);
    pl.dispose();
  }
});

test('plan path: gradient Taylor test, GN mat-vec symmetric and positive semi-definite (flagship, 200 points)', () => {
  const { Y, C } = problem(2, 5, 200, 6);
  const obj = classificationObjective(flagship(), Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, engine: 'plan', threads: 1 });
  const x = point(obj, 7);
  checkGradient('plan flagship', obj, x);
  checkHessianSymmetricPsd('plan flagship', obj, x);
  obj.dispose();
});

test('compile: forward, jvp and vjp agree with the model; Taylor test of forward and adjoint test of jvp/vjp through the plan', () => {
  const model = flagship(5);
  const rng = createRng(8);
  const Y = randn(2, 150, rng);
  const theta = model.initialize(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.2 * rng.normal();
  const net = compile(model, { batch: 150, threads: 1, blockColumns: 32 });
  const Z = net.forward(theta, Y);
  const state = model.forward(theta, Y);
  assertClose(Z, state.output, 1e-13, 'forward');
  const dx = rng.normalArray(model.nParams);
  assertClose(net.jvp(dx), model.jvp(theta, state, dx, null), 1e-12, 'jvp');
  const W = randn(8, 150, rng);
  assertClose(net.vjp(W), model.vjp(theta, state, W).dx, 1e-12, 'vjp');
  // Taylor: F(θ + h v) = F(θ) + h J v + O(h²), with F and J v from the plan.
  const Jv = net.jvp(dx).data;
  assertTaylor('plan forward', (t) => {
    const other = compile(model, { batch: 150, threads: 1 });
    const z = other.forward(t, Y).data;
    other.dispose();
    return z;
  }, theta, dx, { jvp: Jv });
  net.forward(theta, Y);
  assertAdjoint('plan jvp / vjp', (v) => net.jvp(v).data, (w) => net.vjp({ ...W, data: w, shape: [8, 150] } as unknown as Matrix), { nIn: model.nParams, nOut: 8 * 150, rng: createRng(9), tol: 1e-12 });
  net.dispose();
});

test('re-entrancy: two objectives used alternately, and one nested inside the other\'s callback, give bit-identical results to each alone', () => {
  const p1 = problem(2, 5, 260, 10), p2 = problem(2, 5, 140, 11);
  const make1 = () => classificationObjective(flagship(4), p1.Y, p1.C, { regularization: { theta: 1e-4, W: 1e-4 }, threads: 1 });
  const make2 = () => classificationObjective(flagship(6), p2.Y, p2.C, { regularization: { theta: 1e-3, W: 1e-3 }, threads: 1 });
  const o1 = make1(), o2 = make2();
  const x1 = point(o1, 12), x2 = point(o2, 13);
  const v1 = createRng(14).normalArray(o1.nParams), v2 = createRng(15).normalArray(o2.nParams);
  const alone1 = o1.evaluate(x1), h1 = alone1.hessian!(v1);
  const alone2 = o2.evaluate(x2), h2 = alone2.hessian!(v2);
  // Alternately, with fresh objectives: evaluations interleaved, then the mat-vecs of the older evaluations.
  const a1 = make1(), a2 = make2();
  const e1 = a1.evaluate(x1), e2 = a2.evaluate(x2);
  assert.deepEqual(e1.hessian!(v1), h1);
  assert.deepEqual(e2.hessian!(v2), h2);
  assert.equal(e1.value, alone1.value);
  assert.deepEqual(e1.gradient, alone1.gradient);
  // An evaluation of the same objective at another point between an evaluation and its mat-vec.
  const e1b = a1.evaluate(x1);
  a1.evaluate(point(a1, 16), [1, 2, 3]);
  a1.evaluate(point(a1, 17));
  assert.deepEqual(e1b.hessian!(v1), h1);
  // Nested: Newton-CG on o1 with the other objective evaluated inside its callback.
  const run = (nested: boolean) => {
    const o = make1(), other = make2();
    return newtonCG(o, x1, {
      maxIter: 3, cgMaxIter: 5,
      onIteration: nested ? () => {
        const ev = other.evaluate(x2);
        ev.hessian!(v2);
        return undefined;
      } : undefined,
    });
  };
  assert.deepEqual(run(true).x, run(false).x);
});

test('evaluate with gradientOut and hessian: false: the same value and gradient bit for bit, written into the caller\'s array, x read only during the call', () => {
  const { Y, C } = problem(2, 5, 300, 40);
  const o = classificationObjective(flagship(4), Y, C, { regularization: { theta: 1e-4, W: 1e-4 }, threads: 1 });
  const x = point(o, 41), v = createRng(42).normalArray(o.nParams);
  const out = new Float64Array(o.nParams).fill(NaN); // stale contents must not leak into the gradient
  for (const batch of [null, [5, 17, 3, 250, 17]]) {
    const ref = o.evaluate(x, batch);
    const href = ref.hessian!(v);
    const ev = o.evaluate(x, batch, { gradientOut: out, hessian: false });
    assert.equal(ev.gradient, out, 'the gradient is the caller\'s array');
    assert.equal(ev.value, ref.value);
    assert.deepEqual(Array.from(ev.gradient), Array.from(ref.gradient));
    assert.equal(ev.hessian, undefined);
    assert.deepEqual(ev.info, ref.info);
    // The older evaluation's mat-vec still gives its own numbers after the new one (states restored from its copy of x).
    assert.deepEqual(ref.hessian!(v), href);
    // x may change right after a call without a Hessian: the next call sees the new x only.
    const x2 = x.slice();
    const e2 = o.evaluate(x2, batch, { gradientOut: out, hessian: false });
    x2.fill(0);
    assert.equal(e2.value, ref.value);
  }
  // A wrong-sized array is ignored (a new gradient), never written.
  const short = new Float64Array(3);
  const ev = o.evaluate(x, null, { gradientOut: short });
  assert.notEqual(ev.gradient, short);
  assert.deepEqual(Array.from(short), [0, 0, 0]);
  assert.equal(typeof ev.hessian, 'function');
  o.dispose();
});

test('1 and 2 threads give bit-identical values, gradients and GN mat-vecs; a short batch gives the same numbers in any workspace', async () => {
  const { Y, C } = problem(2, 5, 1000, 18);
  const o1 = classificationObjective(flagship(), Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 1 });
  const o2 = classificationObjective(flagship(), Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 2 });
  startWasmThreads();
  for (let k = 0; k < 200 && wasmThreadsReady() < 1; k++) await new Promise((r) => setTimeout(r, 10));
  const x = point(o1, 19), v = createRng(20).normalArray(o1.nParams);
  const a = o1.evaluate(x), b = o2.evaluate(x);
  assert.equal(b.value, a.value);
  assert.deepEqual(b.gradient, a.gradient);
  assert.deepEqual(b.hessian!(v), a.hessian!(v));
  // A short last batch: the same columns in a workspace sized for 32 and in one sized for 8.
  const last = [992, 993, 994, 995, 996, 997, 998, 999];
  o1.evaluate(x, Array.from({ length: 32 }, (_, j) => j));
  const big = o1.evaluate(x, last);
  const fresh = classificationObjective(flagship(), Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 1 });
  const small = fresh.evaluate(x, last);
  assert.equal(big.value, small.value);
  assert.deepEqual(big.gradient, small.gradient);
  assert.deepEqual(big.hessian!(v), small.hessian!(v));
  for (const o of [o1, o2, fresh]) o.dispose();
});

test('dispose gives the WebAssembly memory back; an objective evaluates again after it; the js backend uses the reference path', () => {
  const { Y, C } = problem(2, 5, 300, 21);
  const before = residentMemoryStats().liveBytes;
  const obj = classificationObjective(flagship(), Y, C, { threads: 1 });
  const x = point(obj, 22);
  const a = obj.evaluate(x);
  obj.evaluate(x, [1, 2, 3]);
  assert.ok(residentMemoryStats().liveBytes > before);
  obj.dispose();
  assert.equal(residentMemoryStats().liveBytes, before);
  const b = obj.evaluate(x);
  assert.equal(b.value, a.value);
  obj.dispose();
  obj.dispose();
  assert.equal(residentMemoryStats().liveBytes, before);
  const r = withBackend('js', () => {
    assert.equal(obj.engine, 'reference');
    return obj.evaluate(x);
  });
  assert.ok(relErr(r.gradient, a.gradient) < 1e-12);
});

test('plans: clear errors and fallbacks', () => {
  const { Y, C } = problem(2, 5, 20, 23);
  const conv = singleLayer(conv2d([4, 4], [3, 3, 1, 1]), {});
  assert.match(networkPlanSupport(conv) ?? '', /not dense/);
  assert.match(networkPlanSupport(resnet(() => singleLayer(dense(2, 2), { activation: 'sin' }), { steps: 2 })) ?? '', /activation sin has no kernel/);
  assert.throws(() => compileNetwork(conv), /compileNetwork: cannot compile/);
  assert.match(networkPlanSupport({ ...flagship(2), openingScale: 0.25 } as Model) ?? '', /opening scale \(0.25\) has no kernel/);
  assert.equal(networkPlanSupport({ ...flagship(2), openingScale: 1 } as Model), null);
  assert.throws(() => classificationObjective(resnet(() => singleLayer(dense(2, 2), { activation: 'sin' }), { steps: 2 }), Y, C, { engine: 'plan' }), /classificationObjective: engine 'plan': .*sin/);
  assert.throws(() => classificationObjective(flagship(2), Y, C, { loss: 'leastSquares', engine: 'plan' }), /classificationObjective: engine 'plan': loss leastSquares/);
  assert.equal(classificationObjective(flagship(2), Y, C, { loss: 'leastSquares' }).engine, 'reference');
  assert.throws(() => classificationObjective(flagship(2), Y, C, { engine: 'gpu' as never }), /classificationObjective: engine must be/);
  assert.throws(() => classificationObjective(flagship(2), Y, C, { threads: 0 }), /classificationObjective: threads must be a positive integer/);
  const net = compile(flagship(2), { batch: 8 });
  assert.throws(() => net.jvp(new Float64Array(net.plan.nParams)), /compile.jvp: call forward first/);
  assert.throws(() => net.forward(new Float64Array(net.plan.nParams), randn(2, 9, createRng(1))), /compile.forward: Y is 2×9, expected 2 rows and 1 … 8 columns/);
  net.dispose();
  assert.throws(() => compile(conv, { batch: 4 }), /compile: cannot compile/);
});

test('plan tanh: values and derivatives agree with Math.tanh to a few ulps over [−40, 40], zero, tiny and huge inputs', () => {
  const layer = singleLayer(dense(2, 2), { activation: 'tanh', bias: 'none' });
  const xs: number[] = [0, 1e-300, -1e-20, 1e-8, 0.5, -0.5, 0.34657359, 0.3465736, 20, -20, 40, -40, 400, -1e5];
  for (let i = 0; i < 400; i++) xs.push(-40 + (80 * i) / 399 + 1e-3 * Math.sin(i));
  if (xs.length % 2) xs.push(0.125);
  const n = xs.length / 2;
  const Y = { ...randn(2, n, createRng(1)) } as Matrix;
  Y.data.set(xs);
  const identity = new Float64Array([1, 0, 0, 1]);
  const net = compile(layer, { batch: n, threads: 1 });
  const Z = net.forward(identity, Y).data;
  // J_θ dθ with dK = I: A ∘ Y, A = tanh'(Y).
  const dZ = net.jvp(identity).data;
  for (let i = 0; i < xs.length; i++) {
    const t = Math.tanh(xs[i]);
    assert.ok(Math.abs(Z[i] - t) <= 4e-16 * Math.abs(t), `tanh(${xs[i]}) = ${Z[i]}, Math.tanh gives ${t}`);
    const d = xs[i] / Math.cosh(xs[i]) ** 2; // tanh' = 1/cosh², without the cancellation of 1 − tanh²
    assert.ok(Math.abs(dZ[i] - d) <= 4e-15 * Math.abs(d) + 1e-290, // the clamp at |x| = 350 leaves tanh' ≈ 4e−304 instead of underflowing to 0
      `tanh'(${xs[i]})·${xs[i]} = ${dZ[i]}, expected ${d}`);
  }
  net.dispose();
});

test('float32 plans: values, gradients and GN mat-vecs within f32 rounding of float64; 1 and 2 threads bit-identical; clear errors', async () => {
  for (const c of [cases[0], cases[2], cases[4]]) {
    const { Y, C } = problem(c.nIn, c.nc, 400, 28);
    const opts = { regularization: { theta: 1e-4, W: 1e-4 }, bias: c.bias, threads: 1 };
    const o64 = classificationObjective(c.make(), Y, C, opts);
    const o32 = classificationObjective(c.make(), Y, C, { ...opts, precision: 'float32' });
    const x = point(o64, 29), v = createRng(30).normalArray(o64.nParams);
    const a = o64.evaluate(x), b = o32.evaluate(x);
    assert.ok(Math.abs(a.value - b.value) <= 1e-6 * Math.abs(a.value), `${c.label}: f32 value ${b.value} vs ${a.value}`);
    assert.ok(relErr(b.gradient, a.gradient) < 1e-4, `${c.label}: f32 gradient rel. error ${relErr(b.gradient, a.gradient)}`);
    assert.ok(relErr(b.gradient, a.gradient) > 1e-12, `${c.label}: the f32 gradient equals the f64 one: not computed in f32?`);
    assert.ok(relErr(b.hessian!(v), a.hessian!(v)) < 1e-4, `${c.label}: f32 GN mat-vec`);
    o32.dispose();
  }
  const { Y, C } = problem(2, 5, 1000, 31);
  const t1 = classificationObjective(flagship(), Y, C, { threads: 1, precision: 'float32' });
  const t2 = classificationObjective(flagship(), Y, C, { threads: 2, precision: 'float32' });
  startWasmThreads();
  for (let k = 0; k < 200 && wasmThreadsReady() < 1; k++) await new Promise((r) => setTimeout(r, 10));
  const x = point(t1, 32), v = createRng(33).normalArray(t1.nParams);
  const a = t1.evaluate(x), b = t2.evaluate(x);
  assert.equal(b.value, a.value);
  assert.deepEqual(b.gradient, a.gradient);
  assert.deepEqual(b.hessian!(v), a.hessian!(v));
  const model = flagship(3);
  const theta = model.initialize(createRng(34));
  const net = compile(model, { batch: 50, precision: 'float32', threads: 1 });
  const Yc = randn(2, 50, createRng(35));
  assertClose(net.forward(theta, Yc), model.forward(theta, Yc).output, 1e-5, 'f32 forward');
  net.dispose();
  assert.throws(() => classificationObjective(flagship(2), Y, C, { precision: 'float32', engine: 'reference' }), /classificationObjective: precision 'float32' needs the plan: engine is 'reference'/);
  assert.throws(() => classificationObjective(resnet(() => singleLayer(dense(2, 2), { activation: 'sin' }), { steps: 2 }), Y, C, { precision: 'float32' }), /precision 'float32' needs the plan: .*sin/);
  assert.throws(() => classificationObjective(flagship(2), Y, C, { precision: 'half' as never }), /classificationObjective: precision must be 'float64' or 'float32'/);
  assert.throws(() => classificationObjective(resnet(() => singleLayer(dense(6, 6)), { steps: 2 }), randn(6, 10, createRng(1)), oneHot(3, 10, createRng(2)), { precision: 'float32' }), /classificationObjective: precision 'float32': a residual layer of width 6 reads 6 rows: float32 needs a width that is a multiple of 4/);
  for (const o of [t1, t2]) o.dispose();
});

test('a Hessian mat-vec of an evaluation still works after dispose() and after releaseWasmMemory()', () => {
  const { Y, C } = problem(2, 5, 200, 36);
  const obj = classificationObjective(flagship(3), Y, C, { threads: 1 });
  const x = point(obj, 37), v = createRng(38).normalArray(obj.nParams);
  const full = obj.evaluate(x), batch = obj.evaluate(x, [4, 8, 15, 16, 23, 42]);
  const hf = full.hessian!(v), hb = batch.hessian!(v);
  obj.dispose();
  assert.deepEqual(full.hessian!(v), hf);
  assert.deepEqual(batch.hessian!(v), hb);
  releaseWasmMemory();
  assert.deepEqual(full.hessian!(v), hf);
  assert.deepEqual(batch.hessian!(v), hb);
  assert.equal(obj.evaluate(x).value, full.value);
  obj.dispose();
});
