/**
 * Average pooling: the definition entry by entry, the transpose, batched
 * products, and validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, matmul, randn, zeros } from '../../src/core/index.js';
import { averagePool } from '../../src/operators/index.js';
import { assertAdjoint, assertClose } from '../helpers/assertions.js';

describe('averagePool', () => {
  it('averages each non-overlapping p×p patch per channel', () => {
    const P = averagePool([4, 2], 1, 2);
    // image rows iy = 0: 1 2 3 4, iy = 1: 5 6 7 8 → patches {1,2,5,6}, {3,4,7,8}
    assert.deepEqual(Array.from(P.apply(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8))), [3.5, 5.5]);
    assert.equal(P.rows, 2);
    assert.equal(P.cols, 8);
  });
  for (const [nx, ny, c, p] of [[4, 6, 2, 2], [6, 6, 3, 3], [28, 28, 8, 2], [5, 5, 1, 1]]) {
    it(`matches the definition and its transpose (${nx}×${ny}, ${c} channels, p = ${p})`, () => {
      const P = averagePool([nx, ny], c, p);
      const mx = nx / p, my = ny / p;
      const rng = createRng(nx + c);
      const Y = randn(nx * ny * c, 3, rng), Z = randn(mx * my * c, 3, rng);
      // Independent naive pooling
      const ref = zeros(mx * my * c, 3);
      for (let j = 0; j < 3; j++) for (let ch = 0; ch < c; ch++) for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
        const r = Math.floor(ix / p) + mx * (Math.floor(iy / p) + my * ch);
        ref.data[r + j * mx * my * c] += Y.data[ix + nx * (iy + ny * ch) + j * nx * ny * c] / (p * p);
      }
      assertClose(P.applyBatch(Y), ref, 1e-14, 'applyBatch');
      if (nx * ny * c <= 2000) {
        const D = P.toDense();
        assertClose(matmul(D, Y), ref, 1e-14, 'toDense');
        assertClose(P.applyTransposeBatch(Z), matmul(D, Z, { transA: true }), 1e-14, 'transpose');
      }
      assertAdjoint('averagePool', (v) => P.apply(v), (w) => P.applyTranspose(w), { nIn: P.cols, nOut: P.rows, rng });
      const col = Y.data.slice(0, P.cols);
      assertClose(P.apply(col), P.applyBatch(Y).data.subarray(0, P.rows), 1e-15, 'single = batch column');
    });
  }
  it('rejects patch sizes that do not divide the grid and wrong rows', () => {
    assert.throws(() => averagePool([28, 28], 1, 3), /averagePool: patch size 3 does not divide the 28×28 grid/);
    assert.throws(() => averagePool([4, 4], 1, 2).applyBatch(zeros(15, 2)), /averagePool: Y has 15 rows, expected 16/);
    assert.throws(() => averagePool([4, 4], 1, 2).apply(new Float64Array(3)), /x has length 3, expected 16/);
  });
});
