/**
 * Where the optimizer loops of the flagship spend their time (docs/engine.md,
 * "The optimizer loops"): a measurement script, not a test. One process, one
 * thread, float64, CPU time of this process.
 *
 * (1) 50 Newton-CG iterations (CG ≤ 10, tol 1e-2) from the demo's start,
 *     with the objective wrapped by a timer: how many evaluations (the first,
 *     the line-search trials), Hessian mat-vecs (and how many CG solves
 *     stopped as converged), the CPU time inside `evaluate` and inside the
 *     mat-vecs, and the rest (pcg, line search, history, wrappers, checks).
 * (1b) The same run with the objective replayed (its recorded evaluations and
 *     mat-vecs returned in order): the optimizer's own time (pcg, line search,
 *     history, wrappers, checks, copies).
 * (2) 31 mini-batches of 32 against one evaluation on all columns (the
 *     per-batch cost beyond the columns' arithmetic), and one ADAM epoch at batch 32 (32 steps), as `bench/flagship.bench.ts`
 *     times it, split into the objective calls and the rest; and `adam` the
 *     optimizer itself for one epoch with its monitor evaluation.
 *
 * Every case is timed round-robin (one sample of each per round); medians.
 *
 *   npx tsx bench/flagship-loops.ts [--rounds 7]
 */
import { createRng } from '../src/core/rng.js';
import { setWasmThreads } from '../src/core/wasm/threads.js';
import { kernelInfoLine } from '../src/core/wasm/info.js';
import { classificationObjective } from '../src/objectives/index.js';
import type { Evaluation, EvaluateOptions, Objective } from '../src/objectives/types.js';
import { adam, newtonCG } from '../src/optimizers/index.js';
import { peaksSplit, resnetPeaksModel } from '../examples/resnet-peaks.js';
import { consume } from './harness.js';

const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1] || 7);
setWasmThreads(1);
const data = peaksSplit(1000, 2000, 1);
const model = resnetPeaksModel({});
const obj = classificationObjective(model, data.train.Y, data.train.C, { regularization: { theta: 1e-5, W: 1e-5 }, engine: 'plan', threads: 1 });
const x0 = new Float64Array(obj.nParams);
x0.set(model.initialize(createRng(1).fork('init')));

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** `objective` with the CPU time spent inside evaluate and inside the Hessian mat-vecs added up. */
function timed(objective: Objective) {
  const t = { evals: 0, evalMs: 0, matvecs: 0, matvecMs: 0, batchEvals: 0 };
  const o: Objective = {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation {
      const t0 = cpu();
      const ev = objective.evaluate(x, batch, opts);
      t.evalMs += cpu() - t0;
      t.evals++;
      if (batch) t.batchEvals++;
      const h = ev.hessian;
      if (!h) return ev;
      return {
        ...ev,
        hessian: (v: Float64Array) => {
          const t1 = cpu();
          const r = h(v);
          t.matvecMs += cpu() - t1;
          t.matvecs++;
          return r;
        },
      };
    },
  };
  return { o, t };
}

/**
 * The objective of one Newton-CG run replayed: every evaluation and mat-vec of a recorded run returned in the
 * same order (a new array per mat-vec, as the objective gives), so a replayed run times the optimizer alone.
 */
function replayed(objective: Objective, run: (o: Objective) => void): () => Objective {
  const evs: Evaluation[] = [];
  const hvs: Float64Array[] = [];
  run({
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x, batch, opts) {
      const ev = objective.evaluate(x, batch, opts);
      const h = ev.hessian!;
      const rec = { value: ev.value, gradient: ev.gradient.slice(), info: ev.info };
      evs.push(rec);
      return { ...ev, hessian: (v: Float64Array) => {
        const r = h(v);
        hvs.push(r.slice());
        return r;
      } };
    },
  });
  return () => {
    let e = 0, m = 0;
    const hessian = (_v: Float64Array) => hvs[m++].slice();
    return {
      nParams: objective.nParams,
      nData: objective.nData,
      evaluate() {
        const r = evs[e++];
        return { value: r.value, gradient: r.gradient.slice(), hessian, info: r.info };
      },
    };
  };
}
const replay = replayed(obj, (o) => newtonCG(o, x0, { maxIter: 50, cgMaxIter: 10 }));

interface Row { total: number; evals: number; evalMs: number; matvecs: number; matvecMs: number; extra: string }
const rows = new Map<string, Row[]>();
const push = (k: string, r: Row) => (rows.get(k) ?? rows.set(k, []).get(k)!).push(r);

const cases: [string, () => void][] = [
  ['newtonCG 50 iterations', () => {
    const { o, t } = timed(obj);
    const t0 = cpu();
    const r = newtonCG(o, x0, { maxIter: 50, cgMaxIter: 10 });
    const total = cpu() - t0;
    const conv = r.history.filter((h) => h.cgFlag === 'converged').length;
    const ls = r.history.reduce((s, h) => s + (h.lsIter as number), 0);
    const cg = r.history.reduce((s, h) => s + (h.cgIter as number), 0);
    push('newtonCG 50 iterations', { total, ...t, extra: `CG steps ${cg}, CG converged ${conv} of ${r.iterations}, line-search trials ${ls}, final value ${r.value}` });
  }],
  ['newtonCG 50 iterations, objective replayed (the optimizer alone)', () => {
    const o = replay();
    const t0 = cpu();
    const r = newtonCG(o, x0, { maxIter: 50, cgMaxIter: 10 });
    push('newtonCG 50 iterations, objective replayed (the optimizer alone)', { total: cpu() - t0, evals: r.evals, evalMs: 0, matvecs: r.matvecs, matvecMs: 0, extra: `final value ${r.value} (the replayed run's, not timed inside)` });
  }],
  ...([['ADAM epoch (bench loop), evaluate(x, batch)', undefined], ['ADAM epoch (bench loop), evaluate(x, batch, { gradientOut, hessian: false })', { gradientOut: new Float64Array(obj.nParams), hessian: false }]] as const).map(([key, evOpts]): [string, () => void] => [key, () => {
    const { o, t } = timed(obj);
    const x = x0.slice(), m1 = new Float64Array(x.length), m2 = new Float64Array(x.length);
    const order = createRng(3).randperm(1000);
    const t0 = cpu();
    for (let b = 0; b * 32 < 1000; b++) {
      const ev = o.evaluate(x, order.subarray(b * 32, Math.min(1000, (b + 1) * 32)), evOpts);
      const g = ev.gradient;
      const c1 = 1 - 0.9 ** (b + 1), c2 = 1 - 0.999 ** (b + 1);
      for (let i = 0; i < x.length; i++) {
        m1[i] = 0.9 * m1[i] + 0.1 * g[i];
        m2[i] = 0.999 * m2[i] + 0.001 * g[i] * g[i];
        x[i] -= (0.02 * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
      }
    }
    push(key, { total: cpu() - t0, ...t, extra: `${t.evals} evaluations, x[0] after the epoch ${x[0]}` });
  }]),
  ...([['31 batches of 32 (992 columns), as adam evaluates them', true], ['one evaluation on all 1000 columns', false]] as const).map(([key, batched]): [string, () => void] => [key, () => {
    // The objective itself (no timing wrapper: its clock reads would add to the 31 calls).
    const order = createRng(3).randperm(1000), stepOpts = { gradientOut: new Float64Array(obj.nParams), hessian: false };
    const t0 = cpu();
    if (batched) for (let b = 0; b < 31; b++) obj.evaluate(x0, order.subarray(b * 32, b * 32 + 32), stepOpts);
    else obj.evaluate(x0, null, stepOpts);
    const total = cpu() - t0;
    push(key, { total, evals: batched ? 31 : 1, evalMs: total, matvecs: 0, matvecMs: 0, extra: '' });
  }]),
  ['adam() one epoch (+ 2 monitor evaluations)', () => {
    const { o, t } = timed(obj);
    const t0 = cpu();
    const r = adam(o, x0, { lr: 0.02, batchSize: 32, maxEpochs: 1, seed: 3 });
    push('adam() one epoch (+ 2 monitor evaluations)', { total: cpu() - t0, ...t, extra: `${t.batchEvals} batch evaluations, final value ${r.value}` });
  }],
];
// Warm-up: the cheap cases several times (their loops are then optimized before they are timed).
for (const [k, f] of cases) for (let q = 0; q < (k.startsWith('newton') ? 1 : 10); q++) f();
rows.clear();
for (let r = 0; r < ROUNDS; r++) for (const [k, f] of cases) for (let q = 0; q < (k.startsWith('newton') ? 1 : 5); q++) consume(f());
const med = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
console.log(`flagship loops: n = 1000, one thread, f64, ${ROUNDS} rounds, ${kernelInfoLine()}`);
console.log('| loop | CPU ms total | evaluations | in evaluate ms | mat-vecs | in mat-vecs ms | rest ms | per evaluation µs | per mat-vec µs | |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const [k, rs] of rows) {
  const total = med(rs.map((r) => r.total)), ev = med(rs.map((r) => r.evalMs)), mv = med(rs.map((r) => r.matvecMs));
  const r0 = rs[0];
  console.log(`| ${k} | ${total.toFixed(1)} | ${r0.evals} | ${ev.toFixed(1)} | ${r0.matvecs} | ${mv.toFixed(1)} | ${med(rs.map((r) => r.total - r.evalMs - r.matvecMs)).toFixed(2)} | ${((1000 * ev) / r0.evals).toFixed(0)} | ${r0.matvecs ? ((1000 * mv) / r0.matvecs).toFixed(0) : '–'} | ${r0.extra} |`);
}
obj.dispose();
