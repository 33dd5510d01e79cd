import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnMajorData } from '../../src/core/matrix.js';
import { dense } from '../../src/operators/dense.js';
import { singleLayer } from '../../src/layers/singleLayer.js';
import { classificationObjective } from '../../src/objectives/classificationObjective.js';
import { run } from '../../examples/single-layer-landscape.js';

test('single-layer-landscape fast variant: convex along W, non-convex along K', () => {
  const r = run({ n: 200, m: 10, grid: 25, seed: 1 });
  console.log(r.table);
  const [kLines, wLines] = r.rows;
  const h = r.coords[1] - r.coords[0];
  assert.equal(r.E.shape[0], 25);
  assert.equal(r.E.shape[1], 25);
  assert.ok(columnMajorData(r.E).every(Number.isFinite));
  // W slices: softmax cross-entropy of a linear model is convex, second differences ≥ −round-off.
  assert.equal(wLines.nonConvexLines, 0);
  assert.ok(wLines.minCurvature * h * h >= -r.tol, `W lines: min second difference ${wLines.minCurvature * h * h}`);
  // K slices: clearly negative curvature somewhere (far beyond round-off).
  assert.ok(kLines.nonConvexLines > 0);
  assert.ok(kLines.minCurvature * h * h < -1e6 * r.tol, `K lines: min second difference ${kLines.minCurvature * h * h}`);
  assert.ok(r.rows.every((row) => row.minE === kLines.minE && row.minE <= r.center && r.center <= row.maxE));
});

test('single-layer-landscape: E at the point equals the library classification objective', () => {
  const r = run({ n: 100, m: 6, grid: 5, seed: 2 });
  const layer = singleLayer(dense(6, 2), { activation: 'tanh', bias: 'vector' });
  const obj = classificationObjective(layer, r.data.Y, r.data.C);
  const x = new Float64Array([...r.point.x, ...columnMajorData(r.point.W)]);
  const value = obj.evaluate(x).value;
  assert.ok(Math.abs(value - r.center) <= 1e-13 * Math.abs(value), `${value} vs ${r.center}`);
});
