// out = K Y + b 1ᵀ for a dense K (m × k, column-major) and a Y whose columns
// are mostly zero (MNIST digits: 81 % of the pixels), Y given by its nonzeros
// per column (compressed sparse columns: start[j] … start[j+1]−1 index idx and
// val): column j of out is b + Σ_p val[p] K[:, idx[p]], so the work is the
// nonzeros times m instead of k times m (src/core/sparseColumns.ts).
//
// idx holds byte offsets of the columns of K (i·m·8, premultiplied by the
// caller: no multiply per nonzero). Register tile: 16 rows of out (eight
// f64x2 accumulators) for one column;
// for a batch of columns the rows are the outer loop, so the 16 × k slice of
// K being read (k · 128 bytes: 100 KB for MNIST) stays in cache across the
// batch's columns. Rows left over (m mod 16) go two at a time, a last odd one
// alone.

import { madd64 } from './simd';

/**
 * Columns j0 … j0+count−1 of out (leading dimension ldo, f64) = b + Σ_p val[p] K[:, i_p]
 * with K m × k column-major (leading dimension m, f64), b (m, f64), idx (i32: the byte offsets i_p·m·8), val (f64),
 * start (i32, one past the last column used).
 */
export function sparseColumns(out: usize, ldo: i32, K: usize, b: usize, idx: usize, val: usize, start: usize, m: i32, j0: i32, count: i32): void {
  const ld = <usize>ldo << 3;
  const j1 = j0 + count;
  let r = 0;
  for (; r + 16 <= m; r += 16) {
    const ro = <usize>r << 3;
    const b0 = v128.load(b + ro), b1 = v128.load(b + ro, 16), b2 = v128.load(b + ro, 32), b3 = v128.load(b + ro, 48);
    const b4 = v128.load(b + ro, 64), b5 = v128.load(b + ro, 80), b6 = v128.load(b + ro, 96), b7 = v128.load(b + ro, 112);
    for (let j = j0; j < j1; j++) {
      let a0 = b0, a1 = b1, a2 = b2, a3 = b3, a4 = b4, a5 = b5, a6 = b6, a7 = b7;
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        const s = v128.load64_splat(val + (<usize>p << 3));
        const kp = K + <usize>load<i32>(idx + (<usize>p << 2)) + ro;
        a0 = madd64(v128.load(kp), s, a0); a1 = madd64(v128.load(kp, 16), s, a1);
        a2 = madd64(v128.load(kp, 32), s, a2); a3 = madd64(v128.load(kp, 48), s, a3);
        a4 = madd64(v128.load(kp, 64), s, a4); a5 = madd64(v128.load(kp, 80), s, a5);
        a6 = madd64(v128.load(kp, 96), s, a6); a7 = madd64(v128.load(kp, 112), s, a7);
      }
      const o = out + <usize>j * ld + ro;
      v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
      v128.store(o, a4, 64); v128.store(o, a5, 80); v128.store(o, a6, 96); v128.store(o, a7, 112);
    }
  }
  for (; r + 2 <= m; r += 2) {
    const ro = <usize>r << 3;
    const b0 = v128.load(b + ro);
    for (let j = j0; j < j1; j++) {
      let a0 = b0;
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        a0 = madd64(v128.load(K + <usize>load<i32>(idx + (<usize>p << 2)) + ro), v128.load64_splat(val + (<usize>p << 3)), a0);
      }
      v128.store(out + <usize>j * ld + ro, a0);
    }
  }
  if (r < m) {
    const ro = <usize>r << 3;
    for (let j = j0; j < j1; j++) {
      let a = load<f64>(b + ro);
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        a += load<f64>(K + <usize>load<i32>(idx + (<usize>p << 2)) + ro) * load<f64>(val + (<usize>p << 3));
      }
      store<f64>(out + <usize>j * ld + ro, a);
    }
  }
}
