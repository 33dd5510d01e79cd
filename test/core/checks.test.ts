import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taylorTest, adjointTest, createRng, randn, matmul, fromMatrix, mat } from '../../src/index.js';

test('taylorTest: correct derivative gives order 2, wrong derivative order 1 and fails', () => {
  const f = (x: Float64Array) => new Float64Array([Math.sin(x[0]) * x[1], x[0] * x[0] * x[1]]);
  const x = new Float64Array([0.3, -1.2]);
  const v = new Float64Array([0.7, 0.4]);
  const J = (d: Float64Array) => new Float64Array([
    Math.cos(x[0]) * x[1] * d[0] + Math.sin(x[0]) * d[1],
    2 * x[0] * x[1] * d[0] + x[0] * x[0] * d[1],
  ]);
  const good = taylorTest(f, x, v, { jvp: J });
  assert.ok(good.passed, good.table);
  const mid = good.orders1.slice(2, 10);
  for (const o of mid) assert.ok(Math.abs(o - 2) < 0.1, `order ${o}\n${good.table}`);
  for (const o of good.orders0.slice(2, 10)) assert.ok(Math.abs(o - 1) < 0.1);
  const wrong = taylorTest(f, x, v, { jvp: (d) => J(d).map((t) => 1.01 * t) });
  assert.equal(wrong.passed, false, wrong.table);
  assert.match(good.table, /order\(E1\)/);
});

test('taylorTest recognises a linear map as exact', () => {
  const rng = createRng(2);
  const A = randn(4, 3, rng);
  const f = (x: Float64Array) => fromMatrix(A).apply(x);
  const x = rng.normalArray(3), v = rng.normalArray(3);
  const r = taylorTest(f, x, v, { jvp: fromMatrix(A).apply(v) });
  assert.ok(r.exact && r.passed, r.table);
  assert.ok(r.rows.every((row) => row.e1 < 1e-12));
});

test('taylorTest accepts matrix-valued functions and checks lengths', () => {
  const rng = createRng(3);
  const B = randn(3, 2, rng);
  const f = (x: Float64Array) => { const X = mat(Float64Array.from(x), 2, 2); return matmul(matmul(B, X), X); };
  const x = rng.normalArray(4), v = rng.normalArray(4);
  const X = mat(x, 2, 2), V = mat(v, 2, 2);
  const jv = (() => { const a = matmul(matmul(B, V), X), b = matmul(matmul(B, X), V); return a.data.map((t, i) => t + b.data[i]); })();
  assert.ok(taylorTest(f, x, v, { jvp: jv }).passed);
  assert.throws(() => taylorTest(f, x, v, { jvp: new Float64Array(5) }), /taylorTest: J v has length 5 but f\(x\) has length 6/);
  assert.throws(() => taylorTest(f, x, new Float64Array(3), { jvp: jv }), /taylorTest: x has length 4 but v has length 3/);
});

test('adjointTest: true transpose passes to machine precision, a wrong one fails', () => {
  const rng = createRng(4);
  const A = randn(5, 7, rng);
  const op = fromMatrix(A);
  const ok = adjointTest((v) => op.apply(v), (w) => op.applyTranspose(w), { nIn: 7, nOut: 5, rng });
  assert.ok(ok.passed && ok.relError < 1e-14, String(ok.relError));
  const bad = adjointTest((v) => op.apply(v), (w) => op.applyTranspose(w).map((t, i) => (i === 0 ? t * 1.001 : t)), { nIn: 7, nOut: 5, rng });
  assert.equal(bad.passed, false);
  assert.throws(() => adjointTest((v) => op.apply(v), (w) => op.applyTranspose(w), { nIn: 6, nOut: 5, rng }), /fromMatrix.apply: x has length 6, expected 7/);
});
