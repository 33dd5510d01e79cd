/**
 * The playground's networks and their ODE views (playground/src/network.ts):
 * trajectories end at the network's output; the step spectra equal the
 * eigenvalues of Jacobians formed by finite differences (forward Euler steps,
 * the Verlet pair's block matrix, leapfrog's ±√μ); the stability verdicts
 * agree with numdl's stabilityCheck (forward Euler) and with the actual
 * growth of the leapfrog recursion on y'' = −ω²y.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from 'numdl';
import { DEFAULT_CONFIG, STEPS } from '../../playground/src/config.js';
import { buildNetwork, stabilityVerdict } from '../../playground/src/network.js';

const small = { ...DEFAULT_CONFIG, width: 4, depth: 3, T: 1.5 };

/** Dense Jacobian of y ↦ model(x, y) at one column y by central differences. */
function fdJacobian(model: nd.Model, x: Float64Array, y: Float64Array): nd.Matrix {
  const m = model.nOut, k = model.nIn, eps = 1e-6;
  const J = nd.zeros(m, k);
  for (let q = 0; q < k; q++) {
    const yp = Float64Array.from(y), ym = Float64Array.from(y);
    yp[q] += eps;
    ym[q] -= eps;
    const fp = model.forward(x, nd.matrix(k, 1, yp)).output.data, fm = model.forward(x, nd.matrix(k, 1, ym)).output.data;
    for (let p = 0; p < m; p++) J.data[p + m * q] = (fp[p] - fm[p]) / (2 * eps);
  }
  return J;
}

/** Largest distance from each eigenvalue of `a` to the nearest one of `b` (multiset-insensitive, fine for checks). */
function spectrumDistance(a: nd.Spectrum, b: nd.Spectrum): number {
  let worst = 0;
  for (let i = 0; i < a.re.length; i++) {
    let best = Infinity;
    for (let j = 0; j < b.re.length; j++) best = Math.min(best, Math.hypot(a.re[i] - b.re[j], a.im[i] - b.im[j]));
    worst = Math.max(worst, best);
  }
  return worst;
}

const slice = (s: nd.Spectrum, from: number, len: number): nd.Spectrum => ({ re: s.re.slice(from, from + len), im: s.im.slice(from, from + len) });

test('every step type: N + 1 states of width m, the last one the output', () => {
  const rng = nd.createRng(1);
  const Y = nd.randn(2, 5, rng);
  for (const step of STEPS) {
    const net = buildNetwork({ ...small, step });
    const theta = net.model.initialize(rng.fork(step));
    const traj = net.trajectory(theta, Y);
    assert.equal(traj.length, small.depth + 1, step);
    for (const M of traj) assert.deepEqual(M.shape, [4, 5]);
    assert.deepEqual(Array.from(traj[small.depth].data), Array.from(net.model.forward(theta, Y).output.data), step);
    assert.equal(net.h, 0.5);
    assert.equal(net.region, step === 'hamiltonian' || step === 'hyperbolic' ? 'imaginary' : 'euler');
  }
});

test('forward-Euler steps: the spectra are the eigenvalues of each step map\'s Jacobian (finite differences)', () => {
  const rng = nd.createRng(2);
  const Y = nd.randn(2, 2, rng);
  for (const step of ['resnet', 'antisymmetric', 'parabolic'] as const) {
    const net = buildNetwork({ ...small, step });
    const model = net.model as nd.ResNetModel;
    const theta = model.initialize(rng.fork(step));
    const lam = net.stepSpectra(theta, Y);
    assert.equal(lam.re.length, small.depth * 2 * 4);
    const traj = net.trajectory(theta, Y);
    let o = model.opening!.nParams;
    for (let j = 0; j < small.depth; j++) {
      const layer = model.layers[j];
      const xj = theta.subarray(o, o + layer.nParams);
      o += layer.nParams;
      for (let e = 0; e < 2; e++) {
        const J = fdJacobian(layer, xj, traj[j].data.slice(4 * e, 4 * e + 4));
        const d = spectrumDistance(slice(lam, (j * 2 + e) * 4, 4), nd.eigvals(J));
        assert.ok(d < 1e-6, `${step}, step ${j}, point ${e}: eigenvalues differ by ${d}`);
      }
    }
  }
});

test('Verlet: the spectra are those of [[0, A], [−B, 0]] with A = ∂f/∂Z, B = ∂g/∂Y (finite differences); purely imaginary for tanh', () => {
  const rng = nd.createRng(3);
  const Y = nd.randn(2, 2, rng);
  const net = buildNetwork({ ...small, step: 'hamiltonian' });
  const model = net.model as nd.HamiltonianModel;
  const theta = model.initialize(rng);
  const lam = net.stepSpectra(theta, Y);
  const s = model.forward(theta, Y);
  const m = 4;
  let o = model.opening!.nParams;
  for (let j = 0; j < small.depth; j++) {
    const { f, g } = model.pairs[j];
    const xj = theta.subarray(o, o + f.nParams);
    o += f.nParams;
    for (let e = 0; e < 2; e++) {
      const A = fdJacobian(f, xj, s.Z[j].data.slice(m * e, m * e + m));
      const B = fdJacobian(g, xj, s.Y[j + 1].data.slice(m * e, m * e + m));
      const S = nd.zeros(2 * m, 2 * m);
      for (let q = 0; q < m; q++) for (let p = 0; p < m; p++) {
        S.data[p + 2 * m * (m + q)] = A.data[p + m * q];
        S.data[m + p + 2 * m * q] = -B.data[p + m * q];
      }
      const mine = slice(lam, (j * 2 + e) * 2 * m, 2 * m);
      assert.ok(spectrumDistance(mine, nd.eigvals(S)) < 1e-6, `step ${j}, point ${e}`);
      for (let i = 0; i < 2 * m; i++) assert.ok(Math.abs(mine.re[i]) < 1e-8 * (1 + Math.abs(mine.im[i])), `Re λ = ${mine.re[i]}`);
    }
  }
});

test('leapfrog: the spectra are ±√μ for the eigenvalues μ of ∂F/∂Y (finite differences)', () => {
  const rng = nd.createRng(4);
  const Y = nd.randn(2, 1, rng);
  const net = buildNetwork({ ...small, step: 'hyperbolic' });
  const model = net.model as nd.HyperbolicModel;
  const theta = model.initialize(rng);
  const lam = net.stepSpectra(theta, Y);
  assert.equal(lam.re.length, small.depth * 2 * 4);
  const traj = net.trajectory(theta, Y);
  let o = model.opening!.nParams;
  for (let j = 0; j < small.depth; j++) {
    const layer = model.layers[j];
    const xj = theta.subarray(o, o + layer.nParams);
    o += layer.nParams;
    const mu = nd.eigvals(fdJacobian(layer, xj, traj[j].data.slice(0, 4)));
    const mine = slice(lam, j * 8, 8);
    const squares = { re: mine.re.map((a, i) => a * a - mine.im[i] ** 2), im: mine.im.map((b, i) => 2 * mine.re[i] * b) };
    assert.ok(spectrumDistance(squares, mu) < 1e-6 && spectrumDistance(mu, squares) < 1e-6, `step ${j}`);
    for (let i = 0; i < 8; i += 2) assert.ok(Math.abs(mine.re[i] + mine.re[i + 1]) + Math.abs(mine.im[i] + mine.im[i + 1]) < 1e-15, 'pairs ±√μ');
  }
});

test('forward Euler verdict = numdl stabilityCheck', () => {
  const s = { re: Float64Array.of(-1, -0.5, 0.1), im: Float64Array.of(0, 0.5, 0) };
  const v = stabilityVerdict(s, 0.5, 'euler');
  const r = nd.stabilityCheck(s, 0.5);
  assert.deepEqual(v, { stable: r.stable, outside: r.unstableCount, hMax: r.maxStableStep, maxFactor: r.maxFactor });
  assert.equal(v.stable, false);
  assert.equal(stabilityVerdict({ re: Float64Array.of(-1), im: Float64Array.of(0) }, 1.5, 'euler').stable, true);
});

test('Verlet/leapfrog verdict agrees with the growth of leapfrog on y\'\' = −ω²y', () => {
  const h = 0.1;
  const grows = (omega: number) => {
    let prev = 1, y = 1; // y_{-1} = y_0: zero velocity
    for (let k = 0; k < 2000; k++) {
      const next = 2 * y - prev - h * h * omega * omega * y;
      prev = y;
      y = next;
      if (!(Math.abs(y) <= 100)) return true;
    }
    return false;
  };
  for (const omega of [1, 10, 19.5, 20.5, 40]) {
    const v = stabilityVerdict({ re: Float64Array.of(0, 0), im: Float64Array.of(omega, -omega) }, h, 'imaginary');
    assert.equal(v.stable, !grows(omega), `ω = ${omega}`);
    assert.ok(Math.abs(v.hMax - 2 / omega) < 1e-15);
  }
  // A real eigenvalue (y'' = +y: exponential growth) is outside for every h.
  const real = stabilityVerdict({ re: Float64Array.of(1, -1), im: Float64Array.of(0, 0) }, h, 'imaginary');
  assert.deepEqual([real.stable, real.outside, real.hMax], [false, 2, 0]);
});
