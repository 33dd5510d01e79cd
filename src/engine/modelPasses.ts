/**
 * A plan's model-level passes (forward, jvp and vjp in θ) over a workspace
 * that grows to the largest number of columns seen, for callers that keep
 * several forward states alive (an objective's Hessian closures): each
 * forward returns a state holding its own θ and data, and a jvp / vjp on a
 * state whose values are no longer in the workspace recomputes them first
 * (same numbers, one forward pass more).
 */
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import type { NetworkPlan } from './plan.js';
import { NetworkWorkspace, PASS, type Precision } from './workspace.js';

/** What {@link ModelPasses.forward} returns: the output and what the derivatives need. */
export interface PassState {
  /** Z = F(θ, Y), nOut × n (a new matrix). */
  readonly output: Matrix;
  readonly theta: Float64Array;
  /** The data (column-major copy). */
  readonly Y: Float64Array;
  readonly n: number;
}

/** Model-level passes of a plan (see the file comment). */
export interface ModelPasses {
  /** Z = F(θ, Y); θ and Y are copied. */
  forward(theta: Float64Array, Y: Matrix): PassState;
  /** J_θ dθ at a state. */
  jvp(state: PassState, dtheta: Float64Array): Matrix;
  /** J_θᵀ dZ at a state (the input gradient is not formed). */
  vjp(state: PassState, dZ: Matrix): Float64Array;
  setThreads(t: number): void;
  /** Release the workspace (a later pass allocates it again). */
  dispose(): void;
}

/**
 * The passes of `plan` (validated shapes are the caller's business).
 * @param plan the compiled model
 * @param opts threads per pass, columns per block, an initial capacity, the precision
 */
export function modelPasses(plan: NetworkPlan, opts: { threads: number; blockColumns?: number; columns?: number; precision?: Precision }): ModelPasses {
  let threads = opts.threads;
  let ws: NetworkWorkspace | null = null;
  // The state whose values the workspace holds (and which workspace block that was).
  let current: PassState | null = null;
  let holder: NetworkWorkspace | null = null;
  let generation = -1;
  const workspace = (n: number): NetworkWorkspace => {
    if (!ws || ws.columns < n) {
      ws?.dispose();
      ws = new NetworkWorkspace(plan, { columns: Math.max(n, opts.columns ?? 0), classes: 0, blockColumns: opts.blockColumns, precision: opts.precision });
    }
    ws.ensureLive();
    return ws;
  };
  /** Run the forward of `s` into the workspace. */
  const load = (w: NetworkWorkspace, s: PassState): void => {
    w.setData(s.Y, null);
    w.setParams(s.theta, null);
    w.run(PASS.forward, threads);
    current = s;
    holder = w;
    generation = w.generation;
  };
  /** The workspace holding the states of `s`. */
  const at = (s: PassState): NetworkWorkspace => {
    const w = workspace(s.n);
    if (current !== s || holder !== w || generation !== w.generation) load(w, s);
    return w;
  };
  return {
    forward(theta, Y) {
      const n = Y.shape[1];
      const output = matrix(plan.nOut, n, new Float64Array(plan.nOut * n));
      const s: PassState = { output, theta: theta.slice(), Y: Float64Array.from(columnMajorData(Y)), n };
      const w = workspace(n);
      load(w, s);
      w.readOutput(output.data);
      return s;
    },
    jvp(s, dtheta) {
      const w = at(s);
      w.setDirection(dtheta, null);
      w.run(PASS.jvp, threads);
      const out = new Float64Array(plan.nOut * s.n);
      w.io(out);
      return matrix(plan.nOut, s.n, out);
    },
    vjp(s, dZ) {
      const w = at(s);
      w.io(columnMajorData(dZ), true);
      w.run(PASS.vjp, threads);
      const g = new Float64Array(plan.nParams);
      w.reduce(g, null);
      return g;
    },
    setThreads(t) {
      threads = t;
    },
    dispose() {
      ws?.dispose();
      ws = null;
      current = null;
    },
  };
}
