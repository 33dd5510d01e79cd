import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, normFro, randn, zeros, type Matrix } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { continuousResnet, hamiltonianNetwork, transposedOperator } from '../../src/networks/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';

modelSuite([
  {
    label: 'hamiltonianNetwork dense 4×4 tanh scalar bias, per step, N = 4, opening dense 4×3',
    make: () => hamiltonianNetwork(dense(4, 4), { T: 1, steps: 4, activation: 'tanh', bias: 'scalar', opening: singleLayer(dense(4, 3), { bias: 'vector' }) }),
  },
  {
    label: 'hamiltonianNetwork dense 3×5 (non-square K) shared weights, input and output [Y; Z]',
    make: () => hamiltonianNetwork(dense(3, 5), { T: 2, steps: 6, weights: 'shared', bias: 'scalar', input: 'YZ', output: 'YZ' }),
  },
  {
    label: 'hamiltonianNetwork square dense 4×4 with vector bias, piecewise weights, output [Y; Z]',
    make: () => hamiltonianNetwork(dense(4, 4), { T: 1, steps: 4, weights: { intervals: 2 }, bias: 'vector', activation: 'smoothRelu', output: 'YZ' }),
  },
  {
    label: 'hamiltonianNetwork conv2d 4×4 3×3 1→2 zero boundary (Y 2 channels, Z 1 channel), input [Y; Z]',
    make: () => hamiltonianNetwork(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { T: 1, steps: 3, bias: 'scalar', input: 'YZ' }),
    n: 2,
  },
  {
    label: 'hamiltonianNetwork from explicit pairs {f, g} (different activations), shared weights',
    make: () => hamiltonianNetwork({ f: singleLayer(dense(3, 3), { activation: 'tanh' }), g: singleLayer(transposedOperator(dense(3, 3)), { activation: 'sin' }) }, { T: 1, steps: 3, weights: 'shared' }),
  },
]);

test('the Verlet step: Y_{j+1} = Y_j + h σ(K_j Z_j + b_j), Z_{j+1} = Z_j − h σ(K_jᵀ Y_{j+1} + b_j)', () => {
  const K = dense(3, 2); // K: Z (2) → Y (3)
  const h = 0.25;
  const net = hamiltonianNetwork(K, { h, steps: 3, bias: 'scalar', input: 'YZ', output: 'YZ' });
  const rng = createRng(2);
  const x = rng.normalArray(net.nParams);
  const n = 4;
  let Y = randn(3, n, rng), Z = randn(2, n, rng);
  const input = zeros(5, n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < 3; i++) input.data[c * 5 + i] = Y.data[c * 3 + i];
    for (let i = 0; i < 2; i++) input.data[c * 5 + 3 + i] = Z.data[c * 2 + i];
  }
  const s = net.forward(x, input);
  for (let j = 0; j < 3; j++) {
    const p = x.subarray(7 * j, 7 * (j + 1)); // θ (6) and b (1)
    const theta = p.subarray(0, 6), b = p[6];
    const KZ = K.apply(theta, Z), Yn = zeros(3, n);
    for (let k = 0; k < 3 * n; k++) Yn.data[k] = Y.data[k] + h * Math.tanh(KZ.data[k] + b);
    const KtY = K.applyTranspose(theta, Yn), Zn = zeros(2, n);
    for (let k = 0; k < 2 * n; k++) Zn.data[k] = Z.data[k] - h * Math.tanh(KtY.data[k] + b);
    Y = Yn;
    Z = Zn;
    assertClose(s.Y[j + 1], Y, 1e-15, `Y_${j + 1}`);
    assertClose(s.Z[j + 1], Z, 1e-15, `Z_${j + 1}`);
  }
  for (let c = 0; c < n; c++) assertClose(s.output.data[c * 5 + 3], Z.data[c * 2], 1e-15, 'output holds Z_N');
});

/** ‖[Y; Z]‖_F over the trajectory, relative to the start. */
function energyRange(Ys: Matrix[], Zs: Matrix[]): { min: number; max: number } {
  const e0 = Math.hypot(normFro(Ys[0]), normFro(Zs[0]));
  let min = Infinity, max = 0;
  for (let j = 0; j < Ys.length; j++) {
    const e = Math.hypot(normFro(Ys[j]), normFro(Zs[j])) / e0;
    min = Math.min(min, e);
    max = Math.max(max, e);
  }
  return { min, max };
}

test('linear Hamiltonian network stays bounded over long times where forward Euler of the same system grows', () => {
  // σ = identity, b = 0: Y' = K Z, Z' = −Kᵀ Y, i.e. [Y; Z]' = [[0, K], [−Kᵀ, 0]] [Y; Z] (antisymmetric).
  const m = 3, h = 0.1, N = 1000;
  const rng = createRng(4);
  const theta = rng.normalArray(m * m, 1 / Math.sqrt(m));
  const ham = hamiltonianNetwork(dense(m, m), { h, steps: N, weights: 'shared', activation: 'identity', bias: 'none', input: 'YZ', output: 'YZ' });
  const Y0 = randn(2 * m, 5, rng);
  const s = ham.forward(theta, Y0);
  const eh = energyRange(s.Y, s.Z);
  // The same ODE by forward Euler: a dense 2m × 2m layer with the block matrix.
  const A = zeros(2 * m, 2 * m);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      A.data[i + (m + j) * 2 * m] = theta[i + j * m]; // K in the (1, 2) block
      A.data[m + j + i * 2 * m] = -theta[i + j * m]; // −Kᵀ in the (2, 1) block
    }
  }
  // Stacked input [Y; Z] per column matches the block ordering.
  const euler = continuousResnet(singleLayer(dense(2 * m, 2 * m), { activation: 'identity', bias: 'none' }), { h, steps: N, weights: 'shared' });
  const out = euler.forward(Float64Array.from(A.data), Y0).output;
  const growthEuler = normFro(out) / normFro(Y0);
  console.log(`‖[Y;Z]‖ relative to t = 0 over T = ${N * h}: Verlet in [${eh.min.toFixed(3)}, ${eh.max.toFixed(3)}], forward Euler at T: ${growthEuler.toExponential(3)}`);
  assert.ok(eh.max < 1.6 && eh.min > 0.6, `Verlet energy drifted: [${eh.min}, ${eh.max}]`);
  assert.ok(growthEuler > 10, `forward Euler should grow on the antisymmetric system, got ${growthEuler}`);
});

test('hamiltonianNetwork: bad arguments give clear errors', () => {
  assert.throws(() => hamiltonianNetwork(dense(3, 5), { steps: 2, bias: 'vector' }), /hamiltonianNetwork: block 0: f has 18 parameters but g has 20; they share one vector \(use bias 'scalar' or 'none' for a non-square K\)/);
  assert.throws(() => hamiltonianNetwork(dense(3, 3), { steps: 2, opening: singleLayer(dense(4, 2)) }), /hamiltonianNetwork: opening has nOut = 4, expected 3 \(the width of Y\)/);
  assert.throws(() => hamiltonianNetwork(dense(3, 3), { steps: 2, input: 'Z' as 'Y' }), /hamiltonianNetwork: input must be 'Y' or 'YZ', got Z/);
  assert.throws(() => hamiltonianNetwork({ f: singleLayer(dense(3, 2)), g: singleLayer(dense(3, 2)) }, { steps: 2 }), /hamiltonianNetwork: block 0: g maps 2 → 3, expected 3 → 2/);
  assert.throws(() => hamiltonianNetwork(42 as never, { steps: 2 }), /hamiltonianNetwork: block 0 must be a parametric operator or a pair \{ f, g \} of models/);
});

test('the Verlet (symplectic Euler) network converges with first order as N doubles at fixed T', () => {
  const make = (N: number) => hamiltonianNetwork(dense(4, 4), { T: 1, steps: N, weights: { intervals: 2 }, bias: 'scalar', input: 'YZ', output: 'YZ' });
  const rng = createRng(6);
  const x = make(8).initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * x[i] + 0.3 * rng.normal();
  const Y = randn(8, 3, rng);
  const ref = make(16384).forward(x, Y).output;
  const Ns = [16, 32, 64, 128];
  const errors = Ns.map((N) => {
    const out = make(N).forward(x, Y).output;
    let e = 0;
    for (let k = 0; k < out.data.length; k++) e = Math.max(e, Math.abs(out.data[k] - ref.data[k]));
    return e;
  });
  const orders = errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
  const line = `Verlet network: ${Ns.map((N, i) => `N=${N} err=${errors[i].toExponential(2)}${i ? ` (order ${orders[i - 1].toFixed(3)})` : ''}`).join(', ')}`;
  console.log(line);
  for (const o of orders) assert.ok(Math.abs(o - 1) < 0.15, `order ${o} is not 1:\n${line}`);
});
