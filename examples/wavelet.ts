/**
 * Wavelet parametric models next to the circulant (FFT) case — the lecture
 * "Residual CNNs and their relation to PDEs", part "Convolutional Neural
 * Networks": "Build your own parametric model … Wavelet, …". A periodic
 * convolution is K = F* diag(λ) F (diagonal in the Fourier basis); the wavelet
 * model is K(θ) = Wᵀ diag(θ) W with W the orthonormal Haar transform
 * (`waveletOperator`), diagonal in the wavelet basis, with eigenvalues θ.
 *
 * 1. Cost against n: one product K(θ)y for the Haar model (O(n)), the
 *    FFT-diagonalised periodic convolution (O(n log n)) and a dense K (O(n²)),
 *    in µs per signal and ns per entry.
 * 2. Denoising piecewise-constant signals (1-D) and MNIST digits (2-D): θ is
 *    fitted to noisy/clean training pairs, min_θ ‖K(θ)Ỹ − Y‖². For the
 *    wavelet model the normal equations are diagonal, J_θᵀJ_θ =
 *    diag(Σ (WỸ)∘(WỸ)), so θ = vjp(Y, Ỹ) ./ vjp(Ỹ, Ỹ) entry by entry; the
 *    periodic convolution (a short learned stencil) is fitted by CGLS on
 *    θ ↦ K(θ)Ỹ through its jvp/vjp. Both are evaluated on fresh test data.
 * 3. Edges: θ = 0 on the coarse (low-pass) coefficients and 1 on the details
 *    keeps exactly the Haar details of a digit — a high-pass filter with the
 *    same cost.
 *
 *   npm run wavelet                       # full run (writes its section of examples/RESULTS.md)
 *   npx tsx examples/wavelet.ts --fast
 *   npx tsx examples/wavelet.ts [--seed 1] [--n 256] [--sigma 0.3] [--train 400] [--test 200] [--digits 1000]
 *       [--stencil 15] [--maxn 1048576] [--out out/wavelet]
 *
 * Figures (`out/wavelet/` or `--out`): `cost.svg` (µs per product against n,
 * log-log), `signals.svg` (a test signal: clean, noisy, both denoised),
 * `digits.svg` (rows: clean, noisy, wavelet, convolution, wavelet edges; captioned).
 */
import { linearOperator } from '../src/core/linearOperator.js';
import { matrix, randn, zeros, type Matrix } from '../src/core/matrix.js';
import { createRng, type Rng } from '../src/core/rng.js';
import { cgls } from '../src/core/solvers/cgls.js';
import { loadMnist } from '../src/node/index.js';
import { conv1d, conv2d, dense, waveletOperator, type ParametricOperator } from '../src/operators/index.js';
import { formatTable, saveImageGrid, saveLineChart, type TableColumn } from '../src/plots/index.js';
import { figuresLine, flagArg, numArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface WaveletOptions {
  seed: number;
  /** Length of the 1-D signals (a multiple of 2^levels; default 256). */
  n: number;
  /** Noise standard deviation (signals of unit-variance levels; digits in [0, 1]). */
  sigma: number;
  /** Training and test signals (1-D). */
  train: number;
  test: number;
  /** MNIST training digits for the 2-D fit (the test digits: a quarter as many, from the test file). */
  digits: number;
  /** Stencil size of the learned periodic convolution (1-D; the 2-D one is 5×5). */
  stencil: number;
  /** Largest n of the cost sweep (powers of two from 2^8). */
  maxN: number;
  /** Largest n with a dense K in the cost sweep. */
  maxDenseN: number;
  /** Output folder; no figures when null. */
  out: string | null;
}

/** Full-run defaults. */
export const FULL: WaveletOptions = { seed: 1, n: 256, sigma: 0.3, train: 400, test: 200, digits: 1000, stencil: 15, maxN: 1 << 20, maxDenseN: 4096, out: null };
/** The `--fast` variant the tests run. */
export const FAST: WaveletOptions = { ...FULL, train: 60, test: 30, digits: 120, maxN: 1 << 13, maxDenseN: 1024 };

/** One n of the cost sweep. */
export interface CostRow {
  n: number;
  /** µs per signal for K(θ)y. */
  wavelet: number;
  fft: number;
  /** NaN above maxDenseN. */
  dense: number;
  /** ns per entry (µs·1000/n). */
  waveletPerEntry: number;
  fftPerEntry: number;
  /** FFT time / Haar time (measured back to back). */
  ratio: number;
}

/** One denoising result on the test data. */
export interface DenoiseRow {
  data: string;
  model: string;
  /** Learned parameters. */
  params: number;
  /** ‖Ŷ − Y‖_F / ‖Y‖_F on the test data. */
  relError: number;
  /** 20·log10(‖Y‖ / ‖Ŷ − Y‖) in dB. */
  snr: number;
}

/** What {@link run} returns. */
export interface WaveletResult {
  cost: CostRow[];
  denoise: DenoiseRow[];
  /** Figures written. */
  files: string[];
  options: WaveletOptions;
}

/** Microseconds per call of `f`, repeated until about `budget` ms have passed (after one warm-up call). */
function timeMicros(f: () => void, budget = 60): number {
  for (let k = 0; k < 3; k++) f();
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budget || reps < 3) {
    f();
    reps++;
    t = performance.now();
  }
  return ((t - t0) * 1000) / reps;
}

/** Cost of one K(θ)Y (`cols` signals) against n, for the three models. */
export function costSweep(o: WaveletOptions, rng: Rng): CostRow[] {
  const rows: CostRow[] = [];
  const cols = 4;
  for (let n = 256; n <= o.maxN; n *= 2) {
    const Y = randn(n, cols, rng);
    const w = waveletOperator(n);
    const thetaW = rng.normalArray(n);
    const c = conv1d(n, 3, { boundary: 'periodic', method: 'fft' });
    const thetaC = rng.normalArray(3);
    const budget = n > 1 << 16 ? 150 : 60;
    const wavelet = timeMicros(() => w.apply(thetaW, Y), budget) / cols;
    const fft = timeMicros(() => c.apply(thetaC, Y), budget) / cols;
    let dn = NaN;
    if (n <= o.maxDenseN) {
      const d = dense(n, n);
      const K = rng.normalArray(n * n);
      dn = timeMicros(() => d.apply(K, Y), budget) / cols;
    }
    rows.push({ n, wavelet, fft, dense: dn, waveletPerEntry: (1000 * wavelet) / n, fftPerEntry: (1000 * fft) / n, ratio: fft / wavelet });
  }
  return rows;
}

/** Piecewise-constant signals: about `jumps` jumps at random places, N(0, 1) levels. */
export function stepSignals(n: number, count: number, rng: Rng, jumps = 8): Matrix {
  const Y = zeros(n, count);
  for (let c = 0; c < count; c++) {
    let level = rng.normal();
    for (let i = 0; i < n; i++) {
      if (rng.uniform() < jumps / n) level = rng.normal();
      Y.data[i + c * n] = level;
    }
  }
  return Y;
}

/** Y + σ·noise, a new matrix. */
function noisy(Y: Matrix, sigma: number, rng: Rng): Matrix {
  const N = zeros(Y.shape[0], Y.shape[1]);
  for (let k = 0; k < N.data.length; k++) N.data[k] = Y.data[k] + sigma * rng.normal();
  return N;
}

/**
 * θ of the wavelet model from the diagonal normal equations:
 * θ_i = Σ_c (WY)_ic (WỸ)_ic / Σ_c (WỸ)_ic², i.e. vjp(Y, Ỹ) ./ vjp(Ỹ, Ỹ).
 */
export function fitWavelet(op: ParametricOperator, Ynoisy: Matrix, Y: Matrix): Float64Array {
  const num = op.vjp(Y, Ynoisy), den = op.vjp(Ynoisy, Ynoisy);
  return num.map((v, i) => (den[i] > 0 ? v / den[i] : 0));
}

/**
 * The scale of every wavelet coefficient: 0 for the coarse averages (the
 * low-pass block [0, nx/2^L) × [0, ny/2^L)), l for the details of level l
 * (in block l−1 but not in block l; level 1 is the finest).
 */
export function waveletLevels(dims: readonly number[], levels: number): Int32Array {
  const nx = dims[0], ny = dims.length > 1 ? dims[1] : 1;
  const g = new Int32Array(nx * ny);
  for (let ky = 0; ky < ny; ky++) for (let kx = 0; kx < nx; kx++) {
    let l = levels;
    // Walk out from the coarsest block until (kx, ky) is inside.
    while (l > 0 && (kx >= nx >> l || (ny > 1 && ky >= ny >> l))) l--;
    // Inside block l but not block l+1: a detail of level l+1 (or the averages, l = levels).
    g[kx + nx * ky] = l === levels ? 0 : l + 1;
  }
  return g;
}

/**
 * θ of the wavelet model with one value per scale (L + 1 parameters): the
 * normal equations restricted to θ = P τ (P the 0/1 scale indicator) are
 * diagonal too, τ_l = Σ_{i∈l} vjp(Y, Ỹ)_i / Σ_{i∈l} vjp(Ỹ, Ỹ)_i.
 */
export function fitWaveletPerLevel(op: ParametricOperator & { dims: readonly number[]; levels: number }, Ynoisy: Matrix, Y: Matrix): Float64Array {
  const num = op.vjp(Y, Ynoisy), den = op.vjp(Ynoisy, Ynoisy);
  const g = waveletLevels(op.dims, op.levels);
  const sn = new Float64Array(op.levels + 1), sd = new Float64Array(op.levels + 1);
  for (let i = 0; i < op.nTheta; i++) {
    sn[g[i % g.length]] += num[i];
    sd[g[i % g.length]] += den[i];
  }
  return Float64Array.from({ length: op.nTheta }, (_, i) => (sd[g[i % g.length]] > 0 ? sn[g[i % g.length]] / sd[g[i % g.length]] : 0));
}

/**
 * Hard thresholding as a data-dependent θ: per signal, θ_i = 1 where the
 * detail coefficient |(W ỹ)_i| > τ (averages always kept), else 0 — K(θ(ỹ))ỹ,
 * no longer linear in ỹ; the reason wavelets are used for denoising.
 */
export function hardThreshold(op: ParametricOperator & { analysis(Y: Matrix): Matrix; dims: readonly number[]; levels: number }, Ynoisy: Matrix, tau: number): Matrix {
  const [N, m] = Ynoisy.shape;
  const C = op.analysis(Ynoisy);
  const g = waveletLevels(op.dims, op.levels);
  const out = zeros(N, m);
  for (let c = 0; c < m; c++) {
    const theta = new Float64Array(N);
    for (let i = 0; i < N; i++) theta[i] = g[i % g.length] === 0 || Math.abs(C.data[i + c * N]) > tau ? 1 : 0;
    out.data.set(op.apply(theta, matrix(N, 1, Ynoisy.data.slice(c * N, (c + 1) * N))).data, c * N);
  }
  return out;
}

/** θ minimising ‖K(θ)Ỹ − Y‖_F by CGLS on θ ↦ vec(K(θ)Ỹ) (jvp) and its transpose (vjp). */
export function fitByCgls(op: ParametricOperator, Ynoisy: Matrix, Y: Matrix): Float64Array {
  const [rows, cols] = Y.shape;
  const A = linearOperator({
    rows: rows * cols,
    cols: op.nTheta,
    apply: (t) => op.jvp(t, Ynoisy).data,
    applyTranspose: (w) => op.vjp(matrix(rows, cols, Float64Array.from(w)), Ynoisy),
  });
  return cgls(A, Float64Array.from(Y.data), { tol: 1e-12, maxIter: 4 * op.nTheta }).x;
}

function relError(Yhat: Matrix, Y: Matrix): number {
  let e = 0, s = 0;
  for (let k = 0; k < Y.data.length; k++) {
    e += (Yhat.data[k] - Y.data[k]) ** 2;
    s += Y.data[k] ** 2;
  }
  return Math.sqrt(e / s);
}

const row = (data: string, model: string, params: number, Yhat: Matrix, Y: Matrix): DenoiseRow => {
  const r = relError(Yhat, Y);
  return { data, model, params, relError: r, snr: -20 * Math.log10(r) };
};

/** MNIST digits `first … first+count−1` of a set, as a new 784 × count matrix. */
function digitsOf(Yall: Matrix, count: number): Matrix {
  return matrix(784, count, Yall.data.slice(0, 784 * count));
}

/**
 * Run the three parts and save the figures.
 * @example const { denoise } = await run({ ...FAST, out: null });
 */
export async function run(opts: Partial<WaveletOptions> = {}): Promise<WaveletResult> {
  const o: WaveletOptions = { ...FULL, ...opts };
  const rng = createRng(o.seed);
  const cost = costSweep(o, rng);

  // 1-D: piecewise-constant signals.
  const Ytr = stepSignals(o.n, o.train, rng), Yte = stepSignals(o.n, o.test, rng);
  const Ntr = noisy(Ytr, o.sigma, rng), Nte = noisy(Yte, o.sigma, rng);
  const w1 = waveletOperator(o.n);
  const c1 = conv1d(o.n, o.stencil, { boundary: 'periodic' });
  const tw1 = fitWavelet(w1, Ntr, Ytr), tl1 = fitWaveletPerLevel(w1, Ntr, Ytr), tc1 = fitByCgls(c1, Ntr, Ytr);
  const Wte = w1.apply(tw1, Nte), Cte = c1.apply(tc1, Nte);
  const Hte = hardThreshold(w1, Nte, 3 * o.sigma);
  const steps = `steps (n = ${o.n}, ${o.train} train / ${o.test} test)`;
  const denoise: DenoiseRow[] = [
    row(steps, 'noisy input', 0, Nte, Yte),
    row(steps, `Haar Wᵀdiag(θ)W, θ per coefficient`, w1.nTheta, Wte, Yte),
    row(steps, `Haar Wᵀdiag(θ)W, θ per level (${w1.levels} levels)`, w1.levels + 1, w1.apply(tl1, Nte), Yte),
    row(steps, `periodic conv, stencil ${o.stencil}`, c1.nTheta, Cte, Yte),
    row(steps, `Haar, hard threshold 3σ (θ from the data)`, 0, Hte, Yte),
  ];

  // 2-D: MNIST digits, 28×28 (two Haar levels: 28 = 4·7).
  const nTest = Math.max(4, Math.round(o.digits / 4));
  const mnist = loadMnist({ train: o.digits, test: nTest });
  const Dtr = digitsOf(mnist.train.Y, o.digits), Dte = digitsOf(mnist.test.Y, nTest);
  const NDtr = noisy(Dtr, o.sigma, rng), NDte = noisy(Dte, o.sigma, rng);
  const w2 = waveletOperator([28, 28]);
  const c2 = conv2d([28, 28], [5, 5, 1, 1], { boundary: 'periodic' });
  const tw2 = fitWavelet(w2, NDtr, Dtr), tl2 = fitWaveletPerLevel(w2, NDtr, Dtr), tc2 = fitByCgls(c2, NDtr, Dtr);
  const WDte = w2.apply(tw2, NDte), CDte = c2.apply(tc2, NDte);
  const digits = `MNIST 28×28 (${o.digits} train / ${nTest} test)`;
  denoise.push(
    row(digits, 'noisy input', 0, NDte, Dte),
    row(digits, `Haar Wᵀdiag(θ)W, θ per coefficient`, w2.nTheta, WDte, Dte),
    row(digits, `Haar Wᵀdiag(θ)W, θ per level (${w2.levels} levels)`, w2.levels + 1, w2.apply(tl2, NDte), Dte),
    row(digits, 'periodic conv, 5×5 stencil', c2.nTheta, CDte, Dte),
    row(digits, `Haar, hard threshold 3σ (θ from the data)`, 0, hardThreshold(w2, NDte, 3 * o.sigma), Dte),
  );

  // Edges: zero on the 7×7 low-pass block, one on every detail coefficient.
  const edge = new Float64Array(784).fill(1);
  const low = 28 >> w2.levels;
  for (let iy = 0; iy < low; iy++) for (let ix = 0; ix < low; ix++) edge[ix + 28 * iy] = 0;
  const Ede = w2.apply(edge, Dte);

  const files: string[] = [];
  if (o.out) {
    files.push(await saveLineChart(`${o.out}/cost.svg`, [
      { name: 'Haar Wᵀdiag(θ)W (O(n))', x: cost.map((r) => r.n), y: cost.map((r) => r.wavelet) },
      { name: 'periodic conv by FFT (O(n log n))', x: cost.map((r) => r.n), y: cost.map((r) => r.fft) },
      { name: 'dense K (O(n²))', x: cost.map((r) => r.n), y: cost.map((r) => r.dense) },
    ], { title: 'one product K(θ)y', xLabel: 'n', yLabel: 'µs per signal', logX: true, logY: true, points: true }));
    const idx = Array.from({ length: o.n }, (_, i) => i);
    const col = (M: Matrix) => Array.from(M.data.subarray(0, o.n));
    files.push(await saveLineChart(`${o.out}/signals.svg`, [
      { name: 'noisy', x: idx, y: col(Nte) },
      { name: 'clean', x: idx, y: col(Yte) },
      { name: `periodic conv (${o.stencil})`, x: idx, y: col(Cte) },
      { name: 'Haar', x: idx, y: col(Wte) },
    ], { title: `a test signal, σ = ${o.sigma}`, xLabel: 'i', yLabel: 'value', points: false, width: 640 }));
    const k = 6 > nTest ? nTest : 6;
    const grid = zeros(784, 5 * k);
    [Dte, NDte, WDte, CDte, Ede].forEach((M, r) => grid.data.set(M.data.subarray(0, 784 * k), r * 784 * k));
    const rowNames = ['clean', 'noisy', 'Haar denoised', 'conv denoised', 'Haar edges'];
    files.push(await saveImageGrid(`${o.out}/digits.svg`, grid, [28, 28], {
      cols: k, scale: 3, normalize: 'each', title: `${k} test digits (each tile on its own grey range)`,
      captions: Array.from({ length: 5 * k }, (_, t) => rowNames[Math.floor(t / k)]),
    }));
  }
  return { cost, denoise, files, options: o };
}

const COST_COLUMNS: TableColumn[] = [
  { key: 'n', label: 'n' },
  { key: 'wavelet', label: 'Haar [µs]', format: (v) => (v as number).toFixed(1) },
  { key: 'fft', label: 'FFT conv [µs]', format: (v) => (v as number).toFixed(1) },
  { key: 'dense', label: 'dense [µs]', format: (v) => (Number.isFinite(v) ? (v as number).toFixed(1) : '–') },
  { key: 'waveletPerEntry', label: 'Haar [ns/entry]', format: (v) => (v as number).toFixed(2) },
  { key: 'fftPerEntry', label: 'FFT [ns/entry]', format: (v) => (v as number).toFixed(2) },
  { key: 'ratio', label: 'FFT / Haar', format: (v) => (v as number).toFixed(2) },
];
const DENOISE_COLUMNS: TableColumn[] = [
  { key: 'data', label: 'data' },
  { key: 'model', label: 'model' },
  { key: 'params', label: 'θ' },
  { key: 'relError', label: 'rel. error', format: (v) => (v as number).toFixed(4) },
  { key: 'snr', label: 'SNR [dB]', format: (v) => (v as number).toFixed(2) },
];

/** The findings in words, from the numbers of the run. */
export function summary(r: WaveletResult): string {
  const big = r.cost[r.cost.length - 1];
  const ratios = r.cost.map((c) => c.ratio).sort((x, y) => x - y);
  const median = ratios[ratios.length >> 1];
  const best = (rows: DenoiseRow[]) => rows.reduce((a, b) => (b.relError < a.relError ? b : a));
  const steps = r.denoise.filter((d) => d.data.startsWith('steps')), digits = r.denoise.filter((d) => d.data.startsWith('MNIST'));
  const linear = (rows: DenoiseRow[]) => rows.filter((d) => d.params > 0);
  return [
    `The Haar product costs about the same per entry at every n (O(n)); the FFT convolution is ${median.toFixed(1)}× slower at the median n (${big.ratio.toFixed(1)}× at n = ${big.n}; timings on 2 shared, busy cores are noisy).`,
    `Among the fitted linear models (θ fixed after training) the best is "${best(linear(steps)).model}" on the step signals and "${best(linear(digits)).model}" on the digits:`,
    'a fixed diagonal in the Haar basis is, like a convolution, a linear filter and gains little over it. What the Haar basis buys is sparsity —',
    `the data-dependent θ of hard thresholding is ${best(steps).model === steps[4].model ? 'the best of all on the step signals' : 'not the best here'} (${steps[4].relError.toFixed(4)} against ${best(linear(steps)).relError.toFixed(4)}).`,
  ].join(' ');
}

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): WaveletOptions {
  const b = flagArg(args, 'fast') ? FAST : FULL;
  return {
    seed: numArg(args, 'seed', b.seed),
    n: numArg(args, 'n', b.n),
    sigma: numArg(args, 'sigma', b.sigma),
    train: numArg(args, 'train', b.train),
    test: numArg(args, 'test', b.test),
    digits: numArg(args, 'digits', b.digits),
    stencil: numArg(args, 'stencil', b.stencil),
    maxN: numArg(args, 'maxn', b.maxN),
    maxDenseN: numArg(args, 'maxdense', b.maxDenseN),
    out: outDir('wavelet', typeof args.out === 'string' ? args.out : undefined),
  };
}

runExample({
  name: 'wavelet',
  metaUrl: import.meta.url,
  parse: optionsFromArgs,
  run,
  print: ({ result: r, seconds }) => {
    console.log('\nOne product K(θ)y (4 signals per call, per signal; 2 shared cores, timings noisy):');
    console.log(formatTable(r.cost as unknown as Record<string, unknown>[], COST_COLUMNS));
    console.log(`\nDenoising, θ fitted on noisy/clean training pairs (σ = ${r.options.sigma}), test data:`);
    console.log(formatTable(r.denoise as unknown as Record<string, unknown>[], DENOISE_COLUMNS));
    if (r.files.length) console.log(`\nfigures: ${r.files.join(', ')}`);
    console.log(`\ntotal ${seconds.toFixed(1)} s`);
  },
  command: (argv) => `npm run wavelet${argv ? ` -- ${argv}` : ''}`,
  results: ({ result: r }) => ({
    title: 'Haar wavelet model Wᵀdiag(θ)W next to the circulant case',
    setup: `cost of one K(θ)y against n (µs per signal, 4 signals per call), and denoising with θ fitted to noisy/clean pairs (σ = ${r.options.sigma}, seed ${r.options.seed}).`,
    lines: [
      '',
      formatTable(r.cost as unknown as Record<string, unknown>[], COST_COLUMNS, { style: 'markdown' }),
      '',
      formatTable(r.denoise as unknown as Record<string, unknown>[], DENOISE_COLUMNS, { style: 'markdown' }),
      '',
      summary(r),
      '',
      figuresLine(r.files),
    ],
  }),
});
