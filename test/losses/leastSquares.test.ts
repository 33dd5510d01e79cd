import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, fromRows, randn, vec } from '../../src/core/index.js';
import { leastSquares } from '../../src/losses/index.js';
import { assertClose } from '../helpers/assertions.js';
import { lossSuite } from '../helpers/lossSuite.js';

lossSuite('leastSquares', leastSquares, (nc, n, rng) => randn(nc, n, rng));

test('leastSquares: ½‖W [Y; 1] − C‖²/n, gradient (S − C)[Y; 1]ᵀ/n, Hessian V [Y;1][Y;1]ᵀ/n', () => {
  const W = fromRows([[2, 1]]), Y = fromRows([[1, 2]]), C = fromRows([[3, 4]]);
  const r = leastSquares(W, Y, C);
  // S = [3, 5], residual [0, 1]: value = ½·1/2 = 0.25.
  assert.equal(r.value, 0.25);
  assertClose(r.gradW, fromRows([[1, 0.5]]), 1e-16); // [0·1 + 1·2, 0 + 1]/2
  assertClose(r.gradY, fromRows([[0, 1]]), 1e-16); // W_Yᵀ (S − C)/n = 2·[0, 0.5]
  assertClose(r.hessW(fromRows([[1, 0]])), fromRows([[2.5, 1.5]]), 1e-16); // [Y;1][Y;1]ᵀ/2 = [[5,3],[3,2]]/2
  const rng = createRng(2);
  const Z = randn(2, 5, rng);
  assert.equal(leastSquares(randn(2, 2, rng), Z, Z).value > 0, true);
  assertClose(vec(leastSquares(randn(2, 3, rng), Z, Z).hessS(Z)), vec(Z).map((z) => z / 5), 1e-16);
});
