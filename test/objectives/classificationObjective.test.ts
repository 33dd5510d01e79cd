import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, dot, randn, selectColumns, vec, type Matrix } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { tikhonov } from '../../src/losses/index.js';
import { chain, resnet } from '../../src/networks/index.js';
import { classificationObjective, predict } from '../../src/objectives/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { assertClose, assertTaylor } from '../helpers/assertions.js';
import { oneHot } from '../helpers/lossSuite.js';
import { checkEvaluateBasics, checkGradient, checkHessianSymmetricPsd } from '../helpers/objectiveSuite.js';

const nf = 3, nc = 3, n = 12;
const data = (seed: number) => {
  const rng = createRng(seed);
  return { Y: randn(nf, n, rng), C: oneHot(nc, n, rng), rng };
};
const net = () => resnet(() => singleLayer(dense(4, 4), { bias: 'vector' }), { steps: 3, T: 1, opening: singleLayer(dense(4, nf), { bias: 'vector' }) });
const point = (obj: { nParams: number; initialize: (r: ReturnType<typeof createRng>) => Float64Array }, seed: number) => {
  const rng = createRng(seed);
  const x = obj.initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] += 0.3 * rng.normal();
  return x;
};

const configs = [
  { label: 'cross-entropy, ResNet, block-diagonal GN', loss: 'crossEntropy' as const, coupling: 'blockDiagonal' as const, make: net },
  { label: 'cross-entropy, ResNet, full GN coupling', loss: 'crossEntropy' as const, coupling: 'full' as const, make: net },
  { label: 'least squares, single layer, block-diagonal GN, regularised', loss: 'leastSquares' as const, coupling: 'blockDiagonal' as const, make: () => singleLayer(dense(5, nf), { bias: 'vector' }), reg: { theta: 1e-2, W: tikhonov({ lambda: 1e-3 }) } },
  { label: 'least squares, chain, full GN coupling, no W bias', loss: 'leastSquares' as const, coupling: 'full' as const, bias: false, make: () => chain([singleLayer(dense(4, nf)), singleLayer(dense(4, 4), { activation: 'sin' })]) },
];

for (const c of configs) {
  test(`classificationObjective (${c.label}): gradient Taylor test, value-only, x untouched`, () => {
    const { Y, C } = data(1);
    const obj = classificationObjective(c.make(), Y, C, { loss: c.loss, coupling: c.coupling, regularization: c.reg, bias: c.bias });
    const x = point(obj, 2);
    checkEvaluateBasics(c.label, obj, x);
    checkGradient(c.label, obj, x);
  });

  test(`classificationObjective (${c.label}): Gauss-Newton mat-vec symmetric and PSD; W block exact`, () => {
    const { Y, C } = data(3);
    const obj = classificationObjective(c.make(), Y, C, { loss: c.loss, coupling: c.coupling, regularization: c.reg, bias: c.bias });
    const x = point(obj, 4);
    checkHessianSymmetricPsd(c.label, obj, x);
    // The loss is quadratic-or-convex and linear-in-W inside: the W block of H is the exact Hessian in W.
    const nT = obj.nTheta;
    const vW = new Float64Array(obj.nParams);
    vW.set(createRng(5).normalArray(obj.nParams - nT), nT);
    const H = obj.evaluate(x).hessian!;
    assertTaylor(`${c.label} W block`, (z) => obj.evaluate(z).gradient.subarray(nT), x, vW, { jvp: H(vW).subarray(nT) });
  });
}

test('classificationObjective: full coupling is Jᵀ ∇²_S E J (least squares: vᵀHv = ‖J_S v‖²/n, J_S v by central differences)', () => {
  const { Y, C } = data(6);
  const model = chain([singleLayer(dense(4, nf)), singleLayer(dense(3, 4), { activation: 'sin' })]);
  const obj = classificationObjective(model, Y, C, { loss: 'leastSquares', coupling: 'full' });
  const x = point(obj, 7);
  const v = createRng(8).normalArray(obj.nParams);
  const S = (z: Float64Array) => predict(model, z, Y).scores.data;
  const h = 1e-6;
  const xp = Float64Array.from(x, (xi, i) => xi + h * v[i]), xm = Float64Array.from(x, (xi, i) => xi - h * v[i]);
  const Sp = S(xp), Sm = S(xm);
  let q = 0;
  for (let k = 0; k < Sp.length; k++) q += ((Sp[k] - Sm[k]) / (2 * h)) ** 2;
  q /= n;
  const vHv = dot(v, obj.evaluate(x).hessian!(v));
  assert.ok(Math.abs(vHv - q) < 1e-7 * q, `vᵀHv = ${vHv}, ‖J_S v‖²/n = ${q}`);
  // And the block-diagonal version agrees with it on the diagonal blocks.
  const blk = classificationObjective(model, Y, C, { loss: 'leastSquares' }).evaluate(x).hessian!;
  const full = obj.evaluate(x).hessian!;
  const vT = Float64Array.from(v, (vi, i) => (i < obj.nTheta ? vi : 0));
  assertClose(blk(vT).subarray(0, obj.nTheta), full(vT).subarray(0, obj.nTheta), 1e-12, 'θθ block');
});

test('classificationObjective: a batch is the objective on those columns; counters count the cost', () => {
  const { Y, C } = data(9);
  const model = net();
  const obj = classificationObjective(model, Y, C, { regularization: { theta: 1e-3 } });
  const x = point(obj, 10);
  const batch = [1, 4, 5, 11];
  const sub = classificationObjective(model, selectColumns(Y, batch), selectColumns(C, batch), { regularization: { theta: 1e-3 } });
  obj.resetCounters();
  const a = obj.evaluate(x, batch), b = sub.evaluate(x);
  assert.equal(a.value, b.value);
  assert.deepEqual(a.gradient, b.gradient);
  assert.equal(a.info!.batchSize, 4);
  assert.ok(a.info!.accuracy >= 0 && a.info!.accuracy <= 1);
  a.hessian!(new Float64Array(obj.nParams));
  a.hessian!(new Float64Array(obj.nParams));
  assert.deepEqual({ ...obj.counters }, { evaluations: 1, forwardPasses: 1, modelJvps: 2, modelVjps: 3, hessianMatVecs: 2, lossEvaluations: 1, innerIterations: 0, innerCgIterations: 0 });
  assert.equal(obj.nData, n);
});

test('classificationObjective: x = [θ; vec(W)], W nc × (nOut+1); split, blocks, predict', () => {
  const { Y, C } = data(11);
  const model = singleLayer(conv2d([3, 1], [3, 1, 1, 2], { boundary: 'zero' }), { bias: 'vector' });
  const obj = classificationObjective(model, Y, C);
  assert.deepEqual(obj.wShape, [nc, 7]);
  assert.equal(obj.nParams, model.nParams + nc * 7);
  const x = point(obj, 12);
  const { theta, W } = obj.split(x);
  assert.equal(theta.length, model.nParams);
  assert.deepEqual(W.shape, [nc, 7]);
  assert.deepEqual(obj.paramBlocks().map((b) => b.name), ['model.theta', 'model.bias', 'W']);
  const p = predict(model, x, Y);
  assert.deepEqual(p.probabilities.shape, [nc, n]);
  const colSum = (M: Matrix, j: number) => M.get(0, j) + M.get(1, j) + M.get(2, j);
  assert.ok(Math.abs(colSum(p.probabilities, 3) - 1) < 1e-15);
  const acc = Array.from(p.labels).filter((l, j) => C.get(l, j) === 1).length / n;
  assert.equal(obj.evaluate(x).info!.accuracy, acc);
  // With W given explicitly, x is θ alone.
  assert.deepEqual(predict(model, theta.slice(), Y, { W }).labels, p.labels);
  assert.deepEqual(vec(predict(model, theta.slice(), Y, { W }).scores), vec(p.scores));
});

test('classificationObjective: bad arguments give clear errors', () => {
  const { Y, C } = data(13);
  const model = singleLayer(dense(4, nf));
  assert.throws(() => classificationObjective(model, randn(nf + 1, n, createRng(1)), C), /classificationObjective: Y is 4×12, expected 3 rows \(model.nIn\)/);
  assert.throws(() => classificationObjective(model, Y, oneHot(nc, n - 1, createRng(1))), /classificationObjective: C is 3×11 but Y has 12 columns/);
  assert.throws(() => classificationObjective(model, Y, C, { loss: 'hinge' as never }), /classificationObjective: loss must be 'crossEntropy', 'leastSquares' or a loss function, got hinge/);
  assert.throws(() => classificationObjective(model, Y, C, { coupling: 'diag' as never }), /coupling must be 'blockDiagonal' or 'full', got diag/);
  assert.throws(() => classificationObjective(model, Y, C, { regularization: { theta: tikhonov({ L: randn(2, 3, createRng(1)) }) } }), /regularization.theta acts on vectors of length 3, expected nTheta = 13/);
  const obj = classificationObjective(model, Y, C);
  assert.throws(() => obj.evaluate(new Float64Array(3)), /classificationObjective.evaluate: x has length 3, expected 28/);
  assert.throws(() => obj.evaluate(new Float64Array(28), [0, 12]), /batch\[1\] = 12 is not an example index in 0…11/);
  assert.throws(() => obj.evaluate(new Float64Array(28)).hessian!(new Float64Array(2)), /classificationObjective.hessian: v has length 2, expected 28/);
  assert.throws(() => predict(model, new Float64Array(30), Y), /predict: x has length 30, which is model.nParams = 13 plus 17, not a positive multiple of nW = 5/);
});
