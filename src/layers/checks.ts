/**
 * Entry checks shared by the models (layers and networks): parameter vectors,
 * inputs, directions and states are validated once at each public method.
 */
import { checkMatrix64, checkVector, fail, shapeStr } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { ModelState } from '../core/model.js';
import type { ParametricOperator } from '../operators/types.js';

/** Check x (length nParams) and Y (nIn × n) of `fn`. */
export function checkForwardArgs(fn: string, x: unknown, Y: unknown, nParams: number, nIn: number): void {
  checkVector(fn, 'x', x, nParams);
  const m = checkMatrix64(fn, 'Y', Y);
  if (m.shape[0] !== nIn) fail(fn, `Y is ${shapeStr(m)}, expected ${nIn} rows (nIn)`);
}

/** Check a state produced by `forward` of a model with nOut outputs; returns n (examples). */
export function checkState(fn: string, state: unknown, nOut: number): number {
  const s = state as ModelState;
  if (!s || typeof s !== 'object' || !s.output || !Array.isArray(s.output.shape)) fail(fn, 'state must be the result of forward(x, Y)');
  if (s.output.shape[0] !== nOut) fail(fn, `state.output is ${shapeStr(s.output)}, expected ${nOut} rows: state is not from this model`);
  return s.output.shape[1];
}

/** Check the arguments of jvp: x, dx (nParams or null) and dY (nIn × n or null). */
export function checkJvpArgs(fn: string, x: unknown, dx: unknown, dY: unknown, nParams: number, nIn: number, n: number): void {
  checkVector(fn, 'x', x, nParams);
  if (dx !== null) checkVector(fn, 'dx', dx, nParams);
  if (dY !== null) {
    const m = checkMatrix64(fn, 'dY', dY);
    if (m.shape[0] !== nIn || m.shape[1] !== n) fail(fn, `dY is ${shapeStr(m)}, expected ${nIn}×${n} (the shape of Y)`);
  }
}

/** Check the arguments of vjp: x and dZ (nOut × n). */
export function checkVjpArgs(fn: string, x: unknown, dZ: unknown, nParams: number, nOut: number, n: number): Matrix {
  checkVector(fn, 'x', x, nParams);
  const m = checkMatrix64(fn, 'dZ', dZ);
  if (m.shape[0] !== nOut || m.shape[1] !== n) fail(fn, `dZ is ${shapeStr(m)}, expected ${nOut}×${n} (the shape of the output)`);
  return m;
}

/** Check that `op` looks like a {@link ParametricOperator}. */
export function checkOperator(fn: string, op: unknown): ParametricOperator {
  const o = op as ParametricOperator;
  const ok = !!o && typeof o === 'object' && ['apply', 'applyTranspose', 'jvp', 'vjp'].every((k) => typeof (o as unknown as Record<string, unknown>)[k] === 'function')
    && [o.nIn, o.nOut, o.nTheta].every((v) => Number.isInteger(v) && v >= 0);
  if (!ok) fail(fn, 'op must be a ParametricOperator (nIn, nOut, nTheta, apply, applyTranspose, jvp, vjp)');
  return o;
}
