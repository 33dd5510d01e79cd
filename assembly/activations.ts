// Element-wise activations with their derivatives, f64x2: value[k] = σ(x[k]),
// deriv[k] = σ'(x[k]) in one pass (deriv = 0 skips the derivative).
// n is a count of f64; the arrays may be read up to one vector past n (the
// caller leaves slack), and only n entries are meaningful.
//
// tanh and sin are evaluated with their own vector polynomials (WebAssembly has
// no transcendental instructions):
//  - tanh(x) = sign(x)·r, r = e/(e + 2) with e = expm1(2|x|), and
//    tanh'(x) = (2/(e + 2))·(1 + r) = 4(e + 1)/(e + 2)² (no cancellation for
//    large |x|, unlike 1 − tanh²);
//    expm1(w) = 2^k·p + (2^k − 1), w = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite split of
//    ln2), p = expm1(r) by its Taylor series to r^13 (truncation < 1e-17 relative).
//  - sin/cos: x = k·π/2 + r, |r| ≤ π/4 (three-part Cody–Waite split of π/2,
//    each part 33 bits so k·part is exact for |k| < 2^20), Taylor series of
//    sin r to r^17 and cos r to r^18, then the quadrant k mod 4 picks ±sin r /
//    ±cos r. Lanes with |x| > 2^19·π/2 (where the split loses accuracy) and
//    non-finite lanes go through the scalar Math.sin / Math.cos.

// ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits.
import { madd64 } from './simd';

const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const INV_LN2: f64 = 1.4426950408889634;
// π/2 = PIO2_1 + PIO2_2 + PIO2_3, the first two with 33 significant bits.
const PIO2_1: f64 = 1.5707963267341256;
const PIO2_2: f64 = 6.077100506303966e-11;
const PIO2_3: f64 = 2.0222662487959506e-21;
const TWO_OVER_PI: f64 = 0.6366197723675814;
/** Beyond this |x| the vector reduction hands over to the scalar functions. */
const SIN_VECTOR_MAX: f64 = 823549.6; // ≈ 2^19 · π/2

/** 2^k for integral k in [−1022, 1023], lane-wise, from the f64 lanes of k. */
// @ts-ignore: decorator
@inline function pow2(k: v128): v128 {
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
}

/** expm1(w) lane-wise for 0 ≤ w ≤ 709 (see the file comment). */
// @ts-ignore: decorator
@inline function expm1v(w: v128): v128 {
  const k = f64x2.nearest(f64x2.mul(w, f64x2.splat(INV_LN2)));
  const r = f64x2.sub(f64x2.sub(w, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  // Horner for r^2 (1/2! + r/3! + … + r^11/13!).
  let q = f64x2.splat(1.0 / 6227020800.0);                    // 1/13!
  q = madd64(q, r, f64x2.splat(1.0 / 479001600.0)); // 1/12!
  q = madd64(q, r, f64x2.splat(1.0 / 39916800.0));  // 1/11!
  q = madd64(q, r, f64x2.splat(1.0 / 3628800.0));   // 1/10!
  q = madd64(q, r, f64x2.splat(1.0 / 362880.0));    // 1/9!
  q = madd64(q, r, f64x2.splat(1.0 / 40320.0));     // 1/8!
  q = madd64(q, r, f64x2.splat(1.0 / 5040.0));      // 1/7!
  q = madd64(q, r, f64x2.splat(1.0 / 720.0));       // 1/6!
  q = madd64(q, r, f64x2.splat(1.0 / 120.0));       // 1/5!
  q = madd64(q, r, f64x2.splat(1.0 / 24.0));        // 1/4!
  q = madd64(q, r, f64x2.splat(1.0 / 6.0));         // 1/3!
  q = madd64(q, r, f64x2.splat(0.5));               // 1/2!
  const p = madd64(f64x2.mul(r, r), q, r);          // expm1(r)
  const s = pow2(k);
  return madd64(s, p, f64x2.sub(s, f64x2.splat(1.0)));
}

/**
 * One tanh vector: value and (unless deriv = 0) derivative of the two lanes at p.
 * tanh|x| = e/(e + 2) and tanh' = (2/(e + 2))·(1 + tanh|x|) with e = expm1(2|x|),
 * sharing one division q = 1/(e + 2); |x| is clamped at 350 (tanh = 1 to double
 * precision long before, and e stays finite).
 */
// @ts-ignore: decorator
@inline function tanhVec(p: usize, v: usize, d: usize, deriv: usize): void {
  v128.store(v, tanhParts(v128.load(p), d, deriv != 0));
}

/**
 * tanh of the two lanes of xv, returned; when `withDeriv`, tanh' is stored at d
 * (the formulas of tanhVec). Shared with the fused dense-layer forward.
 */
// @ts-ignore: decorator
@inline export function tanhParts(xv: v128, d: usize, withDeriv: bool): v128 {
  const signMask = i64x2.splat(0x8000000000000000);
  const two = f64x2.splat(2.0), one = f64x2.splat(1.0);
  const t = f64x2.min(f64x2.abs(xv), f64x2.splat(350.0));
  const e = expm1v(f64x2.add(t, t));
  const q = f64x2.div(one, f64x2.add(e, two));
  const r = f64x2.mul(e, q);
  if (withDeriv) v128.store(d, f64x2.mul(f64x2.add(q, q), f64x2.add(one, r)));
  return v128.or(r, v128.and(xv, signMask));
}

/**
 * tanh and its derivative over n doubles, four independent vectors per
 * iteration (their long polynomial chains overlap: 1.25× over one vector per
 * iteration here).
 */
export function tanhPass(x: usize, value: usize, deriv: usize, n: i32): void {
  const end = x + (<usize>n << 3);
  let v = value, d = deriv;
  let p = x;
  for (; p + 64 <= end; p += 64) {
    tanhVec(p, v, d, deriv);
    tanhVec(p + 16, v + 16, d + 16, deriv);
    tanhVec(p + 32, v + 32, d + 32, deriv);
    tanhVec(p + 48, v + 48, d + 48, deriv);
    v += 64;
    d += 64;
  }
  for (; p < end; p += 16) {
    tanhVec(p, v, d, deriv);
    v += 16;
    d += 16;
  }
}

/** ReLU max(x, 0) and its derivative (1 for x > 0, else 0; NaN gives 0, 0) over n doubles. */
export function reluPass(x: usize, value: usize, deriv: usize, n: i32): void {
  const zero = f64x2.splat(0.0), one = f64x2.splat(1.0);
  const end = x + (<usize>n << 3);
  let v = value, d = deriv;
  for (let p = x; p < end; p += 16) {
    const xv = v128.load(p);
    const pos = f64x2.gt(xv, zero);
    v128.store(v, v128.and(xv, pos));
    if (deriv != 0) {
      v128.store(d, v128.and(one, pos));
      d += 16;
    }
    v += 16;
  }
}

/** sin r and cos r for |r| ≤ π/4 (Taylor to r^17 / r^18), stored as the pair (s, c). */
// @ts-ignore: decorator
@inline function sinPoly(r: v128, r2: v128): v128 {
  let q = f64x2.splat(1.0 / 355687428096000.0);                       // 1/17!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 1307674368000.0)); // −1/15!
  q = madd64(q, r2, f64x2.splat(1.0 / 6227020800.0));    // 1/13!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 39916800.0));      // −1/11!
  q = madd64(q, r2, f64x2.splat(1.0 / 362880.0));        // 1/9!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 5040.0));          // −1/7!
  q = madd64(q, r2, f64x2.splat(1.0 / 120.0));           // 1/5!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 6.0));             // −1/3!
  return madd64(f64x2.mul(r, r2), q, r);
}

// @ts-ignore: decorator
@inline function cosPoly(r2: v128): v128 {
  let q = f64x2.splat(-1.0 / 6402373705728000.0);                     // −1/18!
  q = madd64(q, r2, f64x2.splat(1.0 / 20922789888000.0)); // 1/16!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 87178291200.0));   // −1/14!
  q = madd64(q, r2, f64x2.splat(1.0 / 479001600.0));     // 1/12!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 3628800.0));       // −1/10!
  q = madd64(q, r2, f64x2.splat(1.0 / 40320.0));         // 1/8!
  q = f64x2.sub(f64x2.mul(q, r2), f64x2.splat(1.0 / 720.0));           // −1/6!
  q = madd64(q, r2, f64x2.splat(1.0 / 24.0));            // 1/4!
  // 1 − r²/2 + r⁴·q
  return madd64(f64x2.mul(r2, r2), q, f64x2.sub(f64x2.splat(1.0), f64x2.mul(r2, f64x2.splat(0.5))));
}

/** sin and its derivative cos over n doubles. */
export function sinPass(x: usize, value: usize, deriv: usize, n: i32): void {
  const end = x + (<usize>n << 3);
  const big = f64x2.splat(SIN_VECTOR_MAX);
  let v = value, d = deriv;
  for (let p = x; p < end; p += 16) {
    const xv = v128.load(p);
    // Not (|x| ≤ max): large or NaN/infinite lanes take the scalar path.
    if (v128.any_true(v128.not(f64x2.le(f64x2.abs(xv), big)))) {
      const x0 = load<f64>(p), x1 = load<f64>(p, 8);
      store<f64>(v, Math.sin(x0));
      store<f64>(v, Math.sin(x1), 8);
      if (deriv != 0) {
        store<f64>(d, Math.cos(x0));
        store<f64>(d, Math.cos(x1), 8);
        d += 16;
      }
      v += 16;
      continue;
    }
    const k = f64x2.nearest(f64x2.mul(xv, f64x2.splat(TWO_OVER_PI)));
    let r = f64x2.sub(xv, f64x2.mul(k, f64x2.splat(PIO2_1)));
    r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(PIO2_2)));
    r = f64x2.sub(r, f64x2.mul(k, f64x2.splat(PIO2_3)));
    const r2 = f64x2.mul(r, r);
    const s = sinPoly(r, r2), c = cosPoly(r2);
    // Quadrant q = k mod 4: sin x = (s, c, −s, −c)[q], cos x = (c, −s, −c, s)[q].
    const q = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
    const odd = i64x2.eq(v128.and(q, i64x2.splat(1)), i64x2.splat(1));
    const sinSign = i64x2.shl(v128.and(q, i64x2.splat(2)), 62);
    const cosSign = i64x2.shl(v128.and(i64x2.add(q, i64x2.splat(1)), i64x2.splat(2)), 62);
    // sin(±0) = ±0 exactly (the reduction would give +0 for −0).
    const sx = v128.xor(v128.bitselect(c, s, odd), sinSign);
    v128.store(v, v128.bitselect(xv, sx, f64x2.eq(xv, f64x2.splat(0.0))));
    if (deriv != 0) {
      v128.store(d, v128.xor(v128.bitselect(s, c, odd), cosSign));
      d += 16;
    }
    v += 16;
  }
}
