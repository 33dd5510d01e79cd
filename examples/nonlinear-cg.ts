/**
 * Nonlinear conjugate gradients against the other optimizers — the lecture
 * "Residual CNNs and their relation to PDEs", part "Variable Projection":
 * "apply gradient descent/NLCG/BFGS to minimize Φ" (the reduced objective).
 *
 * 1. Separable least squares, y ≈ w₁e^(−θ₁t) + w₂e^(−θ₂t) (the problem of
 *    `separable-ls`): VarPro with Gauss-Newton, with nonlinear CG (PR+, FR,
 *    HS, DY), L-BFGS and steepest descent as outer solvers, and nonlinear CG /
 *    L-BFGS on (θ, w) together; iterations and time to reach (f − f*)/f* ≤ tol.
 * 2. The flagship: the ResNet on Peaks (opening 2 → 8, 16 residual steps,
 *    T = 4, tanh; the unscaled numdl opening, `openingScale` 1), trained by
 *    Newton-CG (50 iterations, the flagship's), nonlinear CG (PR+ and FR),
 *    L-BFGS and steepest descent on the full objective (θ, W), and by VarPro
 *    with nonlinear CG on θ; accuracy, work and CPU time.
 *
 * References: J. Nocedal, S. Wright, "Numerical Optimization" (2006), §5.2;
 * W. Hager, H. Zhang, "A survey of nonlinear conjugate gradient methods",
 * Pacific J. Optim. 2 (2006); G. Golub, V. Pereyra, SIAM J. Numer. Anal. 10 (1973).
 *
 *   npm run nonlinear-cg                  # full run (writes its section of examples/RESULTS.md)
 *   npx tsx examples/nonlinear-cg.ts --fast
 *   npx tsx examples/nonlinear-cg.ts [--seed 1] [--m 1000] [--ntrain 1000] [--nval 2000] [--iters 300] [--out out/nonlinear-cg]
 *
 * Figures (`out/nonlinear-cg/` or `--out`): `separable.svg` (gap (f − f*)/f*
 * against evaluations, first start), `peaks.svg` (validation accuracy against
 * CPU time on Peaks).
 */
import { createRng } from '../src/core/rng.js';
import { dense } from '../src/operators/index.js';
import { singleLayer } from '../src/layers/index.js';
import { resnet } from '../src/networks/index.js';
import { labelAccuracy } from '../src/losses/index.js';
import { classificationObjective, predict, varproObjective } from '../src/objectives/index.js';
import type { Matrix } from '../src/core/matrix.js';
import type { Objective } from '../src/objectives/types.js';
import { lbfgs, newtonCG, nonlinearCG, steepestDescent, varpro, type HistoryRow, type NonlinearCGVariant, type OptimizerResult } from '../src/optimizers/index.js';
import { setupPeaks } from '../src/data/index.js';
import { formatTable, saveLineChart, type TableColumn } from '../src/plots/index.js';
import { exponentialFitting } from '../test/helpers/testObjectives.js';
import { figuresLine, flagArg, numArg, outDir, runExample, type Args } from './lib/cli.js';

/** Options of {@link run}. */
export interface NonlinearCGExampleOptions {
  seed: number;
  /** Samples of the separable problem. */
  m: number;
  /** Relative objective tolerance of the separable comparison. */
  tol: number;
  /** Peaks training and validation points. */
  nTrain: number;
  nVal: number;
  /** Residual steps of the Peaks ResNet (T = 4). */
  steps: number;
  /** Iterations of the first-order methods on Peaks (nonlinear CG, L-BFGS, steepest descent, VarPro + NLCG). */
  iters: number;
  /** Newton-CG iterations on Peaks (the flagship's 50). */
  newtonIters: number;
  /** Output folder; no figures when null. */
  out: string | null;
}

/** Full-run defaults. */
export const FULL: NonlinearCGExampleOptions = { seed: 1, m: 1000, tol: 1e-6, nTrain: 1000, nVal: 2000, steps: 16, iters: 300, newtonIters: 50, out: null };
/** The `--fast` variant the tests run. */
export const FAST: NonlinearCGExampleOptions = { ...FULL, m: 200, nTrain: 200, nVal: 400, steps: 4, iters: 40, newtonIters: 10 };

/** One line of the separable comparison. */
export interface SeparableRow {
  start: string;
  method: string;
  iterations: number;
  evals: number;
  matvecs: number;
  reached: boolean;
  /** Milliseconds until the tolerance (or the end). */
  ms: number;
  gap: number;
}

/** One line of the Peaks comparison. */
export interface PeaksRow {
  method: string;
  iterations: number;
  evals: number;
  matvecs: number;
  /** CPU seconds of the optimizer (validation monitoring excluded). */
  cpu: number;
  trainAcc: number;
  valAcc: number;
  status: string;
}

/** What {@link run} returns. */
export interface NonlinearCGExampleResult {
  separable: SeparableRow[];
  fStar: number;
  peaks: PeaksRow[];
  files: string[];
  options: NonlinearCGExampleOptions;
}

const VARIANTS: NonlinearCGVariant[] = ['PR+', 'FR', 'HS', 'DY'];

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The separable least-squares comparison from the starts θ₀ = [1, 5] and [5, 10]. */
export function separableComparison(o: NonlinearCGExampleOptions): { rows: SeparableRow[]; fStar: number; curves: { name: string; x: number[]; y: number[] }[] } {
  const problem = exponentialFitting(createRng(o.seed), { m: o.m });
  const ref = varpro(problem.reduced, Float64Array.of(1, 5), { maxIter: 500, gradTol: 1e-14, relGradTol: 0 });
  const fStar = ref.value;
  const gapOf = (f: number) => (f - fStar) / Math.abs(fStar);
  const stop = (row: Readonly<HistoryRow>) => (gapOf(row.value) <= o.tol ? false : undefined);
  const maxIter = 2000;
  const methods: { name: string; run: (t0: Float64Array, x0: Float64Array) => OptimizerResult }[] = [
    { name: 'VarPro + Gauss-Newton', run: (t0) => varpro(problem.reduced, t0, { maxIter, onIteration: stop }) },
    ...VARIANTS.map((variant) => ({ name: `VarPro + nonlinear CG (${variant})`, run: (t0: Float64Array) => varpro(problem.reduced, t0, { method: 'nonlinearCG', variant, maxIter, onIteration: stop }) })),
    { name: 'VarPro + L-BFGS', run: (t0) => varpro(problem.reduced, t0, { method: 'lbfgs', maxIter, onIteration: stop }) },
    { name: 'VarPro + steepest descent', run: (t0) => varpro(problem.reduced, t0, { method: 'steepestDescent', maxIter, onIteration: stop }) },
    { name: 'nonlinear CG (PR+) on (θ, w)', run: (_t, x0) => nonlinearCG(problem.full, x0, { maxIter, onIteration: stop }) },
    { name: 'L-BFGS on (θ, w)', run: (_t, x0) => lbfgs(problem.full, x0, { maxIter, onIteration: stop }) },
  ];
  const rows: SeparableRow[] = [];
  const curves: { name: string; x: number[]; y: number[] }[] = [];
  for (const start of [[1, 5], [5, 10]]) {
    const t0 = Float64Array.from(start);
    const x0 = Float64Array.from([...t0, ...problem.solveW(t0)]);
    for (const m of methods) {
      m.run(t0, x0); // warm-up (JIT)
      const times: number[] = [];
      let r = m.run(t0, x0);
      for (let k = 0; k < 3; k++) {
        r = m.run(t0, x0);
        times.push(r.history[r.history.length - 1].time);
      }
      times.sort((a, b) => a - b);
      const last = r.history[r.history.length - 1];
      rows.push({ start: `[${start.join(', ')}]`, method: m.name, iterations: last.iter, evals: last.evals, matvecs: last.matvecs, reached: gapOf(last.value) <= o.tol, ms: 1000 * times[1], gap: gapOf(last.value) });
      if (start[0] === 1) curves.push({ name: m.name, x: r.history.map((h) => h.evals), y: r.history.map((h) => Math.max(gapOf(h.value), 1e-16)) });
    }
  }
  return { rows, fStar, curves };
}

/** The flagship comparison on Peaks. */
export function peaksComparison(o: NonlinearCGExampleOptions): { rows: PeaksRow[]; curves: { name: string; x: number[]; y: number[] }[] } {
  const rng = createRng(o.seed);
  const train = setupPeaks({ n: o.nTrain, rng: rng.fork('train') }), val = setupPeaks({ n: o.nVal, rng: rng.fork('validation') });
  const width = 8;
  const model = resnet(() => singleLayer(dense(width, width), { activation: 'tanh', bias: 'vector' }), {
    steps: o.steps, T: 4, opening: singleLayer(dense(width, 2), { activation: 'tanh', bias: 'vector' }),
  });
  const theta0 = model.initialize(createRng(o.seed).fork('init'));
  const full = classificationObjective(model, train.Y, train.C, { regularization: { theta: 1e-5, W: 1e-5 } });
  const x0 = new Float64Array(full.nParams);
  x0.set(theta0);
  const phi = varproObjective(model, train.Y, train.C, { regularization: { theta: 1e-5, W: 1e-3 }, inner: { tol: 1e-6, maxIter: 10 } });
  const acc = (x: Float64Array, Y: Matrix, labels: Int32Array, W?: Matrix) => labelAccuracy(predict(model, x, Y, W ? { W } : {}).labels, labels);

  const rows: PeaksRow[] = [];
  const curves: { name: string; x: number[]; y: number[] }[] = [];
  const runOne = (method: string, obj: Objective, start: Float64Array, go: (obj: Objective, x0: Float64Array, onIteration: (row: Readonly<HistoryRow>, x: Float64Array) => undefined) => OptimizerResult, Wof?: (x: Float64Array) => Matrix) => {
    // Validation accuracy along the run, its time taken off the CPU clock.
    let spent = 0;
    const cpu0 = cpuSeconds();
    const xs: number[] = [], ys: number[] = [];
    const r = go(obj, start, (_row, x) => {
      const c = cpuSeconds();
      xs.push(c - cpu0 - spent);
      ys.push(100 * acc(x, val.Y, val.labels, Wof ? Wof(x) : undefined));
      spent += cpuSeconds() - c;
      return undefined;
    });
    const cpu = cpuSeconds() - cpu0 - spent;
    const W = Wof ? Wof(r.x) : undefined;
    rows.push({ method, iterations: r.iterations, evals: r.evals, matvecs: r.matvecs, cpu, trainAcc: acc(r.x, train.Y, train.labels, W), valAcc: acc(r.x, val.Y, val.labels, W), status: r.status });
    curves.push({ name: method, x: xs, y: ys });
  };
  runOne(`Newton-CG (${o.newtonIters} it., CG ≤ 10)`, full, x0, (f, s, cb) => newtonCG(f, s, { maxIter: o.newtonIters, cgMaxIter: 10, onIteration: cb }));
  for (const variant of ['PR+', 'FR'] as const) {
    runOne(`nonlinear CG (${variant})`, full, x0, (f, s, cb) => nonlinearCG(f, s, { variant, maxIter: o.iters, onIteration: cb }));
  }
  runOne('L-BFGS', full, x0, (f, s, cb) => lbfgs(f, s, { maxIter: o.iters, onIteration: cb }));
  runOne('steepest descent', full, x0, (f, s, cb) => steepestDescent(f, s, { maxIter: o.iters, onIteration: cb }));
  // VarPro: during a run the last evaluation holds W(θ) of the accepted iterate.
  runOne('VarPro + nonlinear CG (PR+)', phi, theta0, (f, s, cb) => varpro(f, s, { method: 'nonlinearCG', maxIter: Math.round(o.iters / 3), onIteration: cb }), (x) => phi.currentW() ?? phi.solveW(x).W);
  return { rows, curves };
}

/**
 * Run both comparisons and save the figures.
 * @example const { separable, peaks } = await run({ ...FAST, out: null });
 */
export async function run(opts: Partial<NonlinearCGExampleOptions> = {}): Promise<NonlinearCGExampleResult> {
  const o: NonlinearCGExampleOptions = { ...FULL, ...opts };
  const sep = separableComparison(o);
  const pk = peaksComparison(o);
  const files: string[] = [];
  if (o.out) {
    files.push(await saveLineChart(`${o.out}/separable.svg`, sep.curves, { title: 'separable least squares from θ₀ = [1, 5]', xLabel: 'objective evaluations', yLabel: '(f − f*)/f*', logY: true, logX: false }));
    files.push(await saveLineChart(`${o.out}/peaks.svg`, pk.curves, { title: 'ResNet on Peaks', xLabel: 'CPU time [s] (validation excluded)', yLabel: 'validation accuracy [%]' }));
  }
  return { separable: sep.rows, fStar: sep.fStar, peaks: pk.rows, files, options: o };
}

const SEPARABLE_COLUMNS: TableColumn[] = [
  { key: 'start', label: 'θ₀' },
  { key: 'method', label: 'method' },
  { key: 'iterations', label: 'iterations' },
  { key: 'evals', label: 'evals' },
  { key: 'matvecs', label: 'GN mat-vecs' },
  { key: 'reached', label: 'reached tol', format: (v) => (v ? 'yes' : 'no') },
  { key: 'ms', label: 'time [ms]', format: (v) => (v as number).toFixed(1) },
  { key: 'gap', label: 'final gap', format: (v) => (v as number).toExponential(1) },
];
const PEAKS_COLUMNS: TableColumn[] = [
  { key: 'method', label: 'method' },
  { key: 'iterations', label: 'iterations' },
  { key: 'evals', label: 'evals' },
  { key: 'matvecs', label: 'Hv mat-vecs' },
  { key: 'cpu', label: 'CPU [s]', format: (v) => (v as number).toFixed(2) },
  { key: 'trainAcc', label: 'train acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'valAcc', label: 'val acc', format: (v) => `${(100 * (v as number)).toFixed(2)} %` },
  { key: 'status', label: 'status' },
];

/** Options from the command line (`--fast` picks {@link FAST} as the base). */
export function optionsFromArgs(args: Args): NonlinearCGExampleOptions {
  const b = flagArg(args, 'fast') ? FAST : FULL;
  return {
    seed: numArg(args, 'seed', b.seed),
    m: numArg(args, 'm', b.m),
    tol: numArg(args, 'tol', b.tol),
    nTrain: numArg(args, 'ntrain', b.nTrain),
    nVal: numArg(args, 'nval', b.nVal),
    steps: numArg(args, 'steps', b.steps),
    iters: numArg(args, 'iters', b.iters),
    newtonIters: numArg(args, 'newton-iters', b.newtonIters),
    out: outDir('nonlinear-cg', typeof args.out === 'string' ? args.out : undefined),
  };
}

/** The findings in words, from the numbers of the run. */
export function summary(r: NonlinearCGExampleResult): string {
  const sep = (m: string) => r.separable.filter((x) => x.method === m);
  const its = (m: string) => sep(m).map((x) => x.iterations).join(' and ');
  const cgRows = r.separable.filter((x) => x.method.startsWith('VarPro + nonlinear CG'));
  const pk = (prefix: string) => r.peaks.find((p) => p.method.startsWith(prefix))!;
  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  const newton = pk('Newton-CG'), cg = pk('nonlinear CG (PR+)'), lb = pk('L-BFGS'), sd = pk('steepest descent');
  return [
    `Separable least squares: as VarPro's outer solver every nonlinear CG variant reaches the tolerance (${cgRows.filter((x) => x.reached).length} of ${cgRows.length} runs) in ${Math.min(...cgRows.map((x) => x.iterations))}–${Math.max(...cgRows.map((x) => x.iterations))} outer iterations,`,
    `against ${its('VarPro + Gauss-Newton')} for Gauss-Newton (which also uses the Hessian mat-vecs), ${its('VarPro + L-BFGS')} for L-BFGS and ${its('VarPro + steepest descent')} for steepest descent (from the two starts).`,
    `On the flagship, ${cg.iterations} PR+ iterations reach ${pct(cg.valAcc)} validation accuracy in ${cg.cpu.toFixed(1)} CPU s (${cg.evals} evaluations), against ${pct(newton.valAcc)} for ${newton.iterations} Newton-CG iterations (${newton.cpu.toFixed(1)} s), ${pct(lb.valAcc)} for L-BFGS and ${pct(sd.valAcc)} for steepest descent with the same iteration budget.`,
  ].join(' ');
}

function tables(r: NonlinearCGExampleResult, style?: 'markdown') {
  return {
    separable: formatTable(r.separable as unknown as Record<string, unknown>[], SEPARABLE_COLUMNS, style ? { style } : {}),
    peaks: formatTable(r.peaks as unknown as Record<string, unknown>[], PEAKS_COLUMNS, style ? { style } : {}),
  };
}

runExample({
  name: 'nonlinear-cg',
  metaUrl: import.meta.url,
  parse: optionsFromArgs,
  run,
  print: ({ result: r, seconds }) => {
    const t = tables(r);
    console.log(`\nSeparable least squares (m = ${r.options.m}, f* = ${r.fStar.toExponential(4)}): until (f − f*)/f* ≤ ${r.options.tol}; time = median of 3 runs after a warm-up`);
    console.log(t.separable);
    console.log(`\nResNet on Peaks (${r.options.nTrain} train / ${r.options.nVal} validation, ${r.options.steps} steps, T = 4, seed ${r.options.seed}):`);
    console.log(t.peaks);
    if (r.files.length) console.log(`\nfigures: ${r.files.join(', ')}`);
    console.log(`\ntotal ${seconds.toFixed(1)} s`);
  },
  command: (argv) => `npm run nonlinear-cg${argv ? ` -- ${argv}` : ''}`,
  results: ({ result: r }) => {
    const t = tables(r, 'markdown');
    return {
      title: 'nonlinear CG against the other optimizers',
      setup: `separable least squares (m = ${r.options.m}, tolerance (f − f*)/f* ≤ ${r.options.tol}, time = median of 3 runs) and the flagship ResNet on Peaks (${r.options.nTrain} / ${r.options.nVal} points, ${r.options.steps} steps, unscaled opening, seed ${r.options.seed}; CPU time without the validation).`,
      lines: ['', t.separable, '', t.peaks, '', summary(r), '', figuresLine(r.files)],
    };
  },
});
