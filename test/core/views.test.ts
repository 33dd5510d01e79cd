/**
 * Element-wise helpers on strided views (ndarray-ops underneath): every
 * result is compared with a plain loop over `get`/`set` on the same view, for
 * transposed, sliced, stepped (including reversed) and float32 views.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addScaled, assign, clone, columnMajorData, createRng, ensureColumnMajor, fill, isColumnMajor, matrix, randn, toFloat32, vec,
  type AnyMatrix, type Matrix,
} from '../../src/index.js';

const rng = createRng(7);

/** Entries of a view as rows of numbers, read through `get` only. */
function entries(M: AnyMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < M.shape[0]; i++) {
    const row: number[] = [];
    for (let j = 0; j < M.shape[1]; j++) row.push(M.get(i, j));
    out.push(row);
  }
  return out;
}

/** Non-contiguous views of a fresh 6×5 random matrix (each its own storage), with a label. */
function views(): Array<{ name: string; V: Matrix; base: Matrix }> {
  const make = () => randn(6, 5, rng);
  const a = make(), b = make(), c = make(), d = make(), e = make();
  return [
    { name: 'transpose', V: a.transpose(1, 0), base: a },
    { name: 'slice lo(1,2).hi(3,2)', V: b.lo(1, 2).hi(3, 2), base: b },
    { name: 'step(2, -1)', V: c.step(2, -1), base: c },
    { name: 'step(-1, 2) of a transpose', V: d.transpose(1, 0).step(-1, 2), base: d },
    { name: 'column 3 as a 6×1 slice (offset 18)', V: e.lo(0, 3).hi(6, 1), base: e },
  ];
}

test('the views used below really are non-contiguous', () => {
  for (const { name, V } of views()) assert.ok(!isColumnMajor(V) || V.offset !== 0, name);
});

test('columnMajorData / ensureColumnMajor / clone / vec gather any strided view entry by entry', () => {
  for (const { name, V } of views()) {
    const want = entries(V);
    const [r, c] = V.shape;
    const d = columnMajorData(V);
    assert.equal(d.length, r * c, name);
    for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) assert.equal(d[i + j * r], want[i][j], `${name} (${i}, ${j})`);
    const E = ensureColumnMajor(V);
    assert.ok(isColumnMajor(E) && E.offset === 0 && E.data.length === r * c, name);
    assert.notEqual(E.data, V.data, `${name}: a copy, not the view's storage`);
    assert.deepEqual(entries(E), want, name);
    assert.deepEqual(entries(clone(V)), want, name);
    assert.deepEqual(Array.from(vec(V)), Array.from(d), name);
  }
  // float32 keeps its precision
  const F = toFloat32(randn(4, 3, rng)).transpose(1, 0);
  const E = ensureColumnMajor(F);
  assert.ok(E.data instanceof Float32Array);
  assert.deepEqual(entries(E), entries(F));
});

test('ensureColumnMajor returns a contiguous matrix itself, and copies an offset one', () => {
  const A = randn(3, 4, rng);
  assert.equal(ensureColumnMajor(A), A);
  const inner = matrix(2, 2, A.data.subarray(0, 4)); // contiguous, but a view on a longer buffer
  assert.equal(ensureColumnMajor(inner), inner);
  const shifted = A.lo(0, 1); // column-major strides, offset 3
  const E = ensureColumnMajor(shifted);
  assert.notEqual(E, shifted);
  assert.deepEqual(entries(E), entries(shifted));
});

test('assign writes into a strided view and leaves everything else alone', () => {
  for (const { name, V, base } of views()) {
    const before = Float64Array.from(base.data);
    const src = randn(V.shape[0], V.shape[1], rng);
    const srcCopy = Float64Array.from(src.data);
    // Expected storage: the same writes done by set() on a copy of the base.
    const expectBase = matrix(base.shape[0], base.shape[1], Float64Array.from(before));
    const viewOfExpect = { ...V, data: expectBase.data } as Matrix; // same strides and offset on the copy
    for (let i = 0; i < V.shape[0]; i++) {
      for (let j = 0; j < V.shape[1]; j++) expectBase.data[viewOfExpect.offset + i * V.stride[0] + j * V.stride[1]] = src.get(i, j);
    }
    assert.equal(assign(V, src), V, name);
    assert.deepEqual(Array.from(base.data), Array.from(expectBase.data), name);
    assert.deepEqual(Array.from(src.data), Array.from(srcCopy), `${name}: src not modified`);
  }
});

test('assign between overlapping views of one storage copies as if through a temporary', () => {
  const A = matrix(3, 3, new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const want = entries(A).map((row) => row.slice());
  // A ← Aᵀ in place: a naive entry-by-entry copy would read already-overwritten entries.
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) want[i][j] = A.get(j, i);
  assign(A, A.transpose(1, 0));
  assert.deepEqual(entries(A), want);
});

test('fill sets exactly the entries of the view', () => {
  const A = randn(5, 4, rng);
  const before = entries(A);
  fill(A.lo(0, 2).hi(5, 1), 0); // column 2
  fill(A.lo(1, 0).hi(2, 4).step(1, 2), -1); // rows 1–2, columns 0 and 2
  const want = before.map((row) => row.slice());
  for (let i = 0; i < 5; i++) want[i][2] = 0;
  for (const i of [1, 2]) for (const j of [0, 2]) want[i][j] = -1;
  assert.deepEqual(entries(A), want);
});

test('addScaled is y + a*x entry by entry on strided views, bit for bit; X unchanged', () => {
  for (const { name, V } of views()) {
    const X = randn(V.shape[0], V.shape[1], rng).transpose(1, 0).transpose(1, 0); // same shape, a view
    const Xt = randn(V.shape[1], V.shape[0], rng).transpose(1, 0); // non-contiguous X
    for (const x of [X, Xt]) {
      const a = -0.37;
      const want = entries(V).map((row, i) => row.map((y, j) => y + a * x.get(i, j)));
      const xBefore = entries(x);
      addScaled(V, a, x);
      assert.deepEqual(entries(V), want, name);
      assert.deepEqual(entries(x), xBefore, `${name}: X not modified`);
    }
  }
});

test('addScaled with X overlapping Y uses the old values of X', () => {
  const A = matrix(2, 2, new Float64Array([1, 2, 3, 4]));
  const want = [[1 + 2 * 1, 3 + 2 * 2], [2 + 2 * 3, 4 + 2 * 4]]; // A + 2 Aᵀ
  addScaled(A, 2, A.transpose(1, 0));
  assert.deepEqual(entries(A), want);
});

test('the view helpers reject bad input naming the function, the argument and the shapes', () => {
  const A = randn(2, 3, rng), B = randn(3, 2, rng);
  assert.throws(() => assign(A, B), /assign: dest is 2×3 but src is 3×2/);
  assert.throws(() => addScaled(A, 1, B), /addScaled: Y is 2×3 but X is 3×2/);
  assert.throws(() => addScaled(A, Number.NaN, A), /addScaled: a/);
  assert.throws(() => fill(A, Number.NaN), /fill: value/);
  assert.throws(() => fill({} as Matrix, 0), /fill: M must be a 2-D ndarray matrix/);
});
