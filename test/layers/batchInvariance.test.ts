/**
 * Results do not depend on the number of columns nor on the thread count:
 * a column of a forward, jvp or input-gradient vjp computed inside a full
 * batch has exactly the bits of the same column computed in a short batch
 * (the last mini-batch of an epoch) or alone, on both kernel families; and
 * the threaded kernels give one thread's bits with two threads.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createRng, matmul, randn } from '../../src/core/index.js';
import { matrix, type Matrix } from '../../src/core/matrix.js';
import type { Model, ModelState } from '../../src/core/model.js';
import { getWasmThreads, setWasmThreads, startWasmThreads, wasmThreadsReady } from '../../src/core/wasm/threads.js';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { singleLayer } from '../../src/layers/index.js';
import { chain, resnet } from '../../src/networks/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { withBackend } from '../helpers/backend.js';

/** Columns j0 … j0+c−1 of M as a new contiguous matrix. */
function cols(M: Matrix, j0: number, c: number): Matrix {
  const r = M.shape[0];
  const d = new Float64Array(r * c);
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) d[i + j * r] = M.get(i, j0 + j);
  return matrix(r, c, d);
}

function sameColumns(full: Matrix, j0: number, part: Matrix, what: string): void {
  const r = full.shape[0];
  assert.equal(part.shape[0], r, what);
  for (let j = 0; j < part.shape[1]; j++) {
    for (let i = 0; i < r; i++) {
      const a = full.get(i, j0 + j), b = part.get(i, j);
      if (!Object.is(a, b)) assert.fail(`${what}: entry (${i}, ${j0 + j}) is ${a} in the full batch, ${b} in the short one`);
    }
  }
}

/** Forward, jvp and vjp of `model` on n columns vs on columns [j0, j0 + c). */
function checkModel(model: Model, n: number, j0: number, c: number, label: string): void {
  const rng = createRng(3);
  const x = model.initialize(rng).map((v, i) => v + 0.1 * Math.sin(i));
  const Y = randn(model.nIn, n, rng), dY = randn(model.nIn, n, rng), W = randn(model.nOut, n, rng);
  const dx = rng.normalArray(model.nParams);
  const sFull: ModelState = model.forward(x, Y);
  const sPart: ModelState = model.forward(x, cols(Y, j0, c));
  sameColumns(sFull.output, j0, sPart.output, `${label} forward`);
  sameColumns(model.jvp(x, sFull, dx, dY), j0, model.jvp(x, sPart, dx, cols(dY, j0, c)), `${label} jvp`);
  sameColumns(model.vjp(x, sFull, W).dY, j0, model.vjp(x, sPart, cols(W, j0, c)).dY, `${label} vjp input gradient`);
}

const backends = wasmAvailable() ? (['js', 'wasm'] as const) : (['js'] as const);

for (const backend of backends) {
  test(`a column has the same bits in a full batch, a short batch and alone (${backend} kernels)`, () => {
    withBackend(backend, () => {
      const opening = singleLayer(dense(8, 2), { bias: 'vector' });
      const flagship = resnet(() => singleLayer(dense(8, 8), { bias: 'vector' }), { steps: 4, T: 1, opening });
      const wide = chain([singleLayer(dense(6, 5), { activation: 'relu' }), singleLayer(dense(3, 6), { activation: 'sin', bias: 'none' })]);
      const odd = singleLayer(dense(7, 9), { activation: 'tanh', bias: 'scalar' });
      const conv = singleLayer(conv2d([6, 6], [3, 3, 2, 3]), { bias: 'vector', activation: 'relu' });
      for (const [m, label] of [[flagship, 'flagship resnet'], [wide, 'relu/sin chain'], [odd, 'odd-width dense layer'], [conv, 'conv2d layer']] as const) {
        checkModel(m, 300, 288, 12, `${label}, last 12 of 300`);
        checkModel(m, 300, 17, 1, `${label}, column 17 alone`);
        checkModel(m, 64, 0, 3, `${label}, first 3 of 64`);
      }
      // matmul itself: a 1-column and a 5-column product against a 700-column one.
      const rng = createRng(9);
      const A = randn(13, 300, rng), B = randn(300, 700, rng);
      const C = matmul(A, B);
      sameColumns(C, 311, matmul(A, cols(B, 311, 1)), 'matmul 1 column');
      sameColumns(C, 695, matmul(A, cols(B, 695, 5)), 'matmul 5 columns');
    });
  });
}

test('one and two threads give the same bits for layers on the threaded kernels', { skip: wasmAvailable() ? false : 'WebAssembly kernels unavailable' }, async () => {
  const threads = getWasmThreads();
  after(() => setWasmThreads(threads));
  setWasmThreads(2);
  startWasmThreads();
  for (let i = 0; i < 400 && wasmThreadsReady() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(wasmThreadsReady() >= 1, 'no worker thread became ready');
  withBackend('wasm', () => {
    const rng = createRng(5);
    // conv2d: 28×28, 3×3, 1 → 8 over 96 images is above the kernels' threading threshold; dense 160 → 160 over 200 columns too.
    const conv = singleLayer(conv2d([28, 28], [3, 3, 1, 8]), { bias: 'vector', activation: 'relu' });
    const wide = singleLayer(dense(160, 160), { bias: 'vector' });
    for (const [model, n] of [[conv, 96], [wide, 200]] as const) {
      const x = model.initialize(rng);
      const Y = randn(model.nIn, n, rng), W = randn(model.nOut, n, rng), dx = rng.normalArray(model.nParams);
      const run = (t: number) => {
        setWasmThreads(t);
        const s = model.forward(x, Y);
        const r = model.vjp(x, s, W);
        return [s.output.data, model.jvp(x, s, dx, null).data, r.dx, (r.dY as Matrix).data];
      };
      const one = run(1), two = run(2);
      for (let q = 0; q < one.length; q++) {
        for (let i = 0; i < one[q].length; i++) {
          if (!Object.is(one[q][i], two[q][i])) assert.fail(`${model.name} product ${q}: entry ${i} is ${one[q][i]} on one thread, ${two[q][i]} on two`);
        }
      }
    }
  });
});

test('the fused dense forward gives the bits of the general path (gemm, bias, activation pass), so a layer\'s output does not depend on its width\'s parity', { skip: wasmAvailable() ? false : 'WebAssembly kernels unavailable' }, () => {
  withBackend('wasm', () => {
    const rng = createRng(12);
    for (const [nOut, nIn, act] of [[8, 2, 'tanh'], [10, 300, 'relu'], [6, 6, 'identity']] as const) {
      const d = dense(nOut, nIn);
      // The same operator without the denseMatrix flag takes the general path.
      const plainOp = { name: 'plain', nIn, nOut, nTheta: d.nTheta, apply: d.apply, applyTranspose: d.applyTranspose, jvp: d.jvp, vjp: d.vjp, toDense: d.toDense };
      const fused = singleLayer(d, { activation: act, bias: 'vector' }), general = singleLayer(plainOp, { activation: act, bias: 'vector' });
      assert.ok(fused.fusedDense && !general.fusedDense);
      const x = fused.initialize(rng).map((v, i) => (i >= d.nTheta ? 0.1 * Math.cos(i) : v));
      const Y = randn(nIn, 37, rng);
      const a = fused.forward(x, Y), b = general.forward(x, Y);
      sameColumns(b.output, 0, a.output, `${nOut}×${nIn} ${act} forward`);
      sameColumns(b.derivative, 0, a.derivative, `${nOut}×${nIn} ${act} σ'`);
      if (nIn === nOut) sameColumns(general.residualForward(x, Y, 0.3).output, 0, fused.residualForward(x, Y, 0.3).output, `${nOut}×${nIn} ${act} residual forward`);
    }
  });
});
