import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, zeros } from '../../src/core/index.js';
import { accuracy, argmaxColumns, labelAccuracy, predictClasses, softmax } from '../../src/losses/index.js';
import { assertClose } from '../helpers/assertions.js';

test('predictClasses and accuracy of a linear classifier W [Y; 1]', () => {
  // Two classes split by the sign of y (bias column 0).
  const W = fromRows([[1, 0], [-1, 0]]);
  const Y = fromRows([[2, -1, 0.5, -3]]);
  assert.deepEqual(Array.from(predictClasses(W, Y)), [0, 1, 0, 1]);
  const C = fromRows([[1, 0, 0, 0], [0, 1, 1, 1]]);
  assert.equal(accuracy(W, Y, C), 0.75);
  assert.equal(labelAccuracy([1, 2], [1, 3]), 0.5);
  assert.deepEqual(Array.from(argmaxColumns(fromRows([[0, 5], [1, 5]]))), [1, 0], 'first maximum on ties');
  assertClose(softmax(zeros(2, 1)), fromRows([[0.5], [0.5]]), 0);
  assertClose(softmax(fromRows([[1000], [1000 + Math.log(3)]])), fromRows([[0.25], [0.75]]), 1e-13);
  assert.throws(() => accuracy(W, Y, zeros(3, 4)), /accuracy: C is 3×4, expected 2×4/);
  assert.throws(() => labelAccuracy([1], [1, 2]), /labelAccuracy: predicted has length 1 but truth has length 2/);
});
