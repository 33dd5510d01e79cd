import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, vec, type Matrix } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { continuousResnet, forwardEuler, heun, resnet, rk4, timeGrid, type ButcherTableau, type WeightSharing } from '../../src/networks/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';

const layer = (m: number) => singleLayer(dense(m, m), { activation: 'tanh', bias: 'vector' });
const opening = () => singleLayer(dense(4, 3), { bias: 'vector' });

// Conformance (Taylor in x, Y and both; adjoint; shapes; determinism; errors) for every integrator × weight sharing.
const integrators = ['forwardEuler', 'heun', 'rk4'] as const;
const sharings: [string, WeightSharing, number][] = [['shared', 'shared', 5], ['perStep', 'perStep', 3], ['piecewise 2', { intervals: 2 }, 6]];
modelSuite([
  ...integrators.flatMap((integrator) => sharings.map(([label, weights, steps]) => ({
    label: `continuousResnet ${integrator}, weights ${label}, N = ${steps}, opening dense 4×3`,
    make: () => continuousResnet(layer(4), { T: 1.5, steps, weights, integrator, opening: opening() }),
  }))),
  {
    label: 'continuousResnet rk4, conv2d 4×4 3×3 2→2 periodic, factory per interval, no opening',
    make: () => continuousResnet(() => singleLayer(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }), { bias: 'vector' }), { T: 1, steps: 4, weights: { intervals: 2 }, integrator: 'rk4' }),
    n: 2,
  },
  {
    label: 'continuousResnet with a custom 3-stage tableau (Kutta third order), smoothRelu',
    make: () => continuousResnet(singleLayer(dense(3, 3), { activation: 'smoothRelu', bias: 'scalar' }), {
      T: 1,
      steps: 3,
      weights: 'shared',
      integrator: { name: 'kutta3', a: [[], [0.5], [-1, 2]], b: [1 / 6, 2 / 3, 1 / 6], order: 3 },
    }),
  },
]);

/**
 * max-norm error of Y_N against a reference, for a sequence of N at fixed T and fixed θ(t);
 * returns the observed orders log2(e_N / e_2N).
 */
function convergenceOrders(integrator: ButcherTableau, weights: WeightSharing, Ns: number[], seed = 3): { errors: number[]; orders: number[] } {
  const m = 4, T = 1;
  const make = (N: number, integ: ButcherTableau) => continuousResnet(layer(m), { T, steps: N, weights, integrator: integ });
  const rng = createRng(seed);
  // θ(t) is N-independent for shared and piecewise weights: the same x for every N.
  const x = make(Ns[0], integrator).initialize(rng);
  for (let i = 0; i < x.length; i++) x[i] = 1.5 * x[i] + 0.3 * rng.normal();
  const Y = randn(m, 3, rng);
  const ref = make(2048, rk4).forward(x, Y).output;
  const errors = Ns.map((N) => {
    const out = make(N, integrator).forward(x, Y).output;
    let e = 0;
    for (let k = 0; k < out.data.length; k++) e = Math.max(e, Math.abs(out.data[k] - ref.data[k]));
    return e;
  });
  const orders = errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
  return { errors, orders };
}

function report(label: string, Ns: number[], r: { errors: number[]; orders: number[] }): string {
  return `${label}: ${Ns.map((N, i) => `N=${N} err=${r.errors[i].toExponential(2)}${i > 0 ? ` (order ${r.orders[i - 1].toFixed(3)})` : ''}`).join(', ')}`;
}

test('forward Euler converges with first order as N doubles at fixed T (shared and piecewise-constant weights)', () => {
  const Ns = [16, 32, 64, 128, 256];
  for (const weights of ['shared', { intervals: 4 }] as WeightSharing[]) {
    const r = convergenceOrders(forwardEuler, weights, Ns);
    const line = report(`forward Euler, weights ${JSON.stringify(weights)}`, Ns, r);
    console.log(line);
    for (const o of r.orders) assert.ok(Math.abs(o - 1) < 0.1, `order ${o} is not 1:\n${line}`);
  }
});

test('Heun converges with second order and RK4 with fourth order as N doubles at fixed T', () => {
  const NsHeun = [8, 16, 32, 64, 128];
  for (const weights of ['shared', { intervals: 4 }] as WeightSharing[]) {
    const r = convergenceOrders(heun, weights, NsHeun);
    const line = report(`Heun, weights ${JSON.stringify(weights)}`, NsHeun, r);
    console.log(line);
    for (const o of r.orders) assert.ok(Math.abs(o - 2) < 0.15, `order ${o} is not 2:\n${line}`);
  }
  const Ns = [4, 8, 16, 32, 64];
  for (const weights of ['shared', { intervals: 4 }] as WeightSharing[]) {
    const r = convergenceOrders(rk4, weights, Ns);
    const line = report(`RK4, weights ${JSON.stringify(weights)}`, Ns, r);
    console.log(line);
    for (const o of r.orders) assert.ok(Math.abs(o - 4) < 0.3, `order ${o} is not 4:\n${line}`);
  }
});

test('forward Euler with per-step weights is the lecture ResNet Y_{j+1} = Y_j + h σ(K_j Y_j + b_j)', () => {
  const N = 5, T = 2;
  const layers = Array.from({ length: N }, () => layer(4));
  const open = opening();
  const a = continuousResnet((k) => layers[k], { T, steps: N, opening: open });
  const b = resnet(layers, { T, opening: open });
  const rng = createRng(7);
  const x = rng.normalArray(a.nParams);
  const Y = randn(3, 6, rng);
  assert.equal(a.nParams, b.nParams);
  const sa = a.forward(x, Y), sb = b.forward(x, Y);
  assertClose(sa.output, sb.output, 1e-15, 'outputs');
  const dx = rng.normalArray(a.nParams), dY = randn(3, 6, rng), dZ = randn(4, 6, rng);
  assertClose(a.jvp(x, sa, dx, dY), b.jvp(x, sb, dx, dY), 1e-13, 'jvp');
  const ra = a.vjp(x, sa, dZ), rb = b.vjp(x, sb, dZ);
  assertClose(ra.dx, rb.dx, 1e-13, 'vjp dx');
  assertClose(ra.dY, rb.dY, 1e-13, 'vjp dY');
  assert.deepEqual(a.paramBlocks().map((p) => p.name), b.paramBlocks().map((p) => p.name));
});

test('RK4 step follows the classical formula; the trajectory holds Y_0 … Y_N', () => {
  const F = layer(3);
  const h = 0.3;
  const net = continuousResnet(F, { h, steps: 2, weights: 'shared', integrator: 'rk4' });
  const rng = createRng(5);
  const x = rng.normalArray(net.nParams);
  const Y = randn(3, 2, rng);
  const f = (M: Matrix) => F.forward(x, M).output;
  const axpy = (A: Matrix, s: number, B: Matrix) => {
    const out = randn(3, 2, rng);
    for (let k = 0; k < 6; k++) out.data[k] = A.data[k] + s * B.data[k];
    return out;
  };
  let cur = Y;
  const traj = [Y];
  for (let j = 0; j < 2; j++) {
    const k1 = f(cur), k2 = f(axpy(cur, h / 2, k1)), k3 = f(axpy(cur, h / 2, k2)), k4 = f(axpy(cur, h, k3));
    const next = randn(3, 2, rng);
    for (let k = 0; k < 6; k++) next.data[k] = cur.data[k] + (h / 6) * (k1.data[k] + 2 * k2.data[k] + 2 * k3.data[k] + k4.data[k]);
    cur = next;
    traj.push(cur);
  }
  const s = net.forward(x, Y);
  assertClose(s.output, cur, 1e-15, 'RK4 output');
  assert.equal(s.trajectory.length, 3);
  s.trajectory.forEach((M, j) => assertClose(M, traj[j], 1e-15, `Y_${j}`));
  assert.notEqual(s.trajectory[0].data, Y.data, 'Y_0 is a copy');
});

test('jvpTrajectory ends in jvp and starts at dY_0', () => {
  const net = continuousResnet(layer(4), { T: 1, steps: 6, weights: { intervals: 3 }, integrator: 'rk4', opening: opening() });
  const rng = createRng(9);
  const x = net.initialize(rng);
  const Y = randn(3, 4, rng), dY = randn(3, 4, rng), dx = rng.normalArray(net.nParams);
  const s = net.forward(x, Y);
  const path = net.jvpTrajectory(x, s, dx, dY);
  assert.equal(path.length, 7);
  assertClose(path[6], net.jvp(x, s, dx, dY), 1e-15, 'last = jvp');
  assertClose(path[0], net.opening!.jvp(x.subarray(0, net.opening!.nParams), s.openingState!, dx.subarray(0, net.opening!.nParams), dY), 1e-15, 'first = opening jvp');
});

test('shared and piecewise weights: the parameter count does not depend on N', () => {
  for (const N of [4, 8, 64]) {
    assert.equal(continuousResnet(layer(4), { steps: N, weights: 'shared' }).nParams, 20);
    assert.equal(continuousResnet(layer(4), { steps: N, weights: { intervals: 4 } }).nParams, 80);
  }
  const net = continuousResnet(layer(2), { steps: 4, weights: { intervals: 2 }, opening: singleLayer(dense(2, 1)) });
  assert.deepEqual(net.paramBlocks().map((b) => b.name), ['opening.theta', 'opening.bias', 'interval0.theta', 'interval0.bias', 'interval1.theta', 'interval1.bias']);
  assert.deepEqual(Array.from(net.grid.blockOfStep), [0, 0, 1, 1]);
  assert.equal(continuousResnet(layer(2), { steps: 3, weights: 'shared' }).paramBlocks()[0].name, 'shared.theta');
  // Zero weights, σ(0) = 0: the identity map, for every integrator.
  for (const integrator of integrators) {
    const id = continuousResnet(layer(3), { steps: 4, weights: 'shared', integrator });
    const Y = randn(3, 2, createRng(1));
    assert.deepEqual(vec(id.forward(new Float64Array(id.nParams), Y).output), vec(Y));
  }
});

test('timeGrid: h = T/N, block maps, errors', () => {
  const g = timeGrid({ T: 2, steps: 8, weights: { intervals: 2 } });
  assert.equal(g.h, 0.25);
  assert.deepEqual(Array.from(g.blockOfStep), [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(g.times[8], 2);
  assert.equal(timeGrid({ h: 0.1, steps: 10 }).T, 10 * 0.1);
  assert.throws(() => timeGrid({ steps: 10, weights: { intervals: 4 } }), /timeGrid: steps = 10 is not a multiple of weights.intervals = 4 \(every step must lie inside one weight interval\)/);
  assert.throws(() => timeGrid({ steps: 0 }), /timeGrid: steps must be a positive integer, got 0/);
  assert.throws(() => timeGrid({ steps: 2, T: 1, h: 1 }), /timeGrid: give T or h, not both/);
  assert.throws(() => timeGrid({ steps: 2, T: -1 }), /timeGrid: T/);
  assert.throws(() => timeGrid({ steps: 2, weights: 'every' as unknown as WeightSharing }), /timeGrid: weights must be 'shared', 'perStep' or \{ intervals: M \}, got "every"/);
});

test('continuousResnet: bad arguments give clear errors', () => {
  assert.throws(() => continuousResnet(singleLayer(dense(3, 2)), { steps: 2 }), /continuousResnet: layer 0 maps 2 → 3, but a time step must keep the width 2/);
  assert.throws(() => continuousResnet(layer(3), { steps: 2, opening: singleLayer(dense(4, 2)) }), /continuousResnet: opening has nOut = 4, expected the width 3/);
  assert.throws(() => continuousResnet(layer(3), { steps: 2, integrator: 'rk5' as 'rk4' }), /continuousResnet: integrator 'rk5' is unknown, expected forwardEuler, heun, rk4 or a Butcher tableau/);
  assert.throws(() => continuousResnet(layer(3), { steps: 2, integrator: { name: 'bad', a: [[], [1, 2]], b: [0.5, 0.5], order: 2 } }), /continuousResnet: integrator bad: row 1 of a has 2 entries, expected 1 \(explicit methods only\)/);
  assert.throws(() => continuousResnet({} as never, { steps: 2 }), /continuousResnet: layer 0 must be a Model/);
});
