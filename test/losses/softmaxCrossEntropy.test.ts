import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, fromRows, matrix, randn, vec, zeros } from '../../src/core/index.js';
import { softmaxCrossEntropy } from '../../src/losses/index.js';
import { assertClose } from '../helpers/assertions.js';
import { lossSuite, oneHot } from '../helpers/lossSuite.js';

lossSuite('softmaxCrossEntropy', softmaxCrossEntropy, oneHot);

test('softmaxCrossEntropy: W = 0 gives log(nc); gradient (P − C)/n', () => {
  const rng = createRng(3);
  const C = oneHot(4, 5, rng);
  const r = softmaxCrossEntropy(zeros(4, 3), randn(2, 5, rng), C);
  assert.ok(Math.abs(r.value - Math.log(4)) < 1e-15);
  assertClose(r.gradS, matrix(4, 5, Float64Array.from(vec(C), (c) => (0.25 - c) / 5)), 1e-16);
  assertClose(r.probabilities!, matrix(4, 5, new Float64Array(20).fill(0.25)), 1e-16);
});

test('softmaxCrossEntropy: stable for huge scores (column max subtracted)', () => {
  // S = W [Y; 1] with entries ~1e4: exp would overflow without the shift.
  const W = fromRows([[1e4, 0], [0, 1e4], [-1e4, 5e3]]);
  const Y = fromRows([[1, 0.5, -1]]);
  const C = fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const r = softmaxCrossEntropy(W, Y, C);
  assert.ok(Number.isFinite(r.value), `value ${r.value}`);
  assert.ok(vec(r.gradW).every(Number.isFinite));
  // Columns of S: y = 1 → [1e4, 1e4, −5e3], label 0: log 2; y = 0.5 → [5e3, 1e4, 0], label 1: ≈ e^{−5e3} = 0;
  // y = −1 → [−1e4, 1e4, 1.5e4], label 2: ≈ 0. So E = (log 2)/3.
  const expected = Math.log(2) / 3;
  assert.ok(Math.abs(r.value - expected) < 1e-12, `value ${r.value}, expected ${expected}`);
  // Shifting every score of a column by the same amount changes nothing.
  const Wb = fromRows([[1e4, 1e6], [0, 1e4 + 1e6], [-1e4, 5e3 + 1e6]]);
  assert.ok(Math.abs(softmaxCrossEntropy(Wb, Y, C).value - r.value) < 1e-9);
});

test('softmaxCrossEntropy: the bias column acts as W [Y; 1ᵀ]', () => {
  const rng = createRng(8);
  const W = randn(3, 3, rng), Y = randn(2, 4, rng), C = oneHot(3, 4, rng);
  const Ya = zeros(3, 4);
  for (let j = 0; j < 4; j++) {
    Ya.set(0, j, Y.get(0, j));
    Ya.set(1, j, Y.get(1, j));
    Ya.set(2, j, 1);
  }
  const a = softmaxCrossEntropy(W, Y, C), b = softmaxCrossEntropy(W, Ya, C);
  assert.ok(Math.abs(a.value - b.value) < 1e-15);
  assertClose(a.gradW, b.gradW, 1e-15);
});

test('softmaxCrossEntropy is exact for huge logit offsets: log Σ exp is taken relative to the column maximum', async () => {
  const { softmaxCrossEntropy: sce, matrix: mk } = await import('../../src/index.js');
  // W = [0 | b] with the bias column b = offset·1: every score is exactly the offset, so E = log 3.
  const Y = mk(2, 4, new Float64Array([0.3, -1, 2, 0.5, -0.7, 1.1, 0, 0]));
  const C = mk(3, 4, new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]));
  for (const offset of [0, 1e15, 1e17, -1e17]) {
    const W = mk(3, 3, new Float64Array([0, 0, 0, 0, 0, 0, offset, offset, offset]));
    const r = sce(W, Y, C);
    assert.ok(Math.abs(r.value - Math.log(3)) <= 1e-15, `offset ${offset}: E = ${r.value}, expected log 3 = ${Math.log(3)}`);
    // Gradient and Hessian products see the uniform probabilities 1/3, not NaN.
    const g = Array.from(r.gradS.data as Float64Array);
    assert.ok(g.every((v) => Number.isFinite(v)));
    const Hv = r.hessS(new Float64Array(12).fill(1));
    assert.ok(Array.from(Hv.data as Float64Array).every((v) => Math.abs(v) < 1e-15), 'H·1 = 0 per column (softmax is shift-invariant)');
  }
  // A large offset on top of distinct scores: E equals the unshifted value to rounding of the scores.
  const W0 = mk(3, 3, new Float64Array([1, -2, 0.5, 0.3, 0.7, -1, 0, 0, 0]));
  const W1 = mk(3, 3, new Float64Array([1, -2, 0.5, 0.3, 0.7, -1, 1e6, 1e6, 1e6]));
  assert.ok(Math.abs(sce(W1, Y, C).value - sce(W0, Y, C).value) < 1e-9);
});
