/**
 * Conformance suite for losses E(W [Y; 1ᵀ], C): Taylor tests of the gradients
 * in W and Y, Taylor tests of the Hessian mat-vecs (as derivatives of the
 * gradients), symmetry (adjoint test of H against itself), positive
 * semi-definiteness where the loss is convex, shapes and errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, dot, eye, mat, randn, vec, type Matrix, type Rng } from '../../src/core/index.js';
import type { LossFunction } from '../../src/losses/index.js';
import { assertAdjoint, assertTaylor } from './assertions.js';

/** A random one-hot label matrix nc × n. */
export function oneHot(nc: number, n: number, rng: Rng): Matrix {
  const C = mat(new Float64Array(nc * n), nc, n);
  for (let j = 0; j < n; j++) C.data[rng.randi(nc) + j * nc] = 1;
  return C;
}

/**
 * Register the tests for one loss on random data of the given sizes.
 * @param name label
 * @param loss the loss function
 * @param targets how to draw C (one-hot for cross-entropy, normal for least squares)
 */
export function lossSuite(name: string, loss: LossFunction, targets: (nc: number, n: number, rng: Rng) => Matrix): void {
  const nc = 3, nf = 4, n = 7;
  for (const bias of [true, false]) {
    const label = `${name} (${bias ? 'with' : 'without'} bias column)`;
    const setup = (seed: number) => {
      const rng = createRng(seed);
      const nW = nf + (bias ? 1 : 0);
      return { rng, nW, W: randn(nc, nW, rng), Y: randn(nf, n, rng), C: targets(nc, n, rng), dW: randn(nc, nW, rng), dY: randn(nf, n, rng) };
    };

    test(`${label}: Taylor test of the gradient in W`, () => {
      const { W, Y, C, dW, nW } = setup(1);
      const g = vec(loss(W, Y, C).gradW);
      assertTaylor(`${label} gradW`, (w) => loss(mat(Float64Array.from(w), nc, nW), Y, C).value, vec(W), vec(dW), { jvp: dot(g, vec(dW)) });
    });

    test(`${label}: Taylor test of the gradient in Y`, () => {
      const { W, Y, C, dY } = setup(2);
      const g = vec(loss(W, Y, C).gradY);
      assertTaylor(`${label} gradY`, (y) => loss(W, mat(Float64Array.from(y), nf, n), C).value, vec(Y), vec(dY), { jvp: dot(g, vec(dY)) });
    });

    test(`${label}: Taylor tests of the Hessian mat-vecs in W, Y and S (derivatives of the gradients)`, () => {
      const { W, Y, C, dW, dY, nW } = setup(3);
      const r = loss(W, Y, C);
      assertTaylor(`${label} hessW`, (w) => loss(mat(Float64Array.from(w), nc, nW), Y, C).gradW, vec(W), vec(dW), { jvp: r.hessW(dW) });
      assertTaylor(`${label} hessY`, (y) => loss(W, mat(Float64Array.from(y), nf, n), C).gradY, vec(Y), vec(dY), { jvp: r.hessY(dY) });
      // With Y = I (n × n) and no bias column, S = W: ∇²_S E is the Hessian in W.
      const S0 = randn(nc, n, createRng(30)), dS = randn(nc, n, createRng(31));
      const rs = loss(S0, eye(n), C);
      assertTaylor(`${label} hessS`, (w) => loss(mat(Float64Array.from(w), nc, n), eye(n), C).gradS, vec(S0), vec(dS), { jvp: rs.hessS(dS) });
    });

    test(`${label}: Hessian mat-vecs are symmetric (adjoint test) and positive semi-definite`, () => {
      const { W, Y, C, nW, rng } = setup(4);
      const r = loss(W, Y, C);
      const size = { W: nc * nW, Y: nf * n, S: nc * n };
      assertAdjoint(`${label} hessW`, (v) => r.hessW(v), (w) => r.hessW(w), { nIn: size.W, nOut: size.W, rng: createRng(5) });
      assertAdjoint(`${label} hessY`, (v) => r.hessY(v), (w) => r.hessY(w), { nIn: size.Y, nOut: size.Y, rng: createRng(6) });
      assertAdjoint(`${label} hessS`, (v) => r.hessS(v), (w) => r.hessS(w), { nIn: size.S, nOut: size.S, rng: createRng(7) });
      for (let t = 0; t < 20; t++) {
        for (const key of ['W', 'Y', 'S'] as const) {
          const v = rng.normalArray(size[key]);
          const Hv = key === 'W' ? r.hessW(v) : key === 'Y' ? r.hessY(v) : r.hessS(v);
          const q = dot(v, vec(Hv));
          assert.ok(q >= -1e-14 * dot(v, v), `${label}: vᵀ H_${key} v = ${q} < 0`);
        }
      }
    });

    test(`${label}: shapes, inputs untouched, Matrix and vec directions agree`, () => {
      const { W, Y, C, dW, nW } = setup(8);
      const W0 = vec(W), Y0 = vec(Y), C0 = vec(C);
      const r = loss(W, Y, C);
      assert.deepEqual(r.gradW.shape, [nc, nW]);
      assert.deepEqual(r.gradY.shape, [nf, n]);
      assert.deepEqual(r.S.shape, [nc, n]);
      assert.deepEqual(vec(r.hessW(dW)), vec(r.hessW(vec(dW))));
      assert.ok(Number.isFinite(r.value));
      assert.deepEqual(vec(W), W0);
      assert.deepEqual(vec(Y), Y0);
      assert.deepEqual(vec(C), C0);
    });

    test(`${label}: bad shapes give clear errors`, () => {
      const { W, Y, C, nW } = setup(9);
      assert.throws(() => loss(randn(nc, nf + 2, createRng(1)), Y, C), new RegExp(`W is ${nc}×${nf + 2} but Y has ${nf} rows: expected W with ${nf} or ${nf + 1} columns`));
      assert.throws(() => loss(W, Y, randn(nc + 1, n, createRng(1))), new RegExp(`C is ${nc + 1}×${n}, expected ${nc}×${n}`));
      const r = loss(W, Y, C);
      assert.throws(() => r.hessW(new Float64Array(nc * nW + 1)), new RegExp(`hessW: V has length ${nc * nW + 1}, expected ${nc}\\*${nW}`));
      assert.throws(() => r.hessY(randn(nf, n + 1, createRng(1))), new RegExp(`hessY: V is ${nf}×${n + 1}, expected ${nf}×${n}`));
    });
  }
}
