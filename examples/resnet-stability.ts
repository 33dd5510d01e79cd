/**
 * Stability of residual networks as discretised ODEs — Haber & Ruthotto 2017,
 * "Stable architectures for deep neural networks" (Inverse Problems 34,
 * 014004), §2–3; the lecture "Residual CNNs and their relation to PDEs".
 *
 * A ResNet Y_{j+1} = Y_j + h σ(K_j Y_j + b_j) is forward Euler for
 * dY/dt = σ(K(t)Y + b(t)). Here every step uses the same K (the ODE with
 * constant weights), per-step parameter blocks (so gradients per depth can be
 * read), σ = tanh, b = 0, for several kernels built from one random K:
 *   random K · antisymmetric K − Kᵀ (forward Euler and RK4) · damped
 *   K − Kᵀ − γI · parabolic −Kᵀσ(K·) · Hamiltonian (Verlet) with K.
 * For depths N at fixed h (T = N·h) it measures, via jvp/vjp,
 *   forward growth ‖δY_N‖/‖δY_0‖ (random δ, geometric mean), worst case ‖J_Y‖₂,
 *   backward growth ‖J_Yᵀw‖/‖w‖, and ‖∂/∂θ_0‖/‖∂/∂θ_{N−1}‖ (first vs last step),
 * and compares the eigenvalues hλ of the layer linearisation diag(σ'(Kȳ))K at
 * the mean example ȳ with the forward Euler stability region |1 + hλ| ≤ 1.
 *
 *   npm run resnet-stability      # full run (results under out/; --write-results records it)
 *   npx tsx examples/resnet-stability.ts --fast
 *   npx tsx examples/resnet-stability.ts [--seed 1] [--width 8] [--n 64] [--depths 4,16,64,256]
 *       [--h 0.1] [--gain 0.5] [--gamma 0.1] [--samples 4] [--out out/resnet-stability] [--fast]
 */
import { createRng, eigvals, matrix, randn, zeros, type Matrix } from '../src/core/index.js';
import { singleLayer } from '../src/layers/index.js';
import { antisymmetricLayer, continuousResnet, hamiltonianNetwork, symmetricLayer, type Model } from '../src/networks/index.js';
import { dense } from '../src/operators/index.js';
import { layerJacobian, linearizationSpectrum, maxStableStep, perturbationGrowth, stabilityCheck, type Spectrum } from '../src/analysis/index.js';
import { formatTable, progressBar, saveLineChart, saveScatter, type TableColumn } from '../src/plots/index.js';
import { figuresLine, flagArg, intArg, numArg, numListArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface ResnetStabilityOptions {
  seed: number;
  /** Width m of the states. */
  width: number;
  /** Number of examples (columns of Y ~ N(0, 1)). */
  n: number;
  /** Depths N. */
  depths: number[];
  /** Step size h (fixed; T = N·h). */
  h: number;
  /** K = gain · G/√m with G standard normal. */
  gain: number;
  /** Damping γ of K − Kᵀ − γI. */
  gamma: number;
  /** Random directions per growth measurement. */
  samples: number;
  /** Output folder for the figures. */
  out: string;
  /** Save figures (default true). */
  figures: boolean;
  /** Print progress and tables (default true). */
  verbose: boolean;
}

/** The full configuration (`npm run <example>`). */
export const FULL: ResnetStabilityOptions = { seed: 1, width: 8, n: 64, depths: [4, 16, 64, 256], h: 0.1, gain: 0.5, gamma: 0.1, samples: 4, out: 'out/resnet-stability', figures: true, verbose: true };
/** The fast variant (`--fast`), run by the tests: smaller sizes, same code path. */
export const FAST: ResnetStabilityOptions = { ...FULL, width: 4, n: 8, depths: [4, 16, 48], samples: 2 };

/** One row of the growth table. */
export interface GrowthRow {
  kernel: string;
  N: number;
  T: number;
  forward: number;
  worstCase: number;
  backward: number;
  gradFirstOverLast: number;
}

/** One row of the spectrum table. */
export interface SpectrumRow {
  kernel: string;
  abscissa: number;
  radius: number;
  eulerMaxFactor: number;
  eulerStable: boolean;
  eulerMaxStep: number;
  rk4Stable: boolean;
  rk4MaxStep: number;
}

/** What {@link run} returns. */
export interface ResnetStabilityResult {
  rows: GrowthRow[];
  spectra: SpectrumRow[];
  files: string[];
  options: ResnetStabilityOptions;
}

interface Kernel {
  name: string;
  /** The network of depth N and its parameters (the same θ in every step). */
  build(N: number): { net: Model; x: Float64Array };
  /** Eigenvalues of the layer linearisation at the mean example. */
  spectrum(): Spectrum;
}

/** x with the block θ repeated for each of the N steps. */
function repeated(theta: Float64Array, N: number): Float64Array {
  const x = new Float64Array(theta.length * N);
  for (let j = 0; j < N; j++) x.set(theta, j * theta.length);
  return x;
}

function kernels(o: ResnetStabilityOptions, Y: Matrix): Kernel[] {
  const m = o.width;
  const rng = createRng(`${o.seed}-K`);
  // θ = vec(K), K = gain·G/√m; every kernel below is built from this one K.
  const theta = rng.normalArray(m * m, o.gain / Math.sqrt(m));
  const single = (name: string, layer: () => Model, integrator: 'forwardEuler' | 'rk4' = 'forwardEuler'): Kernel => ({
    name,
    build: (N) => ({ net: continuousResnet(layer(), { h: o.h, steps: N, weights: 'perStep', integrator }), x: repeated(theta, N) }),
    spectrum: () => linearizationSpectrum(layer(), theta, Y, { at: 'mean' }),
  });
  const opts = { activation: 'tanh' as const, bias: 'none' as const };
  return [
    single('random K', () => singleLayer(dense(m, m), opts)),
    single('K − Kᵀ', () => antisymmetricLayer(dense(m, m), opts)),
    single('K − Kᵀ (RK4)', () => antisymmetricLayer(dense(m, m), opts), 'rk4'),
    single(`K − Kᵀ − ${o.gamma}I`, () => antisymmetricLayer(dense(m, m), { ...opts, gamma: o.gamma })),
    single('parabolic −Kᵀσ(K·)', () => symmetricLayer(dense(m, m), opts)),
    {
      name: 'Hamiltonian (Verlet)',
      build: (N) => ({ net: hamiltonianNetwork(dense(m, m), { h: o.h, steps: N, ...opts }), x: repeated(theta, N) }),
      // dY/dt = σ(KZ), dZ/dt = −σ(KᵀY) at (ȳ, Z = 0): J = [[0, K], [−diag(σ'(Kᵀȳ))Kᵀ, 0]].
      spectrum: () => {
        const ybar = zeros(m, 1);
        for (let c = 0; c < Y.shape[1]; c++) for (let i = 0; i < m; i++) ybar.data[i] += Y.data[i + c * m] / Y.shape[1];
        const ham = hamiltonianNetwork(dense(m, m), { h: o.h, steps: 1, ...opts });
        const Jf = layerJacobian(ham.pairs[0].f, theta, zeros(m, 1));
        const Jg = layerJacobian(ham.pairs[0].g, theta, ybar);
        const J = zeros(2 * m, 2 * m);
        for (let j = 0; j < m; j++) {
          for (let i = 0; i < m; i++) {
            J.data[i + (m + j) * 2 * m] = Jf.data[i + j * m];
            J.data[m + i + j * 2 * m] = -Jg.data[i + j * m];
          }
        }
        return eigvals(J);
      },
    },
  ];
}

/** Columns of the spectrum table. */
const SPECTRUM_COLUMNS: TableColumn[] = [
  { key: 'kernel', label: 'kernel' },
  { key: 'abscissa', label: 'max Re λ' },
  { key: 'radius', label: 'max |λ|' },
  { key: 'eulerMaxFactor', label: 'max |1+hλ|' },
  { key: 'eulerStable', label: 'Euler stable' },
  { key: 'eulerMaxStep', label: 'Euler h*' },
  { key: 'rk4Stable', label: 'RK4 stable' },
  { key: 'rk4MaxStep', label: 'RK4 h*' },
];

/** Columns of the growth table. */
const GROWTH_COLUMNS: TableColumn[] = [
  { key: 'kernel' },
  { key: 'N' },
  { key: 'T', digits: 3 },
  { key: 'forward', label: '‖δY_N‖/‖δY_0‖' },
  { key: 'worstCase', label: '‖J_Y‖₂' },
  { key: 'backward', label: '‖J_Yᵀw‖/‖w‖' },
  { key: 'gradFirstOverLast', label: '‖g_θ0‖/‖g_θN−1‖' },
];

/**
 * Run the experiment.
 * @param options overrides of {@link FULL} (or of {@link FAST} with `fast: true`)
 * @returns the growth rows (kernel × depth), the spectrum rows, the figures written
 */
export async function run(options: Partial<ResnetStabilityOptions> & { fast?: boolean } = {}): Promise<ResnetStabilityResult> {
  const { fast, ...rest } = options;
  const o: ResnetStabilityOptions = { ...(fast ? FAST : FULL), ...rest };
  const log = o.verbose ? (s: string) => console.log(s) : () => {};
  const Y = randn(o.width, o.n, createRng(`${o.seed}-Y`));
  const ks = kernels(o, Y);

  // Spectra against the stability regions.
  const spectra: SpectrumRow[] = [];
  const eigPoints: number[] = [], eigLabels: number[] = [];
  for (let t = 0; t <= 200; t++) {
    const a = (2 * Math.PI * t) / 200;
    eigPoints.push(-1 + Math.cos(a), Math.sin(a)); // |1 + z| = 1
    eigLabels.push(0);
  }
  ks.forEach((k, idx) => {
    const sp = k.spectrum();
    const e = stabilityCheck(sp, o.h);
    const r = stabilityCheck(sp, o.h, { integrator: 'rk4' });
    let abscissa = -Infinity, radius = 0;
    for (let i = 0; i < sp.re.length; i++) {
      abscissa = Math.max(abscissa, sp.re[i]);
      radius = Math.max(radius, Math.hypot(sp.re[i], sp.im[i]));
      eigPoints.push(o.h * sp.re[i], o.h * sp.im[i]);
      eigLabels.push(idx + 1);
    }
    spectra.push({ kernel: k.name, abscissa, radius, eulerMaxFactor: e.maxFactor, eulerStable: e.stable, eulerMaxStep: maxStableStep(sp), rk4Stable: r.stable, rk4MaxStep: r.maxStableStep });
  });

  // Growth through depth.
  const rows: GrowthRow[] = [];
  const byStep: { name: string; x: number[]; y: number[] }[] = [];
  const gradByStep: { name: string; x: number[]; y: number[] }[] = [];
  const Nmax = Math.max(...o.depths);
  const bar = o.verbose ? progressBar(ks.length * o.depths.length, { label: 'growth' }) : null;
  for (const k of ks) {
    for (const N of o.depths) {
      const { net, x } = k.build(N);
      const g = perturbationGrowth(net, x, Y, { samples: o.samples, seed: o.seed, powerIterations: 20 });
      const gb = g.gradientByBlock;
      rows.push({
        kernel: k.name,
        N,
        T: N * o.h,
        forward: g.forward.mean,
        worstCase: g.worstCase,
        backward: g.backward.mean,
        gradFirstOverLast: gb[0].norm / gb[gb.length - 1].norm,
      });
      if (N === Nmax) {
        if (g.byStep) byStep.push({ name: k.name, x: Array.from(g.byStep, (_, j) => j), y: Array.from(g.byStep) });
        gradByStep.push({ name: k.name, x: gb.map((_, j) => j), y: gb.map((b) => b.norm) });
      }
      bar?.tick(1, `${k.name}, N = ${N}`);
    }
  }
  bar?.finish();

  const files: string[] = [];
  if (o.figures) {
    const names = ks.map((k, i) => `${i + 1}: ${k.name}`).join(', ');
    files.push(await saveScatter(`${o.out}/eigenvalues.svg`, matrix(2, eigLabels.length, Float64Array.from(eigPoints)), eigLabels, {
      title: `hλ of diag(σ'(Kȳ))K, h = ${o.h}; 0: |1 + hλ| = 1 (Euler); ${names}`,
      xLabel: 'Re hλ',
      yLabel: 'Im hλ',
      size: 25,
      width: 520,
      height: 420,
    }));
    files.push(await saveLineChart(`${o.out}/growth-by-step.svg`, byStep, { title: `‖δY_j‖/‖δY_0‖ through N = ${Nmax} steps (h = ${o.h})`, xLabel: 'step j', yLabel: 'growth', logY: true }));
    files.push(await saveLineChart(`${o.out}/gradient-by-step.svg`, gradByStep, { title: `‖∂E/∂θ_j‖ for a random output gradient, N = ${Nmax}`, xLabel: 'step j', yLabel: '‖∂/∂θ_j‖', logY: true }));
    const series = ks.map((k) => {
      const r = rows.filter((q) => q.kernel === k.name);
      return { name: k.name, x: r.map((q) => q.N), y: r.map((q) => q.forward) };
    });
    files.push(await saveLineChart(`${o.out}/growth-vs-depth.svg`, series, { title: `forward growth ‖δY_N‖/‖δY_0‖, h = ${o.h}`, xLabel: 'depth N', yLabel: 'growth', logX: true, logY: true, points: true }));
  }

  log(`\nSpectra of the layer linearisation at the mean example (m = ${o.width}, h = ${o.h}):`);
  log(formatTable(spectra as unknown as Record<string, unknown>[], SPECTRUM_COLUMNS));
  log(`\nGrowth through depth (same K in every step, h = ${o.h}, ${o.n} examples, ${o.samples} random directions):`);
  log(formatTable(rows as unknown as Record<string, unknown>[], GROWTH_COLUMNS));
  if (files.length) log(`\nfigures: ${files.join(', ')}`);
  return { rows, spectra, files, options: o };
}

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): Partial<ResnetStabilityOptions> & { fast?: boolean } {
  const fast = flagArg(args, 'fast');
  const base = fast ? FAST : FULL;
  return {
    fast,
    seed: numArg(args, 'seed', base.seed),
    width: intArg(args, 'width', base.width),
    n: intArg(args, 'n', base.n),
    depths: numListArg(args, 'depths', base.depths),
    h: numArg(args, 'h', base.h, { min: 0 }),
    gain: numArg(args, 'gain', base.gain),
    gamma: numArg(args, 'gamma', base.gamma, { min: 0 }),
    samples: intArg(args, 'samples', base.samples),
    out: outDir('resnet-stability', args.out),
  };
}

runExample({
  name: 'resnet-stability',
  metaUrl: import.meta.url,
  summary: 'Forward and backward stability of ResNets: spectra of the layer linearisation against the stability regions of forward Euler and RK4, and the growth of perturbations and gradients with depth.',
  options: {
    width: { help: 'width m (default 8; fast 4)' },
    n: { help: 'examples (default 64; fast 8)' },
    depths: { value: 'LIST', help: 'depths N, comma-separated (default 4,16,64,256)' },
    h: { value: 'X', help: 'step size h (default 0.1)' },
    gain: { value: 'X', help: 'scale of K = gain·G/√m (default 0.5)' },
    gamma: { value: 'X', help: 'damping γ (default 0.1)' },
    samples: { help: 'random perturbations per depth (default 4; fast 2)' },
  },
  parse: optionsFromArgs,
  run,
  results: ({ result: r }) => {
    const o = r.options;
    return {
      setup: `Width m = ${o.width}, ${o.n} examples Y ~ N(0, 1), K = ${o.gain}·G/√m, the same K in every step, σ = tanh, b = 0, h = ${o.h}, γ = ${o.gamma}, seed ${o.seed}.`,
      lines: [
        '',
        'Spectra of the layer linearisation diag(σ\'(Kȳ))K at the mean example, against |1 + hλ| ≤ 1 (forward Euler) and RK4:',
        '',
        formatTable(r.spectra as unknown as Record<string, unknown>[], SPECTRUM_COLUMNS, { style: 'markdown' }),
        '',
        'Growth of perturbations (forward) and of gradients (backward) through depth N at fixed h:',
        '',
        formatTable(r.rows as unknown as Record<string, unknown>[], GROWTH_COLUMNS, { style: 'markdown' }),
        '',
        figuresLine(r.files),
      ],
    };
  },
});
