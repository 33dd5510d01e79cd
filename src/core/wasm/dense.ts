/**
 * Fused WebAssembly SIMD kernels of the dense single layer Z = σ(K Y + b)
 * (assembly/dense.ts): the affine map, the forward with σ and σ' (tanh, ReLU,
 * identity; optionally the ResNet step Y + h·σ), the layer's jvp and its vjp,
 * each one call over the columns, for small even widths, where a general GEMM
 * spends its time packing tiny operands and the layer's element-wise passes
 * (bias, σ', the residual update) cost as much as its products.
 *
 * All matrices are contiguous column-major arrays (K is m×k, Y k×n, A and the
 * results m×n); m must be even. Resident arrays (./resident.ts) are used in
 * place; the others are copied through WebAssembly memory in blocks of
 * columns ({@link denseChunkColumns}), which bounds the memory a call needs
 * for any n. Sums run in a different order from the general path (products
 * row-block-wise, bias sums per row): results agree with it to rounding.
 */
import { align64, wasmExports, wasmF64, wasmReserve } from './module.js';
import { fail } from '../errors.js';
import { checkLength } from './bounds.js';
import { residentAddress } from './resident.js';

/**
 * Sizes of a dense-layer call: m even, and each array at least its entries
 * (resident arrays are used in place: a short one would let the kernel reach
 * into the next block).
 */
function checkDense(fn: string, m: number, k: number, n: number, arrays: [string, Float64Array | null, number][]): void {
  for (const [name, v] of [['m', m], ['k', k], ['n', n]] as const) {
    if (!Number.isInteger(v) || v < 0) fail(fn, `${name} must be a non-negative integer, got ${v}`);
  }
  if (m % 2 !== 0) fail(fn, `m must be even, got ${m}`);
  for (const [name, x, need] of arrays) {
    if (x === null) continue;
    if (!(x instanceof Float64Array)) fail(fn, `${name} must be a Float64Array`);
    checkLength(fn, name, x, need, `m = ${m}, k = ${k}, n = ${n}`);
  }
}

/** Entries per matrix block: 2^16 doubles (512 KiB; a call's four blocks take 2 MiB of scratch). */
const BLOCK_ENTRIES = 1 << 16;

/**
 * Columns per round trip through WebAssembly memory for widths m and k.
 * @example denseChunkColumns(8, 8) // 8192
 */
export function denseChunkColumns(m: number, k: number): number {
  return Math.max(1, Math.floor(BLOCK_ENTRIES / Math.max(m, k, 1)));
}

/** Byte layout of one call: the small operands, then four column blocks. */
interface Layout {
  K: number; Kt: number; gs: number; dK: number; db: number; y: number; a: number; d: number; out: number; chunk: number;
}

function layout(fn: string, m: number, k: number, n: number): Layout {
  const chunk = Math.min(n, denseChunkColumns(m, k));
  const small = align64(m * k * 8 + 16), vec = align64(m * 8 + 16);
  // Every block region holds max(m, k) × chunk entries (the vjp reads W, m×c, and writes dY, k×c).
  const cols = align64(Math.max(m, k) * chunk * 8 + 16);
  const base = wasmReserve(fn, 3 * small + vec + 128 + 4 * cols + 64);
  const K = base, Kt = K + small, dK = Kt + small, db = dK + small, gs = db + vec, y = gs + 128, d = y + cols, a = d + cols, out = a + cols;
  return { K, Kt, gs, dK, db, y, a, d, out, chunk };
}

/** Where columns j0 … j0+c−1 of a column-major operand with `rows` rows are read or written. */
function colsAt(arr: Float64Array, addr: number, rows: number, j0: number, c: number, region: number, mem: Float64Array, copyIn: boolean): number {
  if (addr >= 0) return addr + j0 * rows * 8;
  if (copyIn) mem.set(arr.subarray(j0 * rows, (j0 + c) * rows), region / 8);
  return region;
}

/** Copy a result block out of the scratch region (nothing to do for a resident destination). */
function colsOut(arr: Float64Array, addr: number, rows: number, j0: number, c: number, region: number, mem: Float64Array): void {
  if (addr < 0) arr.set(mem.subarray(region / 8, region / 8 + rows * c), j0 * rows);
}

/**
 * P = K Y + B b in one WebAssembly pass (b expanded to one entry per row).
 * Checks that m is even and the arrays hold the stated sizes. Resident
 * arrays (./resident.ts) are used in place, others copied in blocks.
 * @param p destination, m×n (may not alias y)
 * @param K m×k
 * @param bias m entries (the bias of each row)
 * @param y k×n
 * @example wasmDenseAffine(p, K, b, Y, 8, 2, 1000) // p = K·Y + b per column
 */
export function wasmDenseAffine(p: Float64Array, K: Float64Array, bias: Float64Array, y: Float64Array, m: number, k: number, n: number): void {
  const fn = 'wasmDenseAffine';
  const ex = wasmExports(fn);
  checkDense(fn, m, k, n, [['p', p, m * n], ['K', K, m * k], ['bias', bias, m], ['y', y, k * n]]);
  if (n <= 0) return;
  const L = layout(fn, m, k, n);
  const mem = wasmF64();
  const yA = residentAddress(y), pA = residentAddress(p);
  mem.set(K.subarray(0, m * k), L.K / 8);
  mem.set(bias.subarray(0, m), L.db / 8);
  for (let j0 = 0; j0 < n; j0 += L.chunk) {
    const c = Math.min(L.chunk, n - j0);
    const o = colsAt(p, pA, m, j0, c, L.out, mem, false);
    ex.dlayerAffine(o, L.K, L.db, colsAt(y, yA, k, j0, c, L.y, mem, true), m, k, c);
    colsOut(p, pA, m, j0, c, L.out, mem);
  }
}

/** Activations the fused forward computes itself: codes of assembly/dense.ts's `activate`. */
export type DenseActivationCode = 0 | 1 | 2;

/**
 * The dense layer's forward in one WebAssembly pass: P = K Y + B b,
 * deriv = σ'(P) and out = σ(P), or out = Y + h·σ(P) when `residual` (m = k,
 * a ResNet step). σ by code: 0 identity, 1 tanh (the polynomial of
 * the polynomial of the tanh pass in ./activations.ts), 2 ReLU. Resident arrays are used in place.
 * @param out m×n destination (may not alias y)
 * @param deriv m×n destination of σ'(P)
 * @param K m×k
 * @param bias m entries (the bias of each row)
 * @param y Y, k×n
 * @example wasmDenseForward(Z, A, K, b, Y, 8, 8, 1000, 0.25, 1, true) // Y + ¼·tanh(K Y + b), A = tanh'(K Y + b)
 */
export function wasmDenseForward(
  out: Float64Array, deriv: Float64Array, K: Float64Array, bias: Float64Array, y: Float64Array,
  m: number, k: number, n: number, h: number, act: DenseActivationCode, residual: boolean,
): void {
  const fn = 'wasmDenseForward';
  const ex = wasmExports(fn);
  checkDense(fn, m, k, n, [['out', out, m * n], ['deriv', deriv, m * n], ['K', K, m * k], ['bias', bias, m], ['y', y, k * n]]);
  if (n <= 0) return;
  const L = layout(fn, m, k, n);
  const mem = wasmF64();
  const yA = residentAddress(y), oA = residentAddress(out), dA = residentAddress(deriv);
  mem.set(K.subarray(0, m * k), L.K / 8);
  mem.set(bias.subarray(0, m), L.db / 8);
  for (let j0 = 0; j0 < n; j0 += L.chunk) {
    const c = Math.min(L.chunk, n - j0);
    const yP = colsAt(y, yA, k, j0, c, L.y, mem, true);
    const oP = colsAt(out, oA, m, j0, c, L.out, mem, false);
    const dP = colsAt(deriv, dA, m, j0, c, L.a, mem, false);
    ex.dlayerForward(oP, dP, L.K, L.db, yP, m, k, c, h, act, residual);
    colsOut(out, oA, m, j0, c, L.out, mem);
    colsOut(deriv, dA, m, j0, c, L.a, mem);
  }
}

/**
 * The dense layer's jvp in one WebAssembly pass:
 * out = D + h·(A ∘ (dK Y + B db + K dY)), with D = dY when `residual` (m = k)
 * and D = 0 otherwise (then pass h = 1). A missing dK drops the dK Y + B db
 * term, a missing dY the K dY term. Resident arrays are used in place.
 * @param out m×n destination (may not alias the inputs)
 * @param y Y, k×n
 * @param a A = σ'(K Y + b), m×n
 * @param dy dY (k×n) or null
 * @param K K(θ), m×k
 * @param dK K(dθ) (m×k) or null
 * @param db the bias direction expanded to m rows (ignored without dK)
 * @example wasmDenseJvp(out, Y, A, dY, K, dK, db, 8, 8, 1000, 0.25, true) // one ResNet step's jvp
 */
export function wasmDenseJvp(
  out: Float64Array, y: Float64Array, a: Float64Array, dy: Float64Array | null,
  K: Float64Array, dK: Float64Array | null, db: Float64Array | null,
  m: number, k: number, n: number, h: number, residual: boolean,
): void {
  const fn = 'wasmDenseJvp';
  const ex = wasmExports(fn);
  checkDense(fn, m, k, n, [['out', out, m * n], ['y', y, dK ? k * n : 0], ['a', a, m * n], ['dy', dy, k * n], ['K', K, m * k], ['dK', dK, m * k], ['db', db, m]]);
  if (n <= 0) return;
  const L = layout(fn, m, k, n);
  const mem = wasmF64();
  const yA = residentAddress(y), aA = residentAddress(a), dA = dy ? residentAddress(dy) : -1, oA = residentAddress(out);
  mem.set(K.subarray(0, m * k), L.K / 8);
  if (dK) {
    mem.set(dK.subarray(0, m * k), L.dK / 8);
    if (db) mem.set(db.subarray(0, m), L.db / 8);
    else mem.fill(0, L.db / 8, L.db / 8 + m);
  }
  const flags = (dK ? 1 : 0) | (dy ? 2 : 0) | (residual ? 4 : 0);
  for (let j0 = 0; j0 < n; j0 += L.chunk) {
    const c = Math.min(L.chunk, n - j0);
    const yP = dK ? colsAt(y, yA, k, j0, c, L.y, mem, true) : L.y;
    const dP = dy ? colsAt(dy, dA, k, j0, c, L.d, mem, true) : L.d;
    const aP = colsAt(a, aA, m, j0, c, L.a, mem, true);
    const oP = colsAt(out, oA, m, j0, c, L.out, mem, false);
    ex.dlayerJvp(oP, yP, aP, dP, L.K, L.dK, L.db, m, k, c, h, flags);
    colsOut(out, oA, m, j0, c, L.out, mem);
  }
}

/**
 * The dense layer's vjp in one WebAssembly pass: with G = A ∘ W,
 * dK = G Yᵀ (m×k), db = the row sums of G (m), and, when `dyOut` is given,
 * dyOut = R + h·Kᵀ G with R = W when `residual` (m = k), else 0 (pass h = 1).
 * Resident arrays are used in place.
 * @param dyOut k×n destination or null (input gradient not wanted)
 * @param dK m×k destination (overwritten)
 * @param db m destination (overwritten)
 * @param y Y, k×n
 * @param a A, m×n
 * @param w W, m×n
 * @param K K(θ), m×k
 * @example wasmDenseVjp(dY, dK, db, Y, A, W, K, 8, 8, 1000, 0.25, true) // one ResNet step backwards
 */
export function wasmDenseVjp(
  dyOut: Float64Array | null, dK: Float64Array, db: Float64Array,
  y: Float64Array, a: Float64Array, w: Float64Array, K: Float64Array,
  m: number, k: number, n: number, h: number, residual: boolean,
): void {
  const fn = 'wasmDenseVjp';
  const ex = wasmExports(fn);
  checkDense(fn, m, k, n, [['dyOut', dyOut, k * n], ['dK', dK, m * k], ['db', db, m], ['y', y, k * n], ['a', a, m * n], ['w', w, m * n], ['K', K, m * k]]);
  const L = layout(fn, m, k, Math.max(n, 1));
  const mem = wasmF64();
  const yA = residentAddress(y), aA = residentAddress(a), wA = residentAddress(w), oA = dyOut ? residentAddress(dyOut) : -1;
  // Width 8 (with whole vectors of dY rows) takes the two-column kernel, which reads Kᵀ.
  const eight = m === 8 && (!dyOut || k % 2 === 0);
  if (eight) {
    const kt = L.Kt / 8;
    for (let i = 0; i < 8; i++) for (let q = 0; q < k; q++) mem[kt + q + i * k] = K[i + q * 8];
  } else {
    mem.set(K.subarray(0, m * k), L.K / 8);
  }
  mem.fill(0, L.dK / 8, L.dK / 8 + m * k);
  mem.fill(0, L.db / 8, L.db / 8 + m);
  for (let j0 = 0; j0 < n; j0 += L.chunk) {
    const c = Math.min(L.chunk, n - j0);
    const yP = colsAt(y, yA, k, j0, c, L.y, mem, true);
    const aP = colsAt(a, aA, m, j0, c, L.a, mem, true);
    const wP = colsAt(w, wA, m, j0, c, L.d, mem, true);
    const oP = dyOut ? colsAt(dyOut, oA, k, j0, c, L.out, mem, false) : 0;
    if (eight) ex.dlayerVjp8(oP, L.dK, L.db, yP, aP, wP, L.Kt, L.gs, k, c, h, residual);
    else ex.dlayerVjp(oP, L.dK, L.db, yP, aP, wP, L.K, m, k, c, h, residual);
    if (dyOut) colsOut(dyOut, oA, k, j0, c, L.out, mem);
  }
  dK.set(mem.subarray(L.dK / 8, L.dK / 8 + m * k));
  db.set(mem.subarray(L.db / 8, L.db / 8 + m));
}
