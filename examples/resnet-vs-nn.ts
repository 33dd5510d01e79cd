/**
 * Plain network against ResNet with the same weights (the lecture "Residual
 * CNNs and their relation to PDEs", part "Deep Neural Networks", slides "Why
 * Deep Networks?" and "Neural Net vs. ResNet", MATLAB's
 * `EResNet_vs_NeuralNet.m`; the claim "leads to smoother objective function").
 *
 * Six layers of width 4, tanh, no bias, K_j 4 × 4 (θ = [vec(K_0); …; vec(K_5)],
 * the same vector for both networks):
 *   plain   Y_{j+1} = σ(K_j Y_j)            (`chain` of `singleLayer(dense(4, 4))`)
 *   ResNet  Y_{j+1} = Y_j + h σ(K_j Y_j)    (`resnet` of the same layers, h = 1 as in the lecture)
 * on Y ~ N(0, 1)^{4×n}. For two random weight vectors θ₀, θ₁ ~ N(0, 1) (MATLAB's
 * randn) the relative misfit
 *   m(t) = ‖F(θ(t), Y) − F(θ₁, Y)‖_F / ‖F(θ₁, Y)‖_F,  θ(t) = t θ₁ + (1 − t) θ₀,
 * is sampled on t ∈ [−0.1, 1] (m(1) = 0). Smoothness of the curve, each measure
 * relative to the curve's range (max m − min m), so that the two networks'
 * different output scales do not matter:
 *   - RMS curvature  (∫ m''(t)² dt)^{1/2} / range (second differences),
 *   - max curvature  max |m''(t)| / range,
 *   - total variation Σ|Δm| / range (1 for a monotone curve),
 *   - local extrema of m (sign changes of Δm).
 * Gradients: of the misfit objective φ(θ) = ½‖F(θ, Y) − F(θ₁, Y)‖²/‖F(θ₁, Y)‖²
 * with respect to all 96 weights, by the networks' vjp, at random θ ~ N(0, 1)
 * (several samples): their histogram and statistics (median and largest |g|,
 * spread of log10|g|, ratio of the largest to the smallest per-layer gradient
 * norm). The comparison is repeated over several independent instances
 * (data and weights) to show how robust it is.
 *
 *   npx tsx examples/resnet-vs-nn.ts            # n = 200, 441 values of t, 50 gradient samples, 20 instances
 *   npx tsx examples/resnet-vs-nn.ts --fast     # n = 50, 111 values of t, 5 samples, 3 instances
 *   npx tsx examples/resnet-vs-nn.ts --seed 2 --layers 10 --width 4 --h 0.5 --scale 1 --out out/rvn
 */
import { matrix, type Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { dense } from '../src/operators/dense.js';
import { singleLayer } from '../src/layers/singleLayer.js';
import { chain } from '../src/networks/chain.js';
import { resnet } from '../src/networks/resnet.js';
import type { Model } from '../src/networks/types.js';
import { formatTable, saveHistogram, saveLineChart } from '../src/plots/index.js';
import { codeBlock, figuresLine, intArg, numArg, outDir, runExample, withFigures } from './lib/cli.js';

/** Options of {@link run}. */
export interface ResnetVsNnOptions {
  /** Number of layers (default 6). */
  layers?: number;
  /** Width (default 4). */
  width?: number;
  /** ResNet step size h (default 1). */
  h?: number;
  /** Standard deviation of the random weights (default 1). */
  scale?: number;
  /** Number of examples, columns of Y (default 200). */
  n?: number;
  /** Number of values of t on [−0.1, 1] (default 441, Δt = 0.0025). */
  nt?: number;
  /** Random θ at which gradients are taken, per network (default 50). */
  samples?: number;
  /** Independent instances (data, θ₀, θ₁) for the robustness count; the first is the one shown (default 20). */
  instances?: number;
  /** Seed (default 1). */
  seed?: number;
}

/** Smoothness of a misfit curve and gradient statistics of one network on one instance. */
export interface NetworkStats {
  network: 'plain' | 'ResNet';
  /** m(−0.1) and m(0). */
  misfitStart: number;
  misfitAt0: number;
  /** m(1): zero by construction. */
  misfitAt1: number;
  /** max m − min m. */
  range: number;
  rmsCurvature: number;
  maxCurvature: number;
  totalVariation: number;
  extrema: number;
  /** Statistics of all gradient entries over the samples. */
  medianAbsGrad: number;
  maxAbsGrad: number;
  /** Standard deviation of log10|g| (spread of the gradient's scales). */
  log10Spread: number;
  /** Median over the samples of (largest per-layer gradient norm)/(smallest). */
  layerNormRatio: number;
}

/** Everything {@link run} computed. */
export interface ResnetVsNnResult {
  /** The shown instance: one row per network. */
  rows: NetworkStats[];
  /** The curves of the shown instance. */
  t: Float64Array;
  curves: { plain: Float64Array; resnet: Float64Array };
  /** Gradient entries (all samples) of the shown instance. */
  gradients: { plain: Float64Array; resnet: Float64Array };
  /** Over all instances: in how many the ResNet's curve has the smaller RMS curvature (and the other measures). */
  robustness: { instances: number; rmsCurvature: number; maxCurvature: number; totalVariation: number; extrema: number };
  /** Per instance, both networks. */
  perInstance: { plain: NetworkStats; resnet: NetworkStats }[];
  table: string;
  robustnessTable: string;
}

function median(a: Float64Array | number[]): number {
  const s = Float64Array.from(a).sort();
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

/** The two networks with the same parameter layout. */
export function networks(layers: number, width: number, h: number): { plain: Model; resnet: Model } {
  const make = () => Array.from({ length: layers }, () => singleLayer(dense(width, width), { activation: 'tanh', bias: 'none' }));
  return { plain: chain(make()), resnet: resnet(make(), { h }) };
}

/** Misfit curve m(t) of a network. */
export function misfitCurve(net: Model, Y: Matrix, theta0: Float64Array, theta1: Float64Array, t: Float64Array): Float64Array {
  const F1 = Float64Array.from(net.forward(theta1, Y).output.data);
  let n1 = 0;
  for (const v of F1) n1 += v * v;
  n1 = Math.sqrt(n1);
  const theta = new Float64Array(theta0.length);
  return t.map((ti) => {
    for (let k = 0; k < theta.length; k++) theta[k] = ti * theta1[k] + (1 - ti) * theta0[k];
    const F = net.forward(theta, Y).output.data;
    let s = 0;
    for (let k = 0; k < F.length; k++) s += (F[k] - F1[k]) ** 2;
    return Math.sqrt(s) / n1;
  });
}

/** Gradient of φ(θ) = ½‖F(θ, Y) − F(θ₁, Y)‖²/‖F(θ₁, Y)‖² by the network's vjp. */
export function misfitGradient(net: Model, Y: Matrix, theta: Float64Array, theta1: Float64Array): { value: number; gradient: Float64Array } {
  const F1 = net.forward(theta1, Y).output.data;
  let n1 = 0;
  for (const v of F1) n1 += v * v;
  const state = net.forward(theta, Y);
  const F = state.output.data;
  const R = new Float64Array(F.length);
  let value = 0;
  for (let k = 0; k < F.length; k++) {
    R[k] = (F[k] - F1[k]) / n1;
    value += 0.5 * (F[k] - F1[k]) ** 2 / n1;
  }
  return { value, gradient: net.vjp(theta, state, matrix(state.output.shape[0], state.output.shape[1], R)).dx };
}

/** Curve smoothness measures (see the file header). */
export function smoothness(m: Float64Array, dt: number): { range: number; rmsCurvature: number; maxCurvature: number; totalVariation: number; extrema: number } {
  let lo = Infinity, hi = -Infinity, tv = 0, ext = 0, c2 = 0, cMax = 0, lastSign = 0;
  for (let i = 0; i < m.length; i++) {
    lo = Math.min(lo, m[i]);
    hi = Math.max(hi, m[i]);
    if (i > 0) {
      tv += Math.abs(m[i] - m[i - 1]);
      // An extremum is a sign change of Δm; zero steps (plateaus, symmetric samples) carry the last sign on.
      const sign = Math.sign(m[i] - m[i - 1]);
      if (sign !== 0) {
        if (lastSign !== 0 && sign !== lastSign) ext++;
        lastSign = sign;
      }
    }
    if (i > 0 && i + 1 < m.length) {
      const d2 = (m[i - 1] - 2 * m[i] + m[i + 1]) / (dt * dt);
      c2 += d2 * d2 * dt;
      cMax = Math.max(cMax, Math.abs(d2));
    }
  }
  const range = hi - lo;
  return { range, rmsCurvature: Math.sqrt(c2) / range, maxCurvature: cMax / range, totalVariation: tv / range, extrema: ext };
}

/**
 * Run the comparison.
 * @example const { rows, robustness } = run({ n: 50, nt: 111, samples: 5, instances: 3 });
 */
export function run(opts: ResnetVsNnOptions = {}): ResnetVsNnResult {
  const L = opts.layers ?? 6, w = opts.width ?? 4, h = opts.h ?? 1, scale = opts.scale ?? 1;
  const n = opts.n ?? 200, nt = opts.nt ?? 441, samples = opts.samples ?? 50, instances = opts.instances ?? 20, seed = opts.seed ?? 1;
  const nets = networks(L, w, h);
  const p = nets.plain.nParams;
  if (nets.resnet.nParams !== p) throw new Error('resnet-vs-nn: the networks have different parameter counts');
  const t = Float64Array.from({ length: nt }, (_, i) => -0.1 + (1.1 * i) / (nt - 1));
  const dt = 1.1 / (nt - 1);
  const perInstance: ResnetVsNnResult['perInstance'] = [];
  let shown: Pick<ResnetVsNnResult, 'curves' | 'gradients'> | null = null;
  for (let inst = 0; inst < instances; inst++) {
    // String seeds with a suffix: createRng(1) and createRng(11) would give the same stream.
    const rng = createRng(`${seed}/resnet-vs-nn/${inst}`);
    const Y = matrix(w, n, rng.normalArray(w * n));
    const theta0 = rng.normalArray(p, scale), theta1 = rng.normalArray(p, scale);
    const thetas = Array.from({ length: samples }, () => rng.normalArray(p, scale));
    const stats = {} as { plain: NetworkStats; resnet: NetworkStats };
    const curves = {} as { plain: Float64Array; resnet: Float64Array };
    const gradients = {} as { plain: Float64Array; resnet: Float64Array };
    for (const key of ['plain', 'resnet'] as const) {
      const net = nets[key];
      const curve = misfitCurve(net, Y, theta0, theta1, t);
      const g = new Float64Array(samples * p);
      const ratios: number[] = [];
      thetas.forEach((theta, k) => {
        const gk = misfitGradient(net, Y, theta, theta1).gradient;
        g.set(gk, k * p);
        const norms = Array.from({ length: L }, (_, j) => Math.hypot(...gk.subarray(j * w * w, (j + 1) * w * w)));
        ratios.push(Math.max(...norms) / Math.min(...norms));
      });
      const abs = g.map(Math.abs);
      const logs = abs.map(Math.log10);
      let mean = 0;
      for (const v of logs) mean += v / logs.length;
      let sd = 0;
      for (const v of logs) sd += (v - mean) ** 2 / logs.length;
      stats[key] = {
        network: key === 'plain' ? 'plain' : 'ResNet',
        misfitStart: curve[0], misfitAt0: curve[Math.round(0.1 / dt)], misfitAt1: curve[nt - 1],
        ...smoothness(curve, dt),
        medianAbsGrad: median(abs), maxAbsGrad: Math.max(...abs), log10Spread: Math.sqrt(sd), layerNormRatio: median(ratios),
      };
      curves[key] = curve;
      gradients[key] = g;
    }
    perInstance.push(stats);
    if (!shown) shown = { curves, gradients };
  }
  const count = (f: (s: NetworkStats) => number) => perInstance.filter((s) => f(s.resnet) < f(s.plain)).length;
  const robustness = {
    instances,
    rmsCurvature: count((s) => s.rmsCurvature),
    maxCurvature: count((s) => s.maxCurvature),
    totalVariation: count((s) => s.totalVariation),
    extrema: count((s) => s.extrema),
  };
  const rows = [perInstance[0].plain, perInstance[0].resnet];
  const cols = [
    'network', { key: 'misfitAt0', label: 'm(0)', digits: 3 }, { key: 'misfitAt1', label: 'm(1)', digits: 2 },
    { key: 'rmsCurvature', label: 'RMS m\'\'/range', digits: 3 }, { key: 'maxCurvature', label: 'max|m\'\'|/range', digits: 3 },
    { key: 'totalVariation', label: 'TV/range', digits: 3 }, { key: 'extrema', label: 'extrema' },
    { key: 'medianAbsGrad', label: 'median|g|', digits: 2 }, { key: 'maxAbsGrad', label: 'max|g|', digits: 2 },
    { key: 'log10Spread', label: 'sd log10|g|', digits: 2 }, { key: 'layerNormRatio', label: 'layer-norm ratio', digits: 3 },
  ];
  const table = formatTable(rows as unknown as Record<string, unknown>[], cols);
  // Medians over the instances, then the count of instances where the ResNet is smaller.
  const med = (key: 'plain' | 'resnet', f: (s: NetworkStats) => number) => median(perInstance.map((s) => f(s[key])));
  const measures: [string, (s: NetworkStats) => number, keyof typeof robustness][] = [
    ['RMS m\'\'/range', (s) => s.rmsCurvature, 'rmsCurvature'],
    ['max|m\'\'|/range', (s) => s.maxCurvature, 'maxCurvature'],
    ['TV/range', (s) => s.totalVariation, 'totalVariation'],
    ['local extrema', (s) => s.extrema, 'extrema'],
    ['median|g|', (s) => s.medianAbsGrad, 'instances'],
    ['sd log10|g|', (s) => s.log10Spread, 'instances'],
    ['layer-norm ratio', (s) => s.layerNormRatio, 'instances'],
  ];
  const robustnessTable = formatTable(measures.map(([label, f, key]) => ({
    measure: label, plain: med('plain', f), resnet: med('resnet', f),
    smaller: key === 'instances' ? `${count(f)}/${instances}` : `${robustness[key]}/${instances}`,
  })), [
    'measure', { key: 'plain', label: `plain (median of ${instances})`, digits: 3 }, { key: 'resnet', label: `ResNet (median of ${instances})`, digits: 3 },
    { key: 'smaller', label: 'ResNet smaller in' },
  ]);
  return { rows, t, curves: shown!.curves, gradients: shown!.gradients, robustness, perInstance, table, robustnessTable };
}

/** Save the misfit curves and the gradient histograms (values and log10|g|) into `dir`. */
export async function saveFigures(result: ResnetVsNnResult, dir: string): Promise<string[]> {
  const { t, curves, gradients } = result;
  const logAbs = (g: Float64Array) => g.map((v) => Math.log10(Math.abs(v)));
  return [
    await saveLineChart(`${dir}/misfit-along-line.svg`, [
      { name: 'plain network', x: t, y: curves.plain },
      { name: 'ResNet', x: t, y: curves.resnet },
    ], { title: 'relative misfit along θ(t) = tθ₁ + (1−t)θ₀', xLabel: 't', yLabel: '‖F(θ(t)) − F(θ₁)‖ / ‖F(θ₁)‖', points: false }),
    await saveHistogram(`${dir}/gradient-histogram.svg`, [
      { name: 'plain network', values: gradients.plain },
      { name: 'ResNet', values: gradients.resnet },
    ], { title: 'gradient entries at random θ', bins: 60, xLabel: 'g_i', density: true }),
    await saveHistogram(`${dir}/gradient-log-histogram.svg`, [
      { name: 'plain network', values: logAbs(gradients.plain) },
      { name: 'ResNet', values: logAbs(gradients.resnet) },
    ], { title: 'gradient magnitudes at random θ', bins: 60, xLabel: 'log10 |g_i|', density: true }),
  ];
}

/** The setup sentence, printed and in RESULTS.md. */
function setupOf(opts: Required<ResnetVsNnOptions>): string {
  return `${opts.layers} layers of width ${opts.width}, tanh, no bias; ResNet h = ${opts.h}; θ ~ N(0, ${opts.scale}²); Y ~ N(0, 1), n = ${opts.n}; ${opts.nt} values of t ∈ [−0.1, 1]; gradients of ½‖F(θ) − F(θ₁)‖²/‖F(θ₁)‖² at ${opts.samples} random θ; seed ${opts.seed}`;
}

runExample({
  name: 'resnet-vs-nn',
  metaUrl: import.meta.url,
  summary: 'Smoothness of the objective along a line in parameter space: a plain network against a ResNet of the same layers; gradient histograms.',
  options: {
    layers: { help: 'layers (default 6)' },
    width: { help: 'width (default 4)' },
    h: { value: 'X', help: 'ResNet step size h (default 1)' },
    scale: { value: 'X', help: 'standard deviation of θ (default 1)' },
    n: { help: 'examples (default 200; fast 50)' },
    nt: { help: 'points t along the line (default 441; fast 111)' },
    samples: { help: 'random θ of the gradient study (default 50; fast 5)' },
    instances: { help: 'independent instances (default 20; fast 3)' },
  },
  parse: (args, fast): Required<ResnetVsNnOptions> & { out: string } => ({
    layers: intArg(args, 'layers', 6),
    width: intArg(args, 'width', 4),
    h: numArg(args, 'h', 1, { min: 0 }),
    scale: numArg(args, 'scale', 1, { min: 0 }),
    n: intArg(args, 'n', fast ? 50 : 200),
    nt: intArg(args, 'nt', fast ? 111 : 441, 2),
    samples: intArg(args, 'samples', fast ? 5 : 50),
    instances: intArg(args, 'instances', fast ? 3 : 20),
    seed: numArg(args, 'seed', 1),
    out: outDir('resnet-vs-nn', args.out),
  }),
  run: (opts) => withFigures(run(opts), saveFigures, opts.out),
  print: ({ options: opts, result, seconds }) => {
    console.log(`${setupOf(opts)}\n\nshown instance:\n${result.table}\n\nover ${opts.instances} instances:\n${result.robustnessTable}\n\nfigures: ${result.files.join(', ')}  (${seconds.toFixed(1)} s)`);
  },
  // A full run has the default sizes, so the recorded command names the seed only.
  command: (_, opts) => `npx tsx examples/resnet-vs-nn.ts --seed ${opts.seed}`,
  results: ({ options: opts, result, seconds }) => ({
    time: `${seconds.toFixed(1)} s`,
    setup: `${setupOf(opts)}.`,
    lines: [
      'm(t) = ‖F(θ(t)) − F(θ₁)‖/‖F(θ₁)‖; curvature and total variation are relative to the range of m; layer-norm ratio = largest/smallest per-layer gradient norm (median over the samples).',
      '',
      'Shown instance (figures):',
      '',
      codeBlock(result.table),
      '',
      `Over ${opts.instances} independent instances (medians, and in how many the ResNet's value is smaller):`,
      '',
      codeBlock(result.robustnessTable),
      '',
      `The ResNet's misfit curve is smoother by RMS curvature in ${result.robustness.rmsCurvature}/${opts.instances} instances (max curvature ${result.robustness.maxCurvature}, total variation ${result.robustness.totalVariation}, fewer local extrema ${result.robustness.extrema}); its gradient entries are smaller (median |g|) in ${result.perInstance.filter((x) => x.resnet.medianAbsGrad < x.plain.medianAbsGrad).length}/${opts.instances}, and more evenly spread over the layers (layer-norm ratio) in ${result.perInstance.filter((x) => x.resnet.layerNormRatio < x.plain.layerNormRatio).length}/${opts.instances}.`,
      '',
      figuresLine(result.files),
    ],
  }),
});
