/**
 * The affine classifier map S = W [Y; 1ᵀ] (bias column optional) and its
 * transposed products on raw column-major arrays. Internal kernels shared by
 * the losses and objectives; they trust their callers.
 */
import { checkMatrix64, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { gemm } from '../core/matmul.js';

/** Sizes of a checked (W, Y, C) triple. */
export interface AffineShape {
  /** Classes / outputs: rows of W and C. */
  nc: number;
  /** Features: rows of Y. */
  nf: number;
  /** Examples: columns of Y and C. */
  n: number;
  /** W has the extra bias column (nc × (nf+1)). */
  bias: boolean;
}

/**
 * Validate W (nc × nf or nc × (nf+1)), Y (nf × n) and C (nc × n) at a loss's entry.
 * @throws e.g. `softmaxCrossEntropy: W is 3×7 but Y has 4 rows: expected W with 4 or 5 columns`
 */
export function checkAffineArgs(fn: string, W: unknown, Y: unknown, C: unknown): AffineShape {
  const w = checkMatrix64(fn, 'W', W);
  const y = checkMatrix64(fn, 'Y', Y);
  const c = checkMatrix64(fn, 'C', C);
  const [nf, n] = y.shape;
  const [nc, nw] = w.shape;
  if (nw !== nf && nw !== nf + 1) fail(fn, `W is ${shapeStr(w)} but Y has ${nf} rows: expected W with ${nf} or ${nf + 1} columns (the last one a bias)`);
  if (c.shape[0] !== nc || c.shape[1] !== n) fail(fn, `C is ${shapeStr(c)}, expected ${nc}×${n} (rows of W × columns of Y)`);
  if (n === 0) fail(fn, 'Y has no columns (no examples)');
  return { nc, nf, n, bias: nw === nf + 1 };
}

/** S = W_Y Y + w_b 1ᵀ (nc × n), with W_Y the first nf columns of W and w_b its bias column. */
export function affineScores(w: Float64Array, y: Float64Array, sh: AffineShape): Matrix {
  const { nc, nf, n, bias } = sh;
  const S = zeros(nc, n);
  const s = S.data;
  gemm(s, nc, n, nf, w, nc, false, y, nf, false, 1, 0);
  if (bias) {
    const o = nc * nf;
    for (let j = 0; j < n; j++) for (let i = 0; i < nc; i++) s[i + j * nc] += w[o + i];
  }
  return S;
}

/** ∂/∂W of ⟨G, W[Y;1]⟩: G [Y; 1]ᵀ (nc × nW), i.e. G Yᵀ and the row sums of G as the bias column. */
export function affineGradW(g: Float64Array, y: Float64Array, sh: AffineShape): Matrix {
  const { nc, nf, n, bias } = sh;
  const out = zeros(nc, nf + (bias ? 1 : 0));
  const o = out.data;
  gemm(o, nc, nf, n, g, nc, false, y, nf, true, 1, 0);
  if (bias) {
    const b = nc * nf;
    for (let j = 0; j < n; j++) for (let i = 0; i < nc; i++) o[b + i] += g[i + j * nc];
  }
  return out;
}

/** ∂/∂Y of ⟨G, W[Y;1]⟩: W_Yᵀ G (nf × n). */
export function affineGradY(w: Float64Array, g: Float64Array, sh: AffineShape): Matrix {
  const { nc, nf, n } = sh;
  const out = zeros(nf, n);
  gemm(out.data, nf, n, nc, w, nc, true, g, nc, false, 1, 0);
  return out;
}

/** W_Y dY (nc × n): the change of S for a change of Y (no bias term). */
export function affineJvpY(w: Float64Array, dy: Float64Array, sh: AffineShape): Matrix {
  const { nc, nf, n } = sh;
  const out = zeros(nc, n);
  gemm(out.data, nc, n, nf, w, nc, false, dy, nf, false, 1, 0);
  return out;
}

/** A direction given as a matrix of the expected shape or as its vec; returns the column-major data. */
export function directionData(fn: string, name: string, V: Matrix | Float64Array, rows: number, cols: number): Float64Array {
  if (V instanceof Float64Array) {
    if (V.length !== rows * cols) fail(fn, `${name} has length ${V.length}, expected ${rows}*${cols} = ${rows * cols}`);
    return V;
  }
  const m = checkMatrix64(fn, name, V);
  if (m.shape[0] !== rows || m.shape[1] !== cols) fail(fn, `${name} is ${shapeStr(m)}, expected ${rows}×${cols}`);
  return columnMajorData(m);
}
