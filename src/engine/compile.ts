/**
 * `compile(model, { batch })`: a model's forward, jvp and vjp in the
 * parameters as whole-network passes over a workspace the caller owns.
 */
import { checkMatrix64, checkPositiveInt, checkVector, fail, shapeStr } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { Model } from '../networks/types.js';
import { getWasmThreads } from '../core/wasm/threads.js';
import { compileNetwork, type NetworkPlan } from './plan.js';
import { modelPasses, type PassState } from './modelPasses.js';
import type { Precision } from './workspace.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Largest number of columns (examples) of a forward pass. */
  batch: number;
  /** Threads per pass (default `getWasmThreads()`); results do not depend on it. */
  threads?: number;
  /** Columns per block (default 128, a multiple of 8). */
  blockColumns?: number;
  /** `'float64'` (default) or `'float32'` states and products (θ and results stay Float64Array). */
  precision?: Precision;
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
  checkOptions(fn, options, ['batch', 'threads', 'blockColumns', 'precision']);
  const batch = checkPositiveInt(fn, 'batch', options?.batch);
  const threads = options.threads ?? getWasmThreads();
  const passes = modelPasses(plan, { threads, blockColumns: options.blockColumns, columns: batch, precision: options.precision });
  let state: PassState | null = null;
  const last = (name: string): PassState => {
    if (!state) return fail(`${fn}.${name}`, 'call forward first');
    return state;
  };
  return {
    plan,
    batch,
    forward(x, Y) {
      checkVector(`${fn}.forward`, 'theta', x, plan.nParams);
      checkMatrix64(`${fn}.forward`, 'Y', Y);
      if (Y.shape[0] !== plan.nIn || Y.shape[1] < 1 || Y.shape[1] > batch) fail(`${fn}.forward`, `Y is ${shapeStr(Y)}, expected ${plan.nIn} rows and 1 … ${batch} columns`);
      state = passes.forward(x, Y);
      return state.output;
    },
    jvp(dx) {
      const s = last('jvp');
      checkVector(`${fn}.jvp`, 'dtheta', dx, plan.nParams);
      return passes.jvp(s, dx);
    },
    vjp(dZ) {
      const s = last('vjp');
      checkMatrix64(`${fn}.vjp`, 'dZ', dZ, plan.nOut, s.n);
      return passes.vjp(s, dZ);
    },
    dispose() {
      passes.dispose();
    },
  };
}
