import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, dot, identityOperator, mat, randn, vec } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { softmaxCrossEntropy, tikhonov } from '../../src/losses/index.js';
import { resnet } from '../../src/networks/index.js';
import { classificationObjective, innerNewtonCG, predict, varproObjective, type Objective } from '../../src/objectives/index.js';
import { dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { oneHot } from '../helpers/lossSuite.js';
import { checkEvaluateBasics, checkGradient, checkHessianSymmetricPsd } from '../helpers/objectiveSuite.js';

const nf = 2, nc = 3, n = 20;
const data = (seed: number) => {
  const rng = createRng(seed);
  return { Y: randn(nf, n, rng), C: oneHot(nc, n, rng), T: randn(2, n, rng) };
};
const net = () => resnet(() => singleLayer(dense(4, 4), { bias: 'vector' }), { steps: 2, T: 1, opening: singleLayer(dense(4, nf), { bias: 'vector' }) });
const thetaOf = (model: { initialize: (r: ReturnType<typeof createRng>) => Float64Array }, seed: number) => {
  const rng = createRng(seed);
  const x = model.initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] += 0.3 * rng.normal();
  return x;
};
const tight = { tol: 1e-12, maxIter: 50, cgMaxIter: 100 };

/** Directional derivative of f at θ along v by central differences: 2nd order (h) and 4th order (h, 2h). */
function finiteDifferences(f: (t: Float64Array) => number, theta: Float64Array, v: Float64Array, h: number) {
  const at = (s: number) => f(Float64Array.from(theta, (t, i) => t + s * h * v[i]));
  const p1 = at(1), m1 = at(-1), p2 = at(2), m2 = at(-2);
  return { fd2: (p1 - m1) / (2 * h), fd4: (8 * (p1 - m1) - (p2 - m2)) / (12 * h) };
}

test('varproObjective (cross-entropy): gradient = finite difference of the reduced objective (tight inner solve)', () => {
  const { Y, C } = data(1);
  const model = net();
  const phi = varproObjective(model, Y, C, { regularization: { W: 1e-3, theta: 1e-4 }, inner: tight });
  const theta = thetaOf(model, 2);
  const ev = phi.evaluate(theta);
  const rep = phi.lastInner()!;
  assert.ok(rep.gradNorm <= 1e-12, `inner gradient norm ${rep.gradNorm}`);
  assert.equal(rep.flag, 'converged');
  const lines: string[] = [];
  const v = createRng(3).normalArray(phi.nParams);
  const gv = dot(ev.gradient, v);
  const value = (t: Float64Array) => phi.evaluate(t, null, { valueOnly: true }).value;
  let worst = 0;
  for (const h of [1e-2, 1e-3, 1e-4]) {
    const { fd2, fd4 } = finiteDifferences(value, theta, v, h);
    const r2 = Math.abs(fd2 - gv) / Math.abs(gv), r4 = Math.abs(fd4 - gv) / Math.abs(gv);
    lines.push(`h = ${h.toExponential(0)}: central FD ${fd2.toPrecision(13)} (rel. diff. ${r2.toExponential(2)}), 4th-order FD ${fd4.toPrecision(13)} (rel. diff. ${r4.toExponential(2)})`);
    if (h === 1e-4) worst = r4;
  }
  console.log(`VarPro gradient check (cross-entropy, ResNet N = 2, inner ‖∇_W‖ = ${rep.gradNorm.toExponential(2)} after ${rep.iterations} Newton steps): ∇Φᵀv = ${gv.toPrecision(13)}\n${lines.join('\n')}`);
  assert.ok(worst < 1e-9, `relative difference ${worst}`);
  const r = checkGradient('varpro cross-entropy', phi, theta);
  console.log(`VarPro Taylor orders (E1): ${r.orders1.slice(0, 12).map((o) => o.toFixed(2)).join(' ')}`);
});

test('varproObjective (cross-entropy): a loose inner solve gives a visibly worse gradient', () => {
  const { Y, C } = data(1);
  const model = net();
  const theta = thetaOf(model, 2);
  const v = createRng(3).normalArray(model.nParams);
  const exact = varproObjective(model, Y, C, { regularization: { W: 1e-3 }, inner: tight });
  const gExact = dot(exact.evaluate(theta).gradient, v);
  const loose = varproObjective(model, Y, C, { regularization: { W: 1e-3 }, inner: { maxIter: 1, warmStart: false } });
  const gLoose = dot(loose.evaluate(theta).gradient, v);
  assert.ok(loose.lastInner()!.gradNorm > 1e-6);
  assert.ok(Math.abs(gLoose - gExact) > 1e-8 * Math.abs(gExact));
});

test('varproObjective (least squares): closed-form W(θ), gradient = finite difference', () => {
  const { Y, T } = data(4);
  const model = net();
  for (const W of [0, 1e-2]) {
    const phi = varproObjective(model, Y, T, { loss: 'leastSquares', regularization: { W } });
    const theta = thetaOf(model, 5);
    const ev = phi.evaluate(theta);
    const rep = phi.lastInner()!;
    assert.equal(rep.method, 'closedForm');
    assert.ok(rep.gradNorm < 1e-12, `normal equations residual ${rep.gradNorm}`);
    const v = createRng(6).normalArray(phi.nParams);
    const gv = dot(ev.gradient, v);
    const { fd2, fd4 } = finiteDifferences((t) => phi.evaluate(t).value, theta, v, 1e-4);
    const r4 = Math.abs(fd4 - gv) / Math.abs(gv);
    console.log(`VarPro gradient check (least squares, closed form, λ_W = ${W}): ∇Φᵀv = ${gv.toPrecision(13)}, central FD (h = 1e-4) ${fd2.toPrecision(13)}, 4th-order FD ${fd4.toPrecision(13)} (rel. diff. ${r4.toExponential(2)})`);
    assert.ok(r4 < 1e-9, `relative difference ${r4}`);
    checkGradient(`varpro least squares λ=${W}`, phi, theta);
  }
});

test('varproObjective (least squares): closed form = CG with a general L = inner Newton-CG = the full objective minimised in W', () => {
  const { Y, T } = data(7);
  const model = net();
  const theta = thetaOf(model, 8);
  const nW = 2 * 5;
  const a = varproObjective(model, Y, T, { loss: 'leastSquares', regularization: { W: 0.05 } });
  const b = varproObjective(model, Y, T, { loss: 'leastSquares', regularization: { W: tikhonov({ lambda: 0.05, L: identityOperator(nW) }) } });
  const c = varproObjective(model, Y, T, { loss: 'leastSquares', regularization: { W: 0.05 }, inner: { solve: (obj, w0) => innerNewtonCG(obj, w0, { tol: 1e-13, cgMaxIter: 100 }) } });
  const va = a.evaluate(theta).value, vb = b.evaluate(theta).value, vc = c.evaluate(theta).value;
  assert.equal(b.lastInner()!.method, 'closedForm');
  assert.ok(b.lastInner()!.cgIterations > 0, 'general L goes through CG');
  assert.equal(c.lastInner()!.method, 'custom');
  assertClose(b.currentW()!, a.currentW()!, 1e-10, 'W: CG vs Cholesky');
  assertClose(c.currentW()!, a.currentW()!, 1e-10, 'W: Newton-CG vs Cholesky');
  assert.ok(Math.abs(va - vb) < 1e-13 && Math.abs(va - vc) < 1e-13);
  // Φ(θ) is the full objective at [θ; vec W(θ)], whose W-gradient vanishes there.
  const full = classificationObjective(model, Y, T, { loss: 'leastSquares', regularization: { W: 0.05 } });
  const x = new Float64Array(full.nParams);
  x.set(theta, 0);
  x.set(vec(a.currentW()!), model.nParams);
  const fe = full.evaluate(x);
  assert.ok(Math.abs(fe.value - va) < 1e-14);
  assertClose(fe.gradient.subarray(0, model.nParams), a.evaluate(theta).gradient, 1e-12, 'partial gradient = reduced gradient');
  let gw = 0;
  for (const g of fe.gradient.subarray(model.nParams)) gw = Math.max(gw, Math.abs(g));
  assert.ok(gw < 1e-12, `∇_W at W(θ) = ${gw}`);
});

for (const hessian of ['block', 'schur'] as const) {
  for (const loss of ['crossEntropy', 'leastSquares'] as const) {
    test(`varproObjective (${loss}, ${hessian} GN Hessian): symmetric, PSD, basics`, () => {
      const { Y, C, T } = data(9);
      const model = net();
      const phi = varproObjective(model, Y, loss === 'crossEntropy' ? C : T, { loss, hessian, regularization: { W: 1e-2 }, inner: tight });
      const theta = thetaOf(model, 10);
      checkEvaluateBasics(`varpro ${loss} ${hessian}`, phi, theta);
      checkHessianSymmetricPsd(`varpro ${loss} ${hessian}`, phi, theta, 2, hessian === 'schur' ? 1e-9 : 1e-12);
    });
  }
}

test('varproObjective: the Schur Hessian is below the θ block (vᵀH_schur v ≤ vᵀH_θθ v)', () => {
  const { Y, C } = data(11);
  const model = net();
  const theta = thetaOf(model, 12);
  const blk = varproObjective(model, Y, C, { regularization: { W: 1e-2 }, inner: tight }).evaluate(theta).hessian!;
  const sch = varproObjective(model, Y, C, { regularization: { W: 1e-2 }, inner: tight, hessian: 'schur' }).evaluate(theta).hessian!;
  const rng = createRng(13);
  for (let t = 0; t < 5; t++) {
    const v = rng.normalArray(model.nParams);
    const a = dot(v, sch(v)), b = dot(v, blk(v));
    assert.ok(a <= b * (1 + 1e-10) && a >= -1e-12, `schur ${a}, block ${b}`);
  }
});

test('varproObjective: warm start, counters, solveW, batches, custom inner solver, predict', () => {
  const { Y, C } = data(14);
  const model = net();
  const theta = thetaOf(model, 15);
  const phi = varproObjective(model, Y, C, { regularization: { W: 1e-3 }, inner: { tol: 1e-10 } });
  assert.equal(phi.currentW(), null);
  phi.evaluate(theta);
  const first = phi.lastInner()!;
  assert.ok(first.iterations >= 3, `cold start took ${first.iterations} Newton steps`);
  const ev = phi.evaluate(theta);
  assert.equal(phi.lastInner()!.iterations, 0, 'warm start at the same θ is already converged');
  assert.equal(ev.info!.innerIterations, 0);
  assert.deepEqual(phi.currentW()!.shape, [nc, 5]);
  assert.equal(phi.counters.evaluations, 2);
  assert.equal(phi.counters.forwardPasses, 2);
  assert.equal(phi.counters.innerIterations, first.iterations);
  phi.resetCounters();
  ev.hessian!(new Float64Array(phi.nParams));
  assert.equal(phi.counters.hessianMatVecs, 1);
  assert.equal(phi.counters.modelJvps, 1);
  phi.resetWarmStart();
  const { W, report } = phi.solveW(theta);
  assert.ok(report.iterations >= 3 && report.gradNorm <= 1e-10);
  // predict with the eliminated W.
  const p = predict(model, theta, Y, { W });
  assert.equal(p.labels.length, n);
  assert.equal(Array.from(p.labels).filter((l, j) => C.get(l, j) === 1).length / n, ev.info!.accuracy);
  // Batches: W is solved on the batch.
  const evb = phi.evaluate(theta, [0, 2, 4, 6, 8, 10]);
  assert.equal(evb.info!.batchSize, 6);
  // A custom inner solver receives the inner objective over vec(W) and a warm start.
  let calls = 0;
  const custom = varproObjective(model, Y, C, {
    regularization: { W: 1e-3 },
    inner: {
      solve: (obj: Objective, w0: Float64Array) => {
        calls++;
        assert.equal(obj.nParams, nc * 5);
        assert.equal(w0.length, nc * 5);
        return innerNewtonCG(obj, w0, { tol: 1e-10 });
      },
    },
  });
  assertClose(custom.evaluate(theta).gradient, ev.gradient, 1e-8);
  assert.equal(calls, 1);
  assert.equal(custom.lastInner()!.method, 'custom');
  // The inner objective is softmaxCrossEntropy + (λ/2)‖W‖² at the features.
  const Z = model.forward(theta, Y).output;
  const Wm = mat(vec(W), nc, 5);
  const val = softmaxCrossEntropy(Wm, Z, C).value + 0.5e-3 * dot(vec(W), vec(W));
  const phiVal = varproObjective(model, Y, C, { regularization: { W: 1e-3 }, inner: { tol: 1e-10 } }).evaluate(theta).value;
  assert.ok(Math.abs(phiVal - val) < 1e-12, `Φ = ${phiVal}, E + R at W(θ) = ${val}`);
});

test('varproObjective: bad arguments give clear errors', () => {
  const { Y, C } = data(16);
  const model = singleLayer(dense(3, nf));
  assert.throws(() => varproObjective(model, Y, C, { hessian: 'exact' as never }), /varproObjective: hessian must be 'block' or 'schur', got exact/);
  assert.throws(() => varproObjective(model, Y, C, { inner: { solve: 3 as never } }), /varproObjective: inner.solve must be a function/);
  assert.throws(() => varproObjective(model, Y, C, { inner: { maxIter: 0 } }), /varproObjective: inner.maxIter must be a positive integer, got 0/);
  assert.throws(() => varproObjective(model, Y, C, { regularization: { W: tikhonov({ L: identityOperator(5) }) } }), /regularization.W acts on vectors of length 5, expected nc·nW = 12/);
  const phi = varproObjective(model, Y, C);
  assert.throws(() => phi.evaluate(new Float64Array(2)), /varproObjective.evaluate: x has length 2, expected 7/);
  const bad = varproObjective(model, Y, C, { inner: { solve: () => ({ x: new Float64Array(1) }) } });
  assert.throws(() => bad.evaluate(new Float64Array(7)), /varproObjective: inner.solve must return \{ x \} with x a Float64Array of length 12/);
});
