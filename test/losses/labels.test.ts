import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as nd from '../../src/index.js';

const { createRng, fromRows, toRows, fromColumns, toColumns, oneHot, classes } = nd;

test('fromColumns / toColumns: a list of examples is the features × examples matrix, and back', () => {
  const points = [[0.5, -1], [2, 3], [4, 5.25]];
  const Y = fromColumns(points);
  assert.deepEqual(Y.shape, [2, 3]);
  assert.deepEqual(Array.from(Y.data), [0.5, -1, 2, 3, 4, 5.25]);
  assert.deepEqual(toColumns(Y), points);
  assert.deepEqual(toRows(Y), [[0.5, 2, 4], [-1, 3, 5.25]]);
  assert.deepEqual(toColumns(nd.transpose(Y)), toRows(Y));
  assert.deepEqual(fromRows(toRows(Y)).data, Y.data);
  assert.deepEqual(fromColumns([]).shape, [0, 0]);
  // typed-array rows are accepted too
  assert.deepEqual(Array.from(fromColumns([Float64Array.of(1, 2)] as unknown as number[][]).data), [1, 2]);
});

test('fromRows / fromColumns name the ragged row or the bad entry', () => {
  assert.throws(() => fromColumns([[1, 2], [3]]), /fromColumns: column 1 has 1 entries, expected 2 \(like column 0\)/);
  assert.throws(() => fromRows([[1, 2], [3, 4, 5]]), /fromRows: row 1 has 3 entries, expected 2 \(like row 0\)/);
  assert.throws(() => fromRows([[1, '2' as unknown as number]]), /fromRows: rows\[0\]\[1\] must be a number, got string/);
  assert.throws(() => fromColumns([1, 2] as unknown as number[][]), /fromColumns: columns\[0\] must be an array of numbers \(one column\), got number/);
  assert.throws(() => fromRows('ab' as unknown as number[][]), /fromRows: rows must be an array of rows \(number\[\]\[\]\), got string/);
});

test('oneHot and classes invert each other; classes is the argmax of each column', () => {
  const labels = [2, 0, 1, 2, 2];
  const C = oneHot(labels, 4);
  assert.deepEqual(C.shape, [4, 5]);
  assert.deepEqual(toRows(C), [[0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [1, 0, 0, 1, 1], [0, 0, 0, 0, 0]]);
  assert.deepEqual(Array.from(classes(C)), labels);
  assert.deepEqual(Array.from(classes(oneHot(Int32Array.from(labels), 3))), labels);
  assert.deepEqual(Array.from(classes(fromRows([[0.1, 5, -1], [0.3, 5, -2], [0.2, 1, -3]]))), [1, 0, 0]);
  assert.throws(() => oneHot([0, 3], 3), /oneHot: labels\[1\] = 3 is not a class index in 0…2/);
  assert.throws(() => oneHot([0, 1.5], 3), /oneHot: labels\[1\] = 1\.5 is not a class index/);
  assert.throws(() => oneHot([0, -1], 3), /labels\[1\] = -1/);
  assert.throws(() => oneHot([0], 0), /oneHot: nClasses must be a positive integer, got 0/);
  assert.throws(() => oneHot('01' as unknown as number[], 2), /oneHot: labels must be an array of class indices/);
  assert.throws(() => classes(nd.zeros(0, 3)), /classes: scores is 0×3: no rows/);
});

test('classificationObjective and varproObjective take index labels: the same numbers as one-hot C', () => {
  const { Y, C } = nd.setupPeaks({ n: 40, classes: 3, seed: 4 });
  const labels = classes(C);
  const net = nd.singleLayer(nd.dense(4, 2), { bias: 'vector' });
  const x = createRng(1).normalArray(net.nParams + 3 * 5);
  const a = nd.classificationObjective(net, Y, C, { regularization: { W: 1e-3 } }).evaluate(x);
  for (const L of [labels, Array.from(labels)]) {
    const b = nd.classificationObjective(net, Y, L, { regularization: { W: 1e-3 } }).evaluate(x);
    assert.equal(b.value, a.value);
    assert.deepEqual(b.gradient, a.gradient);
  }
  // nClasses: explicit when the largest class does not occur in the data
  const few = Int32Array.from(labels, (k) => Math.min(k, 1));
  assert.equal(nd.classificationObjective(net, Y, few).nClasses, 2);
  assert.equal(nd.classificationObjective(net, Y, few, { nClasses: 3 }).nClasses, 3);
  const n = Y.shape[1];
  assert.throws(() => nd.classificationObjective(net, Y, C, { nClasses: 4 }), new RegExp(`classificationObjective: C is 3×${n} but nClasses = 4`));
  assert.throws(() => nd.classificationObjective(net, Y, labels.subarray(0, n - 1)), new RegExp(`classificationObjective: C is 3×${n - 1} but Y has ${n} columns`));
  const theta = x.subarray(0, net.nParams);
  const v1 = nd.varproObjective(net, Y, C).evaluate(theta), v2 = nd.varproObjective(net, Y, labels).evaluate(theta);
  assert.equal(v2.value, v1.value);
  assert.equal(nd.accuracy(nd.mat(x.subarray(net.nParams), 3, 5), net.forward(theta, Y).output, labels),
    nd.accuracy(nd.mat(x.subarray(net.nParams), 3, 5), net.forward(theta, Y).output, C));
  assert.throws(() => nd.accuracy(nd.zeros(3, 5), net.forward(theta, Y).output, [0, 1]), new RegExp(`accuracy: C has 2 labels but Y has ${n} columns`));
});

test('a C that is not one-hot is rejected with a hint to oneHot (a 1×n row of class indices trained to f = −49.8)', () => {
  const { Y, C } = nd.setupPeaks({ n: 30, classes: 5, seed: 2 });
  const n = Y.shape[1];
  const row = nd.matrix(1, n, Float64Array.from(classes(C)));
  const net = nd.singleLayer(nd.dense(4, 2));
  for (const make of [nd.classificationObjective, nd.varproObjective]) {
    assert.throws(() => make(net, Y, row), /C must hold class probabilities \(one-hot columns\) for the cross-entropy, but .* \(C is 1×\d+\); for class indices use oneHot\(labels, nClasses\) or pass the labels as an Int32Array/);
  }
  const half = nd.matrix(2, n, new Float64Array(2 * n).fill(0.4));
  assert.throws(() => nd.classificationObjective(net, Y, half), /column 0 sums to 0\.8/);
  assert.throws(() => nd.softmaxCrossEntropy(nd.zeros(1, 2), Y, row), /softmaxCrossEntropy: C must hold class probabilities/);
  // soft labels (columns summing to 1) stay allowed, and least squares takes any targets
  const soft = nd.matrix(2, n, new Float64Array(2 * n).fill(0.5));
  assert.doesNotThrow(() => nd.classificationObjective(net, Y, soft));
  assert.doesNotThrow(() => nd.classificationObjective(net, Y, row, { loss: 'leastSquares' }));
});
