import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../examples/single-layer-peaks.js';

test('single-layer-peaks fast variant: Newton-CG and VarPro beat SGD, VarPro fits the training data best', async () => {
  const r = await run({ fast: true, seed: 1 });
  console.log(r.table);
  const [sgdRow, newton, vp] = r.rows;
  assert.match(sgdRow.method, /^SGD/);
  assert.match(newton.method, /^Newton-CG \(after 20 SD steps; sin\)/);
  assert.match(vp.method, /^VarPro \(after 10 SD steps; sin\)/);
  // Seeds 1–3 (sin features): SGD 92.8–93.7 %, Newton-CG 95.5–96.1 %, VarPro 94.1–96.3 % (chance: 20 %).
  assert.ok(sgdRow.valAcc > 0.88, `SGD ${sgdRow.valAcc}`);
  assert.ok(newton.valAcc > 0.93, `Newton-CG ${newton.valAcc}`);
  assert.ok(vp.valAcc > 0.92, `VarPro ${vp.valAcc}`);
  assert.ok(newton.valAcc > sgdRow.valAcc && vp.valAcc > sgdRow.valAcc);
  // VarPro fits the training data best (W(θ) is solved accurately at every step).
  assert.ok(vp.trainAcc >= newton.trainAcc && vp.trainAcc > 0.97, `VarPro train ${vp.trainAcc}`);
  // Iterations: steepest-descent steps plus Newton iterations; work counts both.
  assert.equal(newton.iterations, 20 + 25);
  assert.equal(vp.iterations, 10 + 12);
  assert.ok(newton.matvecs > 0 && newton.matvecs <= 25 * 20);
  assert.ok(vp.inner !== undefined && vp.inner > vp.iterations);
  for (const m of r.runs) {
    assert.equal(m.history.length, m.row.iterations + 1, `${m.row.method}: one history point per iteration plus the start`);
    for (let k = 1; k < m.history.length; k++) {
      assert.equal(m.history[k].iter, k);
      assert.ok(m.history[k].passes >= m.history[k - 1].passes && m.history[k].cpu >= m.history[k - 1].cpu - 1e-9);
    }
  }
  assert.equal(r.files.length, 0);
  assert.equal(r.model.nParams, 40 * 2 + 1);
});

test('single-layer-peaks --protocol lecture: full-batch gradient descent with a fixed step, counted as full passes', async () => {
  const r = await run({ fast: true, seed: 1, protocol: 'lecture', methods: ['sgd'], gdSteps: 300 });
  const [gd] = r.rows;
  // The lecture's ESingleLayer_PeaksSGD.m uses sin features and a random initial W.
  assert.equal(gd.method, 'GD (full batch, fixed step; sin)');
  assert.deepEqual(r.config.activation, { sgd: 'sin', newtonCG: 'sin', varpro: 'tanh' });
  assert.equal(r.config.initW, 'normal');
  assert.equal(gd.iterations, 300);
  // Every step is one gradient on all examples (2 passes); the per-step monitor value is not counted.
  assert.ok(Math.abs(gd.passes - 600) < 1e-6, `passes ${gd.passes}`);
  assert.equal(r.config.protocol, 'lecture');
  assert.equal(r.config.gdLr, 1);
  // 300 fixed steps on 500 points with sin features get well past chance (20 %): seeds 1–3 give 94.9–95.3 %.
  assert.ok(gd.valAcc > 0.9 && gd.trainAcc > 0.9, `GD ${gd.trainAcc} / ${gd.valAcc}`);
  // The history is thinned to every 3rd step (100 samples) plus the last.
  const h = r.runs[0].history;
  assert.ok(h.length <= 102 && h[h.length - 1].iter === 300, `${h.length} points, last ${h[h.length - 1].iter}`);
  assert.ok(h.every((p) => Number.isFinite(p.valAcc)));
  // The lecture protocol's Newton-CG starts after 100 steepest-descent steps in the fast variant (500 in full).
  assert.equal(r.config.sdSteps, 100);
});
