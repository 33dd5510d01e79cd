/**
 * Network plans: a model compiled once into the flat sequence of dense layers
 * the whole-network WebAssembly passes walk (assembly/network.ts). A plan is
 * pure description (shapes, activations, step sizes, where each layer's
 * parameters sit in x); the buffers live in a workspace (./workspace.ts).
 */
import { fail } from '../core/errors.js';
import type { Model } from '../networks/types.js';
import type { ChainModel } from '../networks/chain.js';
import type { ResNetModel } from '../networks/resnet.js';
import type { SingleLayerModel } from '../layers/singleLayer.js';
import { identityActivation, relu, tanh } from '../layers/activations/index.js';
import { checkOptions } from '../core/options.js';
import { convPlanSupport } from './convPlan.js';

/** σ as the kernels code it: 0 identity, 1 tanh, 2 ReLU. */
export type PlanActivation = 0 | 1 | 2;

/** One layer of a plan: Y_{l+1} = σ(K Y_l + b), or Y_l + h·σ(K Y_l + b) when residual. */
export interface PlanLayer {
  /** Rows of K (outputs). */
  readonly m: number;
  /** Columns of K (inputs). */
  readonly k: number;
  /** m rounded up to even (the kernels' row count; pad rows are zero). */
  readonly mp: number;
  /** k as the kernels see it: the previous layer's mp (the data's nIn for the first layer). */
  readonly kp: number;
  readonly act: PlanActivation;
  readonly residual: boolean;
  /** Step size of a residual layer (1 for a plain one). */
  readonly h: number;
  /** Where the layer's [vec(K); b] starts in the model's x. */
  readonly offset: number;
  /** How b enters: one entry for all rows, one per row, or none. */
  readonly bias: 'scalar' | 'vector' | 'none';
}

/** A compiled network (see {@link compileNetwork}). */
export interface NetworkPlan {
  readonly model: Model;
  readonly layers: readonly PlanLayer[];
  readonly nIn: number;
  readonly nOut: number;
  readonly nParams: number;
}

/** A single layer the kernels know: dense K, per-row / scalar / no bias, σ ∈ {identity, tanh, ReLU}. */
function denseLayerOf(m: Model): { layer: SingleLayerModel; act: PlanActivation } | string {
  const s = m as Partial<SingleLayerModel>;
  if (!s.op || !s.activation || s.biasKind === undefined) return `${m.name} is not a single layer`;
  if (s.op.denseMatrix !== true || s.op.linear === false) return `${m.name}: the operator is not dense`;
  if (s.biasKind === 'vector' && s.nBias !== s.nOut) return `${m.name}: a per-channel bias is not per row`;
  // By object: a user's activation named 'tanh' is not assumed to be numdl's.
  const act = s.activation === tanh ? 1 : s.activation === relu ? 2 : s.activation === identityActivation ? 0 : null;
  if (act === null) return `${m.name}: activation ${s.activation.name} has no kernel (tanh, relu, identity do)`;
  return { layer: m as SingleLayerModel, act };
}

interface Flat {
  layers: PlanLayer[];
  error: string | null;
}

/** Append the layers of `m` (parameters from `offset`) to `out`, or set `out.error`. */
function flatten(m: Model, offset: number, out: Flat, prevRows: number): number {
  const r = m as Partial<ResNetModel & ChainModel>;
  if (Array.isArray(r.models) && Array.isArray(r.offsets)) {
    let rows = prevRows;
    r.models.forEach((c, j) => {
      if (!out.error) rows = flatten(c, offset + (r.offsets as number[])[j], out, rows);
    });
    return rows;
  }
  if (Array.isArray(r.layers) && typeof r.h === 'number' && r.steps !== undefined) {
    // A ResNet that scales its opening's output (Y_0 = s·G(Y)) has no kernel: its s would be dropped.
    const scale = (m as { openingScale?: unknown }).openingScale;
    if (scale !== undefined && scale !== 1) {
      out.error = `${m.name}: an opening scale (${String(scale)}) has no kernel`;
      return prevRows;
    }
    let rows = prevRows;
    let o = offset;
    if (r.opening) {
      rows = flatten(r.opening, o, out, rows);
      o += r.opening.nParams;
    }
    for (const step of r.layers) {
      const d = denseLayerOf(step);
      if (typeof d === 'string') {
        out.error = d;
        return rows;
      }
      const mp = step.nOut + (step.nOut % 2);
      if (rows !== mp) {
        out.error = `${m.name}: a residual step of odd width cannot read the data directly`;
        return rows;
      }
      out.layers.push({ m: step.nOut, k: step.nIn, mp, kp: rows, act: d.act, residual: true, h: r.h, offset: o, bias: d.layer.biasKind });
      o += step.nParams;
    }
    return rows;
  }
  const d = denseLayerOf(m);
  if (typeof d === 'string') {
    out.error = d;
    return prevRows;
  }
  const mp = m.nOut + (m.nOut % 2);
  out.layers.push({ m: m.nOut, k: m.nIn, mp, kp: prevRows, act: d.act, residual: false, h: 1, offset, bias: d.layer.biasKind });
  return mp;
}

/**
 * Why `model` cannot be compiled into a plan, or null when it can: a single
 * dense layer (`singleLayer(dense(m, k))` with σ ∈ tanh, ReLU, identity and a
 * scalar, per-row or no bias), a `resnet` of such steps with an optional
 * compilable opening, or a `chain` of compilable models. With
 * `{ objective: 'classification' }` also the convolutional chains of
 * {@link convPlanSupport} (what classificationObjective runs through a plan).
 * @example networkPlanSupport(resnetPeaksModel()) // null
 */
export function networkPlanSupport(model: Model, options: NetworkPlanSupportOptions = {}): string | null {
  if (!model || typeof model.forward !== 'function') fail('networkPlanSupport', 'model must be a Model');
  checkOptions('networkPlanSupport', options, ['objective']);
  const out: Flat = { layers: [], error: null };
  flatten(model, 0, out, model.nIn);
  if (out.error === null || options.objective !== 'classification') return out.error;
  // A convolutional chain has its own plan (./convPlan.ts).
  const conv = convPlanSupport(model);
  return conv === null ? null : `${out.error}; as a convolutional plan: ${conv}`;
}

/** Options of {@link networkPlanSupport}. */
export interface NetworkPlanSupportOptions {
  /**
   * `'classification'`: whether classificationObjective runs the model
   * through a plan — dense networks, and also chains of 2-D convolutions and
   * average poolings (./convPlan.ts: value and gradient in the plan, Hessian
   * mat-vecs on the reference path). Default: the dense plans of
   * `compile`, `varproObjective` and the objectives' Hessian passes.
   */
  objective?: 'classification';
}

/**
 * Compile a model into a {@link NetworkPlan}: the flat list of its dense
 * layers with their shapes, activations, residual step sizes and parameter
 * offsets, in the order the forward pass runs them (a ResNet's opening, then
 * its steps; a chain's models in order). Cheap (no buffers).
 * @param model the network (see {@link networkPlanSupport} for what compiles)
 * @returns the plan
 * @throws `compileNetwork: cannot compile <name>: <reason>`
 * @example compileNetwork(net).layers.length // 17 for the flagship
 */
export function compileNetwork(model: Model): NetworkPlan {
  const fn = 'compileNetwork';
  if (!model || typeof model.forward !== 'function') fail(fn, 'model must be a Model');
  const out: Flat = { layers: [], error: null };
  flatten(model, 0, out, model.nIn);
  if (out.error) fail(fn, `cannot compile ${model.name}: ${out.error}`);
  return { model, layers: out.layers, nIn: model.nIn, nOut: model.nOut, nParams: model.nParams };
}
