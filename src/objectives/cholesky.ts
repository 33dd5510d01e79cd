/**
 * Dense Cholesky factorisation and solves for the small symmetric positive
 * definite systems of closed-form least squares (internal).
 */

/**
 * In place: the lower triangle of A (n × n, column-major) becomes L with A = L Lᵀ.
 * @returns false if A is not (numerically) positive definite
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j + j * n];
    for (let k = 0; k < j; k++) d -= a[j + k * n] * a[j + k * n];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[j + j * n] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i + j * n];
      for (let k = 0; k < j; k++) s -= a[i + k * n] * a[j + k * n];
      a[i + j * n] = s / ljj;
    }
  }
  return true;
}

/** Solve L Lᵀ x = b in place on b (one right-hand side of length n; L from {@link choleskyInPlace}). */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array, offset = 0, stride = 1): void {
  // Forward: L y = b.
  for (let i = 0; i < n; i++) {
    let s = b[offset + i * stride];
    for (let k = 0; k < i; k++) s -= l[i + k * n] * b[offset + k * stride];
    b[offset + i * stride] = s / l[i + i * n];
  }
  // Backward: Lᵀ x = y.
  for (let i = n - 1; i >= 0; i--) {
    let s = b[offset + i * stride];
    for (let k = i + 1; k < n; k++) s -= l[k + i * n] * b[offset + k * stride];
    b[offset + i * stride] = s / l[i + i * n];
  }
}
