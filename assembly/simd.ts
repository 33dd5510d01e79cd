// Fused multiply-add helpers shared by every kernel.
//
// The same sources build two binaries (scripts/build-wasm.mjs): one with plain
// 128-bit SIMD, where `madd` is a multiply followed by an add (two roundings),
// and one with relaxed SIMD enabled, where it is `relaxed_madd` — a single
// fused instruction on hardware with FMA (one rounding; the relaxed-SIMD
// proposal allows either, so results may differ from the plain build in the
// last bit). `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so the
// untaken branch is removed and these inline to one or two instructions.

/** a·b + c on two f64 lanes. */
// @ts-ignore: decorator
@inline export function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** a·b + c on four f32 lanes. */
// @ts-ignore: decorator
@inline export function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** a·b + c on the lanes of T: {@link madd64} for f64, {@link madd32} for f32 (for the generic kernels). */
// @ts-ignore: decorator
@inline export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (sizeof<T>() == 8) return madd64(a, b, c);
  return madd32(a, b, c);
}
