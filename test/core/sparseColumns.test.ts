import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { matrix, zeros } from '../../src/core/matrix.js';
import { matmul } from '../../src/core/matmul.js';
import { getKernelBackend, setKernelBackend } from '../../src/core/wasm/backend.js';
import { sparseColumnsAffine, sparseColumnsAffineChunks } from '../../src/core/sparseColumns.js';

/** k × n data with about 80 % zeros (like MNIST pixels), one column all zero. */
function sparseData(k: number, n: number, seed: number) {
  const rng = createRng(seed);
  const y = new Float64Array(k * n);
  for (let q = 0; q < y.length; q++) if (rng.uniform() < 0.2) y[q] = rng.uniform();
  y.fill(0, 0, k); // column 0: no nonzeros (its result is b)
  return matrix(k, n, y);
}

// m = 37: two 16-row tiles, two rows, one odd row; n > one batch of columns.
for (const backend of ['wasm', 'js'] as const) {
  for (const threads of [1, 2]) {
    test(`sparseColumnsAffine (${backend}, ${threads} thread${threads > 1 ? 's' : ''}) equals the dense K Y + b 1ᵀ`, () => {
      const saved = getKernelBackend();
      setKernelBackend(backend);
      try {
        const m = 37, k = 50, n = 300;
        const rng = createRng(7);
        const K = matrix(m, k, rng.normalArray(m * k, 1)), b = rng.normalArray(m, 1);
        const Y = sparseData(k, n, 8);
        const yCopy = Y.data.slice();
        const ref = matmul(K, Y);
        const out = sparseColumnsAffine(K, b, Y, { threads });
        let err = 0, scale = 0;
        for (let j = 0; j < n; j++) {
          for (let r = 0; r < m; r++) {
            err = Math.max(err, Math.abs(out.data[r + j * m] - (ref.data[r + j * m] + b[r])));
            scale = Math.max(scale, Math.abs(ref.data[r + j * m]));
          }
        }
        assert.ok(err < 1e-14 * scale, `largest difference ${err} (scale ${scale})`);
        for (let r = 0; r < m; r++) assert.equal(out.data[r], b[r], 'an all-zero column gives b');
        assert.deepEqual(Y.data, yCopy, 'Y is not modified');
        const noBias = sparseColumnsAffine(K, null, Y, { out: zeros(m, n), threads });
        assert.ok(Math.abs(noBias.data[5 + 7 * m] - ref.data[5 + 7 * m]) < 1e-13);
      } finally {
        setKernelBackend(saved);
      }
    });
  }
}

test('sparseColumnsAffine: 1 and 2 threads give bit-identical results', () => {
  const m = 40, k = 30, n = 1000;
  const rng = createRng(9);
  const K = matrix(m, k, rng.normalArray(m * k, 1)), b = rng.normalArray(m, 1);
  const Y = sparseData(k, n, 10);
  assert.deepEqual(sparseColumnsAffine(K, b, Y, { threads: 2 }).data, sparseColumnsAffine(K, b, Y, { threads: 1 }).data);
});

test('sparseColumnsAffine: bad input names the function, the argument and the shapes', () => {
  const K = zeros(4, 3);
  assert.throws(() => sparseColumnsAffine(K, null, zeros(5, 2)), /sparseColumnsAffine: Y is 5×2, expected 3 rows \(the columns of K\)/);
  assert.throws(() => sparseColumnsAffine(K, new Float64Array(3), zeros(3, 2)), /sparseColumnsAffine: b/);
  assert.throws(() => sparseColumnsAffine(K, null, zeros(3, 2), { out: zeros(4, 3) }), /sparseColumnsAffine: out is 4×3 .*expected a contiguous column-major 4×2 matrix/);
  assert.throws(() => sparseColumnsAffine(K, null, zeros(3, 2), { threads: 0 }), /sparseColumnsAffine: threads must be a positive integer/);
});

for (const backend of ['wasm', 'js'] as const) {
  test(`sparseColumnsAffineChunks (${backend}): chunks in order, together bit-identical to sparseColumnsAffine`, () => {
    const saved = getKernelBackend();
    setKernelBackend(backend);
    try {
      const m = 37, k = 50, n = 300;
      const rng = createRng(11);
      const K = matrix(m, k, rng.normalArray(m * k, 1)), b = rng.normalArray(m, 1);
      const Y = sparseData(k, n, 12);
      const ref = sparseColumnsAffine(K, b, Y, { threads: 1 }).data;
      for (const [chunkColumns, threads] of [[64, 1], [129, 2], [1000, 1]]) {
        const got = new Float64Array(m * n);
        const starts: number[] = [];
        sparseColumnsAffineChunks(K, b, Y, (j0, cols) => {
          starts.push(j0);
          assert.equal(cols.length % m, 0);
          got.set(cols, j0 * m);
          cols.fill(NaN); // the consumer may overwrite its chunk: the next chunk is computed afresh
        }, { chunkColumns, threads });
        assert.deepEqual(starts, Array.from({ length: Math.ceil(n / chunkColumns) }, (_, q) => q * chunkColumns), `chunk starts (${chunkColumns} columns)`);
        assert.deepEqual(got, ref, `chunks of ${chunkColumns} columns, ${threads} thread(s)`);
      }
    } finally {
      setKernelBackend(saved);
    }
  });
}

test('sparseColumnsAffineChunks: bad input names the function and the argument', () => {
  const K = zeros(4, 3);
  assert.throws(() => sparseColumnsAffineChunks(K, null, zeros(5, 2), () => {}), /sparseColumnsAffineChunks: Y is 5×2, expected 3 rows/);
  assert.throws(() => sparseColumnsAffineChunks(K, null, zeros(3, 2), null as never), /sparseColumnsAffineChunks: onChunk must be a function/);
  assert.throws(() => sparseColumnsAffineChunks(K, null, zeros(3, 2), () => {}, { chunkColumns: 0 }), /sparseColumnsAffineChunks: chunkColumns must be a positive integer/);
  assert.throws(() => sparseColumnsAffineChunks(K, null, zeros(3, 2), () => {}, { out: zeros(4, 2) } as never), /sparseColumnsAffineChunks: .*out/);
});

test("sparseColumnsAffine precision 'float32': within single-precision rounding of float64, 1 and 2 threads bit-identical, Y not modified", () => {
  // m = 71: two 32-row tiles, one 4-row group, three single rows; n > one batch of columns.
  const m = 71, k = 60, n = 300;
  const rng = createRng(13);
  const K = matrix(m, k, rng.normalArray(m * k, 1)), b = rng.normalArray(m, 1);
  const Y = sparseData(k, n, 14);
  const yCopy = Y.data.slice();
  const ref = sparseColumnsAffine(K, b, Y).data;
  const one = sparseColumnsAffine(K, b, Y, { precision: 'float32', threads: 1 }).data;
  const two = sparseColumnsAffine(K, b, Y, { precision: 'float32', threads: 2 }).data;
  assert.deepEqual(two, one);
  assert.deepEqual(Y.data, yCopy, 'Y is not modified');
  // Each entry sums about 0.2·k = 12 products of size ≤ |K|: float32 rounding gives ~1e-7 relative per term.
  let err = 0, scale = 0;
  for (let q = 0; q < ref.length; q++) {
    err = Math.max(err, Math.abs(one[q] - ref[q]));
    scale = Math.max(scale, Math.abs(ref[q]));
  }
  assert.ok(err < 2e-6 * scale && err > 0, `largest difference ${err} (scale ${scale}): float32 sums, not float64`);
  for (let r = 0; r < m; r++) assert.equal(one[r], Math.fround(b[r]), 'an all-zero column gives b rounded to float32');
  // The chunked form hands over the same columns.
  const got = new Float64Array(m * n);
  sparseColumnsAffineChunks(K, b, Y, (j0, cols) => got.set(cols, j0 * m), { precision: 'float32', chunkColumns: 100 });
  assert.deepEqual(got, one);
});

test("sparseColumnsAffine precision: bad values and 'float32' without the WebAssembly kernels are errors", () => {
  const K = zeros(4, 3);
  assert.throws(() => sparseColumnsAffine(K, null, zeros(3, 2), { precision: 'float16' as 'float32' }), /sparseColumnsAffine: precision must be 'float64' or 'float32', got float16/);
  const saved = getKernelBackend();
  setKernelBackend('js');
  try {
    assert.throws(() => sparseColumnsAffine(K, null, zeros(3, 2), { precision: 'float32' }), /sparseColumnsAffine: precision 'float32' needs the WebAssembly kernels/);
  } finally {
    setKernelBackend(saved);
  }
});
