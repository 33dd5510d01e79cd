/**
 * Non-convexity of single-layer training (the lecture "Residual CNNs and their
 * relation to PDEs", part "Nonlinear Models", slide "Non-Convexity": the
 * cross-entropy along two random directions dK and dW, MATLAB's
 * `ESingleLayer_PlotObjective.m`).
 *
 * On the Peaks data (5 classes) with a single layer Z = tanh(K Y + b), K m × 2,
 * and the linear softmax classifier W [Z; 1ᵀ], evaluate
 *
 *   E(s, t) = E(W + t·dW) σ((K + s·dK) Y + b), C),   (s, t) ∈ [−r, r]²,
 *
 * around a random point (K, b, W) along random directions scaled to the point
 * (‖dK‖_F = ‖K‖_F, ‖dW‖_F = ‖W‖_F), save it as a contour and a surface plot,
 * and check convexity numerically on every grid line: along W (s fixed) the
 * objective is a convex function of t — softmax cross-entropy of a linear
 * model — so its second differences are ≥ 0 up to round-off; along K (t fixed)
 * negative second differences appear: the problem is not convex.
 *
 *   npx tsx examples/single-layer-landscape.ts             # n = 1000, m = 40, 61×61 grid, r = 1
 *   npx tsx examples/single-layer-landscape.ts --fast      # n = 200, m = 10, 25×25 grid
 *   npx tsx examples/single-layer-landscape.ts --seed 3 --m 20 --grid 61 --range 2 --out out/landscape
 */
import { matrix, type Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { norm2 } from '../src/core/vector.js';
import { setupPeaks } from '../src/data/peaks.js';
import { dense } from '../src/operators/dense.js';
import { singleLayer } from '../src/layers/singleLayer.js';
import { softmaxCrossEntropy } from '../src/losses/softmaxCrossEntropy.js';
import { formatTable, saveContour, saveSurface } from '../src/plots/index.js';
import { codeBlock, figuresLine, intArg, numArg, outDir, runExample, withFigures } from './lib/cli.js';

/** Options of {@link run}. */
export interface LandscapeOptions {
  /** Number of Peaks points (default 1000). */
  n?: number;
  /** Width m of the layer (default 40). */
  m?: number;
  /** Grid points per direction (default 61). */
  grid?: number;
  /** Half-width r of the square [−r, r]² of (s, t) (default 1). */
  range?: number;
  /** Seed of the data, the point and the directions (default 1). */
  seed?: number;
}

/** One line of the table: statistics of the landscape along one family of lines. */
export interface LandscapeRow {
  /** `'K (t fixed)'`, `'W (s fixed)'`, or `'grid'` for the values themselves. */
  lines: string;
  /** Number of grid lines of this family. */
  count: number;
  /** Smallest and largest E over the grid (the same on every row). */
  minE: number;
  maxE: number;
  /** Most negative second derivative estimate Δ²E/h² found along these lines. */
  minCurvature: number;
  /** Largest second derivative estimate. */
  maxCurvature: number;
  /** Lines with a second difference below −tol (not convex). */
  nonConvexLines: number;
  /** Fraction of the interior points of these lines with a negative second difference (below −tol). */
  negativeFraction: number;
}

/** Everything {@link run} computed. */
export interface LandscapeResult {
  /** E on the grid, `grid × grid`: E(iy = s index, ix = t index) (MATLAB meshgrid layout, x = t along W, y = s along K). */
  E: Matrix;
  /** The grid coordinates (the same for s and t). */
  coords: Float64Array;
  /** E at the point itself (s = t = 0). */
  center: number;
  /** The point: the layer's x = [vec(K); b] and the classifier W, nc × (m + 1) (last column the bias). */
  point: { x: Float64Array; W: Matrix };
  /** The Peaks data used. */
  data: { Y: Matrix; C: Matrix };
  /** Round-off tolerance used for "negative": 1e-11·max|E|. */
  tol: number;
  rows: LandscapeRow[];
  table: string;
}

/**
 * Evaluate the landscape and the convexity checks.
 * @example const { rows } = run({ n: 200, m: 10, grid: 25 }); rows[0].nonConvexLines // > 0 (K lines)
 */
export function run(opts: LandscapeOptions = {}): LandscapeResult {
  const n = opts.n ?? 1000;
  const m = opts.m ?? 40;
  const grid = opts.grid ?? 61;
  const r = opts.range ?? 1;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(grid) || grid < 3) throw new Error(`single-layer-landscape: grid must be an integer ≥ 3, got ${grid}`);
  const { Y, C } = setupPeaks({ n, seed });
  const nc = C.shape[0];
  const rng = createRng(`${seed}/single-layer-landscape`);
  const layer = singleLayer(dense(m, 2), { activation: 'tanh', bias: 'vector' });
  const x0 = layer.initialize(rng);
  // b = 0 after initialize; a random bias spreads the tanh's transitions over the data.
  for (let i = m * 2; i < layer.nParams; i++) x0[i] = rng.normal();
  const nK = 2 * m;
  const nW = nc * (m + 1);
  const w0 = rng.normalArray(nW, 1 / Math.sqrt(m + 1));
  // Directions scaled to the point (as in "filter normalisation"): a unit step changes K (W) by its own size.
  const dK = rng.normalArray(nK);
  const dW = rng.normalArray(nW);
  const kScale = norm2(x0.subarray(0, nK)) / norm2(dK), wScale = norm2(w0) / norm2(dW);
  for (let i = 0; i < nK; i++) dK[i] *= kScale;
  for (let i = 0; i < nW; i++) dW[i] *= wScale;

  const coords = Float64Array.from({ length: grid }, (_, i) => -r + (2 * r * i) / (grid - 1));
  const E = matrix(grid, grid, new Float64Array(grid * grid));
  const x = Float64Array.from(x0);
  const w = new Float64Array(nW);
  for (let iy = 0; iy < grid; iy++) {
    const s = coords[iy];
    for (let i = 0; i < nK; i++) x[i] = x0[i] + s * dK[i];
    const Z = layer.forward(x, Y).output;
    for (let ix = 0; ix < grid; ix++) {
      const t = coords[ix];
      for (let i = 0; i < nW; i++) w[i] = w0[i] + t * dW[i];
      E.data[iy + grid * ix] = softmaxCrossEntropy(matrix(nc, m + 1, w), Z, C).value;
    }
  }
  const e = E.data;
  let minE = Infinity, maxE = -Infinity;
  for (const v of e) {
    minE = Math.min(minE, v);
    maxE = Math.max(maxE, v);
  }
  const tol = 1e-11 * Math.max(Math.abs(minE), Math.abs(maxE));
  const h = coords[1] - coords[0];
  // Second differences along one family of grid lines: `at(line, k)` is the k-th value of a line.
  const lineStats = (label: string, at: (line: number, k: number) => number): LandscapeRow => {
    let minC = Infinity, maxC = -Infinity, bad = 0, neg = 0, total = 0;
    for (let line = 0; line < grid; line++) {
      let lineBad = false;
      for (let k = 1; k + 1 < grid; k++) {
        const d2 = at(line, k - 1) - 2 * at(line, k) + at(line, k + 1);
        minC = Math.min(minC, d2 / (h * h));
        maxC = Math.max(maxC, d2 / (h * h));
        total++;
        if (d2 < -tol) {
          neg++;
          lineBad = true;
        }
      }
      if (lineBad) bad++;
    }
    return { lines: label, count: grid, minE, maxE, minCurvature: minC, maxCurvature: maxC, nonConvexLines: bad, negativeFraction: neg / total };
  };
  const rows = [
    // K lines: t (ix) fixed, s (iy) varies — a column of the ny × nx matrix.
    lineStats('K (t fixed, s varies)', (ix, iy) => e[iy + grid * ix]),
    // W lines: s (iy) fixed, t (ix) varies — a row.
    lineStats('W (s fixed, t varies)', (iy, ix) => e[iy + grid * ix]),
  ];
  // With an odd grid the middle point is s = t = 0 exactly (coords are symmetric).
  const center = grid % 2 === 1 ? e[(grid >> 1) + grid * (grid >> 1)] : softmaxCrossEntropy(matrix(nc, m + 1, w0), layer.forward(x0, Y).output, C).value;
  const table = formatTable(rows as unknown as Record<string, unknown>[], [
    { key: 'lines', label: 'lines along' }, { key: 'count', label: 'lines' },
    { key: 'minE', label: 'min E', digits: 4 }, { key: 'maxE', label: 'max E', digits: 4 },
    { key: 'minCurvature', label: 'min Δ²E/h²', digits: 3 }, { key: 'maxCurvature', label: 'max Δ²E/h²', digits: 3 },
    { key: 'nonConvexLines', label: 'non-convex lines' }, { key: 'negativeFraction', label: 'share of Δ²E < 0', digits: 3 },
  ]);
  return { E, coords, center, point: { x: x0, W: matrix(nc, m + 1, w0) }, data: { Y, C }, tol, rows, table };
}

/** Save the contour and surface plots of the landscape into `dir`. */
export async function saveFigures(result: LandscapeResult, dir: string): Promise<string[]> {
  const lo = result.coords[0], hi = result.coords[result.coords.length - 1];
  const common = { x: [lo, hi] as [number, number], y: [lo, hi] as [number, number], xLabel: 't (W + t·dW)', yLabel: 's (K + s·dK)', zLabel: 'E' };
  return [
    await saveContour(`${dir}/landscape-contour.svg`, result.E, { ...common, levels: 20, markers: [[0, 0]], title: 'cross-entropy E(K + s·dK, W + t·dW)' }),
    await saveSurface(`${dir}/landscape-surface.svg`, result.E, { ...common, title: 'cross-entropy E(K + s·dK, W + t·dW)' }),
  ];
}

/** The setup sentence, printed and in RESULTS.md. */
function setupOf(opts: Required<LandscapeOptions>, result: LandscapeResult): string {
  return `Peaks, n = ${opts.n} points, single layer tanh(K Y + b) with m = ${opts.m}, softmax classifier; E on a ${opts.grid}×${opts.grid} grid of (s, t) ∈ [−${opts.range}, ${opts.range}]², seed ${opts.seed}; E at the point: ${result.center.toFixed(4)}; "negative" means Δ²E < −${result.tol.toExponential(1)}`;
}

runExample({
  name: 'single-layer-landscape',
  metaUrl: import.meta.url,
  summary: 'The cross-entropy of a single layer on Peaks on a plane through a point: non-convex along K, convex along W.',
  options: {
    n: { help: 'Peaks points (default 1000; fast 200)' },
    m: { help: 'width m (default 40; fast 10)' },
    grid: { help: 'grid points per direction (default 61; fast 25)' },
    range: { value: 'X', help: 'half-width of the (s, t) square (default 1)' },
  },
  parse: (args, fast): Required<LandscapeOptions> & { out: string } => ({
    n: intArg(args, 'n', fast ? 200 : 1000),
    m: intArg(args, 'm', fast ? 10 : 40),
    grid: intArg(args, 'grid', fast ? 25 : 61, 3),
    range: numArg(args, 'range', 1, { min: Number.MIN_VALUE }),
    seed: numArg(args, 'seed', 1),
    out: outDir('single-layer-landscape', args.out),
  }),
  run: (opts) => withFigures(run(opts), saveFigures, opts.out),
  print: ({ options, result, seconds }) => {
    console.log(`${setupOf(options, result)}\n\n${result.table}\n\nfigures: ${result.files.join(', ')}  (${seconds.toFixed(1)} s)`);
  },
  // A full run has the default sizes, so the recorded command names the seed only.
  command: (_, opts) => `npx tsx examples/single-layer-landscape.ts --seed ${opts.seed}`,
  results: ({ options, result, seconds }) => ({
    time: `${seconds.toFixed(1)} s`,
    setup: `${setupOf(options, result)}.`,
    lines: [
      '',
      codeBlock(result.table),
      '',
      'Along W the cross-entropy of the linear classifier is convex (no negative second difference beyond round-off); along K it is not: the single-layer problem is non-convex.',
      '',
      figuresLine(result.files),
    ],
  }),
});
