import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrix } from '../../src/core/matrix.js';
import { createRng } from '../../src/core/rng.js';
import { misfitCurve, misfitGradient, networks, run, smoothness } from '../../examples/resnet-vs-nn.js';

test('resnet-vs-nn fast variant: the ResNet misfit curve is smoother (RMS curvature) on every instance', () => {
  const r = run({ n: 50, nt: 111, samples: 5, instances: 3, seed: 1 });
  console.log(r.table);
  console.log(r.robustnessTable);
  const [plain, res] = r.rows;
  assert.equal(plain.network, 'plain');
  assert.equal(res.network, 'ResNet');
  // m(1) = 0: θ(1) = θ₁ exactly.
  assert.equal(plain.misfitAt1, 0);
  assert.equal(res.misfitAt1, 0);
  assert.equal(r.t.length, 111);
  assert.ok(Math.abs(r.t[0] + 0.1) < 1e-15 && r.t[110] === 1);
  assert.equal(r.gradients.plain.length, 5 * 96);
  assert.ok(r.gradients.resnet.every(Number.isFinite));
  // Robust across seeds (20/20 instances in the full run, 24/24 in the fast setting over seeds 1–8):
  // the measure of the lecture's "smoother objective".
  assert.equal(r.robustness.rmsCurvature, 3);
  assert.ok(res.rmsCurvature < plain.rmsCurvature);
  for (const s of r.perInstance) assert.ok(s.resnet.rmsCurvature < s.plain.rmsCurvature);
});

test('resnet-vs-nn: same weights, consistent curves and gradients', () => {
  const nets = networks(6, 4, 1);
  assert.equal(nets.plain.nParams, 96);
  assert.equal(nets.resnet.nParams, 96);
  const rng = createRng('rvn-test');
  const Y = matrix(4, 20, rng.normalArray(80));
  const th0 = rng.normalArray(96), th1 = rng.normalArray(96);
  // Zero weights: the ResNet is the identity, the plain tanh network maps to zero.
  const zero = new Float64Array(96);
  assert.deepEqual(Array.from(nets.resnet.forward(zero, Y).output.data), Array.from(Y.data));
  assert.ok(nets.plain.forward(zero, Y).output.data.every((v) => v === 0));
  // The misfit at t = 0 is the distance between F(θ₀) and F(θ₁).
  for (const net of [nets.plain, nets.resnet]) {
    const m = misfitCurve(net, Y, th0, th1, Float64Array.of(0, 1));
    const F0 = net.forward(th0, Y).output.data, F1 = Float64Array.from(net.forward(th1, Y).output.data);
    let d = 0, n1 = 0;
    for (let k = 0; k < F0.length; k++) {
      d += (F0[k] - F1[k]) ** 2;
      n1 += F1[k] ** 2;
    }
    assert.ok(Math.abs(m[0] - Math.sqrt(d / n1)) < 1e-14);
    assert.equal(m[1], 0);
    // Gradient by vjp against a central difference of φ along a random direction.
    const v = rng.normalArray(96);
    const { value, gradient } = misfitGradient(net, Y, th0, th1);
    assert.ok(Math.abs(value - 0.5 * m[0] ** 2) < 1e-13);
    const eps = 1e-5;
    const phi = (s: number) => misfitGradient(net, Y, th0.map((a, k) => a + s * v[k]), th1).value;
    const fd = (phi(eps) - phi(-eps)) / (2 * eps);
    let gv = 0;
    for (let k = 0; k < 96; k++) gv += gradient[k] * v[k];
    assert.ok(Math.abs(fd - gv) <= 1e-6 * Math.max(1, Math.abs(gv)), `directional derivative ${gv} vs finite difference ${fd}`);
  }
});

test('resnet-vs-nn: smoothness measures on known curves', () => {
  const t = Float64Array.from({ length: 101 }, (_, i) => i / 100);
  const line = smoothness(t.map((x) => 1 - x), 0.01);
  assert.ok(line.rmsCurvature < 1e-9 && line.maxCurvature < 1e-9);
  assert.ok(Math.abs(line.totalVariation - 1) < 1e-12);
  assert.equal(line.extrema, 0);
  const wave = smoothness(t.map((x) => Math.sin(4 * Math.PI * x)), 0.01);
  assert.equal(wave.extrema, 4);
  assert.ok(Math.abs(wave.totalVariation - 4) < 1e-2);
  assert.ok(Math.abs(wave.maxCurvature - (4 * Math.PI) ** 2 / 2) < 0.01 * (4 * Math.PI) ** 2);
});
