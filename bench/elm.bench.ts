/**
 * elm benchmark: the full run of the `elm-mnist` example (the lecture's
 * extreme learning machine on MNIST) as issue 12 states its target — m = 1530
 * random features tanh(K Y + b) of 50 000 training and 10 000 validation
 * images, the softmax classifier W trained by 20 Newton-CG iterations with
 * CG ≤ 10 (λ = 1e-8, seed 1), on one thread — split into reading MNIST,
 * the features and Newton-CG, next to the same workload in numpy/OpenBLAS and
 * JAX (one thread each, measured on this machine on 2026-12-06 and quoted:
 * they cannot run inside npm).
 *
 * One run, timed by the example itself (`runElmMnist`): CPU seconds of this
 * process (the one-core figure on a shared machine: the process has one
 * thread of work) and wall seconds. The features' time includes the
 * objective's own float32 copy of Z (the features go straight into it). The
 * per-iteration validation errors the example computes for its history are
 * not charged. `--quick` runs a smaller problem (5000 / 1000 images, same m
 * and iterations) whose times are not comparable with the quoted rows.
 *
 *   npx tsx bench/elm.bench.ts [--quick]     (prints only; bench/run.ts writes RESULTS.md)
 */
import os from 'node:os';
import { kernelInfoLine } from '../src/core/wasm/info.js';
import { runElmMnist } from '../examples/elm-mnist.js';
import { fmt, withWasmThreads, type BenchSection } from './harness.js';

/** numpy/OpenBLAS and JAX on this workload (one thread, float32 features, 2026-12-06), total seconds: issue 12's figures. */
const QUOTED = [
  { name: 'numpy/OpenBLAS, 1 thread (2026-12-06, quoted)', seconds: 40 },
  { name: 'JAX, 1 thread (2026-12-06, quoted)', seconds: 36.5 },
];

/**
 * Run the elm benchmark (one thread: `setWasmThreads(1)` while it runs).
 * @param opts `quick`: 5000 / 1000 images instead of 50 000 / 10 000
 * @returns the `elm` section: reading, features, Newton-CG, total against the quoted rows
 */
export function run(opts: { quick: boolean }): Promise<BenchSection> {
  return withWasmThreads(1, async () => {
    const load0 = os.loadavg()[0];
    const size = opts.quick ? { nTrain: 5000, nVal: 1000 } : { nTrain: 50_000, nVal: 10_000 };
    const r = runElmMnist({ ...size, m: 1530, maxIter: 20, cgMaxIter: 10, seed: 1, precision: 'float32', threads: 1 }, 0);
    const load1 = os.loadavg()[0];
    const cpuTotal = r.cpuLoad + r.cpuFeatures + r.cpuTrain;
    const last = r.history[r.history.length - 1];
    const full = !opts.quick;
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    const rows: (string | number)[][] = [[
      `numdl, float32 Z (${r.config.threads} thread)`,
      `${fmt(r.cpuLoad)} / ${fmt(r.timeLoad)}`,
      `${fmt(r.cpuFeatures)} / ${fmt(r.timeFeatures)}`,
      `${fmt(r.cpuTrain)} / ${fmt(r.timeTrain)}`,
      `**${fmt(cpuTotal)}** / ${fmt(r.timeTotal)}`,
      pct(r.valError),
      '1.00×',
    ]];
    for (const q of QUOTED) rows.push([q.name, '—', '—', '—', fmt(q.seconds), '—', full ? `${(q.seconds / cpuTotal).toFixed(2)}×` : 'n/a (quick size)']);
    console.log(`  numdl: reading ${fmt(r.cpuLoad)} s, features ${fmt(r.cpuFeatures)} s, Newton-CG ${fmt(r.cpuTrain)} s CPU; total ${fmt(cpuTotal)} s CPU, ${fmt(r.timeTotal)} s wall; validation error ${pct(r.valError)}`);
    return {
      title: `elm: elm-mnist's full run (${size.nTrain} / ${size.nVal} images, m = 1530, 20 Newton-CG iterations, CG ≤ 10, seed 1), one thread, against numpy and JAX (lower is better)`,
      tables: [{
        columns: ['run', 'reading MNIST s CPU / wall', 'features s CPU / wall', 'Newton-CG s CPU / wall', 'total s CPU / wall', 'val. error', 'quoted total / numdl CPU total'],
        rows,
      }],
      notes: [
        `numdl: \`runElmMnist\` of examples/elm-mnist.ts with \`--cg 10 --threads 1\` (float32 Z, the default), WebAssembly on one thread (${kernelInfoLine()}). Features: tanh(K Y + b) over the nonzero pixels of ${size.nTrain + size.nVal} images, the sums in float32 (\`sparseColumnsAffineChunks\`), the training ones handed chunk by chunk straight into the objective's float32 copy of Z (included in their time; no 1530 × 50 000 float64 Z is made). Newton-CG: ${r.iterations} iterations, ${r.matvecs} Hessian mat-vecs, ${r.evals} evaluations, status ${r.status}, final objective ${last ? last.value.toPrecision(6) : '—'}; training error ${pct(r.trainError)}, validation error ${pct(r.valError)} (the lecture: 8.11 %).`,
        'CPU seconds are this process\'s (one thread of work, so the one-core figure even when other jobs share the cores); wall seconds include the waiting for a core. The last column is quoted seconds over numdl\'s CPU seconds: above 1 means numdl took less.',
        'numpy/OpenBLAS and JAX: the same workload (reading, features, 20 Newton-CG iterations with CG ≤ 10) written as a Python user would, one thread each, measured on this machine for issue 12 on 2026-12-06 and quoted (they cannot run inside npm); only their totals are known.',
        `Load average (1 min) ${load0.toFixed(1)} before, ${load1.toFixed(1)} after the run, on ${os.cpus().length} cores.`,
      ],
    };
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const { renderSection } = await import('./harness.js');
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}
