import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { columnMajorData, randn, zeros } from '../../src/core/matrix.js';
import { loadMnist } from '../../src/node/mnist.js';
import { tanh } from '../../src/layers/activations/index.js';
import { singleLayer } from '../../src/layers/singleLayer.js';
import { dense } from '../../src/operators/dense.js';
import { classificationObjective } from '../../src/objectives/classificationObjective.js';
import { featureColumns, identityModel, randomFeatures, runElmMnist } from '../../examples/elm-mnist.js';

test('randomFeatures (sparse pixel loop) equals the dense single layer σ(K Y + b) on MNIST digits', () => {
  const m = 37;
  const rng = createRng(3);
  const K = rng.normalArray(m * 784, 1 / Math.sqrt(784 * m));
  const b = rng.normalArray(m);
  const { Y } = loadMnist({ train: 6, test: 0 }).train;
  const Z = randomFeatures(K, b, Y, tanh);
  const layer = singleLayer(dense(m, 784), { activation: 'tanh', bias: 'vector' });
  const x = new Float64Array(layer.nParams);
  x.set(K, 0); // θ = vec(K), column-major m × 784
  x.set(b, m * 784);
  const ref = columnMajorData(layer.forward(x, Y).output);
  assert.deepEqual(Z.shape, [m, 6]);
  let err = 0;
  for (let k = 0; k < ref.length; k++) err = Math.max(err, Math.abs(Z.data[k] - ref[k]));
  assert.ok(err < 1e-14, `max difference ${err}`);
});

test('identityModel: classificationObjective over W alone (nParams = nc·(m+1)), Y passed through', () => {
  const rng = createRng(4);
  const Z = randn(5, 7, rng);
  const C = zeros(3, 7);
  for (let j = 0; j < 7; j++) C.data[(j % 3) + 3 * j] = 1;
  const model = identityModel(5);
  assert.equal(model.nParams, 0);
  assert.equal(model.forward(new Float64Array(0), Z).output, Z);
  const obj = classificationObjective(model, Z, C, { regularization: { W: 1e-8 } });
  assert.equal(obj.nParams, 3 * 6);
  const ev = obj.evaluate(new Float64Array(obj.nParams));
  assert.ok(Math.abs(ev.value - Math.log(3)) < 1e-14, `value at W = 0 is ${ev.value}, expected log 3`);
  assert.throws(() => identityModel(0), /identityModel: n must be a positive integer, got 0/);
});

test('elm-mnist fast variant: 2000 training images, m = 300, 8 Newton-CG iterations: validation error below 20 %', () => {
  // Measured: validation error 11.7 % (train 7.2 %), about 4 s of CPU.
  const r = runElmMnist({ nTrain: 2000, nVal: 1000, m: 300, maxIter: 8 }, 20);
  assert.ok(r.valError < 0.2, `validation error ${r.valError}`);
  assert.ok(r.trainError < r.valError + 0.02, `training error ${r.trainError} vs validation ${r.valError}`);
  assert.equal(r.history.length, r.iterations + 1);
  assert.ok(r.history[r.history.length - 1].value < 0.5 * r.history[0].value, 'objective did not decrease by half');
  assert.equal(r.wrongCount, Math.round(r.valError * 1000));
  assert.deepEqual(r.wrongImages.shape, [784, 20]);
  assert.match(r.table, /Newton-CG on W/);
});

test('elm-mnist fast variant: float32 and float64 features give the same errors to within 0.3 % and the same iteration count', () => {
  const opts = { nTrain: 2000, nVal: 1000, m: 300, maxIter: 8 };
  const r32 = runElmMnist({ ...opts, precision: 'float32' }, 0);
  const r64 = runElmMnist({ ...opts, precision: 'float64', threads: 1 }, 0);
  assert.equal(r32.config.precision, 'float32');
  assert.equal(r64.config.precision, 'float64');
  assert.equal(r32.iterations, r64.iterations);
  assert.ok(Math.abs(r32.valError - r64.valError) <= 0.003, `validation error ${r32.valError} (float32) vs ${r64.valError} (float64)`);
  assert.ok(Math.abs(r32.history[r32.iterations].value - r64.history[r64.iterations].value) < 1e-3 * r64.history[r64.iterations].value, 'final objectives differ');
  assert.ok(r64.cpuTrain > 0 && r64.cpuFeatures > 0);
});

test('featureColumns hands over exactly the columns of randomFeatures, in order (the objective is built from them)', () => {
  const m = 37;
  const rng = createRng(5);
  const K = rng.normalArray(m * 784, 1 / Math.sqrt(784 * m));
  const b = rng.normalArray(m);
  const { Y } = loadMnist({ train: 9, test: 0 }).train;
  const ref = randomFeatures(K, b, Y, tanh);
  const src = featureColumns(K, b, Y, tanh);
  assert.deepEqual(src.shape, [m, 9]);
  const got = new Float64Array(m * 9);
  let next = 0;
  src.write((j0, cols) => {
    assert.equal(j0, next);
    got.set(cols, j0 * m);
    next += cols.length / m;
  });
  assert.equal(next, 9);
  assert.deepEqual(got, columnMajorData(ref));
  assert.throws(() => featureColumns(K.subarray(1), b, Y, tanh), /featureColumns: K has length/);
});
