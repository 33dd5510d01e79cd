// Fused kernels of the dense single layer Z = σ(K Y + b) (K m×k, Y k×n,
// column-major, f64x2), for small widths where a general GEMM spends its time
// packing and where the layer's element-wise passes cost as much as its
// products. Each kernel makes one pass over the columns of its matrices and
// keeps a column of the result in SIMD registers:
//
//   dlayerAffine: P = K Y + B b
//   dlayerJvp:    out = D + h·(A ∘ (dK Y + B db + K dY))     (D = dY or 0)
//   dlayerVjp:    G = A ∘ W,  dK += G Yᵀ,  db += rowsums(G),
//                 dYout = R + h·Kᵀ G                          (R = W or 0)
//
// (DESIGN.md §2: J_θ dθ = A ∘ (K(dθ) Y), J_θᵀ W = vec(G Yᵀ), J_Y dY = A ∘ (K dY),
// J_Yᵀ W = Kᵀ G.) The bias b arrives expanded to one entry per row.
//
// m must be even: a column of m rows is m/2 whole vectors, so no lane of a
// store crosses into the next column. Rows go in blocks of 8 (four vector
// accumulators, the K·y update of a block is 4 loads + 4 mul + 4 add per k)
// with a remainder of 2-row vectors. All pointers are byte offsets laid out
// by the caller (src/core/wasm/dense.ts); nothing here allocates.

import { tanhParts } from './activations';
import { madd64 } from './simd';

/** y_j's entry p, splatted. */
// @ts-ignore: decorator
@inline function ysplat(y: usize, p: i32): v128 {
  return f64x2.splat(load<f64>(y + (<usize>p << 3)));
}

/**
 * acc (rows r … r+1 of column j) += M[r:r+2, :] · y_j for M m×k at `mat`.
 * Used for the 2-row remainder of a block loop.
 */
// @ts-ignore: decorator
@inline function pairDot(acc: v128, mat: usize, m: i32, k: i32, r: i32, yj: usize): v128 {
  const ld = <usize>m << 3;
  let mp = mat + (<usize>r << 3);
  for (let p = 0; p < k; p++, mp += ld) acc = madd64(v128.load(mp), ysplat(yj, p), acc);
  return acc;
}

/** The gemm's k block length (assembly/gemm.ts kcOf): ⌈k / ⌈k / 256⌉⌉. */
// @ts-ignore: decorator
@inline function kBlock(k: i32): i32 {
  const blocks = (k + 255) / 256;
  return (k + blocks - 1) / blocks;
}

/**
 * P = K Y + B b: p (m×n), K (m×k), bias (m entries), y (k×n). Each entry is
 * summed as the gemm sums it — per k block of the gemm's length, products
 * added in order from 0, the block sums added in order — and the bias is
 * added last, as the general path (gemm, then the bias) does: so the fused
 * forward gives the general path's bits on the WebAssembly kernels, and a
 * layer's output does not depend on which of the two its width selects.
 */
export function dlayerAffine(p: usize, K: usize, bias: usize, y: usize, m: i32, k: i32, n: i32): void {
  const ldm = <usize>m << 3, ldk = <usize>k << 3;
  const kc = max(1, kBlock(k));
  const zero = f64x2.splat(0);
  for (let j = 0; j < n; j++) {
    const yj = y + <usize>j * ldk, pj = p + <usize>j * ldm;
    let r = 0;
    for (; r + 8 <= m; r += 8) {
      const ro = <usize>r << 3;
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      for (let q0 = 0; q0 < k; q0 += kc) {
        const qEnd = min(k, q0 + kc);
        let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        let kp = K + ro + <usize>q0 * ldm;
        for (let q = q0; q < qEnd; q++, kp += ldm) {
          const s = ysplat(yj, q);
          a0 = madd64(v128.load(kp), s, a0);
          a1 = madd64(v128.load(kp, 16), s, a1);
          a2 = madd64(v128.load(kp, 32), s, a2);
          a3 = madd64(v128.load(kp, 48), s, a3);
        }
        s0 = f64x2.add(s0, a0); s1 = f64x2.add(s1, a1); s2 = f64x2.add(s2, a2); s3 = f64x2.add(s3, a3);
      }
      v128.store(pj + ro, f64x2.add(s0, v128.load(bias + ro)));
      v128.store(pj + ro, f64x2.add(s1, v128.load(bias + ro, 16)), 16);
      v128.store(pj + ro, f64x2.add(s2, v128.load(bias + ro, 32)), 32);
      v128.store(pj + ro, f64x2.add(s3, v128.load(bias + ro, 48)), 48);
    }
    for (; r < m; r += 2) {
      const ro = <usize>r << 3;
      let s = zero;
      for (let q0 = 0; q0 < k; q0 += kc) {
        const qEnd = min(k, q0 + kc);
        let acc = zero;
        let mp = K + ro + <usize>q0 * ldm;
        for (let q = q0; q < qEnd; q++, mp += ldm) acc = madd64(v128.load(mp), ysplat(yj, q), acc);
        s = f64x2.add(s, acc);
      }
      v128.store(pj + ro, f64x2.add(s, v128.load(bias + ro)));
    }
  }
}

/**
 * out = D + h·(A ∘ T), T = dK Y + B db + K dY, column by column.
 * flags: 1 = dK given (else the dK Y and db terms are absent), 2 = dY given,
 * 4 = residual (D = dY; needs m = k; without it D = 0 and h should be 1).
 * out may not alias y, a or dy.
 */
export function dlayerJvp(
  out: usize, y: usize, a: usize, dy: usize, K: usize, dK: usize, db: usize,
  m: i32, k: i32, n: i32, h: f64, flags: i32,
): void {
  const hasDK = (flags & 1) != 0, hasDY = (flags & 2) != 0, residual = (flags & 4) != 0 && hasDY;
  const ldm = <usize>m << 3, ldk = <usize>k << 3;
  const hv = f64x2.splat(h);
  const zero = f64x2.splat(0);
  for (let j = 0; j < n; j++) {
    const yj = y + <usize>j * ldk, dyj = dy + <usize>j * ldk;
    const aj = a + <usize>j * ldm, oj = out + <usize>j * ldm;
    let r = 0;
    for (; r + 8 <= m; r += 8) {
      const ro = <usize>r << 3;
      let t0 = zero, t1 = zero, t2 = zero, t3 = zero;
      if (hasDK) {
        t0 = v128.load(db + ro); t1 = v128.load(db + ro, 16); t2 = v128.load(db + ro, 32); t3 = v128.load(db + ro, 48);
        let kp = dK + ro;
        for (let q = 0; q < k; q++, kp += ldm) {
          const s = ysplat(yj, q);
          t0 = madd64(v128.load(kp), s, t0);
          t1 = madd64(v128.load(kp, 16), s, t1);
          t2 = madd64(v128.load(kp, 32), s, t2);
          t3 = madd64(v128.load(kp, 48), s, t3);
        }
      }
      if (hasDY) {
        let kp = K + ro;
        for (let q = 0; q < k; q++, kp += ldm) {
          const s = ysplat(dyj, q);
          t0 = madd64(v128.load(kp), s, t0);
          t1 = madd64(v128.load(kp, 16), s, t1);
          t2 = madd64(v128.load(kp, 32), s, t2);
          t3 = madd64(v128.load(kp, 48), s, t3);
        }
      }
      t0 = f64x2.mul(hv, f64x2.mul(t0, v128.load(aj + ro)));
      t1 = f64x2.mul(hv, f64x2.mul(t1, v128.load(aj + ro, 16)));
      t2 = f64x2.mul(hv, f64x2.mul(t2, v128.load(aj + ro, 32)));
      t3 = f64x2.mul(hv, f64x2.mul(t3, v128.load(aj + ro, 48)));
      if (residual) {
        t0 = f64x2.add(v128.load(dyj + ro), t0);
        t1 = f64x2.add(v128.load(dyj + ro, 16), t1);
        t2 = f64x2.add(v128.load(dyj + ro, 32), t2);
        t3 = f64x2.add(v128.load(dyj + ro, 48), t3);
      }
      v128.store(oj + ro, t0); v128.store(oj + ro, t1, 16); v128.store(oj + ro, t2, 32); v128.store(oj + ro, t3, 48);
    }
    for (; r < m; r += 2) {
      const ro = <usize>r << 3;
      let t = zero;
      if (hasDK) t = pairDot(v128.load(db + ro), dK, m, k, r, yj);
      if (hasDY) t = pairDot(t, K, m, k, r, dyj);
      t = f64x2.mul(hv, f64x2.mul(t, v128.load(aj + ro)));
      if (residual) t = f64x2.add(v128.load(dyj + ro), t);
      v128.store(oj + ro, t);
    }
  }
}

/** Sum of the two lanes. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * The layer's vjp for one column block: with G = A ∘ W (never stored),
 * dK += G Yᵀ (m×k), db += rowsums(G) (m), and, when dyOut ≠ 0,
 * dyOut = R + h·Kᵀ G (k×n) with R = W when `residual` (m = k) else 0.
 * dK and db accumulate: the caller zeroes them before the first block.
 */
export function dlayerVjp(
  dyOut: usize, dK: usize, db: usize, y: usize, a: usize, w: usize, K: usize,
  m: i32, k: i32, n: i32, h: f64, residual: bool,
): void {
  const ldm = <usize>m << 3, ldk = <usize>k << 3;
  // Rows in blocks of 8 (G of the block in four registers), then pairs. For
  // each block: the db and dK updates, and its share of Kᵀ G accumulated
  // into dyOut's column (zeroed, or set to R, by the first block).
  for (let j = 0; j < n; j++) {
    const yj = y + <usize>j * ldk, aj = a + <usize>j * ldm, wj = w + <usize>j * ldm;
    const dj = dyOut + <usize>j * ldk;
    let r = 0;
    for (; r + 8 <= m; r += 8) {
      const ro = <usize>r << 3;
      const g0 = f64x2.mul(v128.load(aj + ro), v128.load(wj + ro));
      const g1 = f64x2.mul(v128.load(aj + ro, 16), v128.load(wj + ro, 16));
      const g2 = f64x2.mul(v128.load(aj + ro, 32), v128.load(wj + ro, 32));
      const g3 = f64x2.mul(v128.load(aj + ro, 48), v128.load(wj + ro, 48));
      v128.store(db + ro, f64x2.add(v128.load(db + ro), g0));
      v128.store(db + ro, f64x2.add(v128.load(db + ro, 16), g1), 16);
      v128.store(db + ro, f64x2.add(v128.load(db + ro, 32), g2), 32);
      v128.store(db + ro, f64x2.add(v128.load(db + ro, 48), g3), 48);
      let kp = dK + ro;
      for (let q = 0; q < k; q++, kp += ldm) {
        const s = ysplat(yj, q);
        v128.store(kp, madd64(g0, s, v128.load(kp)));
        v128.store(kp, madd64(g1, s, v128.load(kp, 16)), 16);
        v128.store(kp, madd64(g2, s, v128.load(kp, 32)), 32);
        v128.store(kp, madd64(g3, s, v128.load(kp, 48)), 48);
      }
      if (dyOut != 0) {
        let cp = K + ro;
        for (let q = 0; q < k; q++, cp += ldm) {
          // (Kᵀ G)_q over this block's rows: K[r:r+8, q] · g.
          const v = f64x2.add(
            madd64(v128.load(cp, 16), g1, f64x2.mul(v128.load(cp), g0)),
            madd64(v128.load(cp, 48), g3, f64x2.mul(v128.load(cp, 32), g2)));
          const o = dj + (<usize>q << 3);
          store<f64>(o, (r == 0 ? 0.0 : load<f64>(o)) + hsum(v));
        }
      }
    }
    for (; r < m; r += 2) {
      const ro = <usize>r << 3;
      const g = f64x2.mul(v128.load(aj + ro), v128.load(wj + ro));
      v128.store(db + ro, f64x2.add(v128.load(db + ro), g));
      let kp = dK + ro;
      for (let q = 0; q < k; q++, kp += ldm) v128.store(kp, madd64(g, ysplat(yj, q), v128.load(kp)));
      if (dyOut != 0) {
        let cp = K + ro;
        for (let q = 0; q < k; q++, cp += ldm) {
          const o = dj + (<usize>q << 3);
          store<f64>(o, (r == 0 ? 0.0 : load<f64>(o)) + hsum(f64x2.mul(v128.load(cp), g)));
        }
      }
    }
    if (dyOut != 0) {
      // dyOut_j = R_j + h·(Kᵀ G)_j.
      for (let q = 0; q < k; q++) {
        const o = dj + (<usize>q << 3);
        const v = h * load<f64>(o);
        store<f64>(o, residual ? load<f64>(wj + (<usize>q << 3)) + v : v);
      }
    }
  }
}

/**
 * dlayerVjp for m = 8 rows (the flagship's width), two columns at a time:
 * G of both columns in eight registers, the row sums kept in registers for
 * the whole call, dK[:, q] updated once per column pair, and Kᵀ G formed as
 * Σ_i Kᵀ[:, i] g_i from Kt = Kᵀ (k×8, column-major, laid out by the caller)
 * with g_i splatted from the scratch `gs` (16 f64), so no horizontal sums.
 * When dyOut ≠ 0, k must be even. Accumulates into dK and db like dlayerVjp.
 */
export function dlayerVjp8(
  dyOut: usize, dK: usize, db: usize, y: usize, a: usize, w: usize, Kt: usize, gs: usize,
  k: i32, n: i32, h: f64, residual: bool,
): void {
  const ldk = <usize>k << 3;
  const hv = f64x2.splat(h);
  const zero = f64x2.splat(0);
  let b0 = v128.load(db), b1 = v128.load(db, 16), b2 = v128.load(db, 32), b3 = v128.load(db, 48);
  let j = 0;
  for (; j < n; j += 2) {
    const two = j + 1 < n;
    const yj = y + <usize>j * ldk, aj = a + (<usize>j << 6), wj = w + (<usize>j << 6);
    const g0 = f64x2.mul(v128.load(aj), v128.load(wj));
    const g1 = f64x2.mul(v128.load(aj, 16), v128.load(wj, 16));
    const g2 = f64x2.mul(v128.load(aj, 32), v128.load(wj, 32));
    const g3 = f64x2.mul(v128.load(aj, 48), v128.load(wj, 48));
    let e0 = zero, e1 = zero, e2 = zero, e3 = zero;
    if (two) {
      e0 = f64x2.mul(v128.load(aj, 64), v128.load(wj, 64));
      e1 = f64x2.mul(v128.load(aj, 80), v128.load(wj, 80));
      e2 = f64x2.mul(v128.load(aj, 96), v128.load(wj, 96));
      e3 = f64x2.mul(v128.load(aj, 112), v128.load(wj, 112));
    }
    b0 = f64x2.add(b0, f64x2.add(g0, e0)); b1 = f64x2.add(b1, f64x2.add(g1, e1));
    b2 = f64x2.add(b2, f64x2.add(g2, e2)); b3 = f64x2.add(b3, f64x2.add(g3, e3));
    // dK[:, q] += g_j y_j[q] + g_{j+1} y_{j+1}[q] (the second term is 0·0 for a lone last column).
    let kp = dK;
    const yk = two ? yj + ldk : yj;
    for (let q = 0; q < k; q++, kp += 64) {
      const s = ysplat(yj, q), z = two ? ysplat(yk, q) : zero;
      v128.store(kp, f64x2.add(v128.load(kp), madd64(e0, z, f64x2.mul(g0, s))));
      v128.store(kp, f64x2.add(v128.load(kp, 16), madd64(e1, z, f64x2.mul(g1, s))), 16);
      v128.store(kp, f64x2.add(v128.load(kp, 32), madd64(e2, z, f64x2.mul(g2, s))), 32);
      v128.store(kp, f64x2.add(v128.load(kp, 48), madd64(e3, z, f64x2.mul(g3, s))), 48);
    }
    if (dyOut == 0) continue;
    v128.store(gs, g0); v128.store(gs, g1, 16); v128.store(gs, g2, 32); v128.store(gs, g3, 48);
    v128.store(gs, e0, 64); v128.store(gs, e1, 80); v128.store(gs, e2, 96); v128.store(gs, e3, 112);
    const dj = dyOut + <usize>j * ldk;
    // dy_j = R_j + h·Σ_i Kt[:, i] g_j[i]. For k = 8 all rows of both columns
    // at once (eight independent accumulators), else rows in pairs.
    if (k == 8) {
      let t0 = zero, t1 = zero, t2 = zero, t3 = zero, u0 = zero, u1 = zero, u2 = zero, u3 = zero;
      let cp = Kt;
      for (let i = 0; i < 8; i++, cp += 64) {
        const s = ysplat(gs, i), z = ysplat(gs, i + 8);
        const k0 = v128.load(cp), k1 = v128.load(cp, 16), k2 = v128.load(cp, 32), k3 = v128.load(cp, 48);
        t0 = madd64(k0, s, t0); u0 = madd64(k0, z, u0);
        t1 = madd64(k1, s, t1); u1 = madd64(k1, z, u1);
        t2 = madd64(k2, s, t2); u2 = madd64(k2, z, u2);
        t3 = madd64(k3, s, t3); u3 = madd64(k3, z, u3);
      }
      t0 = f64x2.mul(hv, t0); t1 = f64x2.mul(hv, t1); t2 = f64x2.mul(hv, t2); t3 = f64x2.mul(hv, t3);
      if (residual) {
        t0 = f64x2.add(v128.load(wj), t0); t1 = f64x2.add(v128.load(wj, 16), t1);
        t2 = f64x2.add(v128.load(wj, 32), t2); t3 = f64x2.add(v128.load(wj, 48), t3);
      }
      v128.store(dj, t0); v128.store(dj, t1, 16); v128.store(dj, t2, 32); v128.store(dj, t3, 48);
      if (two) {
        u0 = f64x2.mul(hv, u0); u1 = f64x2.mul(hv, u1); u2 = f64x2.mul(hv, u2); u3 = f64x2.mul(hv, u3);
        if (residual) {
          u0 = f64x2.add(v128.load(wj, 64), u0); u1 = f64x2.add(v128.load(wj, 80), u1);
          u2 = f64x2.add(v128.load(wj, 96), u2); u3 = f64x2.add(v128.load(wj, 112), u3);
        }
        v128.store(dj, u0, 64); v128.store(dj, u1, 80); v128.store(dj, u2, 96); v128.store(dj, u3, 112);
      }
      continue;
    }
    for (let r = 0; r < k; r += 2) {
      const ro = <usize>r << 3;
      let t = zero, u = zero;
      let cp = Kt + ro;
      for (let i = 0; i < 8; i++, cp += ldk) {
        const kv = v128.load(cp);
        t = madd64(kv, ysplat(gs, i), t);
        u = madd64(kv, ysplat(gs, i + 8), u);
      }
      t = f64x2.mul(hv, t);
      if (residual) t = f64x2.add(v128.load(wj + ro), t);
      v128.store(dj + ro, t);
      if (two) {
        u = f64x2.mul(hv, u);
        if (residual) u = f64x2.add(v128.load(wj + 64 + ro), u);
        v128.store(dj + ldk + ro, u);
      }
    }
  }
  v128.store(db, b0); v128.store(db, b1, 16); v128.store(db, b2, 32); v128.store(db, b3, 48);
}

/**
 * σ and σ' of one vector of pre-activations, then the layer (or residual
 * step) output: stores σ' at d and returns σ(x) (act 0 identity, 1 tanh, 2 ReLU).
 */
// @ts-ignore: decorator
@inline function activate(x: v128, d: usize, act: i32): v128 {
  if (act == 1) return tanhParts(x, d, true);
  if (act == 2) {
    const pos = f64x2.gt(x, f64x2.splat(0));
    v128.store(d, v128.and(f64x2.splat(1.0), pos));
    return v128.and(x, pos);
  }
  v128.store(d, f64x2.splat(1.0));
  return x;
}

/** σ of one vector at p (in place), σ' at d, then Y + h·σ when residual (y = the step's input). */
// @ts-ignore: decorator
@inline function activateAt(p: usize, d: usize, y: usize, hv: v128, act: i32, residual: bool): void {
  let v = activate(v128.load(p), d, act);
  // y + h·σ with two roundings (not fused): the general path's update.
  if (residual) v = f64x2.add(v128.load(y), f64x2.mul(hv, v));
  v128.store(p, v);
}

/**
 * The dense layer's forward in one call: P = K Y + B b (written to out), then
 * one pass over out: A = σ'(P) into deriv and out = σ(P), or out = Y + h·σ(P)
 * when `residual` (m = k, a ResNet step Y_{j+1} = Y_j + h σ(K_j Y_j + b_j)).
 * σ by code: 0 identity, 1 tanh, 2 ReLU. The element-wise pass goes four
 * vectors at a time (independent polynomial chains overlap; computing σ inside
 * the product's column loop measured 2× slower: too many live vectors).
 * out and deriv are m×n (m even); they may not alias y.
 */
export function dlayerForward(
  out: usize, deriv: usize, K: usize, bias: usize, y: usize,
  m: i32, k: i32, n: i32, h: f64, act: i32, residual: bool,
): void {
  dlayerAffine(out, K, bias, y, m, k, n);
  const hv = f64x2.splat(h);
  const end = out + ((<usize>m * <usize>n) << 3);
  let p = out, d = deriv, yp = y;
  for (; p + 64 <= end; p += 64, d += 64, yp += 64) {
    activateAt(p, d, yp, hv, act, residual);
    activateAt(p + 16, d + 16, yp + 16, hv, act, residual);
    activateAt(p + 32, d + 32, yp + 32, hv, act, residual);
    activateAt(p + 48, d + 48, yp + 48, hv, act, residual);
  }
  for (; p < end; p += 16, d += 16, yp += 16) activateAt(p, d, yp, hv, act, residual);
}
