/**
 * Matrix-free linear operators: y = A x and x = Aᵀ y on flat vectors, and the
 * algebra to combine them (composition, transpose, sums, scaling, block
 * diagonals, Kronecker products). Nothing here forms a matrix except
 * {@link toDense}, which exists for tests and inspection.
 */
import { checkMatrix64, checkSize, checkVector, fail, shapeStr } from './errors.js';
import { columnMajorData, zeros, type Matrix } from './matrix.js';
import { gemm } from './matmul.js';

/** A linear map R^cols → R^rows known only through its products. */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** y = A x, x of length `cols`; returns a new vector of length `rows`. */
  apply(x: Float64Array): Float64Array;
  /** x = Aᵀ y, y of length `rows`; returns a new vector of length `cols`. */
  applyTranspose(y: Float64Array): Float64Array;
}

/**
 * Wrap two product functions as a LinearOperator whose public methods check
 * their input lengths (the functions themselves may trust them).
 */
export function linearOperator(spec: {
  rows: number;
  cols: number;
  apply: (x: Float64Array) => Float64Array;
  applyTranspose: (y: Float64Array) => Float64Array;
  name?: string;
}): LinearOperator {
  if (spec === null || typeof spec !== 'object') fail('linearOperator', 'spec must be { rows, cols, apply, applyTranspose, name? }');
  const name = spec.name ?? 'LinearOperator';
  checkSize('linearOperator', 'rows', spec.rows);
  checkSize('linearOperator', 'cols', spec.cols);
  if (typeof spec.apply !== 'function' || typeof spec.applyTranspose !== 'function') fail('linearOperator', 'spec.apply and spec.applyTranspose must be functions');
  const { rows, cols } = spec;
  return {
    rows,
    cols,
    apply(x) {
      checkVector(`${name}.apply`, 'x', x, cols);
      return spec.apply(x);
    },
    applyTranspose(y) {
      checkVector(`${name}.applyTranspose`, 'y', y, rows);
      return spec.applyTranspose(y);
    },
  };
}

function checkOp(fn: string, name: string, A: unknown): LinearOperator {
  const a = A as LinearOperator;
  if (!a || typeof a.apply !== 'function' || typeof a.applyTranspose !== 'function' || !Number.isInteger(a.rows) || !Number.isInteger(a.cols)) {
    fail(fn, `${name} must be a LinearOperator (rows, cols, apply, applyTranspose)`);
  }
  return a;
}

function isMatrix(A: unknown): A is Matrix {
  return !!A && typeof A === 'object' && Array.isArray((A as Matrix).shape) && (A as Matrix).data !== undefined && typeof (A as LinearOperator).apply !== 'function';
}

/** A LinearOperator given either directly or as a dense matrix. */
export type OperatorLike = LinearOperator | Matrix;

/** View a dense matrix (or an operator) as a LinearOperator. The matrix is not copied. */
export function asOperator(A: OperatorLike): LinearOperator {
  return operatorArg('asOperator', 'A', A);
}

/** {@link asOperator} for argument `name` of the public function `fn` (errors name both). */
function operatorArg(fn: string, name: string, A: OperatorLike): LinearOperator {
  if (isMatrix(A)) return fromMatrix(A);
  return checkOp(fn, name, A);
}

/** The LinearOperator x ↦ M x of a dense matrix (shares M's storage). */
export function fromMatrix(M: Matrix): LinearOperator {
  checkMatrix64('fromMatrix', 'M', M);
  const [r, c] = M.shape;
  const data = columnMajorData(M);
  return linearOperator({
    name: 'fromMatrix',
    rows: r,
    cols: c,
    apply: (x) => {
      const y = new Float64Array(r);
      gemm(y, r, 1, c, data, r, false, x, c, false, 1, 0);
      return y;
    },
    applyTranspose: (y) => {
      const x = new Float64Array(c);
      gemm(x, c, 1, r, data, r, true, y, r, false, 1, 0);
      return x;
    },
  });
}

/** The n×n identity. */
export function identityOperator(n: number): LinearOperator {
  checkSize('identityOperator', 'n', n);
  return linearOperator({ name: 'identityOperator', rows: n, cols: n, apply: (x) => Float64Array.from(x), applyTranspose: (y) => Float64Array.from(y) });
}

/** The rows×cols zero operator. */
export function zeroOperator(rows: number, cols: number): LinearOperator {
  checkSize('zeroOperator', 'rows', rows);
  checkSize('zeroOperator', 'cols', cols);
  return linearOperator({ name: 'zeroOperator', rows, cols, apply: () => new Float64Array(rows), applyTranspose: () => new Float64Array(cols) });
}

/** Aᵀ as an operator. */
export function transposeOp(A: OperatorLike): LinearOperator {
  const a = operatorArg('transposeOp', 'A', A);
  return linearOperator({ name: 'transposeOp', rows: a.cols, cols: a.rows, apply: (x) => a.applyTranspose(x), applyTranspose: (y) => a.apply(y) });
}

/**
 * The product A₁ A₂ ⋯ A_k (applied right to left).
 * @throws when adjacent sizes disagree
 */
export function compose(...ops: OperatorLike[]): LinearOperator {
  if (ops.length === 0) fail('compose', 'needs at least one operator');
  const as = ops.map((op, i) => operatorArg('compose', `operator ${i}`, op));
  for (let i = 0; i + 1 < as.length; i++) {
    if (as[i].cols !== as[i + 1].rows) {
      fail('compose', `operator ${i} is ${as[i].rows}×${as[i].cols}, so operator ${i + 1} must have ${as[i].cols} rows (the product needs cols of each = rows of the next), but it is ${as[i + 1].rows}×${as[i + 1].cols}`, 'badShape', { argument: `operator ${i + 1}`, got: [as[i + 1].rows, as[i + 1].cols], expectedRows: as[i].cols });
    }
  }
  return linearOperator({
    name: 'compose',
    rows: as[0].rows,
    cols: as[as.length - 1].cols,
    apply: (x) => {
      let y = x;
      for (let i = as.length - 1; i >= 0; i--) y = as[i].apply(y);
      return y === x ? Float64Array.from(x) : y;
    },
    applyTranspose: (y) => {
      let x = y;
      for (let i = 0; i < as.length; i++) x = as[i].applyTranspose(x);
      return x === y ? Float64Array.from(y) : x;
    },
  });
}

/** A₁ + A₂ + ⋯ (all the same size). */
export function sum(...ops: OperatorLike[]): LinearOperator {
  if (ops.length === 0) fail('sum', 'needs at least one operator');
  const as = ops.map((op, i) => operatorArg('sum', `operator ${i}`, op));
  for (let i = 1; i < as.length; i++) {
    if (as[i].rows !== as[0].rows || as[i].cols !== as[0].cols) {
      fail('sum', `operator 0 is ${as[0].rows}×${as[0].cols} but operator ${i} is ${as[i].rows}×${as[i].cols}`);
    }
  }
  const acc = (f: (a: LinearOperator, v: Float64Array) => Float64Array) => (v: Float64Array) => {
    const out = Float64Array.from(f(as[0], v));
    for (let i = 1; i < as.length; i++) {
      const t = f(as[i], v);
      for (let k = 0; k < out.length; k++) out[k] += t[k];
    }
    return out;
  };
  return linearOperator({ name: 'sum', rows: as[0].rows, cols: as[0].cols, apply: acc((a, v) => a.apply(v)), applyTranspose: acc((a, v) => a.applyTranspose(v)) });
}

/** alpha·A. */
export function scale(alpha: number, A: OperatorLike): LinearOperator {
  if (!Number.isFinite(alpha)) fail('scale', `alpha must be finite, got ${alpha}`);
  const a = operatorArg('scale', 'A', A);
  const sc = (v: Float64Array) => {
    for (let k = 0; k < v.length; k++) v[k] *= alpha;
    return v;
  };
  return linearOperator({ name: 'scale', rows: a.rows, cols: a.cols, apply: (x) => sc(Float64Array.from(a.apply(x))), applyTranspose: (y) => sc(Float64Array.from(a.applyTranspose(y))) });
}

/** blkdiag(A₁, …, A_k): acts on the stacked pieces of x separately. */
export function blockDiagonal(ops: OperatorLike[]): LinearOperator {
  if (!Array.isArray(ops) || ops.length === 0) fail('blockDiagonal', 'needs a non-empty array of operators');
  const as = ops.map((op, i) => operatorArg('blockDiagonal', `operator ${i}`, op));
  let rows = 0, cols = 0;
  for (const a of as) {
    rows += a.rows;
    cols += a.cols;
  }
  const run = (v: Float64Array, outLen: number, tr: boolean) => {
    const out = new Float64Array(outLen);
    let iIn = 0, iOut = 0;
    for (const a of as) {
      const nIn = tr ? a.rows : a.cols;
      const nOut = tr ? a.cols : a.rows;
      const piece = v.subarray(iIn, iIn + nIn);
      out.set(tr ? a.applyTranspose(piece.slice()) : a.apply(piece.slice()), iOut);
      iIn += nIn;
      iOut += nOut;
    }
    return out;
  };
  return linearOperator({ name: 'blockDiagonal', rows, cols, apply: (x) => run(x, rows, false), applyTranspose: (y) => run(y, cols, true) });
}

/**
 * The Kronecker product A ⊗ B, never formed: applied through
 * (A ⊗ B) vec(X) = vec(B X Aᵀ) and (A ⊗ B)ᵀ vec(Y) = vec(Bᵀ Y A),
 * with vec the column-major stacking (docs/conventions.md §1).
 * For A (ra×ca) and B (rb×cb) the operator is (ra·rb)×(ca·cb) and X is cb×ca.
 * Dense factors go through matmul; operator factors are applied to the columns
 * of X (B) and then to its rows (A).
 * @example kron(eye(2), B).apply(x) applies B to each half of x
 */
export function kron(A: OperatorLike, B: OperatorLike): LinearOperator {
  const aDense = isMatrix(A) ? A : null;
  const bDense = isMatrix(B) ? B : null;
  const a = operatorArg('kron', 'A', A);
  const b = operatorArg('kron', 'B', B);
  const ra = a.rows, ca = a.cols, rb = b.rows, cb = b.cols;
  const ad = aDense ? columnMajorData(aDense) : null;
  const bd = bDense ? columnMajorData(bDense) : null;

  // Y (rOut×cIn… ) helpers on raw column-major arrays.
  // left(X): apply B (or Bᵀ) to each column of X (p×q) → (p'×q)
  const left = (X: Float64Array, p: number, q: number, tr: boolean): Float64Array => {
    const pOut = tr ? cb : rb;
    const out = new Float64Array(pOut * q);
    if (bd) {
      gemm(out, pOut, q, p, bd, rb, tr, X, p, false, 1, 0);
    } else {
      for (let j = 0; j < q; j++) {
        const col = X.slice(j * p, (j + 1) * p);
        out.set(tr ? b.applyTranspose(col) : b.apply(col), j * pOut);
      }
    }
    return out;
  };
  // right(X): X·Aᵀ (tr=false) or X·A (tr=true) for X (p×q) → (p×q')
  const right = (X: Float64Array, p: number, q: number, tr: boolean): Float64Array => {
    const qOut = tr ? ca : ra;
    const out = new Float64Array(p * qOut);
    if (ad) {
      // X·Aᵀ: A stored ra×ca, transB = !tr
      gemm(out, p, qOut, q, X, p, false, ad, ra, !tr, 1, 0);
    } else {
      // row i of the result is (A xᵢ) for row i of X (or Aᵀ xᵢ)
      const row = new Float64Array(q);
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < q; j++) row[j] = X[i + j * p];
        const r = tr ? a.applyTranspose(row.slice()) : a.apply(row.slice());
        for (let j = 0; j < qOut; j++) out[i + j * p] = r[j];
      }
    }
    return out;
  };
  return linearOperator({
    name: 'kron',
    rows: ra * rb,
    cols: ca * cb,
    apply: (x) => right(left(x, cb, ca, false), rb, ca, false),
    applyTranspose: (y) => right(left(y, rb, ra, true), cb, ra, true),
  });
}

/**
 * The dense matrix of an operator, built column by column from A e_j.
 * For tests and small inspections only: costs `cols` products.
 */
export function toDense(A: LinearOperator): Matrix {
  const a = checkOp('toDense', 'A', A);
  const M = zeros(a.rows, a.cols);
  const e = new Float64Array(a.cols);
  for (let j = 0; j < a.cols; j++) {
    e[j] = 1;
    M.data.set(a.apply(e.slice()), j * a.rows);
    e[j] = 0;
  }
  return M;
}

/**
 * Apply an operator to every column of a matrix: returns [A y₁, …, A y_n].
 * @throws if Y does not have A.cols rows
 */
export function applyToColumns(A: LinearOperator, Y: Matrix, transpose = false): Matrix {
  const a = checkOp('applyToColumns', 'A', A);
  checkMatrix64('applyToColumns', 'Y', Y);
  const nIn = transpose ? a.rows : a.cols;
  const nOut = transpose ? a.cols : a.rows;
  if (Y.shape[0] !== nIn) fail('applyToColumns', `A is ${a.rows}×${a.cols}${transpose ? ' (transposed)' : ''} but Y is ${shapeStr(Y)}`);
  const n = Y.shape[1];
  const src = columnMajorData(Y);
  const out = zeros(nOut, n);
  for (let j = 0; j < n; j++) {
    const col = src.slice(j * nIn, (j + 1) * nIn);
    out.data.set(transpose ? a.applyTranspose(col) : a.apply(col), j * nOut);
  }
  return out;
}

