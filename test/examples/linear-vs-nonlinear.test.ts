import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { matrix } from '../../src/core/matrix.js';
import { features, leastSquaresClassifier, run } from '../../examples/linear-vs-nonlinear.js';

test('linear-vs-nonlinear fast variant: the linear classifier is clearly worse than random features; ranks as the lecture says', async () => {
  const r = await run({ fast: true, seed: 1 });
  console.log(r.table);
  console.log(r.rankTable);
  const [linear, ...rf] = r.rows;
  assert.match(linear.method, /^linear/);
  assert.equal(rf.length, 3);
  // Linear: ≈ 50 % (chance 20 %); random features (m = 100): 84–89 % with seed 1.
  assert.ok(linear.valAcc < 0.6, `linear ${linear.valAcc}`);
  assert.ok(linear.residual > 0.75, `the linear fit is poor: residual ${linear.residual}`);
  assert.equal(linear.rank, 3);
  for (const row of rf) {
    assert.ok(row.valAcc > 0.8, `${row.method}: ${row.valAcc}`);
    assert.ok(row.valAcc > linear.valAcc + 0.25, `${row.method} vs linear`);
    assert.ok(row.residual < linear.residual);
    assert.equal(row.features, 100);
  }
  // Rank study on 60 distinct points: identity never above rank(Y) + 1; tanh and sin reach full rank n once m ≥ n.
  assert.equal(r.distinct, 60);
  assert.equal(r.rankY, 2);
  const curve = (a: string) => r.rankCurves.find((c) => c.activation === a)!;
  const widths = curve('identity').widths;
  curve('identity').ranks.forEach((k, i) => assert.ok(k <= r.rankY + 1 && k <= widths[i], `identity, m = ${widths[i]}: rank ${k}`));
  assert.equal(curve('identity').ranks[widths.length - 1], 3);
  for (const a of ['tanh', 'sin', 'relu']) {
    const c = curve(a);
    for (let i = 1; i < c.ranks.length; i++) assert.ok(c.ranks[i] >= c.ranks[i - 1], `${a}: nested K, rank cannot drop`);
    assert.equal(c.ranks[c.ranks.length - 1], 60, `${a} reaches full rank`);
    assert.ok(c.ranks.every((k, i) => k <= Math.min(widths[i], 60)));
  }
  for (const a of ['tanh', 'sin']) assert.equal(curve(a).ranks[widths.indexOf(60)], 60, `${a}: full rank at m = n`);
  assert.equal(r.spectra.tanh.length, 60);
});

test('linear-vs-nonlinear: least squares through the Kronecker operator solves the normal equations', () => {
  const rng = createRng(3);
  const F = matrix(4, 30, rng.normalArray(120));
  const C = matrix(3, 30, rng.normalArray(90));
  const { W, report } = leastSquaresClassifier(F, C, { shift: 0, tol: 1e-12, maxIter: 100 });
  assert.equal(report.flag, 'converged');
  assert.deepEqual(W.shape, [3, 5]);
  // Normal equations (W A − C) Aᵀ = 0 with A = [F; 1ᵀ].
  for (let i = 0; i < 3; i++) {
    for (let p = 0; p < 5; p++) {
      let g = 0;
      for (let j = 0; j < 30; j++) {
        let s = W.data[i + 4 * 3];
        for (let q = 0; q < 4; q++) s += W.data[i + q * 3] * F.data[q + j * 4];
        g += (s - C.data[i + j * 3]) * (p < 4 ? F.data[p + j * 4] : 1);
      }
      assert.ok(Math.abs(g) < 1e-9, `normal equation (${i}, ${p}): ${g}`);
    }
  }
  // Nested random features: the first m rows do not depend on the largest width.
  const theta = rng.normalArray(3 * 10), Y = matrix(2, 5, rng.normalArray(10));
  const Z10 = features('tanh', theta, 10, 10, Y), Z3 = features('tanh', theta, 10, 3, Y);
  for (let j = 0; j < 5; j++) for (let i = 0; i < 3; i++) assert.equal(Z3.data[i + 3 * j], Z10.data[i + 10 * j]);
});
