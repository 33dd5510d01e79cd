/**
 * One interface for an objective's model passes, run either through a
 * compiled plan (whole-network WebAssembly passes, ./modelPasses.ts) or
 * through the model's own forward / jvp / vjp (the reference path). The
 * objectives choose once (`engine` option) and the kernel backend decides per
 * call: with the 'js' backend the reference path runs.
 */
import { fail } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import type { Model, ModelState } from '../networks/types.js';
import { compileNetwork, networkPlanSupport, type NetworkPlan } from './plan.js';
import { modelPasses, type ModelPasses, type PassState } from './modelPasses.js';
import { kernelDims, workspaceUnavailable, type Precision } from './workspace.js';

/** How an objective runs its passes: `'auto'` (the plan when it can), `'plan'` (insist), `'reference'`. */
export type EngineChoice = 'auto' | 'plan' | 'reference';

/** A forward state of either path. */
export type RunnerState = { plan: PassState } | { ref: ModelState; theta: Float64Array };

/** The model passes of an objective (see the file comment). */
export interface ModelRunner {
  /** Z = F(θ, Y) and the state for the derivatives (θ is copied). */
  forward(theta: Float64Array, Y: Matrix): { output: Matrix; state: RunnerState };
  /** J_θ dθ at a state. */
  jvp(state: RunnerState, dtheta: Float64Array): Matrix;
  /** J_θᵀ dZ at a state (the model's input gradient is skipped). */
  vjp(state: RunnerState, dZ: Matrix): Float64Array;
  /** `'plan'` when the next forward runs through the plan. */
  readonly engine: 'plan' | 'reference';
  setThreads(t: number): void;
  /** Release the plan's workspace. */
  dispose(): void;
}

const NO_INPUT = Object.freeze({ input: false });

/**
 * The passes of `model` for objective `fn`.
 * @param opts engine (default 'auto'), threads per plan pass, blockColumns
 * @throws `fn: engine 'plan': <why the model does not compile>`
 */
export function modelRunner(fn: string, model: Model, opts: { engine?: EngineChoice; threads: number; blockColumns?: number; precision?: Precision }): ModelRunner {
  const engine = opts.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'plan' && engine !== 'reference') fail(fn, `engine must be 'auto', 'plan' or 'reference', got ${String(engine)}`);
  const reason = engine === 'reference' ? 'reference' : networkPlanSupport(model);
  if (engine === 'plan' && reason !== null) fail(fn, `engine 'plan': ${reason}`);
  const precision = opts.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
  if (precision === 'float32' && reason !== null) fail(fn, `precision 'float32' needs a plan: ${reason}`);
  const plan: NetworkPlan | null = reason === null ? compileNetwork(model) : null;
  const dims = plan && precision === 'float32' ? kernelDims(plan, precision) : null;
  if (typeof dims === 'string') fail(fn, `precision 'float32': ${dims}`);
  let threads = opts.threads;
  let passes: ModelPasses | null = null;
  const usePlan = (): ModelPasses | null => {
    const why = plan ? workspaceUnavailable() : null;
    if (!plan || why !== null) {
      if (engine === 'plan' || precision === 'float32') fail(fn, `${precision === 'float32' ? "precision 'float32'" : "engine 'plan'"} cannot run: ${why}`);
      return null;
    }
    return (passes ??= modelPasses(plan, { threads, blockColumns: opts.blockColumns, precision }));
  };
  return {
    forward(theta, Y) {
      const p = usePlan();
      if (p) {
        const s = p.forward(theta, Y);
        return { output: s.output, state: { plan: s } };
      }
      const th = theta.slice();
      const ref = model.forward(th, Y);
      return { output: ref.output, state: { ref, theta: th } };
    },
    jvp(state, dtheta) {
      if ('plan' in state) return (usePlan() as ModelPasses).jvp(state.plan, dtheta);
      return model.jvp(state.theta, state.ref, dtheta, null);
    },
    vjp(state, dZ) {
      if ('plan' in state) return (usePlan() as ModelPasses).vjp(state.plan, dZ);
      return model.vjp(state.theta, state.ref, dZ, NO_INPUT).dx;
    },
    get engine() {
      return plan && workspaceUnavailable() === null ? 'plan' : 'reference';
    },
    setThreads(t) {
      threads = t;
      passes?.setThreads(t);
    },
    dispose() {
      passes?.dispose();
      passes = null;
    },
  };
}
