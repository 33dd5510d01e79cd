/**
 * `compile(model, { batch })`: a model's forward, jvp and vjp in the
 * parameters as whole-network passes over a workspace the caller owns.
 */
import { checkMatrix64, checkPositiveInt, checkVector, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import type { Model } from '../networks/types.js';
import { getWasmThreads } from '../core/wasm/threads.js';
import { compileNetwork, type NetworkPlan } from './plan.js';
import { NetworkWorkspace, PASS } from './workspace.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Largest number of columns (examples) of a forward pass. */
  batch: number;
  /** Threads per pass (default `getWasmThreads()`); results do not depend on it. */
  threads?: number;
  /** Columns per block (default 128, a multiple of 8). */
  blockColumns?: number;
}

/** A compiled model with its workspace (see {@link compile}). */
export interface CompiledNetwork {
  readonly plan: NetworkPlan;
  /** Capacity in columns. */
  readonly batch: number;
  /** Z = F(θ, Y) (a new matrix); keeps the states for jvp / vjp. */
  forward(theta: Float64Array, Y: Matrix): Matrix;
  /** J_θ dθ at the last forward (nOut × n, a new matrix). */
  jvp(dtheta: Float64Array): Matrix;
  /** J_θᵀ dZ at the last forward (the input gradient is not formed). */
  vjp(dZ: Matrix): Float64Array;
  /** Release the workspace (idempotent). */
  dispose(): void;
}

/**
 * Compile `model` (see {@link networkPlanSupport}) and give it a workspace
 * for up to `batch` columns: forward, jvp and vjp in θ then each run as one
 * WebAssembly call over blocks of columns. The numbers agree with the model's
 * own methods to rounding. Each compiled network owns its buffers (nothing is
 * shared between two of them); `dispose()` releases them.
 * @param model the network
 * @param options batch (capacity), threads, blockColumns
 * @returns the compiled network
 * @throws `compile: cannot compile …` for unsupported models; `compile: Y is 2×50, expected at most 32 columns`
 * @example
 * const c = compile(net, { batch: 1000 });
 * const Z = c.forward(theta, Y); const g = c.vjp(dZ); c.dispose();
 */
export function compile(model: Model, options: CompileOptions): CompiledNetwork {
  const fn = 'compile';
  let plan: NetworkPlan;
  try {
    plan = compileNetwork(model);
  } catch (e) {
    return fail(fn, (e as Error).message.replace(/^compileNetwork: /, ''));
  }
  const batch = checkPositiveInt(fn, 'batch', options?.batch);
  const threads = options.threads ?? getWasmThreads();
  const ws = new NetworkWorkspace(plan, { columns: batch, classes: 0, blockColumns: options.blockColumns });
  let n = 0;
  let theta: Float64Array | null = null;
  let Ycopy: Float64Array | null = null;
  /** Make sure the states of the last forward are in the workspace (they go when the memory is replaced). */
  const states = (name: string): void => {
    if (!theta || !Ycopy) fail(`${fn}.${name}`, 'call forward first');
    if (ws.ensureLive()) {
      ws.setData(Ycopy, null);
      ws.setParams(theta, null);
      ws.run(PASS.forward, threads);
    }
  };
  return {
    plan,
    batch,
    forward(x, Y) {
      checkVector(`${fn}.forward`, 'theta', x, plan.nParams);
      checkMatrix64(`${fn}.forward`, 'Y', Y);
      if (Y.shape[0] !== plan.nIn || Y.shape[1] < 1 || Y.shape[1] > batch) fail(`${fn}.forward`, `Y is ${shapeStr(Y)}, expected ${plan.nIn} rows and 1 … ${batch} columns`);
      n = Y.shape[1];
      theta = x.slice();
      Ycopy = Float64Array.from(columnMajorData(Y));
      ws.ensureLive();
      ws.setData(Ycopy, null);
      ws.setParams(theta, null);
      ws.run(PASS.forward, threads);
      const out = new Float64Array(plan.nOut * n);
      ws.readOutput(out);
      return matrix(plan.nOut, n, out);
    },
    jvp(dx) {
      states('jvp');
      checkVector(`${fn}.jvp`, 'dtheta', dx, plan.nParams);
      ws.setDirection(dx, null);
      ws.run(PASS.jvp, threads);
      const out = new Float64Array(plan.nOut * n);
      ws.io(out);
      return matrix(plan.nOut, n, out);
    },
    vjp(dZ) {
      states('vjp');
      checkMatrix64(`${fn}.vjp`, 'dZ', dZ, plan.nOut, n);
      ws.io(Float64Array.from(columnMajorData(dZ)), true);
      ws.run(PASS.vjp, threads);
      const g = new Float64Array(plan.nParams);
      ws.reduce(g, null);
      return g;
    },
    dispose() {
      ws.dispose();
    },
  };
}
