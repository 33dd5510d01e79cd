/**
 * Where the flagship's time goes (docs/engine.md, "Where the time goes"): a
 * measurement script, not a test. One process, one thread, float64; every
 * case is timed round-robin (one sample of each per round) in CPU time of
 * this process, and the median per call is printed.
 *
 * For `evaluate` (value + gradient, n = 1000) and one Gauss-Newton mat-vec:
 * (a) the objective call, (b) the kernel call alone on a prepared workspace,
 * (c) forward only (and forward + loss), (d) the same kernel with tanh
 * replaced by the identity / with the division replaced by a multiplication
 * (variant builds on the same memory, bench/kernelVariants.ts), (e) the
 * JavaScript around the kernel (parameters in, partial sums out, the rest).
 *
 *   npx tsx bench/flagship-breakdown.ts [--rounds 15] [--block 128] [--n 1000] [--f32] [--variant name=gitrev ...] [--compare]
 *
 * `--compare`: only the kernel rows of the loaded kernel and the variants.
 *
 * `--variant name=rev` adds the kernel of a git revision (e.g. before=HEAD~1;
 * `name=` alone: the working copy of assembly/network.ts) to the kernel rows,
 * for before/after ratios in one process; its value, gradient and mat-vec are
 * compared with the loaded kernel's first.
 */
import { createRng } from '../src/core/rng.js';
import { setWasmThreads } from '../src/core/wasm/threads.js';
import { wasmExports } from '../src/core/wasm/module.js';
import { kernelInfoLine } from '../src/core/wasm/info.js';
import { classificationObjective } from '../src/objectives/index.js';
import { newtonCG } from '../src/optimizers/index.js';
import { compileNetwork } from '../src/engine/plan.js';
import { NetworkWorkspace, PASS } from '../src/engine/workspace.js';
import { columnMajorData } from '../src/core/matrix.js';
import { peaksSplit, resnetPeaksModel } from '../examples/resnet-peaks.js';
import { consume, sink } from './harness.js';
import { compileVariant, edit, networkSource, type NetKernel } from './kernelVariants.js';

const argv = process.argv.slice(2);
const arg = (k: string, d: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const ROUNDS = Number(arg('--rounds', '15'));
const BLOCK = Number(arg('--block', '128'));
const PRECISION = argv.includes('--f32') ? 'float32' : 'float64';
const variantArgs: [string, string][] = [];
argv.forEach((a, i) => {
  if (a === '--variant') {
    const [k, v] = argv[i + 1].split('=');
    variantArgs.push([k, v]);
  }
});

setWasmThreads(1);
const data = peaksSplit(Number(arg('--n', '1000')), 2000, 1);
const n = data.train.Y.shape[1];
const model = resnetPeaksModel({});
const reg = { theta: 1e-5, W: 1e-5 };
const obj = classificationObjective(model, data.train.Y, data.train.C, { regularization: reg, engine: 'plan', threads: 1, blockColumns: BLOCK, precision: PRECISION });
const x0 = new Float64Array(obj.nParams);
x0.set(model.initialize(createRng(1).fork('init')));
const x = n >= 100 ? newtonCG(obj, x0, { maxIter: 3, cgMaxIter: 10 }).x : x0;
const v = createRng(2).normalArray(x.length);
// The mat-vec on an objective of its own: the evaluate cases would otherwise make it recompute its states.
const objGN = classificationObjective(model, data.train.Y, data.train.C, { regularization: reg, engine: 'plan', threads: 1, blockColumns: BLOCK, precision: PRECISION });
const hv = objGN.evaluate(x).hessian!;

// A workspace of our own with the same data and parameters: the kernel alone.
const plan = compileNetwork(model);
const nTheta = model.nParams, nc = data.train.C.shape[0];
const ws = new NetworkWorkspace(plan, { columns: n, classes: nc, bias: true, blockColumns: BLOCK, precision: PRECISION });
ws.setData(columnMajorData(data.train.Y), columnMajorData(data.train.C));
ws.setParams(x.subarray(0, nTheta), x.subarray(nTheta));
ws.setDirection(v.subarray(0, nTheta), v.subarray(nTheta));
const base = (ws as unknown as { base: number }).base;
const blocks = Math.ceil(n / BLOCK);
const grad = new Float64Array(obj.nParams);
const FG_MODE = PASS.forward | PASS.loss | PASS.gradient;

const ex = wasmExports('breakdown') as unknown as NetKernel;
/** A pass of kernel K in the workspace's precision. */
const run = (K: NetKernel, desc: number, mode: number, c0: number, count: number) => (PRECISION === 'float32' ? K.netChunks32(desc, mode, c0, count) : K.netChunks(desc, mode, c0, count));
const src = networkSource();
const kernels: [string, NetKernel][] = [['kernel', ex]];
for (const [k, rev] of variantArgs) kernels.push([k, await compileVariant(k, networkSource(rev || undefined))]);
// Each variant's value, gradient and Gauss-Newton mat-vec against the loaded kernel's (largest difference relative to the largest entry).
{
  const outs = kernels.map(([, K]) => {
    run(K, base, FG_MODE, 0, blocks);
    const g = new Float64Array(obj.nParams);
    const { value } = ws.reduce(g, g, 0, nTheta);
    run(K, base, PASS.gaussNewton, 0, blocks);
    const h = new Float64Array(obj.nParams);
    ws.reduce(h, h, 0, nTheta);
    return { value, g, h };
  });
  const rel = (a: Float64Array, b: Float64Array) => {
    let d = 0, s = 0;
    for (let i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
      s = Math.max(s, Math.abs(b[i]));
    }
    return d / s;
  };
  kernels.forEach(([k], i) => {
    if (i > 0) console.log(`${k} vs kernel: value ${outs[i].value} / ${outs[0].value}, gradient ${rel(outs[i].g, outs[0].g).toExponential(2)}, GN ${rel(outs[i].h, outs[0].h).toExponential(2)} (relative to the largest entry)`);
  });
}
// Activation priced: tanh → identity (σ' = 1), and the division → a multiplication.
const COMPARE = argv.includes('--compare');
const TANH = '@inline function tanhVec(x: v128, d: usize): v128 {';
const identity = COMPARE ? ex : await compileVariant('identity', edit(src, TANH, `${TANH}\n  if (d != 0) { v128.store(d, f64x2.splat(1.0)); return x; }`));
const nodiv = COMPARE ? ex : await compileVariant('nodiv', edit(src, 'const iq = f64x2.div(one, f64x2.add(e, two));', 'const iq = f64x2.mul(one, f64x2.add(e, two));'));

const FG = PASS.forward | PASS.loss | PASS.gradient;
const cases: { key: string; fn: () => unknown; reps: number }[] = COMPARE ? [] : [
  { key: 'evaluate: objective.evaluate(x)', fn: () => obj.evaluate(x).gradient, reps: 20 },
  { key: 'evaluate: objective.evaluate(x, valueOnly)', fn: () => obj.evaluate(x, null, { valueOnly: true }).value, reps: 20 },
  { key: 'GN: hessian(v)', fn: () => hv(v), reps: 20 },
  { key: 'JS: setParams', fn: () => ws.setParams(x.subarray(0, nTheta), x.subarray(nTheta)), reps: 200 },
  { key: 'JS: reduce (gradient)', fn: () => ws.reduce(grad, grad, 0, nTheta), reps: 200 },
  { key: 'JS: setDirection', fn: () => ws.setDirection(v.subarray(0, nTheta), v.subarray(nTheta)), reps: 200 },
  { key: 'JS: x.slice + new Float64Array(nParams)', fn: () => x.slice().length + new Float64Array(obj.nParams).length, reps: 200 },
];
for (const [k, K] of [...kernels, ...(COMPARE ? [] : [['identity tanh', identity] as [string, NetKernel], ['tanh without division', nodiv] as [string, NetKernel]])]) {
  const main = k === 'kernel' || !['identity tanh', 'tanh without division'].includes(k);
  cases.push(
    { key: `${k}: forward`, fn: () => run(K, base, PASS.forward, 0, blocks), reps: 20 },
    { key: `${k}: forward + loss`, fn: () => run(K, base, PASS.forward | PASS.loss, 0, blocks), reps: 20 },
    { key: `${k}: forward + loss + gradient`, fn: () => run(K, base, FG, 0, blocks), reps: 20 },
  );
  if (main) {
    cases.push(
      { key: `${k}: jvp`, fn: () => run(K, base, PASS.jvp, 0, blocks), reps: 20 },
      { key: `${k}: Gauss-Newton`, fn: () => run(K, base, PASS.gaussNewton, 0, blocks), reps: 20 },
    );
  }
}
// The GN pass needs its evaluation's states (the forward of the cases above leaves them: same x).

const samples = new Map<string, number[]>(cases.map((c) => [c.key, []]));
for (const c of cases) for (let q = 0; q < 3; q++) consume(c.fn());
for (let r = 0; r < ROUNDS; r++) {
  for (const c of cases) {
    const u0 = process.cpuUsage();
    for (let q = 0; q < c.reps; q++) consume(c.fn());
    const u = process.cpuUsage(u0);
    samples.get(c.key)!.push((u.user + u.system) / 1000 / c.reps);
  }
}
const med = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};
console.log(`flagship breakdown: n = ${n}, block ${BLOCK}, ${PRECISION}, ${ROUNDS} rounds, ${kernelInfoLine()}`);
console.log('| case | CPU ms per call (median) |\n|---|---:|');
for (const c of cases) console.log(`| ${c.key} | ${med(samples.get(c.key)!).toFixed(4)} |`);
consume(sink());
ws.dispose();
obj.dispose();
objGN.dispose();
