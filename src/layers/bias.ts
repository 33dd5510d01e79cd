/**
 * How the bias b enters a single layer σ(K Y + B b): B spreads nBias entries
 * over the nOut rows of each column, entry g on rows g·groupSize …
 * (g+1)·groupSize − 1 (scalar: one entry on all rows; per row: groupSize 1;
 * per channel: groupSize = pixels per channel). The loops run per group, so
 * no entry needs an index division.
 */
import { fail } from '../core/errors.js';
import type { ParametricOperator } from '../operators/types.js';

/** How the bias b enters σ(K Y + b). */
export type BiasKind = 'scalar' | 'vector' | 'none';

/** The bias of a layer: its kind, length and the rows each entry covers. */
export interface BiasLayout {
  readonly kind: BiasKind;
  /** Entries of b: 0, 1, nOut or nChannelsOut. */
  readonly nBias: number;
  /** Rows of a column that share one entry. */
  readonly groupSize: number;
  readonly nOut: number;
}

/**
 * Operators may report their output channels (convolutions), used for
 * per-channel biases: an explicit `nChannelsOut`, or conv2d's
 * `kernel: [kx, ky, cin, cout]`.
 */
interface ChannelInfo {
  nChannelsOut?: number;
  kernel?: unknown;
}

/** Output channels reported by `op`, or undefined. */
function outputChannels(op: ParametricOperator & ChannelInfo): number | undefined {
  if (op.nChannelsOut !== undefined) return op.nChannelsOut;
  if (Array.isArray(op.kernel) && op.kernel.length === 4) return op.kernel[3] as number;
  return undefined;
}

/**
 * The bias layout of a layer over `op`.
 * @param fn the calling function, for error messages
 * @param op the layer's operator (its nOut and reported channels)
 * @param kind 'scalar', 'vector' (per channel when op reports channels, else per row) or 'none'
 * @throws when the kind is unknown or the channel count does not divide nOut
 * @example biasLayout('singleLayer', dense(4, 2), 'vector') // { nBias: 4, groupSize: 1, … }
 */
export function biasLayout(fn: string, op: ParametricOperator, kind: unknown): BiasLayout {
  const nOut = op.nOut;
  if (kind === 'none') return { kind, nBias: 0, groupSize: Math.max(nOut, 1), nOut };
  if (kind === 'scalar') return { kind, nBias: 1, groupSize: Math.max(nOut, 1), nOut };
  if (kind !== 'vector') fail(fn, `bias must be 'scalar', 'vector' or 'none', got ${String(kind)}`);
  const ch = outputChannels(op);
  if (ch !== undefined && ch !== nOut) {
    if (!Number.isInteger(ch) || ch <= 0 || nOut % ch !== 0) fail(fn, `op.nChannelsOut = ${ch} does not divide nOut = ${nOut}`);
    return { kind, nBias: ch, groupSize: nOut / ch, nOut };
  }
  return { kind, nBias: nOut, groupSize: 1, nOut };
}

/**
 * p ← p + B b over n columns, b = src[bo … bo + nBias − 1].
 * @param p nOut×n, contiguous column-major
 */
export function addBias(L: BiasLayout, p: Float64Array, src: Float64Array, bo: number, n: number): void {
  const { nOut, nBias, groupSize } = L;
  if (nBias === 0) return;
  if (groupSize === 1) {
    for (let j = 0, base = 0; j < n; j++, base += nOut) for (let i = 0; i < nOut; i++) p[base + i] += src[bo + i];
    return;
  }
  for (let j = 0, base = 0; j < n; j++) {
    for (let g = 0; g < nBias; g++) {
      const c = src[bo + g];
      for (const end = base + groupSize; base < end; base++) p[base] += c;
    }
  }
}

/**
 * B b expanded to one entry per row, into `dst` (nOut entries); zeros when
 * `src` is null or the layer has no bias.
 * @param src a parameter (or direction) vector holding b at `bo`, or null
 */
export function expandBias(L: BiasLayout, dst: Float64Array, src: Float64Array | null, bo: number): Float64Array {
  if (!src || L.nBias === 0) dst.fill(0);
  else if (L.nBias === 1) dst.fill(src[bo]);
  else if (L.groupSize === 1) dst.set(src.subarray(bo, bo + L.nOut));
  else for (let g = 0, r = 0; g < L.nBias; g++) for (let e = 0; e < L.groupSize; e++, r++) dst[r] = src[bo + g];
  return dst;
}

/**
 * Bᵀ applied to per-row sums: dst[bo + g] = Σ of rowSums over entry g's rows
 * (in row order), for the fused kernels, which return the row sums of G.
 */
export function foldRowSums(L: BiasLayout, dst: Float64Array, bo: number, rowSums: Float64Array): void {
  if (L.nBias === 0) return;
  if (L.groupSize === 1) {
    dst.set(rowSums.subarray(0, L.nOut), bo);
    return;
  }
  for (let g = 0, r = 0; g < L.nBias; g++) {
    let s = 0;
    for (let e = 0; e < L.groupSize; e++, r++) s += rowSums[r];
    dst[bo + g] = s;
  }
}
