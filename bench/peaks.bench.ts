/**
 * Peaks benchmark: the flagship's configuration (examples/resnet-peaks.ts —
 * opening dense 2 → 8 tanh, 16 residual steps Y + h·tanh(K Y + b) with
 * h = 4/16, linear softmax classifier; 1000 training / 2000 validation
 * points; (λ/2)‖·‖² with λ = 1e-5 on every weight) trained side by side in
 * one run by numdl (Newton-CG, VarPro, ADAM) and by TensorFlow.js (ADAM, on
 * its `cpu` and `wasm` backends), from the same initial weights, on the same
 * data:
 *
 * 1. wall time until the validation accuracy first reaches 95 % (or, if it
 *    never does, the best accuracy within the budget and the time spent);
 *    validation is measured after every iteration / epoch and its time is
 *    not counted;
 * 2. time per ADAM epoch (32 mini-batches of 32, forward + backward + update),
 *    interleaved samples (bench/harness.ts).
 *
 * Fairness notes: numdl computes in float64, TF.js in float32; both are
 * single-threaded here. The TF.js model is written with tf.* ops and
 * `tf.train.adam` (lr 0.01, β = (0.9, 0.999), ε = 1e-8, as numdl's ADAM); its
 * loss is `tf.losses.softmaxCrossEntropy` (mean over the batch) plus the same
 * Tikhonov term. The mini-batch orders differ (each side shuffles with its own
 * seeded generator).
 *
 *   npx tsx bench/run.ts --only peaks [--quick]     (writes bench/RESULTS.md)
 *   npx tsx bench/peaks.bench.ts [--quick]          (prints only)
 */
import type { Matrix } from '../src/core/matrix.js';
import { createRng } from '../src/core/rng.js';
import { getKernelBackend, setKernelBackend, type KernelBackend } from '../src/core/wasm/backend.js';
import { wasmAvailable } from '../src/core/wasm/module.js';
import { labelAccuracy } from '../src/losses/index.js';
import { classificationObjective, predict, varproObjective } from '../src/objectives/index.js';
import { adam, newtonCG, varpro, type OptimizerResult } from '../src/optimizers/index.js';
import { countWork, historyPoint, monitor, peaksSplit, resnetPeaksModel, type HistoryPoint, type PeaksSplit } from '../examples/resnet-peaks.js';
import { fmt, renderSection, speedup, timeCases, withWasmThreads, type BenchCase, type BenchSection, type TimingOptions } from './harness.js';
import { describe, loadTf, useBackend, type Tf } from './tfjs.js';

type Tensor = import('@tensorflow/tfjs').Tensor;
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Variable = import('@tensorflow/tfjs').Variable;

/** The flagship's settings. */
const CFG = { nTrain: 1000, nVal: 2000, width: 8, steps: 16, T: 4, lambda: 1e-5, lr: 0.01, batchSize: 32, seed: 1, target: 0.95 };

/** Outcome of one race to the target accuracy. */
interface Race {
  trainer: string;
  /** Backend / precision label. */
  backend: string;
  /** Whether the target was reached. */
  reached: boolean;
  /** Iterations or epochs done (until the target, or the whole budget). */
  steps: number;
  /** 'iterations' or 'epochs'. */
  unit: string;
  /** Training wall seconds until the target (or the whole budget); monitoring excluded. */
  time: number;
  /** Training CPU seconds, same span. */
  cpu: number;
  /** Best and last validation accuracy seen. */
  best: number;
  last: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A race result from a numdl history extended by `monitor`. */
function raceOf(trainer: string, unit: string, history: HistoryPoint[]): Race {
  const hit = history.find((p) => p.valAcc >= CFG.target);
  const end = hit ?? history[history.length - 1];
  return {
    trainer, backend: 'numdl f64', reached: !!hit, steps: end.iter, unit, time: end.time, cpu: end.cpu,
    best: Math.max(...history.map((p) => p.valAcc)), last: history[history.length - 1].valAcc,
  };
}

/** numdl: Newton-CG, VarPro or ADAM on the flagship, stopping at the target. */
function numdlRace(which: 'newtonCG' | 'varpro' | 'adam', data: PeaksSplit, theta0: Float64Array, budget: { iterations: number; varpro: number; epochs: number }): Race {
  const model = resnetPeaksModel({ width: CFG.width, steps: CFG.steps, T: CFG.T });
  const { train, val } = data;
  const n = train.Y.shape[1];
  const valAcc = (x: Float64Array, W?: Matrix) => labelAccuracy(predict(model, x, val.Y, W ? { W } : {}).labels, val.labels);
  const stop = (p: HistoryPoint) => p.valAcc >= CFG.target;
  let result: OptimizerResult;
  if (which === 'varpro') {
    const phi = varproObjective(model, train.Y, train.C, { regularization: { theta: CFG.lambda, W: 1e-3 }, inner: { tol: 1e-6, maxIter: 10 } });
    const work = countWork(phi, n);
    result = varpro(work.objective, theta0, { method: 'newtonCG', maxIter: budget.varpro, cgMaxIter: 10, onIteration: monitor(work, (x) => valAcc(x, phi.currentW() ?? undefined), stop) });
    return raceOf('VarPro (Newton-CG on θ)', 'iterations', result.history.map(historyPoint));
  }
  const obj = classificationObjective(model, train.Y, train.C, { regularization: { theta: CFG.lambda, W: CFG.lambda } });
  const x0 = new Float64Array(obj.nParams);
  x0.set(theta0);
  if (which === 'newtonCG') {
    const work = countWork(obj, n);
    result = newtonCG(work.objective, x0, { maxIter: budget.iterations, cgMaxIter: 10, onIteration: monitor(work, (x) => valAcc(x), stop) });
    return raceOf('Newton-CG (block GN)', 'iterations', result.history.map(historyPoint));
  }
  const work = countWork(obj, n, true);
  result = adam(work.objective, x0, {
    lr: CFG.lr, batchSize: CFG.batchSize, maxEpochs: budget.epochs, seed: `${CFG.seed}-adam`, monitorGradient: false,
    onEpoch: monitor(work, (x) => valAcc(x), stop),
  });
  return raceOf('ADAM', 'epochs', result.history.map(historyPoint));
}

/** The same network in TF.js, weights initialised from numdl's θ₀ and W₀ = 0. */
class TfResNet {
  readonly vars: Variable[];
  private readonly open: { K: Variable; b: Variable };
  private readonly layers: { K: Variable; b: Variable }[];
  private readonly W: Variable;
  private readonly bW: Variable;
  private readonly h: number;

  constructor(private readonly tf: Tf, theta0: Float64Array, nc: number) {
    const m = CFG.width;
    this.h = CFG.T / CFG.steps;
    // numdl's K (nOut × nIn, column-major) is, read row-major, Kᵀ (nIn × nOut): Y Kᵀ in the row-per-example layout.
    let o = 0;
    const take = (len: number) => Float32Array.from(theta0.subarray(o, (o += len)));
    this.open = { K: tf.variable(tf.tensor2d(take(2 * m), [2, m])), b: tf.variable(tf.tensor1d(take(m))) };
    this.layers = [];
    for (let j = 0; j < CFG.steps; j++) this.layers.push({ K: tf.variable(tf.tensor2d(take(m * m), [m, m])), b: tf.variable(tf.tensor1d(take(m))) });
    if (o !== theta0.length) throw new Error(`peaks bench: θ₀ has length ${theta0.length}, the TF.js network used ${o}`);
    this.W = tf.variable(tf.zeros([m, nc]));
    this.bW = tf.variable(tf.zeros([nc]));
    this.vars = [this.open.K, this.open.b, ...this.layers.flatMap((l) => [l.K, l.b]), this.W, this.bW];
  }

  /** Scores, n × nc. */
  logits(X: Tensor2D): Tensor2D {
    const tf = this.tf;
    let Y = tf.tanh(tf.add(tf.matMul(X, this.open.K), this.open.b)) as Tensor2D;
    for (const l of this.layers) Y = tf.add(Y, tf.mul(this.h, tf.tanh(tf.add(tf.matMul(Y, l.K), l.b)))) as Tensor2D;
    return tf.add(tf.matMul(Y, this.W), this.bW) as Tensor2D;
  }

  /** Mean cross-entropy plus (λ/2)‖all weights‖². */
  loss(X: Tensor2D, C: Tensor2D): Tensor {
    const tf = this.tf;
    const ce = tf.losses.softmaxCrossEntropy(C, this.logits(X));
    const reg = tf.addN(this.vars.map((v) => tf.sum(tf.square(v))));
    return tf.add(ce, tf.mul(CFG.lambda / 2, reg));
  }

  accuracy(X: Tensor2D, labels: Int32Array): number {
    const tf = this.tf;
    const pred = tf.tidy(() => tf.argMax(this.logits(X), 1).dataSync());
    return labelAccuracy(pred as Int32Array, labels);
  }

  dispose(): void {
    this.vars.forEach((v) => v.dispose());
  }
}

/** TF.js training state on one backend: data tensors, model, optimizer and a seeded shuffle. */
function tfSetup(tf: Tf, data: PeaksSplit, theta0: Float64Array) {
  const { train, val } = data;
  const n = train.Y.shape[1], nc = train.C.shape[0];
  // Column-major 2 × n (and nc × n) data read row-major are n × 2 (n × nc): one example per row.
  const X = tf.tensor2d(Float32Array.from(train.Y.data), [n, 2]);
  const C = tf.tensor2d(Float32Array.from(train.C.data), [n, nc]);
  const Xv = tf.tensor2d(Float32Array.from(val.Y.data), [val.Y.shape[1], 2]);
  const net = new TfResNet(tf, theta0, nc);
  const opt = tf.train.adam(CFG.lr, 0.9, 0.999, 1e-8);
  const rng = createRng(`${CFG.seed}-tfjs`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const epoch = () => {
    rng.shuffle(order);
    for (let s = 0; s < n; s += CFG.batchSize) {
      const idx = tf.tensor1d(order.subarray(s, Math.min(n, s + CFG.batchSize)), 'int32');
      tf.tidy(() => {
        const xb = tf.gather(X, idx) as Tensor2D, cb = tf.gather(C, idx) as Tensor2D;
        opt.minimize(() => net.loss(xb, cb) as import('@tensorflow/tfjs').Scalar, false, net.vars);
      });
      idx.dispose();
    }
    // Synchronise (cpu and wasm run eagerly; this only reads one number).
    return net.vars[net.vars.length - 1].dataSync()[0];
  };
  const dispose = () => {
    [X, C, Xv].forEach((t) => t.dispose());
    net.dispose();
    opt.dispose();
  };
  return { epoch, valAcc: () => net.accuracy(Xv, val.labels), dispose };
}

/** TF.js ADAM race on `backend`: epochs until the target, the epoch budget or `maxSeconds` of CPU time. */
async function tfRace(tf: Tf, backend: string, data: PeaksSplit, theta0: Float64Array, epochs: number, maxSeconds: number): Promise<Race> {
  await useBackend(tf, backend);
  const s = tfSetup(tf, data, theta0);
  let time = 0, cpu = 0, best = s.valAcc(), last = best, e = 0, reached = false;
  // The cap is on CPU time, so how far TF.js gets does not depend on the load of the (shared) machine.
  while (e < epochs && cpu < maxSeconds) {
    const t0 = performance.now(), c0 = cpuNow();
    s.epoch();
    time += (performance.now() - t0) / 1000;
    cpu += cpuNow() - c0;
    e++;
    last = s.valAcc();
    best = Math.max(best, last);
    if (last >= CFG.target) {
      reached = true;
      break;
    }
  }
  s.dispose();
  return { trainer: 'ADAM', backend: `tfjs-${backend} f32`, reached, steps: e, unit: 'epochs', time, cpu, best, last };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/**
 * Run the Peaks benchmark.
 * @param opts `quick`: smaller budgets (Newton-CG 30 iterations, VarPro 20, ADAM 40 epochs), one round, fewer epoch samples
 * @returns the `peaks` section: the race to 95 % and the time per ADAM epoch, with TF.js/numdl ratios
 */
/**
 * The area, like for like: TF.js runs on one thread in Node, so numdl's
 * WebAssembly kernels run on one thread too (`setWasmThreads(1)`) while it is
 * timed; the previous thread count is restored afterwards.
 */
export function run(opts: { quick: boolean }): Promise<BenchSection> {
  return withWasmThreads(1, () => runOneThread(opts));
}

async function runOneThread(opts: { quick: boolean }): Promise<BenchSection> {
  const quick = opts.quick;
  const budget = quick ? { iterations: 30, varpro: 20, epochs: 40, seconds: 20 } : { iterations: 50, varpro: 40, epochs: 150, seconds: 75 };
  const rounds = 1;
  const data = peaksSplit(CFG.nTrain, CFG.nVal, CFG.seed);
  const model = resnetPeaksModel({ width: CFG.width, steps: CFG.steps, T: CFG.T });
  const theta0 = model.initialize(createRng(CFG.seed).fork('init'));
  const peer = await loadTf();
  const tf = peer?.tf;
  const backends = peer?.backends ?? [];
  const notes: string[] = [];

  // 1. Races (rounds > 1 would interleave repeated runs and take the median time; one round keeps the full
  //    bench within a few minutes, since a TF.js epoch of this network takes about a second).
  const names: string[] = ['newtonCG', 'varpro', 'adam', ...backends.map((b) => `tfjs-${b}`)];
  const all: Record<string, Race[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const k of names) {
      const race = k.startsWith('tfjs-')
        ? await tfRace(tf as Tf, k.slice(5), data, theta0, budget.epochs, budget.seconds)
        : numdlRace(k as 'newtonCG' | 'varpro' | 'adam', data, theta0, budget);
      all[k].push(race);
      console.log(`  round ${r + 1}: ${race.trainer} [${race.backend}] ${race.reached ? 'reached' : 'did not reach'} ${100 * CFG.target} % after ${race.steps} ${race.unit}, ${fmt(race.time, 3)} s (cpu ${fmt(race.cpu, 3)} s), best ${(100 * race.best).toFixed(2)} %`);
    }
  }
  const races = names.map((k) => ({ ...all[k][0], time: median(all[k].map((x) => x.time)), cpu: median(all[k].map((x) => x.cpu)) }));
  const tfRaces = races.filter((x) => x.backend.startsWith('tfjs'));
  // Peer CPU time / our CPU time to the target (both single-threaded; wall time swings with the load of the
  // shared machine, CPU time much less); a lower bound ("> r×") when only the peer ran out of budget.
  const ratio = (peerRace: Race, mine: Race) => {
    if (!mine.reached) return 'n/a';
    return `${peerRace.reached ? '' : '> '}${(peerRace.cpu / mine.cpu).toFixed(peerRace.reached ? 2 : 1)}×`;
  };
  // ADAM against TF.js ADAM is the like-for-like comparison (same method, two libraries); Newton-CG and VarPro
  // against TF.js ADAM compare method + library.
  const comparison = (x: Race) => (x.backend.startsWith('tfjs') ? 'peer' : x.trainer === 'ADAM' ? 'like for like' : 'method + library');
  const raceRows = races.map((x) => [
    x.trainer, x.backend, comparison(x), x.reached ? 'yes' : 'no', `${x.steps} ${x.unit}`, fmt(x.time, 3), fmt(x.cpu, 3), `${(100 * x.best).toFixed(2)} %`,
    ...tfRaces.map((t) => (x.backend.startsWith('tfjs') ? '–' : ratio(t, x))),
  ]);

  // 2. Time per ADAM epoch, interleaved samples.
  const timing: TimingOptions = quick ? { warmupMs: 200, minSampleMs: 100, samples: 5, maxMs: 5_000 } : { warmupMs: 500, minSampleMs: 300, samples: 9, maxMs: 20_000 };
  const obj = classificationObjective(model, data.train.Y, data.train.C, { regularization: { theta: CFG.lambda, W: CFG.lambda } });
  const x0 = new Float64Array(obj.nParams);
  x0.set(theta0);
  let xEpoch: Float64Array = x0;
  let epochSeed = 0;
  const params = { n: CFG.nTrain, batch: CFG.batchSize, width: CFG.width, steps: CFG.steps };
  const cases: BenchCase[] = [{
    name: 'numdl ADAM epoch', params: { ...params, dtype: 'float64' },
    fn: () => {
      const r = adam(obj, xEpoch, { lr: CFG.lr, batchSize: CFG.batchSize, maxEpochs: 1, seed: epochSeed++, monitor: 1, monitorGradient: false });
      xEpoch = r.x;
      return r.x;
    },
  }];
  const setups: { dispose(): void }[] = [];
  for (const b of backends) {
    await useBackend(tf as Tf, b);
    const s = tfSetup(tf as Tf, data, theta0);
    setups.push(s);
    cases.push({ name: 'tfjs ADAM epoch', params: { ...params, dtype: 'float32', backend: b }, fn: s.epoch, setup: () => useBackend(tf as Tf, b) });
  }
  const t = await timeCases(cases, timing);
  setups.forEach((s) => s.dispose());
  const epochRows = t.map((c, i) => [
    i === 0 ? 'numdl f64' : `tfjs-${c.params.backend} f32`, fmt(1000 * c.median, 3), fmt(1000 * c.min, 3),
    i === 0 ? '–' : `${speedup(t[0], c).toFixed(2)}×`,
  ]);

  // 3. The lecture's run: 50 Newton-CG iterations (CG ≤ 10), no monitoring, on both kernel families.
  // (Quick runs skip the TypeScript kernels' 6–8 s run.)
  const lectureRows = newtonRunRows(obj, x0, quick ? 1 : 3, quick);

  notes.push(`Same data (${CFG.nTrain} training / ${CFG.nVal} validation Peaks points, seed ${CFG.seed}), same network (${model.nParams} weights + W 5×9), same initial weights (numdl's θ₀, W₀ = 0), λ = ${CFG.lambda}; ADAM lr ${CFG.lr}, batches of ${CFG.batchSize}. Newton-CG and VarPro as in the flagship (CG ≤ 10 per step; VarPro λ_W = 1e-3, W(θ) by Newton to 1e-6).`);
  notes.push(`Budgets: Newton-CG ${budget.iterations} iterations, VarPro ${budget.varpro}, ADAM ${budget.epochs} epochs (TF.js also at most ${budget.seconds} s of CPU time). Times are training wall time until the first iteration/epoch with validation accuracy ≥ ${100 * CFG.target} % (validation time excluded), one run each (the step counts are deterministic; the per-epoch table below is the interleaved timing); CPU time alongside because the machine is shared.`);
  notes.push('Ratio columns: TF.js backend CPU time to 95 % / this trainer\'s CPU time to 95 % (above 1: this trainer is faster; CPU rather than wall time because both sides are single-threaded and the wall time of a minute-long TF.js run swings with the load of the shared machine); "> r×" when the TF.js backend did not reach 95 % within its budget (its whole training time over ours: a lower bound); n/a when this trainer did not reach 95 %.');
  notes.push('The TF.js loss includes the same (λ/2)‖·‖² as numdl\'s objective: 3 small ops per weight tensor (36 tensors), about a quarter of a TF.js epoch here; without it TF.js epochs measured 25–30 % faster on both backends, so the per-epoch ratios would be about 25 % lower. TF.js\'s time is dominated by per-op overhead (≈ 400 ops of 8-wide tensors per mini-batch step), not arithmetic.');
  notes.push('Precision and threads: numdl float64 on 1 thread (setWasmThreads(1) for this area), TF.js float32 on 1 thread (its Node default); CPU times are process CPU time (user + system). Like for like is ADAM against TF.js ADAM; Newton-CG and VarPro against TF.js ADAM compare method + library. ' + (peer ? describe(peer) : 'TF.js not installed: peer columns missing.'));
  notes.push(...(peer?.notes ?? []));
  return {
    title: `peaks: ResNet on Peaks (the flagship) — time to ${100 * CFG.target} % validation accuracy and per ADAM epoch, numdl vs TF.js`,
    tables: [
      {
        caption: `Race to ${100 * CFG.target} % validation accuracy (opening 2 → 8, 16 residual steps, T = 4)`,
        columns: ['trainer', 'backend', 'vs TF.js ADAM', `reached ${100 * CFG.target} %`, 'until', 'wall [s]', 'cpu [s]', 'best val acc', ...tfRaces.map((r) => `${r.backend.split(' ')[0]}/this (cpu)`)],
        align: ['l', 'l', 'l', 'r', 'r', 'r', 'r', ...tfRaces.map(() => 'r' as const)],
        rows: raceRows,
      },
      {
        caption: `Time per ADAM epoch (${CFG.nTrain} points, batches of ${CFG.batchSize}: forward, backward, update)`,
        columns: ['implementation', 'median ms', 'min ms', 'peer/numdl'],
        rows: epochRows,
      },
      {
        caption: `The lecture's run: 50 Newton-CG iterations (CG ≤ 10, block Gauss-Newton), no monitoring — the lecture's own code needs about 9 s on this machine (issue 7); target under 1 s`,
        columns: ['kernels', 'rounds', 'min wall [s]', 'median wall [s]', 'min cpu [s]', 'final objective', 'js/wasm (min wall)'],
        rows: lectureRows,
      },
    ],
    notes,
  };
}

/**
 * Time `rounds` runs of 50 Newton-CG iterations on each kernel family,
 * interleaved (wasm, js, wasm, js, …), and return the table rows
 * (`wasmOnly`: the WebAssembly kernels only).
 */
function newtonRunRows(obj: ReturnType<typeof classificationObjective>, x0: Float64Array, rounds: number, wasmOnly = false): string[][] {
  const kinds: KernelBackend[] = wasmAvailable() ? (wasmOnly ? ['wasm'] : ['wasm', 'js']) : ['js'];
  const runs: Record<string, { wall: number; cpu: number; value: number }[]> = { wasm: [], js: [] };
  const old = getKernelBackend();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const k of kinds) {
        setKernelBackend(k);
        const t0 = performance.now(), c0 = process.cpuUsage();
        const res = newtonCG(obj, x0, { maxIter: 50, cgMaxIter: 10 });
        const c = process.cpuUsage(c0);
        runs[k].push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, value: res.value });
        console.log(`  50 Newton-CG iterations [${k}]: ${fmt(runs[k][r].wall, 3)} s (cpu ${fmt(runs[k][r].cpu, 3)} s), objective ${res.value.toPrecision(6)}`);
      }
    }
  } finally {
    setKernelBackend(old);
  }
  const minWall = (k: string) => Math.min(...runs[k].map((x) => x.wall));
  return kinds.map((k) => [
    k, String(rounds), fmt(minWall(k), 3), fmt(median(runs[k].map((x) => x.wall)), 3), fmt(Math.min(...runs[k].map((x) => x.cpu)), 3),
    runs[k][0].value.toPrecision(6), k === 'wasm' && kinds.length > 1 ? `${(minWall('js') / minWall('wasm')).toFixed(2)}×` : '–',
  ]);
}

/** Markdown of the section (the default renderer). */
export function formatSection(s: BenchSection): string {
  return renderSection(s);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(`\n${renderSection(s)}`));
}
