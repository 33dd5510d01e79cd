import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, svd, zeros } from '../../src/core/index.js';
import { amplificationFactors, linearizationSpectrum, maxStableStep, perturbationGrowth, stabilityCheck, type Spectrum } from '../../src/analysis/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { antisymmetricLayer, continuousResnet, hamiltonianNetwork, resnet, rk4 } from '../../src/networks/index.js';
import { dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';

const spec = (pairs: [number, number][]): Spectrum => ({ re: Float64Array.from(pairs.map((p) => p[0])), im: Float64Array.from(pairs.map((p) => p[1])) });

test('forward Euler: factors |1 + hλ| and the largest stable step −2Re λ/|λ|²', () => {
  const s = spec([[-1, 0], [0, 2], [-1, 1], [0, 0]]);
  assertClose(amplificationFactors(s, 0.5), [0.5, Math.SQRT2, Math.hypot(0.5, 0.5), 1], 1e-15, '|1 + hλ|');
  assert.equal(maxStableStep(spec([[-2, 0], [-1, 1]])), 1); // min(1, 2·1/2)
  assert.equal(maxStableStep(spec([[-1, 0], [0, 3]])), 0); // purely imaginary: unstable for every h > 0
  assert.equal(maxStableStep(spec([[0, 0]])), Infinity);
  const r = stabilityCheck(spec([[-1, 0], [-4, 0]]), 0.6);
  assert.equal(r.stable, false);
  assert.equal(r.unstableCount, 1);
  assertClose(r.maxFactor, 1.4, 1e-15);
  assertClose(r.maxStableStep, 0.5, 1e-15);
  assert.equal(stabilityCheck(spec([[-1, 0], [-4, 0]]), 0.5).stable, true);
});

test('RK4: stable on the imaginary axis up to h|λ| = 2√2, on the real axis to h|λ| ≈ 2.785', () => {
  assertClose(maxStableStep(spec([[0, 1]]), 'rk4'), 2 * Math.SQRT2, 1e-9, 'imaginary axis');
  assertClose(maxStableStep(spec([[-1, 0]]), 'rk4'), 2.785293563405282, 1e-9, 'real axis');
  assert.equal(stabilityCheck(spec([[0, 2]]), 1.4, { integrator: rk4 }).stable, true);
  assert.equal(stabilityCheck(spec([[0, 2]]), 1.4).stable, false);
  // R(z) of RK4 is the degree-4 Taylor polynomial of e^z.
  const z = -0.7;
  assertClose(amplificationFactors(spec([[z, 0]]), 1, 'rk4'), [1 + z + z * z / 2 + z ** 3 / 6 + z ** 4 / 24], 1e-15);
});

test('the Euler check predicts the growth of a linear antisymmetric ResNet; damping γ makes it stable', () => {
  const m = 6, N = 100, h = 0.1;
  const rng = createRng(7);
  for (const gamma of [0, 0.5]) {
    const L = antisymmetricLayer(m, { gamma, activation: 'identity', bias: 'none' });
    const theta = rng.normalArray(L.nParams, 0.3);
    const net = continuousResnet(L, { h, steps: N, weights: 'shared' });
    const Y = randn(m, 3, rng);
    const sp = linearizationSpectrum(L, theta, Y, { at: 'mean' });
    const check = stabilityCheck(sp, h);
    const g = perturbationGrowth(net, theta, Y, { samples: 2 });
    // Linear, shared weights: worst-case growth over N steps = max|1 + hλ|^N for the normal matrix I + h(K − γI).
    assertClose(g.worstCase, check.maxFactor ** N, 1e-6, `γ = ${gamma}: ‖J_Y‖ = maxFactor^N`);
    if (gamma === 0) assert.ok(!check.stable && g.worstCase > 1, 'undamped antisymmetric is (mildly) unstable for forward Euler');
    else assert.ok(check.stable && h <= check.maxStableStep && g.worstCase <= 1 + 1e-12, `damped: stable ${check.stable}, h* = ${check.maxStableStep}, growth ${g.worstCase}`);
  }
});

test('perturbationGrowth: forward/backward ratios, worst case = σ_max(J_Y), growth by step and by block', () => {
  const m = 4, N = 5;
  const net = resnet(() => singleLayer(dense(m, m), { bias: 'vector' }), { steps: N, h: 0.5 });
  const rng = createRng(9);
  const x = net.initialize(rng);
  const Y = randn(m, 1, rng);
  const g = perturbationGrowth(net, x, Y, { samples: 3, powerIterations: 200 });
  // Dense J_Y (one example) from jvps, its largest singular value.
  const s = net.forward(x, Y);
  const J = zeros(m, m);
  for (let k = 0; k < m; k++) {
    const e = zeros(m, 1);
    e.data[k] = 1;
    J.data.set(net.jvp(x, s, null, e).data, m * k);
  }
  assertClose(g.worstCase, svd(J).S[0], 1e-8, 'σ_max');
  assert.equal(g.forward.ratios.length, 3);
  for (const r of [...g.forward.ratios, ...g.backward.ratios]) assert.ok(r <= g.worstCase * (1 + 1e-8));
  assert.equal(g.byStep, null, 'resnet has no jvpTrajectory');
  assert.deepEqual(g.gradientByBlock.map((b) => b.name), ['step0', 'step1', 'step2', 'step3', 'step4']);
  // Networks with a trajectory: byStep from 1 at j = 0 to the final ratio.
  const cnet = continuousResnet(() => singleLayer(dense(m, m), { bias: 'vector' }), { steps: N, h: 0.5, opening: singleLayer(dense(m, 2)) });
  const cx = cnet.initialize(rng);
  const gc = perturbationGrowth(cnet, cx, randn(2, 3, rng), { samples: 2, powerIterations: 0 });
  assert.equal(gc.byStep!.length, N + 1);
  assertClose(gc.byStep![0], 1, 1e-15);
  assert.ok(Number.isNaN(gc.worstCase));
  assert.deepEqual(gc.gradientByBlock.map((b) => b.name), ['opening', 'step0', 'step1', 'step2', 'step3', 'step4']);
  const ham = hamiltonianNetwork(dense(m, m), { steps: 4, bias: 'scalar' });
  const gh = perturbationGrowth(ham, ham.initialize(rng), randn(m, 2, rng), { samples: 1 });
  assert.equal(gh.byStep!.length, 5);
  assert.throws(() => perturbationGrowth(net, x, randn(m + 1, 1, rng)), /perturbationGrowth: Y is 5×1, expected 4 rows \(nIn\)/);
  assert.throws(() => stabilityCheck({ re: new Float64Array(2), im: new Float64Array(3) }, 1), /amplificationFactors: spectrum must be \{ re, im \}/);
  assert.throws(() => amplificationFactors({ re: new Float64Array(1), im: new Float64Array(1) }, 0), /amplificationFactors: h/);
});
