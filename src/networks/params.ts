/**
 * Splitting a flat parameter vector into the named pieces of a model.
 */
import { checkVector, fail } from '../core/errors.js';
import type { Model, ParamBlock } from './types.js';

/**
 * The named pieces of x as views (subarrays sharing x's storage), in the order
 * of `model.paramBlocks()`.
 * @param model any model
 * @param x its parameter vector, length model.nParams
 * @returns `{ name, offset, length, values }` per block; writing to `values` writes into x
 * @throws if x has the wrong length or the blocks do not add up to nParams
 * @example paramViews(chain([a, b]), x).map(p => p.name) // ['layer0.theta', 'layer0.bias', 'layer1.theta', …]
 */
export function paramViews(model: Model, x: Float64Array): (ParamBlock & { values: Float64Array })[] {
  checkVector('paramViews', 'x', x, model.nParams);
  const blocks = model.paramBlocks();
  checkBlocks('paramViews', model.name, blocks, model.nParams);
  return blocks.map((b) => ({ ...b, values: x.subarray(b.offset, b.offset + b.length) }));
}

/**
 * Check that blocks are contiguous, in order, and add up to nParams.
 * @throws `fn: blocks of <name> cover 10 parameters, expected 12`
 */
export function checkBlocks(fn: string, name: string, blocks: ParamBlock[], nParams: number): void {
  let off = 0;
  for (const b of blocks) {
    if (b.offset !== off) fail(fn, `block '${b.name}' of ${name} starts at ${b.offset}, expected ${off}`);
    off += b.length;
  }
  if (off !== nParams) fail(fn, `blocks of ${name} cover ${off} parameters, expected ${nParams}`);
}

/** The blocks of a child model shifted by `offset` and prefixed `prefix.` (for composites). */
export function prefixBlocks(prefix: string, offset: number, blocks: ParamBlock[]): ParamBlock[] {
  return blocks.map((b) => ({ name: `${prefix}.${b.name}`, offset: offset + b.offset, length: b.length }));
}
