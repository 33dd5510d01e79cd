/**
 * Convolutional plans: a chain of 2-D convolution layers and average poolings
 * compiled once into the flat list of stages the whole-network WebAssembly
 * passes walk (assembly/convNetwork.ts). Like the dense plans (./plan.ts) a
 * plan is pure description; the buffers live in a workspace
 * (./convWorkspace.ts).
 */
import { fail } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { ChainModel } from '../networks/chain.js';
import type { ResNetModel } from '../networks/resnet.js';
import type { SingleLayerModel } from '../layers/singleLayer.js';
import type { AveragePoolLayer } from '../layers/averagePoolLayer.js';
import { identityActivation, relu, tanh } from '../layers/activations/index.js';
import type { PlanActivation } from './plan.js';

/**
 * A convolution stage: Y⁺ = σ(K(θ) Y + b), or Y + h·σ(K(θ) Y + b) when
 * residual, K(θ) a `conv2d` with zero boundary and stride 1 on nx×ny images.
 */
export interface ConvStage {
  readonly type: 'conv';
  readonly nx: number;
  readonly ny: number;
  readonly cin: number;
  readonly cout: number;
  readonly kx: number;
  readonly ky: number;
  readonly act: PlanActivation;
  readonly residual: boolean;
  /** Step size of a residual stage (1 for a plain one). */
  readonly h: number;
  /** Where the layer's [θ; b] starts in the model's x. */
  readonly offset: number;
  /** One bias per output channel, one for all, or none. */
  readonly bias: 'scalar' | 'vector' | 'none';
}

/** An average pooling stage: p×p patches of nx×ny images with c channels. */
export interface PoolStage {
  readonly type: 'pool';
  readonly nx: number;
  readonly ny: number;
  readonly c: number;
  readonly p: number;
}

/** A compiled convolutional network (see {@link compileConvNetwork}). */
export interface ConvNetworkPlan {
  readonly model: Model;
  readonly stages: readonly (ConvStage | PoolStage)[];
  readonly nIn: number;
  readonly nOut: number;
  readonly nParams: number;
}

/** The image a stage reads or writes: nx × ny pixels, c channels. */
interface Image {
  nx: number;
  ny: number;
  c: number;
}

interface Flat {
  stages: (ConvStage | PoolStage)[];
  error: string | null;
  /** The current image (null before the first stage). */
  image: Image | null;
}

/** The conv2d operator of a single layer and its σ code, or why it has no kernel. */
function convLayerOf(m: Model): { layer: SingleLayerModel; act: PlanActivation; nx: number; ny: number; kx: number; ky: number; cin: number; cout: number } | string {
  const s = m as Partial<SingleLayerModel>;
  if (!s.op || !s.activation || s.biasKind === undefined) return `${m.name} is neither a conv2d single layer nor an averagePoolLayer`;
  const op = s.op as unknown as { spec?: { kind: string }; boundary?: string; stride?: number; dims?: number[]; kernel?: number[] };
  if (op.spec?.kind !== 'conv2d' || !Array.isArray(op.dims) || !Array.isArray(op.kernel)) return `${m.name}: the operator is not a conv2d`;
  if (op.boundary !== 'zero') return `${m.name}: a ${String(op.boundary)} boundary has no kernel (zero has)`;
  if (op.stride !== 1) return `${m.name}: stride ${String(op.stride)} has no kernel (1 has)`;
  const act = s.activation === tanh ? 1 : s.activation === relu ? 2 : s.activation === identityActivation ? 0 : null;
  if (act === null) return `${m.name}: activation ${s.activation.name} has no kernel (tanh, relu, identity do)`;
  const [nx, ny] = op.dims, [kx, ky, cin, cout] = op.kernel;
  if (s.biasKind === 'vector' && s.nBias !== cout) return `${m.name}: a vector bias that is not per channel has no kernel`;
  return { layer: m as SingleLayerModel, act, nx, ny, kx, ky, cin, cout };
}

/** Check that a stage reads the current image (or set it for the first stage). */
function reads(out: Flat, name: string, img: Image): boolean {
  const cur = out.image;
  if (cur && (cur.nx !== img.nx || cur.ny !== img.ny || cur.c !== img.c)) {
    out.error = `${name} reads ${img.nx}×${img.ny}×${img.c} images but gets ${cur.nx}×${cur.ny}×${cur.c}`;
    return false;
  }
  return true;
}

/** Append the stages of `m` (parameters from `offset`) to `out`, or set `out.error`. */
function flatten(m: Model, offset: number, out: Flat, residual: number | null): void {
  const r = m as Partial<ResNetModel & ChainModel>;
  if (residual === null && Array.isArray(r.models) && Array.isArray(r.offsets)) {
    r.models.forEach((c, j) => {
      if (!out.error) flatten(c, offset + (r.offsets as number[])[j], out, null);
    });
    return;
  }
  if (residual === null && Array.isArray(r.layers) && typeof r.h === 'number' && r.steps !== undefined) {
    const scale = (m as { openingScale?: unknown }).openingScale;
    if (scale !== undefined && scale !== 1) {
      out.error = `${m.name}: an opening scale (${String(scale)}) has no kernel`;
      return;
    }
    let o = offset;
    if (r.opening) {
      flatten(r.opening, o, out, null);
      o += r.opening.nParams;
    }
    for (const step of r.layers) {
      if (out.error) return;
      flatten(step, o, out, r.h);
      o += step.nParams;
    }
    return;
  }
  if (m.spec?.kind === 'averagePoolLayer') {
    const p = m as AveragePoolLayer;
    if (residual !== null) {
      out.error = `${m.name}: a pooling step inside a ResNet has no kernel`;
      return;
    }
    if (!out.image) {
      out.error = `${m.name}: a plan cannot start with a pooling (it starts with a convolution)`;
      return;
    }
    if (!reads(out, m.name, { nx: p.dims[0], ny: p.dims[1], c: p.channels })) return;
    out.stages.push({ type: 'pool', nx: p.dims[0], ny: p.dims[1], c: p.channels, p: p.p });
    out.image = { nx: p.dims[0] / p.p, ny: p.dims[1] / p.p, c: p.channels };
    return;
  }
  const d = convLayerOf(m);
  if (typeof d === 'string') {
    out.error = d;
    return;
  }
  if (!reads(out, m.name, { nx: d.nx, ny: d.ny, c: d.cin })) return;
  if (residual !== null) {
    if (d.cin !== d.cout) {
      out.error = `${m.name}: a residual step must keep its channels (${d.cin} → ${d.cout})`;
      return;
    }
    if (out.stages.length === 0 && d.cin % 2 !== 0) {
      out.error = `${m.name}: a residual step with an odd channel count cannot read the data directly`;
      return;
    }
  }
  out.stages.push({
    type: 'conv', nx: d.nx, ny: d.ny, cin: d.cin, cout: d.cout, kx: d.kx, ky: d.ky, act: d.act,
    residual: residual !== null, h: residual ?? 1, offset, bias: d.layer.biasKind,
  });
  out.image = { nx: d.nx, ny: d.ny, c: d.cout };
}

/** The stages of `model`, or why it has no convolutional plan. */
function stagesOf(model: Model): Flat {
  const out: Flat = { stages: [], error: null, image: null };
  flatten(model, 0, out, null);
  if (!out.error && !out.stages.some((s) => s.type === 'conv')) out.error = `${model.name} has no convolution`;
  return out;
}

/**
 * Why `model` cannot be compiled into a convolutional plan, or null when it
 * can: a `chain` (or `resnet`, with an optional opening) whose parts are
 * `singleLayer(conv2d(dims, [kx, ky, cin, cout], { boundary: 'zero' }))`
 * with σ ∈ tanh, ReLU, identity and a per-channel, scalar or no bias
 * (stride 1, odd stencils; residual steps keep their channels) and
 * `averagePoolLayer`s, starting with a convolution, each part reading the
 * image the one before writes.
 * @example convPlanSupport(mnistCnn().model) // null
 */
export function convPlanSupport(model: Model): string | null {
  if (!model || typeof model.forward !== 'function') fail('convPlanSupport', 'model must be a Model');
  return stagesOf(model).error;
}

/**
 * Compile a model into a {@link ConvNetworkPlan}: its convolution and pooling
 * stages in forward order with their image shapes, activations, residual step
 * sizes and parameter offsets. Cheap (no buffers).
 * @param model the network (see {@link convPlanSupport} for what compiles)
 * @returns the plan
 * @throws `compileConvNetwork: cannot compile <name>: <reason>`
 * @example compileConvNetwork(mnistCnn().model).stages.length // 4: conv, pool, 2 residual convs
 */
export function compileConvNetwork(model: Model): ConvNetworkPlan {
  const fn = 'compileConvNetwork';
  if (!model || typeof model.forward !== 'function') fail(fn, 'model must be a Model');
  const out = stagesOf(model);
  if (out.error) fail(fn, `cannot compile ${model.name}: ${out.error}`);
  return { model, stages: out.stages, nIn: model.nIn, nOut: model.nOut, nParams: model.nParams };
}
