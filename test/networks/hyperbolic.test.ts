import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, matrix, normFro, randn, zeros } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { hyperbolicNetwork, symmetricLayer, type WeightSharing } from '../../src/networks/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';

modelSuite([
  {
    label: 'hyperbolicNetwork dense 5×4 (K: 4 → 5) tanh vector bias, per step, N = 5, opening dense 4×3',
    make: () => hyperbolicNetwork(dense(5, 4), { T: 1, steps: 5, bias: 'vector', opening: singleLayer(dense(4, 3), { bias: 'vector' }) }),
  },
  {
    label: 'hyperbolicNetwork dense 4×4 shared weights, start copy',
    make: () => hyperbolicNetwork(dense(4, 4), { T: 2, steps: 4, weights: 'shared', start: 'copy' }),
  },
  {
    label: 'hyperbolicNetwork conv2d 4×4 3×3 2→2 periodic, piecewise weights, N = 4',
    make: () => hyperbolicNetwork(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }), { T: 1, steps: 4, weights: { intervals: 2 }, bias: 'vector' }),
    n: 2,
  },
  {
    label: 'hyperbolicNetwork over a general model F (single layer), N = 1',
    make: () => hyperbolicNetwork(singleLayer(dense(3, 3), { activation: 'sin' }), { T: 1, steps: 1 }),
  },
]);

test('the leapfrog step: Y_{j+1} = 2Y_j − Y_{j−1} − h² K_jᵀσ(K_jY_j + b_j), Y_1 = Y_0 + (h²/2)F_0 (centered start)', () => {
  const op = dense(3, 4), F = symmetricLayer(op, { bias: 'scalar' });
  const h = 0.3, N = 4;
  for (const start of ['centered', 'copy'] as const) {
    const net = hyperbolicNetwork(op, { h, steps: N, bias: 'scalar', start });
    const rng = createRng(3);
    const x = rng.normalArray(net.nParams);
    const Y0 = randn(4, 3, rng);
    const ys = [Y0];
    for (let j = 0; j < N; j++) {
      const p = x.subarray(13 * j, 13 * (j + 1));
      const theta = p.subarray(0, 12);
      const KY = op.apply(theta, ys[j]);
      for (let k = 0; k < KY.data.length; k++) KY.data[k] = Math.tanh(KY.data[k] + p[12]);
      const f = op.applyTranspose(theta, KY); // Kᵀσ(KY + b)
      const next = zeros(4, 3);
      for (let k = 0; k < 12; k++) {
        next.data[k] = j === 0 ? ys[0].data[k] - (start === 'centered' ? h * h / 2 : h * h) * f.data[k] : 2 * ys[j].data[k] - ys[j - 1].data[k] - h * h * f.data[k];
      }
      ys.push(next);
    }
    const s = net.forward(x, Y0);
    ys.forEach((Y, j) => assertClose(s.trajectory[j], Y, 1e-14, `${start} Y_${j}`));
    assertClose(F.forward(x.subarray(0, 13), Y0).output, s.steps[0].output, 1e-15, 'F = symmetricLayer');
  }
});

/** Observed orders of the leapfrog network at fixed θ(t) against a fine reference. */
function orders(start: 'centered' | 'copy', weights: WeightSharing, Ns: number[]) {
  const op = dense(4, 4);
  const make = (N: number) => hyperbolicNetwork(op, { T: 1, steps: N, weights, start, bias: 'vector' });
  const rng = createRng(8);
  const x = make(Ns[0]).initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * x[i] + 0.3 * rng.normal();
  const Y = randn(4, 3, rng);
  const ref = hyperbolicNetwork(op, { T: 1, steps: 8192, weights, start: 'centered', bias: 'vector' }).forward(x, Y).output;
  const errors = Ns.map((N) => {
    const out = make(N).forward(x, Y).output;
    let e = 0;
    for (let k = 0; k < out.data.length; k++) e = Math.max(e, Math.abs(out.data[k] - ref.data[k]));
    return e;
  });
  return { errors, orders: errors.slice(1).map((e, i) => Math.log2(errors[i] / e)) };
}

test('leapfrog converges with second order (centered start) and first order (Y_{−1} = Y_0, or jumps in θ(t)) as N doubles at fixed T', () => {
  const Ns = [16, 32, 64, 128];
  // A jump of piecewise-constant weights at t_j makes the central difference there one-sided: O(h) globally.
  const cases: [('centered' | 'copy'), WeightSharing, number][] = [['centered', 'shared', 2], ['copy', 'shared', 1], ['centered', { intervals: 4 }, 1]];
  for (const [start, weights, p] of cases) {
    {
      const r = orders(start, weights, Ns);
      const line = `hyperbolic leapfrog, start ${start}, weights ${JSON.stringify(weights)}: ${Ns.map((N, i) => `N=${N} err=${r.errors[i].toExponential(2)}${i ? ` (order ${r.orders[i - 1].toFixed(3)})` : ''}`).join(', ')}`;
      console.log(line);
      for (const o of r.orders) assert.ok(Math.abs(o - p) < 0.15, `order ${o} is not ${p}:\n${line}`);
    }
  }
});

test('linear hyperbolic network is non-dissipative: bounded oscillation for h²‖KᵀK‖ < 4, blow-up beyond', () => {
  const m = 4;
  const rng = createRng(12);
  const theta = rng.normalArray(m * m, 1 / Math.sqrt(m));
  const op = dense(m, m);
  // ‖KᵀK‖₂ by power iteration.
  let v = rng.normalArray(m), lam = 0;
  for (let it = 0; it < 200; it++) {
    const w = op.applyTranspose(theta, op.apply(theta, matrix(m, 1, v))).data;
    lam = Math.hypot(...w) / Math.hypot(...v);
    v = Float64Array.from(w);
  }
  const Y0 = randn(m, 3, rng);
  const run = (h: number, N: number) => {
    const net = hyperbolicNetwork(op, { h, steps: N, weights: 'shared', activation: 'identity', bias: 'none' });
    const s = net.forward(theta, Y0);
    return Math.max(...s.trajectory.map((Y) => normFro(Y))) / normFro(Y0);
  };
  const hStable = 1.8 / Math.sqrt(lam), hUnstable = 2.2 / Math.sqrt(lam);
  const gs = run(hStable, 400), gu = run(hUnstable, 400);
  console.log(`linear leapfrog, ‖KᵀK‖ = ${lam.toFixed(3)}: max ‖Y_j‖/‖Y_0‖ = ${gs.toFixed(3)} at h²λ = ${(hStable ** 2 * lam).toFixed(2)}, ${gu.toExponential(2)} at h²λ = ${(hUnstable ** 2 * lam).toFixed(2)}`);
  assert.ok(gs < 5, `stable leapfrog grew to ${gs}`);
  assert.ok(gu > 1e6, `leapfrog beyond h²λ = 4 should blow up, got ${gu}`);
});

test('hyperbolicNetwork: bad arguments give clear errors', () => {
  assert.throws(() => hyperbolicNetwork(dense(3, 3), { steps: 2, start: 'zero' as 'copy' }), /hyperbolicNetwork: start must be 'centered' or 'copy', got zero/);
  assert.throws(() => hyperbolicNetwork(singleLayer(dense(3, 2)), { steps: 2 }), /hyperbolicNetwork: layer 0 maps 2 → 3, but a time step must keep the width 2/);
  assert.throws(() => hyperbolicNetwork(dense(3, 3), { steps: 2, opening: singleLayer(dense(2, 2)) }), /hyperbolicNetwork: opening has nOut = 2, expected the width 3/);
});
