import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrix, zeros, eye, randn, fromRows, transpose, toFloat32, type Matrix } from '../../src/core/matrix.js';
import { matmul } from '../../src/core/matmul.js';
import { createRng } from '../../src/core/rng.js';
import { fromMatrix, linearOperator } from '../../src/core/linearOperator.js';
import { pcg } from '../../src/core/solvers/pcg.js';
import { cgls } from '../../src/core/solvers/cgls.js';
import { svd, rank, cond } from '../../src/core/solvers/svd.js';
import { eigvals, eigSym } from '../../src/core/solvers/eigvals.js';
import { assertClose } from '../helpers/assertions.js';

// ---------------------------------------------------------------- helpers --

/** Dense solve of M x = y by Gaussian elimination with partial pivoting (reference). */
function denseSolve(M: Matrix, y: Float64Array): Float64Array {
  const n = M.shape[0];
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => M.get(i, j)));
  const x = Array.from(y);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    [a[k], a[p]] = [a[p], a[k]];
    [x[k], x[p]] = [x[p], x[k]];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
      x[i] -= f * x[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * x[j];
    x[i] = s / a[i][i];
  }
  return Float64Array.from(x);
}

function matvec(M: Matrix, v: Float64Array): Float64Array {
  return matmul(M, matrix(v.length, 1, Float64Array.from(v))).data;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function relResidual(M: Matrix, x: Float64Array, b: Float64Array): number {
  const ax = matvec(M, x);
  return norm(ax.map((t, i) => b[i] - t)) / norm(b);
}

/** max |QᵀQ − I|. */
function orthError(Q: Matrix): number {
  const G = matmul(Q, Q, { transA: true });
  const k = G.shape[0];
  let e = 0;
  for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) e = Math.max(e, Math.abs(G.get(i, j) - (i === j ? 1 : 0)));
  return e;
}

function frob(M: Matrix): number {
  return norm(M.data);
}

/** ‖A − U diag(S) Vᵀ‖_F. */
function reconstructionError(A: Matrix, U: Matrix, S: Float64Array, V: Matrix): number {
  const [m, n] = A.shape;
  const k = S.length;
  const US = matrix(m, k, Float64Array.from(U.data));
  for (let j = 0; j < k; j++) for (let i = 0; i < m; i++) US.data[i + j * m] *= S[j];
  const R = k === 0 ? zeros(m, n) : matmul(US, V, { transB: true });
  let s = 0;
  for (let i = 0; i < m * n; i++) s += (A.data[i] - R.data[i]) ** 2;
  return Math.sqrt(s);
}

function symmetricPositive(n: number, seed: number, shift = 1): Matrix {
  const B = randn(n, n, createRng(seed));
  const A = matmul(B, B, { transA: true });
  for (let i = 0; i < n; i++) A.data[i + i * n] += shift * n;
  return A;
}

/** Random orthogonal n×n matrix: product of n Householder reflectors. */
function randomOrthogonal(n: number, seed: number): Matrix {
  const rng = createRng(seed);
  let Q = eye(n);
  for (let r = 0; r < n; r++) {
    const v = rng.normalArray(n);
    const vv = norm(v) ** 2;
    const H = eye(n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) H.data[i + j * n] -= (2 * v[i] * v[j]) / vv;
    Q = matmul(Q, H);
  }
  return Q;
}

function hilbert(n: number): Matrix {
  const H = zeros(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) H.data[i + j * n] = 1 / (i + j + 1);
  return H;
}

/** Each expected eigenvalue is matched to a distinct computed one within tol. */
function assertSameSpectrum(got: { re: Float64Array; im: Float64Array }, want: { re: number[]; im: number[] }, tol: number, label: string) {
  assert.equal(got.re.length, want.re.length, `${label}: count`);
  const used = new Array(got.re.length).fill(false);
  for (let k = 0; k < want.re.length; k++) {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < got.re.length; j++) {
      if (used[j]) continue;
      const dd = Math.hypot(got.re[j] - want.re[k], got.im[j] - want.im[k]);
      if (dd < bestD) {
        bestD = dd;
        best = j;
      }
    }
    assert.ok(bestD <= tol, `${label}: expected ${want.re[k]} + ${want.im[k]}i, nearest computed is ${bestD.toExponential(3)} away`);
    used[best] = true;
  }
}

function assertEigOrder(ev: { re: Float64Array; im: Float64Array }, label: string) {
  for (let k = 0; k + 1 < ev.re.length; k++) {
    assert.ok(ev.re[k] > ev.re[k + 1] || (ev.re[k] === ev.re[k + 1] && ev.im[k] >= ev.im[k + 1]), `${label}: not sorted at ${k}`);
  }
  for (let k = 0; k < ev.re.length; k++) {
    if (ev.im[k] > 0) {
      assert.equal(ev.re[k + 1], ev.re[k], `${label}: pair real parts differ`);
      assert.equal(ev.im[k + 1], -ev.im[k], `${label}: pair imaginary parts not opposite`);
    }
  }
}

// -------------------------------------------------------------------- pcg --

test('pcg solves a random SPD system to tol; matches a dense solve; history starts at 1', () => {
  const n = 40;
  const A = symmetricPositive(n, 1, 0.1);
  const b = createRng(2).normalArray(n);
  const bCopy = Float64Array.from(b);
  const r = pcg(fromMatrix(A), b, { tol: 1e-10, maxIter: 200 });
  assert.equal(r.flag, 'converged');
  assert.ok(relResidual(A, r.x, b) <= 1e-10, `true residual ${relResidual(A, r.x, b)}`);
  assert.ok(r.relres <= 1e-10);
  assert.equal(r.residuals.length, r.iterations + 1);
  assert.equal(r.residuals[0], 1);
  assert.equal(r.residuals[r.residuals.length - 1], r.relres);
  assertClose(r.x, denseSolve(A, b), 1e-8, 'pcg vs dense solve');
  assert.deepEqual(b, bCopy, 'b untouched');
  // a dense Matrix is accepted as well
  assertClose(pcg(A, b, { tol: 1e-10, maxIter: 200 }).x, r.x, 1e-12, 'Matrix input');
});

test('pcg on the 1-D Laplacian given as a function, and from a starting guess (x0 untouched)', () => {
  const n = 100;
  const lap = (v: Float64Array) => {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i < n - 1 ? v[i + 1] : 0);
    return y;
  };
  const xTrue = Float64Array.from({ length: n }, (_, i) => Math.sin((3 * Math.PI * (i + 1)) / (n + 1)) + i / n);
  const b = lap(xTrue);
  const L = zeros(n, n);
  for (let i = 0; i < n; i++) {
    L.data[i + i * n] = 2;
    if (i > 0) L.data[i + (i - 1) * n] = -1;
    if (i < n - 1) L.data[i + (i + 1) * n] = -1;
  }
  const r = pcg(lap, b, { tol: 1e-10, maxIter: 400 });
  assert.equal(r.flag, 'converged');
  assert.ok(relResidual(L, r.x, b) <= 1e-10);
  assertClose(r.x, denseSolve(L, b), 1e-7, 'Laplacian vs dense solve');
  assertClose(r.x, xTrue, 1e-6, 'Laplacian vs exact solution');

  const x0 = new Float64Array(n).fill(0.5);
  const x0Copy = Float64Array.from(x0);
  const r0 = pcg(lap, b, { tol: 1e-10, maxIter: 400, x0 });
  assert.equal(r0.flag, 'converged');
  assert.deepEqual(x0, x0Copy, 'x0 untouched');
  assert.notEqual(r0.x, x0);
  assert.ok(Math.abs(r0.residuals[0] - relResidual(L, x0, b)) < 1e-14, 'history starts at ‖b − A x0‖/‖b‖');
});

test('pcg with a Jacobi preconditioner needs far fewer iterations on a badly scaled SPD matrix', () => {
  const n = 60;
  const B = symmetricPositive(n, 5, 1); // well conditioned
  const dScale = Float64Array.from({ length: n }, (_, i) => 10 ** (-3 + (6 * i) / (n - 1)));
  const A = zeros(n, n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) A.data[i + j * n] = dScale[i] * B.data[i + j * n] * dScale[j];
  const b = createRng(6).normalArray(n);
  const diag = Float64Array.from({ length: n }, (_, i) => A.data[i + i * n]);
  const plain = pcg(A, b, { tol: 1e-8, maxIter: 2000 });
  const jac = pcg(A, b, { tol: 1e-8, maxIter: 2000, preconditioner: (r) => r.map((t, i) => t / diag[i]) });
  assert.equal(jac.flag, 'converged');
  assert.ok(relResidual(A, jac.x, b) <= 1e-8);
  assert.ok(jac.iterations * 3 < plain.iterations, `Jacobi ${jac.iterations} vs plain ${plain.iterations} iterations`);
});

test('pcg converges in at most as many steps as A has distinct eigenvalues', () => {
  const n = 50;
  const vals = [1, 4, 9];
  const dg = Float64Array.from({ length: n }, (_, i) => vals[i % 3]);
  const b = createRng(7).normalArray(n);
  const r = pcg((v) => v.map((t, i) => t * dg[i]), b, { tol: 1e-10 });
  assert.equal(r.flag, 'converged');
  assert.ok(r.iterations <= 3, `${r.iterations} iterations`);
  assertClose(r.x, b.map((t, i) => t / dg[i]), 1e-9, 'diagonal solve');
});

test('pcg stops with negativeCurvature on an indefinite matrix and returns the last iterate', () => {
  const n = 20;
  const dg = Float64Array.from({ length: n }, (_, i) => (i === 7 ? -3 : 1 + i));
  const b = new Float64Array(n).fill(1);
  const r = pcg((v) => v.map((t, i) => t * dg[i]), b, { tol: 1e-12 });
  assert.equal(r.flag, 'negativeCurvature');
  assert.ok(r.iterations >= 1);
  assert.ok(r.x.every(Number.isFinite));
  assert.equal(r.residuals.length, r.iterations + 1);
  // Curvature ≤ 0 in the very first step: x0 (or zero) comes back for the caller to fall back on.
  const negI = (v: Float64Array) => v.map((t) => -t);
  const r0 = pcg(negI, b);
  assert.equal(r0.flag, 'negativeCurvature');
  assert.equal(r0.iterations, 0);
  assert.deepEqual(Array.from(r0.x), new Array(n).fill(0));
  const x0 = new Float64Array(n).fill(2);
  const r1 = pcg(negI, b, { x0 });
  assert.equal(r1.flag, 'negativeCurvature');
  assert.deepEqual(Array.from(r1.x), Array.from(x0));
  assert.notEqual(r1.x, x0);
  // zero curvature (singular along p) counts too
  assert.equal(pcg(() => new Float64Array(n), b).flag, 'negativeCurvature');
});

test('pcg: b = 0 gives x = 0 at once; NaN gives nonFinite with a finite x; bad preconditioner gives breakdown', () => {
  const n = 10;
  const A = symmetricPositive(n, 8);
  const z = pcg(A, new Float64Array(n), { x0: new Float64Array(n).fill(3) });
  assert.equal(z.flag, 'converged');
  assert.equal(z.iterations, 0);
  assert.deepEqual(Array.from(z.x), new Array(n).fill(0));
  assert.deepEqual(z.residuals, [0]);

  let calls = 0;
  const poisoned = (v: Float64Array) => {
    calls++;
    const y = matvec(A, v);
    if (calls === 3) y[2] = NaN;
    return y;
  };
  const b = createRng(9).normalArray(n);
  const r = pcg(poisoned, b, { tol: 1e-14 });
  assert.equal(r.flag, 'nonFinite');
  assert.equal(r.iterations, 2);
  assert.ok(r.x.every(Number.isFinite));

  const br = pcg(A, b, { preconditioner: (v) => v.map((t) => -t) });
  assert.equal(br.flag, 'breakdown');
});

test('pcg: no extra product when the recursive residual is safely below tol; a drifting recursion is confirmed, never trusted', () => {
  // A = diag(λ), λ from 1 down to 1e-4, products rounded to float32: an operator accurate to ~6e-8, so the
  // recursive residual keeps falling while the true one b − A x stalls near 1e-7.
  const n = 60;
  const lam = Float64Array.from({ length: n }, (_, i) => 10 ** ((-4 * i) / (n - 1)));
  let calls = 0;
  const A = (v: Float64Array) => {
    calls++;
    return v.map((t, i) => Math.fround(t * lam[i]));
  };
  const b = createRng(3).normalArray(n);
  const trueRel = (x: Float64Array) => {
    let s = 0, nb = 0;
    for (let i = 0; i < n; i++) {
      s += (b[i] - Math.fround(x[i] * lam[i])) ** 2;
      nb += b[i] ** 2;
    }
    return Math.sqrt(s / nb);
  };
  // Loose tol (Newton-CG's 1e-2): one product per CG step, nothing more, and the true residual is within tol.
  // At 1e-5 (245 steps, ‖A‖‖x‖ ≈ 1e4‖b‖) the drift margin is too small: one confirming product.
  for (const [tol, extra] of [[1e-2, 0], [1e-5, 1]]) {
    calls = 0;
    const r = pcg(A, b, { tol, maxIter: 500 });
    assert.equal(r.flag, 'converged', `tol ${tol}`);
    assert.equal(calls, r.iterations + extra, `tol ${tol}: ${calls} products for ${r.iterations} steps`);
    assert.ok(trueRel(r.x) <= tol, `tol ${tol}: true residual ${trueRel(r.x)}`);
    assert.ok(Math.abs(trueRel(r.x) - r.relres) <= 1e-4 * tol, `tol ${tol}: reported ${r.relres}, true ${trueRel(r.x)}`);
  }
  // tol 1e-10 is below what this operator can resolve: the recursion reaches it (the confirmations below
  // are the extra products), the true residual does not, so pcg must not report 'converged'.
  calls = 0;
  const r = pcg(A, b, { tol: 1e-10, maxIter: 500 });
  assert.ok(calls > r.iterations, 'the recursion reached tol and was confirmed');
  assert.equal(r.flag, 'maxIter');
  assert.ok(trueRel(r.x) > 1e-9, `true residual ${trueRel(r.x)}`);
  assert.ok(Math.abs(r.relres - trueRel(r.x)) <= 0.5 * trueRel(r.x), `reported ${r.relres}, true ${trueRel(r.x)}`);
});

test('pcg validates its inputs with clear messages', () => {
  const A = fromMatrix(eye(4));
  const b = new Float64Array(4).fill(1);
  assert.throws(() => pcg(A, new Float64Array(3)), /^NumdlError: pcg: b has length 3, expected 4 \(A is 4×4\)$/);
  assert.throws(() => pcg(fromMatrix(zeros(4, 5)), b), /pcg: A is 4×5, expected a square operator/);
  assert.throws(() => pcg(A, b, { tol: 0 }), /pcg: tol must be > 0, got 0/);
  assert.throws(() => pcg(A, b, { tol: -1e-3 }), /pcg: tol must be > 0/);
  assert.throws(() => pcg(A, b, { maxIter: 2.5 }), /pcg: maxIter must be a positive integer, got 2.5/);
  assert.throws(() => pcg(A, b, { maxIter: 0 }), /pcg: maxIter must be a positive integer, got 0/);
  assert.throws(() => pcg(A, b, { x0: new Float64Array(2) }), /pcg: x0 has length 2, expected 4/);
  assert.throws(() => pcg((v) => v.subarray(1), b), /pcg: A\(v\) returned length 3, expected a Float64Array of length 4/);
  assert.throws(() => pcg(A, new Float32Array(4) as unknown as Float64Array), /pcg: b must be a Float64Array, got a Float32Array/);
});

// ------------------------------------------------------------------- cgls --

function normalEquationSolution(A: Matrix, b: Float64Array, shift: number): Float64Array {
  const AtA = matmul(A, A, { transA: true });
  const n = AtA.shape[0];
  for (let i = 0; i < n; i++) AtA.data[i + i * n] += shift;
  return denseSolve(AtA, matmul(A, matrix(b.length, 1, Float64Array.from(b)), { transA: true }).data);
}

test('cgls matches the normal equations (over-determined, with and without shift)', () => {
  const A = randn(40, 12, createRng(11));
  const b = createRng(12).normalArray(40);
  for (const shift of [0, 0.5]) {
    const r = cgls(A, b, { shift, tol: 1e-12, maxIter: 100 });
    assert.equal(r.flag, 'converged', `shift ${shift}`);
    assert.ok(r.relres <= 1e-12);
    assert.equal(r.residuals.length, r.iterations + 1);
    assert.equal(r.residuals[0], 1);
    assertClose(r.x, normalEquationSolution(A, b, shift), 1e-9, `cgls shift ${shift}`);
    // the same through a LinearOperator
    assertClose(cgls(fromMatrix(A), b, { shift, tol: 1e-12, maxIter: 100 }).x, r.x, 1e-12, 'operator input');
  }
});

test('cgls on an under-determined system gives the minimum-norm solution (and the shifted one)', () => {
  const A = randn(10, 30, createRng(13));
  const b = createRng(14).normalArray(10);
  const r = cgls(A, b, { tol: 1e-12, maxIter: 100 });
  assert.equal(r.flag, 'converged');
  // x = Aᵀ (A Aᵀ)⁻¹ b
  const AAt = matmul(A, A, { transB: true });
  const xMin = matmul(A, matrix(10, 1, denseSolve(AAt, b)), { transA: true }).data;
  assertClose(r.x, xMin, 1e-9, 'minimum-norm solution');
  assertClose(matvec(A, r.x), b, 1e-9, 'A x = b');
  const rs = cgls(A, b, { shift: 0.3, tol: 1e-12, maxIter: 100 });
  assert.equal(rs.flag, 'converged');
  assertClose(rs.x, normalEquationSolution(A, b, 0.3), 1e-9, 'shifted under-determined');
});

test('cgls works through products only (one A and one Aᵀ per iteration), from x0, and leaves inputs alone', () => {
  const M = randn(25, 8, createRng(15));
  let nA = 0, nAt = 0;
  const base = fromMatrix(M);
  const op = linearOperator({
    rows: 25,
    cols: 8,
    apply: (x) => (nA++, base.apply(x)),
    applyTranspose: (y) => (nAt++, base.applyTranspose(y)),
  });
  const b = createRng(16).normalArray(25);
  const x0 = new Float64Array(8).fill(1);
  const bCopy = Float64Array.from(b), x0Copy = Float64Array.from(x0);
  const r = cgls(op, b, { tol: 1e-12, maxIter: 50, x0, shift: 0.1 });
  assert.equal(r.flag, 'converged');
  assert.equal(nA, r.iterations + 1); // + the initial residual b − A x0
  assert.equal(nAt, r.iterations + 2); // + Aᵀb and the initial Aᵀr0
  assertClose(r.x, normalEquationSolution(M, b, 0.1), 1e-9, 'from x0');
  assert.deepEqual(b, bCopy);
  assert.deepEqual(x0, x0Copy);
});

test('cgls: Aᵀb = 0 gives x = 0; validates inputs', () => {
  const A = fromRows([[1, 0], [0, 1], [0, 0]]);
  const r = cgls(A, new Float64Array([0, 0, 5]));
  assert.equal(r.flag, 'converged');
  assert.deepEqual(Array.from(r.x), [0, 0]);
  assert.throws(() => cgls(A, new Float64Array(4)), /^NumdlError: cgls: b has length 4, expected 3 \(A is 3×2\)$/);
  assert.throws(() => cgls(A, new Float64Array(3), { shift: -1 }), /cgls: shift must be >= 0, got -1/);
  assert.throws(() => cgls(A, new Float64Array(3), { tol: 0 }), /cgls: tol must be > 0/);
  assert.throws(() => cgls(A, new Float64Array(3), { maxIter: -2 }), /cgls: maxIter must be a positive integer/);
  assert.throws(() => cgls(A, new Float64Array(3), { x0: new Float64Array(3) }), /cgls: x0 has length 3, expected 2/);
});

// -------------------------------------------------------------------- svd --

const METHODS = ['golubKahan', 'jacobi'] as const;

test('svd reconstructs random matrices to 1e-13·‖A‖ with orthonormal U, V (all shapes, both methods)', () => {
  const rng = createRng(21);
  const shapes: [number, number][] = [[1, 1], [1, 5], [6, 1], [2, 2], [7, 4], [4, 7], [30, 30], [45, 20], [20, 45]];
  for (const method of METHODS) {
    for (const [m, n] of shapes) {
      const A = randn(m, n, rng);
      const Acopy = Float64Array.from(A.data);
      const { U, S, V } = svd(A, { method });
      const k = Math.min(m, n);
      const label = `${method} ${m}×${n}`;
      assert.deepEqual(U.shape, [m, k], label);
      assert.deepEqual(V.shape, [n, k], label);
      assert.equal(S.length, k);
      for (let i = 0; i < k; i++) assert.ok(S[i] >= 0 && (i === 0 || S[i] <= S[i - 1]), `${label}: S not descending`);
      const err = reconstructionError(A, U, S, V);
      assert.ok(err <= 1e-13 * frob(A), `${label}: ‖A − USVᵀ‖ = ${err}`);
      assert.ok(orthError(U) <= 1e-13, `${label}: UᵀU − I = ${orthError(U)}`);
      assert.ok(orthError(V) <= 1e-13, `${label}: VᵀV − I = ${orthError(V)}`);
      assert.deepEqual(A.data, Acopy, 'A untouched');
      const vo = svd(A, { method, vectors: false });
      assertClose(vo.S, S, 1e-14, `${label}: values-only S`);
      assert.deepEqual(vo.U.shape, [m, 0]);
      assert.deepEqual(vo.V.shape, [n, 0]);
    }
  }
});

test('svd agrees across methods and for Aᵀ (rows < cols via the transpose); strided views accepted', () => {
  const A = randn(12, 31, createRng(22));
  const s1 = svd(A).S, s2 = svd(A, { method: 'jacobi' }).S, s3 = svd(transpose(A)).S;
  assertClose(s1, s2, 1e-13, 'methods');
  assertClose(s1, s3, 1e-13, 'transpose');
  assertClose(svd(A.transpose(1, 0) as Matrix).S, s1, 1e-13, 'transposed view');
});

test('svd of diagonal matrices with permuted signs, and of orthogonal matrices', () => {
  const dvals = [3, -7, 0.5, -2, 5, 0];
  const n = dvals.length;
  const D = zeros(n, n);
  dvals.forEach((v, i) => (D.data[i + i * n] = v));
  // permute rows and columns too: P D Q has the same singular values
  const p = [3, 0, 5, 1, 4, 2], q = [1, 4, 0, 2, 5, 3];
  const PDQ = zeros(n, n);
  for (let i = 0; i < n; i++) PDQ.data[p[i] + q[i] * n] = dvals[i];
  for (const method of METHODS) {
    for (const M of [D, PDQ]) {
      const r = svd(M, { method });
      assertClose(r.S, [7, 5, 3, 2, 0.5, 0], 1e-15, `${method} diagonal`);
      assert.ok(reconstructionError(M, r.U, r.S, r.V) <= 1e-14);
      assert.ok(orthError(r.U) <= 1e-14 && orthError(r.V) <= 1e-14, 'orthonormal with a zero σ');
    }
    const Q = randomOrthogonal(15, 23);
    const r = svd(Q, { method });
    assertClose(r.S, new Float64Array(15).fill(1), 1e-14, `${method} orthogonal`);
    assert.equal(cond(Q), cond(Q)); // deterministic
    assert.ok(Math.abs(cond(Q) - 1) < 1e-13);
  }
});

test('svd of the Hilbert matrix (n = 6) matches eigSym and κ₂ ≈ 1.495e7', () => {
  const H = hilbert(6);
  const lam = eigSym(H).values; // ascending; H is SPD so σ = λ
  for (const method of METHODS) {
    const { S } = svd(H, { method });
    for (let i = 0; i < 6; i++) {
      assert.ok(Math.abs(S[i] - lam[5 - i]) <= 1e-14 * S[0], `${method}: σ${i} = ${S[i]} vs λ = ${lam[5 - i]}`);
      assert.ok(Math.abs(S[i] - lam[5 - i]) <= 1e-8 * S[i], `${method}: σ${i} relative`);
    }
  }
  const k = cond(H);
  assert.ok(Math.abs(k / 1.4951058642e7 - 1) < 1e-6, `cond(hilb(6)) = ${k}`);
  assert.ok(Math.abs(k / (lam[5] / lam[0]) - 1) < 1e-7);
  assert.equal(rank(H), 6);
});

test('svd of rank-deficient matrices and zero columns: rank, tiny σ, orthonormal factors', () => {
  const rng = createRng(24);
  const A = matmul(randn(9, 3, rng), randn(3, 7, rng)); // rank 3
  for (let i = 0; i < 9; i++) A.data[i + 2 * 9] = 0; // a zero column
  for (const method of METHODS) {
    const r = svd(A, { method });
    for (let i = 3; i < 7; i++) assert.ok(r.S[i] <= 1e-14 * r.S[0], `${method}: σ${i} = ${r.S[i]}`);
    assert.ok(reconstructionError(A, r.U, r.S, r.V) <= 1e-13 * frob(A));
    assert.ok(orthError(r.U) <= 1e-13 && orthError(r.V) <= 1e-13, `${method}: orthonormal`);
  }
  assert.equal(rank(A), 3);
  assert.equal(rank(transpose(A)), 3);
  assert.equal(rank(A, 1e-8 * svd(A).S[0]), 3);
  assert.equal(rank(A, 1e300), 0);
  const Z = zeros(4, 3);
  const rz = svd(Z);
  assert.deepEqual(Array.from(rz.S), [0, 0, 0]);
  assert.ok(orthError(rz.U) === 0 && orthError(rz.V) === 0);
  assert.equal(rank(Z), 0);
  assert.equal(cond(Z), Infinity);
  assert.equal(rank(zeros(0, 3)), 0);
  assert.deepEqual(svd(zeros(0, 3)).V.shape, [3, 0]);
});

test('svd method jacobi keeps tiny singular values to high relative accuracy', () => {
  // A = Q·D with orthonormal columns Q: σ(A) = |D| exactly; GK would only get them to eps·σ₁.
  const Q = randomOrthogonal(8, 25);
  const dv = [1, 1e-4, 1e-8, 1e-12, 1e-16, 1e-20];
  const A = zeros(8, 6);
  for (let j = 0; j < 6; j++) for (let i = 0; i < 8; i++) A.data[i + j * 8] = Q.data[i + j * 8] * dv[j];
  const { S } = svd(A, { method: 'jacobi' });
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(S[i] / dv[i] - 1) < 1e-12, `σ${i} = ${S[i]} vs ${dv[i]}`);
});

test('svd, rank and cond validate their input', () => {
  assert.throws(() => svd(toFloat32(eye(2)) as unknown as Matrix), /svd: A must be a Float64Array-backed matrix/);
  assert.throws(() => svd(fromRows([[1, NaN]])), /svd: A \(1×2\) has a non-finite entry at \(0, 1\)/);
  assert.throws(() => svd(eye(2), { method: 'qr' as never }), /svd: method must be 'golubKahan' or 'jacobi', got qr/);
  assert.throws(() => rank(eye(2), -1), /rank: tol must be >= 0, got -1/);
  assert.throws(() => cond({} as Matrix), /cond: A must be a 2-D ndarray matrix/);
});

// ---------------------------------------------------------------- eigvals --

test('eigvals of a circulant matrix equals the DFT of its first column', () => {
  for (const n of [7, 8, 16]) {
    const c = createRng(30 + n).normalArray(n);
    const C = zeros(n, n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) C.data[i + j * n] = c[(i - j + n) % n];
    const want = { re: [] as number[], im: [] as number[] };
    for (let k = 0; k < n; k++) {
      let re = 0, im = 0;
      for (let j = 0; j < n; j++) {
        re += c[j] * Math.cos((2 * Math.PI * j * k) / n);
        im -= c[j] * Math.sin((2 * Math.PI * j * k) / n);
      }
      want.re.push(re);
      want.im.push(im);
    }
    const ev = eigvals(C);
    assertSameSpectrum(ev, want, 1e-12 * n, `circulant n=${n}`);
    assertEigOrder(ev, `circulant n=${n}`);
  }
});

test('eigvals: a rotation block gives a ±i pair; a cyclic permutation gives the roots of unity', () => {
  const th = 0.7;
  const R = fromRows([[Math.cos(th), -Math.sin(th), 0], [Math.sin(th), Math.cos(th), 0], [0, 0, 2]]);
  const ev = eigvals(R);
  assertClose(ev.re, [2, Math.cos(th), Math.cos(th)], 1e-15, 're');
  assertClose(ev.im, [0, Math.sin(th), -Math.sin(th)], 1e-15, 'im');
  assertEigOrder(ev, 'rotation');
  const J = fromRows([[0, -1], [1, 0]]);
  assert.deepEqual(eigvals(J), { re: new Float64Array([0, 0]), im: new Float64Array([1, -1]) });
  // disguised by a similarity transform
  const T = fromRows([[1, 2, 0], [0, 1, 3], [1, 0, 1]]);
  const Tinv = zeros(3, 3);
  for (let j = 0; j < 3; j++) {
    const e = new Float64Array(3);
    e[j] = 1;
    Tinv.data.set(denseSolve(T, e), 3 * j);
  }
  const ev2 = eigvals(matmul(matmul(T, R), Tinv));
  assertClose(ev2.re, ev.re, 1e-13, 're similar');
  assertClose(ev2.im, ev.im, 1e-13, 'im similar');
  // cyclic shift: the QR iteration stalls without exceptional shifts
  const n = 9;
  const P = zeros(n, n);
  for (let i = 0; i < n; i++) P.data[((i + 1) % n) + i * n] = 1;
  const want = { re: [] as number[], im: [] as number[] };
  for (let k = 0; k < n; k++) {
    want.re.push(Math.cos((2 * Math.PI * k) / n));
    want.im.push(Math.sin((2 * Math.PI * k) / n));
  }
  assertSameSpectrum(eigvals(P), want, 1e-13, 'roots of unity');
});

test('eigvals of a companion matrix are the roots of its polynomial', () => {
  // p(x) = (x − 1)(x − 2)(x − 3)(x² + 1)(x + 0.5)
  let coef = [1]; // highest degree first
  const mul = (f: number[]) => {
    const out = new Array(coef.length + f.length - 1).fill(0);
    coef.forEach((a, i) => f.forEach((b, j) => (out[i + j] += a * b)));
    coef = out;
  };
  mul([1, -1]);
  mul([1, -2]);
  mul([1, -3]);
  mul([1, 0, 1]);
  mul([1, 0.5]);
  const n = coef.length - 1;
  const Cm = zeros(n, n); // ones on the subdiagonal, last column −a₀ … −a_{n−1}
  for (let i = 1; i < n; i++) Cm.data[i + (i - 1) * n] = 1;
  for (let i = 0; i < n; i++) Cm.data[i + (n - 1) * n] = -coef[n - i];
  const ev = eigvals(Cm);
  assertClose(ev.re, [3, 2, 1, 0, 0, -0.5], 1e-12, 'roots re (sorted descending)');
  assertClose(ev.im, [0, 0, 0, 1, -1, 0], 1e-12, 'roots im');
});

test('eigvals of a triangular matrix is its diagonal; random matrices satisfy the trace identities', () => {
  const rng = createRng(40);
  const n = 6;
  const Tm = randn(n, n, rng);
  for (let j = 0; j < n; j++) for (let i = j + 1; i < n; i++) Tm.data[i + j * n] = 0;
  const dg = Array.from({ length: n }, (_, i) => Tm.data[i + i * n]).sort((a, b) => b - a);
  for (const balance of [true, false]) {
    const ev = eigvals(Tm, { balance });
    assertClose(ev.re, dg, 1e-13, 'triangular');
    assert.deepEqual(Array.from(ev.im), new Array(n).fill(0));
  }
  const Lw = transpose(Tm);
  assertClose(eigvals(Lw).re, dg, 1e-13, 'lower triangular');

  for (const m of [5, 30, 60]) {
    const A = randn(m, m, rng);
    const Acopy = Float64Array.from(A.data);
    const ev = eigvals(A);
    assert.deepEqual(A.data, Acopy, 'A untouched');
    assertEigOrder(ev, `random ${m}`);
    const A2 = matmul(A, A);
    let tr = 0, tr2 = 0, s = 0, s2 = 0, si = 0;
    for (let i = 0; i < m; i++) {
      tr += A.data[i + i * m];
      tr2 += A2.data[i + i * m];
      s += ev.re[i];
      si += ev.im[i];
      s2 += ev.re[i] ** 2 - ev.im[i] ** 2;
    }
    assert.ok(Math.abs(s - tr) <= 1e-11 * m, `trace ${tr} vs Σλ ${s}`);
    assert.equal(si, 0);
    assert.ok(Math.abs(s2 - tr2) <= 1e-10 * m * m, `trace(A²) ${tr2} vs Σλ² ${s2}`);
  }
  // badly scaled: B = D T D⁻¹ with T = tridiag(1; 1 2 3; 1), eigenvalues 2 ± √3, 2;
  // balancing undoes D and keeps full accuracy
  const B = fromRows([[1, 1e6, 0], [1e-6, 2, 1e8], [0, 1e-8, 3]]);
  assertClose(eigvals(B).re, [2 + Math.sqrt(3), 2, 2 - Math.sqrt(3)], 1e-14, 'balanced');
  assertClose(eigvals(B, { balance: false }).re, [2 + Math.sqrt(3), 2, 2 - Math.sqrt(3)], 1e-6, 'unbalanced');
  assert.deepEqual(eigvals(zeros(0, 0)).re.length, 0);
  assertClose(eigvals(fromRows([[5]])).re, [5], 0, '1×1');
});

test('eigvals and eigSym validate their input', () => {
  assert.throws(() => eigvals(zeros(3, 4)), /^NumdlError: eigvals: A is 3×4, expected a square matrix$/);
  assert.throws(() => eigvals(fromRows([[1, Infinity], [0, 1]])), /eigvals: A \(2×2\) has a non-finite entry at \(0, 1\)/);
  assert.throws(() => eigvals(toFloat32(eye(2)) as unknown as Matrix), /eigvals: A must be a Float64Array-backed matrix/);
  assert.throws(() => eigSym(zeros(2, 3)), /^NumdlError: eigSym: A is 2×3, expected a square matrix$/);
  assert.throws(() => eigSym(fromRows([[1, 2], [3, 4]])), /eigSym: A is not symmetric: \|A\(1,0\) − A\(0,1\)\| = 1\.000e\+0/);
});

// ----------------------------------------------------------------- eigSym --

test('eigSym: A V = V Λ, V orthogonal, ascending; values only; known spectra', () => {
  for (const n of [1, 2, 5, 40]) {
    const A = symmetricPositive(n, 50 + n, -0.5); // indefinite in general
    const { values, vectors } = eigSym(A);
    for (let i = 0; i + 1 < n; i++) assert.ok(values[i] <= values[i + 1], 'ascending');
    const AV = matmul(A, vectors);
    let err = 0;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(AV.data[i + j * n] - vectors.data[i + j * n] * values[j]));
    const scale = Math.max(Math.abs(values[0]), Math.abs(values[n - 1]));
    assert.ok(err <= 1e-13 * n * scale, `n=${n}: ‖AV − VΛ‖ = ${err}`);
    assert.ok(orthError(vectors) <= 1e-13, `n=${n}: orthogonality`);
    const vo = eigSym(A, { vectors: false });
    assertClose(vo.values, values, 1e-14, 'values only');
    assert.deepEqual(vo.vectors.shape, [n, 0]);
  }
  // 1-D Laplacian: λ_k = 2 − 2 cos(kπ/(n+1))
  const n = 12;
  const L = zeros(n, n);
  for (let i = 0; i < n; i++) {
    L.data[i + i * n] = 2;
    if (i > 0) L.data[i + (i - 1) * n] = L.data[i - 1 + i * n] = -1;
  }
  const lam = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
  assertClose(eigSym(L).values, lam, 1e-14, 'Laplacian spectrum');
  // a diagonal matrix with repeated entries
  assertClose(eigSym(fromRows([[3, 0, 0], [0, -1, 0], [0, 0, 3]])).values, [-1, 3, 3], 0, 'diagonal');
});

test('eigvals converges on a cluster of equal eigenvalues much smaller than ‖A‖ (CᵀC of a symmetric circulant)', () => {
  // Before the normwise deflation fallback this stagnated with subdiagonals at 1e-16.
  const c = [1.359339515432931, 0, -2, 0, -2, 0, 2, 2, 2, 2, 0, -2, 0, -2, 0];
  const n = c.length;
  const C = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C.data[i + j * n] = c[(((i - j) % n) + n) % n];
  const CtC = matmul(C, C, { transA: true });
  const { re, im } = eigvals(CtC);
  // eigenvalues of CᵀC are |λ_k|², λ = DFT of the first column
  const expected: number[] = [];
  for (let k = 0; k < n; k++) {
    let a = 0, b = 0;
    for (let j = 0; j < n; j++) {
      a += c[j] * Math.cos((2 * Math.PI * j * k) / n);
      b -= c[j] * Math.sin((2 * Math.PI * j * k) / n);
    }
    expected.push(a * a + b * b);
  }
  expected.sort((x, y) => y - x);
  const scale = expected[0];
  for (let k = 0; k < n; k++) {
    assert.ok(Math.abs(re[k] - expected[k]) <= 1e-12 * scale, `eigenvalue ${k}: ${re[k]} vs ${expected[k]}`);
    assert.ok(Math.abs(im[k]) <= 1e-12 * scale);
  }
});
