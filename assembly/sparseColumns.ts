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

import { madd32, madd64 } from './simd';

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

/**
 * {@link sparseColumns} in single precision: K (m × k, leading dimension m),
 * b and val in f32, idx the byte offsets i_p·m·4; the sums run in f32
 * (four lanes per multiply-add: twice the work of an f64x2 step per
 * instruction, and half the bytes of K in cache) and out receives them
 * widened to f64. Register tile: 32 rows (eight f32x4 accumulators); rows
 * left over go four at a time, then one at a time.
 */
export function sparseColumns32(out: usize, ldo: i32, K: usize, b: usize, idx: usize, val: usize, start: usize, m: i32, j0: i32, count: i32): void {
  const ld = <usize>ldo << 3;
  const j1 = j0 + count;
  let r = 0;
  for (; r + 32 <= m; r += 32) {
    const ri = <usize>r << 2;
    const b0 = v128.load(b + ri), b1 = v128.load(b + ri, 16), b2 = v128.load(b + ri, 32), b3 = v128.load(b + ri, 48);
    const b4 = v128.load(b + ri, 64), b5 = v128.load(b + ri, 80), b6 = v128.load(b + ri, 96), b7 = v128.load(b + ri, 112);
    for (let j = j0; j < j1; j++) {
      let a0 = b0, a1 = b1, a2 = b2, a3 = b3, a4 = b4, a5 = b5, a6 = b6, a7 = b7;
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        const s = v128.load32_splat(val + (<usize>p << 2));
        const kp = K + <usize>load<i32>(idx + (<usize>p << 2)) + ri;
        a0 = madd32(v128.load(kp), s, a0); a1 = madd32(v128.load(kp, 16), s, a1);
        a2 = madd32(v128.load(kp, 32), s, a2); a3 = madd32(v128.load(kp, 48), s, a3);
        a4 = madd32(v128.load(kp, 64), s, a4); a5 = madd32(v128.load(kp, 80), s, a5);
        a6 = madd32(v128.load(kp, 96), s, a6); a7 = madd32(v128.load(kp, 112), s, a7);
      }
      const o = out + <usize>j * ld + (<usize>r << 3);
      store4(o, a0); store4(o + 32, a1); store4(o + 64, a2); store4(o + 96, a3);
      store4(o + 128, a4); store4(o + 160, a5); store4(o + 192, a6); store4(o + 224, a7);
    }
  }
  for (; r + 4 <= m; r += 4) {
    const ri = <usize>r << 2;
    const b0 = v128.load(b + ri);
    for (let j = j0; j < j1; j++) {
      let a0 = b0;
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        a0 = madd32(v128.load(K + <usize>load<i32>(idx + (<usize>p << 2)) + ri), v128.load32_splat(val + (<usize>p << 2)), a0);
      }
      store4(out + <usize>j * ld + (<usize>r << 3), a0);
    }
  }
  for (; r < m; r++) {
    const ri = <usize>r << 2;
    for (let j = j0; j < j1; j++) {
      let a = load<f32>(b + ri);
      const p1 = load<i32>(start + (<usize>(j + 1) << 2));
      for (let p = load<i32>(start + (<usize>j << 2)); p < p1; p++) {
        a += load<f32>(K + <usize>load<i32>(idx + (<usize>p << 2)) + ri) * load<f32>(val + (<usize>p << 2));
      }
      store<f64>(out + <usize>j * ld + (<usize>r << 3), <f64>a);
    }
  }
}

/** The four f32 lanes of v widened to f64 at p (32 bytes). */
// @ts-ignore: decorator
@inline function store4(p: usize, v: v128): void {
  v128.store(p, f64x2.promote_low_f32x4(v));
  v128.store(p, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), 16);
}
