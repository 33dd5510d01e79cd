/**
 * The conformance suite every parametric operator K(θ) runs (the project rule: every derivative Taylor-tested, every transpose adjoint-tested):
 * shapes and degenerate sizes, toDense against an independently built matrix,
 * matrix-free products against the dense matrix, adjoint tests of
 * apply/applyTranspose and of jvp/vjp, the Taylor test of θ ↦ K(θ)Y (exact for
 * linear models: E1 at rounding level), inputs untouched, determinism, Q, and
 * the size checks at the public entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, matmul, randn, vec, zeros, type Matrix } from '../../src/core/index.js';
import { sparseMatVec, sparseQ, type ParametricOperator } from '../../src/operators/index.js';
import { assertAdjoint, assertClose, assertTaylor } from './assertions.js';

/** One operator instance and how to check it. */
export interface OperatorCase {
  /** Test label (defaults to op.name). */
  label?: string;
  op: ParametricOperator;
  /** K(θ) built independently from the definition, entry by entry (small sizes). */
  reference?: (theta: Float64Array) => Matrix;
  /** K(θ)Y by an independent naive loop (sizes too large for a dense matrix). */
  referenceApply?: (theta: Float64Array, Y: Matrix) => Matrix;
  /** Examples per batch (default 3). */
  nExamples?: number;
  /** Relative tolerance of the value comparisons (default 1e-12). */
  tol?: number;
  /** Seed of θ, Y, Z (default 1). */
  seed?: number;
  /** Whether the dense matrix is small enough to form (default nIn·nOut ≤ 400 000). */
  dense?: boolean;
}

/** jvp at θ for any operator (θ-free for linear ones). */
export function jvpAt(op: ParametricOperator, theta: Float64Array, dTheta: Float64Array, Y: Matrix): Matrix {
  return op.linear === false ? op.jvpAt!(theta, dTheta, Y) : op.jvp(dTheta, Y);
}

/** vjp at θ for any operator. */
export function vjpAt(op: ParametricOperator, theta: Float64Array, Z: Matrix, Y: Matrix): Float64Array {
  return op.linear === false ? op.vjpAt!(theta, Z, Y) : op.vjp(Z, Y);
}

/** Register the conformance tests of each case with node:test. */
export function operatorSuite(cases: OperatorCase[]): void {
  for (const c of cases) {
    const { op } = c;
    const label = c.label ?? op.name;
    const n = c.nExamples ?? 3;
    const tol = c.tol ?? 1e-12;
    const useDense = c.dense ?? op.nIn * op.nOut <= 400_000;
    const linear = op.linear !== false;
    const setup = () => {
      const rng = createRng(c.seed ?? 1);
      const theta = rng.normalArray(op.nTheta);
      const dTheta = rng.normalArray(op.nTheta);
      const Y = randn(op.nIn, n, rng);
      const Z = randn(op.nOut, n, rng);
      return { rng, theta, dTheta, Y, Z };
    };

    describe(`operator suite: ${label}`, () => {
      it('has consistent sizes and output shapes, including 1 and 0 examples', () => {
        const { theta, dTheta, Y, Z } = setup();
        assert.ok(op.nIn > 0 && op.nOut > 0 && op.nTheta >= 0, 'sizes');
        assert.equal(typeof op.name, 'string');
        assert.deepEqual(op.apply(theta, Y).shape, [op.nOut, n]);
        assert.deepEqual(op.applyTranspose(theta, Z).shape, [op.nIn, n]);
        assert.deepEqual(jvpAt(op, theta, dTheta, Y).shape, [op.nOut, n]);
        assert.equal(vjpAt(op, theta, Z, Y).length, op.nTheta);
        for (const m of [1, 0]) {
          const y = zeros(op.nIn, m), z = zeros(op.nOut, m);
          assert.deepEqual(op.apply(theta, y).shape, [op.nOut, m]);
          assert.deepEqual(op.applyTranspose(theta, z).shape, [op.nIn, m]);
          const g = vjpAt(op, theta, z, y);
          assert.equal(g.length, op.nTheta);
          assert.ok(g.every((x) => x === 0), 'vjp of zero data is zero');
        }
        if (useDense) assert.deepEqual(op.toDense(theta).shape, [op.nOut, op.nIn]);
      });

      if (c.reference) {
        it('toDense equals the matrix built entry by entry from the definition', () => {
          const { theta } = setup();
          assertClose(op.toDense(theta), c.reference!(theta), 1e-14, `${label} toDense`);
        });
      }

      it('apply and applyTranspose equal the reference products', () => {
        const { theta, Y, Z } = setup();
        if (useDense) {
          const K = c.reference ? c.reference(theta) : op.toDense(theta);
          assertClose(op.apply(theta, Y), matmul(K, Y), tol, `${label} apply`);
          assertClose(op.applyTranspose(theta, Z), matmul(K, Z, { transA: true }), tol, `${label} applyTranspose`);
        }
        if (c.referenceApply) assertClose(op.apply(theta, Y), c.referenceApply(theta, Y), tol, `${label} apply vs naive loops`);
        assert.ok(useDense || c.referenceApply, 'a reference is needed');
      });

      it('adjoint test: applyTranspose is the transpose of apply', () => {
        const { rng, theta } = setup();
        assertAdjoint(`${label} K`, (v) => op.apply(theta, matrixOf(v, op.nIn, n)), (w) => op.applyTranspose(theta, matrixOf(w, op.nOut, n)), {
          nIn: op.nIn * n,
          nOut: op.nOut * n,
          rng,
        });
      });

      it('adjoint test: vjp is the transpose of jvp (θ-Jacobian of K(θ)Y)', () => {
        const { rng, theta, Y } = setup();
        assertAdjoint(`${label} J_θ`, (v) => jvpAt(op, theta, v, Y), (w) => vjpAt(op, theta, matrixOf(w, op.nOut, n), Y), {
          nIn: op.nTheta,
          nOut: op.nOut * n,
          rng,
        });
      });

      it(`Taylor test of θ ↦ K(θ)Y${linear ? ' (exact: E1 at rounding)' : ''}`, () => {
        const { theta, dTheta, Y } = setup();
        const r = assertTaylor(`${label} θ ↦ K(θ)Y`, (t) => op.apply(t, Y), theta, dTheta, { jvp: jvpAt(op, theta, dTheta, Y) });
        if (linear) {
          assert.ok(r.exact, `K is linear in θ, so E1 must be at rounding level:\n${r.table}`);
          // jvp(dθ, Y) = K(dθ) Y exactly.
          assertClose(op.jvp(dTheta, Y), op.apply(dTheta, Y), 1e-14, `${label} jvp = K(dθ)Y`);
        }
      });

      if (linear && useDense && op.Q) {
        it('Q from sparseQ satisfies vec(K(θ)) = Q θ', () => {
          const { theta } = setup();
          assertClose(sparseMatVec(sparseQ(op), theta), vec(op.toDense(theta)), 1e-14, `${label} Q θ`);
        });
      }

      it('leaves its inputs untouched and is deterministic', () => {
        const { theta, dTheta, Y, Z } = setup();
        const copies = [Float64Array.from(theta), Float64Array.from(dTheta), Float64Array.from(Y.data), Float64Array.from(Z.data)];
        const run = () => [op.apply(theta, Y).data, op.applyTranspose(theta, Z).data, jvpAt(op, theta, dTheta, Y).data, vjpAt(op, theta, Z, Y)];
        const a = run();
        const b = run();
        [theta, dTheta, Y.data, Z.data].forEach((x, i) => assert.deepEqual(x, copies[i], `input ${i} was modified`));
        a.forEach((x, i) => assert.deepEqual(x, b[i], `result ${i} differs between identical calls`));
      });

      it('rejects a wrong θ length and a wrong row count, naming the sizes', () => {
        const { theta, Y, Z } = setup();
        const bad = new Float64Array(op.nTheta + 1);
        assert.throws(() => op.apply(bad, Y), new RegExp(`theta has length ${op.nTheta + 1}, expected ${op.nTheta}`));
        assert.throws(() => op.applyTranspose(bad, Z), new RegExp(`theta has length ${op.nTheta + 1}, expected ${op.nTheta}`));
        assert.throws(() => op.apply(theta, zeros(op.nIn + 1, 2)), new RegExp(`Y has ${op.nIn + 1} rows, expected ${op.nIn}`));
        assert.throws(() => op.applyTranspose(theta, zeros(op.nOut + 1, 2)), new RegExp(`Z has ${op.nOut + 1} rows, expected ${op.nOut}`));
        assert.throws(() => vjpAt(op, theta, zeros(op.nOut, 2), zeros(op.nIn, 3)), /Z has 2 columns but Y has 3/);
      });
    });
  }
}

/** View a flat vector as a rows × cols matrix (copy, column-major). */
export function matrixOf(v: Float64Array, rows: number, cols: number): Matrix {
  const M = zeros(rows, cols);
  M.data.set(v);
  return M;
}
