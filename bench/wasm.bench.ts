/**
 * WebAssembly SIMD kernels benchmark: numdl's wasm kernels against numdl's
 * pure TypeScript kernels and TensorFlow.js (`cpu` and `wasm` backends) in one
 * process, timed interleaved (bench/harness.ts).
 *
 * 1. GEMM: `wasmGemm` (f64x2) and `wasmGemm32` (f32x4) against the raw
 *    TypeScript `gemm` / `gemm32` of src/core/matmul.ts and `tf.matMul`
 *    (float32), square n = 64 … 1024 (quick: … 512) and 64×784 · 784×2048.
 *    The numdl calls are the raw kernels writing into a preallocated C
 *    (operands copied into and out of WebAssembly memory inside the call);
 *    TF.js multiplies tensors created beforehand on its backend and reads C
 *    back with dataSync().
 * 2. conv2d, batch 256 (quick: 32) of 28×28 images, 8 → 8 channels, 3×3,
 *    zero boundary: forward, transpose (vjp in Y) and θ-gradient, wasm f64 and
 *    f32 against the TypeScript conv2d operator and TF.js (forward and
 *    conv2dTranspose; TF.js filter gradients are in the conv2d area).
 * 3. Activation passes (value and derivative, 64·1000 entries): wasm against
 *    the TypeScript kernels of src/layers/activations.
 *
 *   npx tsx bench/wasm.bench.ts [--quick]     (prints only; bench/run.ts writes RESULTS.md)
 */
import { createRng, matrix } from '../src/core/index.js';
import { gemm, gemm32, wasmGemm, wasmGemm32, wasmConv2d, wasmConv2dTranspose, wasmConv2dGradTheta, wasmTanh, wasmRelu, wasmSin } from '../src/internals.js';
import { conv2d } from '../src/operators/conv2d.js';
import { tanh, relu, sin } from '../src/layers/activations/index.js';
import {
  wasmAvailable, wasmUnavailableReason, releaseWasmMemory, setWasmThreads, getWasmThreads, startWasmThreads, wasmThreadsReady,
  setKernelBackend, getKernelBackend,
} from '../src/core/wasm/index.js';
import { consume, effectiveCores, fmt, renderSection, speedup, timeCases, type BenchCase, type BenchSection, type BenchTable, type Timing, type TimingOptions } from './harness.js';
import { describe, loadTf, useBackend, type TfPeer } from './tfjs.js';

type Tensor = { dataSync(): ArrayLike<number>; dispose(): void };

function randomArray(len: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.normal();
  return x;
}

/** Row-major float32 copy of a column-major rows×cols array (TF.js's layout). */
function rowMajor32(a: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out[i * cols + j] = a[i + j * rows];
  return out;
}

function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1e-300);
}

const ratio = (a?: Timing, b?: Timing): string => (a && b ? `${speedup(a, b).toFixed(2)}×` : 'n/a');

/** Threads the multi-threaded cases use (the machine's default; 1 means no such cases). */
let T = 1;
const one = () => setWasmThreads(1);
const many = () => setWasmThreads(T);
/** The TypeScript cases run with the 'js' kernel backend, in case numdl's dispatch routes them to WebAssembly. */
const js = () => setKernelBackend('js');

/** Start the worker threads and wait until they are ready (so no sample times their boot). */
async function readyThreads(): Promise<void> {
  T = getWasmThreads();
  if (T < 2) return;
  startWasmThreads();
  for (let i = 0; i < 400 && wasmThreadsReady() < T - 1; i++) await new Promise((r) => setTimeout(r, 25));
}

/** GEMM section: GFLOP/s table and the ratios the performance issue asks for. */
async function gemmTable(peer: TfPeer | null, quick: boolean, timing: TimingOptions, checks: string[]): Promise<BenchTable> {
  const tf = peer?.tf;
  const square = quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024];
  const shapes: [number, number, number][] = [...square.map((n): [number, number, number] => [n, n, n]), [64, 784, 2048]];
  const rows: (string | number)[][] = [];
  for (const [m, k, n] of shapes) {
    const a = randomArray(m * k, 1000 + m), b = randomArray(k * n, 2000 + n);
    const a32 = Float32Array.from(a), b32 = Float32Array.from(b);
    const c = new Float64Array(m * n), c32 = new Float32Array(m * n), cj = new Float64Array(m * n), cj32 = new Float32Array(m * n);
    const flops = 2 * m * n * k;
    const base = { m, k, n };
    const w64 = () => (wasmGemm(c, m, n, k, a, m, false, b, k, false, 1, 0), c);
    const w32 = () => (wasmGemm32(c32, m, n, k, a32, m, false, b32, k, false, 1, 0), c32);
    const cases: BenchCase[] = [
      { name: 'numdl wasmGemm', params: { ...base, dtype: 'float64', threads: 1 }, fn: w64, setup: one },
      { name: 'numdl wasmGemm32', params: { ...base, dtype: 'float32', threads: 1 }, fn: w32, setup: one },
      { name: 'numdl gemm (TypeScript)', params: { ...base, dtype: 'float64' }, fn: () => (gemm(cj, m, n, k, a, m, false, b, k, false, 1, 0), cj), setup: js },
      { name: 'numdl gemm32 (TypeScript)', params: { ...base, dtype: 'float32' }, fn: () => (gemm32(cj32, m, n, k, a32, m, false, b32, k, false, 1, 0), cj32), setup: js },
    ];
    if (T > 1) {
      cases.push(
        { name: 'numdl wasmGemm', params: { ...base, dtype: 'float64', threads: T }, fn: w64, setup: many },
        { name: 'numdl wasmGemm32', params: { ...base, dtype: 'float32', threads: T }, fn: w32, setup: many },
      );
    }
    // Check every path against the TypeScript double-precision product first.
    js();
    gemm(cj, m, n, k, a, m, false, b, k, false, 1, 0);
    const ref = Float64Array.from(cj);
    wasmGemm(c, m, n, k, a, m, false, b, k, false, 1, 0);
    wasmGemm32(c32, m, n, k, a32, m, false, b32, k, false, 1, 0);
    if (!(relDiff(c, ref) < 1e-13)) checks.push(`${m}×${k}·${k}×${n} wasmGemm differs by ${relDiff(c, ref).toExponential(2)}`);
    if (!(relDiff(c32, ref) < 1e-5)) checks.push(`${m}×${k}·${k}×${n} wasmGemm32 differs by ${relDiff(c32, ref).toExponential(2)}`);
    const tensors: Tensor[] = [];
    if (tf) {
      const refRow = rowMajor32(ref, m, n);
      for (const backend of peer!.backends) {
        await useBackend(tf, backend);
        const ta = tf.tensor2d(rowMajor32(a, m, k), [m, k]), tb = tf.tensor2d(rowMajor32(b, k, n), [k, n]);
        tensors.push(ta, tb);
        const prod = () => {
          const tc = tf.matMul(ta, tb);
          const d = tc.dataSync();
          tc.dispose();
          return d;
        };
        const err = relDiff(prod(), refRow);
        if (!(err < 1e-4)) checks.push(`${m}×${k}·${k}×${n} tfjs-${backend} differs by ${err.toExponential(2)}`);
        cases.push({ name: 'tfjs tf.matMul', params: { ...base, dtype: 'float32', backend }, fn: prod, setup: () => useBackend(tf, backend) });
      }
    }
    const t = await timeCases(cases, timing);
    setWasmThreads(T);
    const [s64, s32, j64, j32] = t;
    const p64 = t.find((x) => x.params.threads === T && T > 1 && x.params.dtype === 'float64');
    const p32 = t.find((x) => x.params.threads === T && T > 1 && x.params.dtype === 'float32');
    const cpu = t.find((x) => x.params.backend === 'cpu'), wasm = t.find((x) => x.params.backend === 'wasm');
    const gf = (x?: Timing) => (x ? fmt(flops / x.median / 1e9, 3) : 'n/a');
    console.log(`  ${t.map((x) => `${x.label}: ${gf(x)} GFLOP/s`).join('\n  ')}`);
    rows.push([`${m}×${k} · ${k}×${n}`, gf(s64), gf(s32), gf(p64), gf(p32), gf(j64), gf(j32), gf(cpu), gf(wasm),
      ratio(s64, j64), ratio(s32, j32), ratio(s64, cpu), ratio(s64, wasm), ratio(s32, wasm), ratio(p64, s64), ratio(p32, s32)]);
    for (const x of tensors) x.dispose();
  }
  releaseWasmMemory();
  return {
    caption: `GEMM C = A·B, GFLOP/s (higher is better) and speed ratios (> 1: the first is faster). wasm = numdl WebAssembly SIMD on 1 thread (×${T}: on ${T} threads), ts = numdl TypeScript, tf-cpu / tf-wasm = TF.js float32 (1 thread).`,
    columns: ['A · B', 'wasm f64', 'wasm f32', `wasm f64 ×${T}`, `wasm f32 ×${T}`, 'ts f64', 'ts f32', 'tf-cpu', 'tf-wasm',
      'wasm/ts f64', 'wasm/ts f32', 'wasm f64/tf-cpu', 'wasm f64/tf-wasm', 'wasm f32/tf-wasm', `×${T}/×1 f64`, `×${T}/×1 f32`],
    rows,
  };
}

/** conv2d section: forward, transpose, θ-gradient; ms per call and ratios. */
async function convTable(peer: TfPeer | null, quick: boolean, timing: TimingOptions, checks: string[]): Promise<BenchTable> {
  const tf = peer?.tf;
  const n = quick ? 32 : 256, nx = 28, ny = 28, kx = 3, ky = 3, cin = 8, cout = 8;
  const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary: 'zero' });
  const geo = { nx, ny, kx, ky, cin, cout };
  const theta = randomArray(op.nTheta, 31), y = randomArray(op.nIn * n, 32), w = randomArray(op.nOut * n, 33);
  const Y = matrix(op.nIn, n, y), Wm = matrix(op.nOut, n, w);
  const t32 = Float32Array.from(theta), y32 = Float32Array.from(y), w32 = Float32Array.from(w);
  const z = new Float64Array(op.nOut * n), z32 = new Float32Array(op.nOut * n);
  const yt = new Float64Array(op.nIn * n), yt32 = new Float32Array(op.nIn * n);
  const g = new Float64Array(op.nTheta), g32 = new Float32Array(op.nTheta);
  js();
  wasmConv2d(z, theta, y, n, geo);
  if (!(relDiff(z, op.apply(theta, Y).data) < 1e-13)) checks.push('wasmConv2d differs from the conv2d operator');
  wasmConv2dGradTheta(g, w, y, n, geo);
  if (!(relDiff(g, op.vjp(Wm, Y)) < 1e-12)) checks.push('wasmConv2dGradTheta differs from the conv2d operator');
  const params = { n, nx, ny, kx, ky, cin, cout };
  const tfFns: Record<string, { forward: () => unknown; vjpY: () => unknown; dispose: () => void }> = {};
  if (tf) {
    for (const backend of peer!.backends) {
      await useBackend(tf, backend);
      const x = tf.randomNormal([n, ny, nx, cin], 0, 1, 'float32', 1) as import('@tensorflow/tfjs').Tensor4D;
      const f = tf.randomNormal([ky, kx, cin, cout], 0, 1, 'float32', 2) as import('@tensorflow/tfjs').Tensor4D;
      const dy = tf.randomNormal([n, ny, nx, cout], 0, 1, 'float32', 3) as import('@tensorflow/tfjs').Tensor4D;
      const read = (t: Tensor) => {
        const d = t.dataSync();
        t.dispose();
        return d[0];
      };
      tfFns[backend] = {
        forward: () => read(tf.conv2d(x, f, 1, 'same')),
        vjpY: () => read(tf.conv2dTranspose(dy, f, [n, ny, nx, cin], 1, 'same')),
        dispose: () => [x, f, dy].forEach((t) => t.dispose()),
      };
    }
  }
  const rows: (string | number)[][] = [];
  const ops: [string, string, () => unknown, () => unknown, () => unknown, string | null][] = [
    ['forward K(θ)Y', 'forward', () => op.apply(theta, Y),
      () => (wasmConv2d(z, theta, y, n, geo), z), () => (wasmConv2d(z32, t32, y32, n, geo), z32), 'forward'],
    ['transpose K(θ)ᵀZ', 'vjpY', () => op.applyTranspose(theta, Wm),
      () => (wasmConv2dTranspose(yt, theta, w, n, geo), yt), () => (wasmConv2dTranspose(yt32, t32, w32, n, geo), yt32), 'vjpY'],
    ['θ-gradient J_θᵀZ', 'vjpTheta', () => op.vjp(Wm, Y),
      () => (wasmConv2dGradTheta(g, w, y, n, geo), g), () => (wasmConv2dGradTheta(g32, w32, y32, n, geo), g32), null],
  ];
  const sums: Record<string, number> = {};
  const add = (key: string, x?: Timing) => {
    sums[key] = (sums[key] ?? 0) + (x ? x.median : NaN);
  };
  for (const [title, key, ts, w64, w32f, tfKey] of ops) {
    const cases: BenchCase[] = [
      { name: `numdl wasm conv2d ${key}`, params: { ...params, dtype: 'float64', threads: 1 }, fn: w64, setup: one },
      { name: `numdl wasm conv2d ${key}`, params: { ...params, dtype: 'float32', threads: 1 }, fn: w32f, setup: one },
      { name: `numdl conv2d operator ${key}`, params: { ...params, dtype: 'float64' }, fn: ts, setup: js },
    ];
    if (T > 1) {
      cases.push(
        { name: `numdl wasm conv2d ${key}`, params: { ...params, dtype: 'float64', threads: T }, fn: w64, setup: many },
        { name: `numdl wasm conv2d ${key}`, params: { ...params, dtype: 'float32', threads: T }, fn: w32f, setup: many },
      );
    }
    if (tf && tfKey) {
      for (const backend of Object.keys(tfFns)) {
        const fn = tfFns[backend][tfKey as 'forward' | 'vjpY'];
        cases.push({ name: `tfjs ${tfKey === 'forward' ? 'tf.conv2d' : 'tf.conv2dTranspose'}`, params: { ...params, dtype: 'float32', backend }, fn, setup: () => useBackend(tf, backend) });
      }
    }
    const t = await timeCases(cases, timing);
    setWasmThreads(T);
    const [a64, a32, jt] = t;
    const p64 = t.find((x) => x.params.threads === T && T > 1 && x.params.dtype === 'float64');
    const p32 = t.find((x) => x.params.threads === T && T > 1 && x.params.dtype === 'float32');
    const cpu = t.find((x) => x.params.backend === 'cpu'), wasm = t.find((x) => x.params.backend === 'wasm');
    const ms = (x?: Timing) => (x ? fmt(x.median * 1e3, 3) : 'n/a');
    console.log(`  ${t.map((x) => `${x.label}: ${ms(x)} ms`).join('\n  ')}`);
    rows.push([title, ms(a64), ms(a32), ms(p64), ms(p32), ms(jt), ms(cpu), ms(wasm), ratio(a64, jt), ratio(a32, jt), ratio(p64, a64), ratio(a64, cpu), ratio(a64, wasm), ratio(a32, wasm)]);
    add('a64', a64); add('a32', a32); add('p64', p64); add('p32', p32); add('js', jt);
  }
  const tot = (key: string) => (Number.isFinite(sums[key]) ? fmt(sums[key] * 1e3, 3) : 'n/a');
  const rel = (a: string, b: string) => (Number.isFinite(sums[a]) && Number.isFinite(sums[b]) ? `${(sums[b] / sums[a]).toFixed(2)}×` : 'n/a');
  rows.push(['all three (sum of medians)', tot('a64'), tot('a32'), tot('p64'), tot('p32'), tot('js'), 'n/a', 'n/a', rel('a64', 'js'), rel('a32', 'js'), rel('p64', 'a64'), 'n/a', 'n/a', 'n/a']);
  for (const f of Object.values(tfFns)) f.dispose();
  releaseWasmMemory();
  return {
    caption: `conv2d, batch ${n} of ${nx}×${ny} images, ${cin} → ${cout} channels, ${kx}×${ky}, zero boundary, stride 1: ms per call (lower is better) and speed ratios. ts = numdl's TypeScript conv2d operator (float64); TF.js rows use 'same' padding (the θ-gradient of TF.js is in the conv2d area).`,
    columns: ['operation', 'wasm f64', 'wasm f32', `wasm f64 ×${T}`, `wasm f32 ×${T}`, 'ts f64', 'tf-cpu', 'tf-wasm', 'wasm f64/ts', 'wasm f32/ts', `×${T}/×1 f64`, 'wasm f64/tf-cpu', 'wasm f64/tf-wasm', 'wasm f32/tf-wasm'],
    rows,
  };
}

/** Activation passes: wasm vs the TypeScript kernels, ns per entry. */
async function activationTable(timing: TimingOptions, checks: string[]): Promise<BenchTable> {
  const len = 64 * 1000;
  const x = randomArray(len, 41).map((v) => 2 * v);
  const v = new Float64Array(len), d = new Float64Array(len);
  const rows: (string | number)[][] = [];
  const pairs: [string, (x: Float64Array, v: Float64Array, d: Float64Array | null) => void, (x: Float64Array, v: Float64Array, d: Float64Array | null) => void][] = [
    ['tanh', tanh.evaluateInto, wasmTanh],
    ['sin', sin.evaluateInto, wasmSin],
    ['relu', relu.evaluateInto, wasmRelu],
  ];
  for (const [name, ts, wasm] of pairs) {
    const v2 = new Float64Array(len), d2 = new Float64Array(len);
    js();
    ts(x, v, d);
    wasm(x, v2, d2);
    if (!(relDiff(v2, v) < 1e-15 && relDiff(d2, d) < 1e-15)) checks.push(`wasm ${name} differs from TypeScript by ${relDiff(v2, v).toExponential(2)} / ${relDiff(d2, d).toExponential(2)}`);
    const params = { entries: len };
    const t = await timeCases([
      { name: `numdl wasm ${name} value+derivative`, params, fn: () => (wasm(x, v, d), v) },
      { name: `numdl TypeScript ${name} value+derivative`, params, fn: () => (ts(x, v, d), v), setup: js },
    ], timing);
    const ns = (x: Timing) => fmt((x.median / len) * 1e9, 3);
    rows.push([name, ns(t[0]), ns(t[1]), ratio(t[0], t[1])]);
  }
  return {
    caption: 'Activation value + derivative over 64·1000 entries (a 64-wide layer on a batch of 1000): ns per entry (lower is better); wasm includes the copies in and out of WebAssembly memory.',
    columns: ['σ', 'wasm ns', 'ts ns', 'wasm/ts'],
    rows,
  };
}

/**
 * Run the WebAssembly kernels benchmark.
 * @param opts `quick`: square sizes up to 512, conv batch 32, fewer and shorter samples
 * @returns the `wasm` section: GEMM, conv2d and activation tables with ratios, and notes
 */
export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  if (!wasmAvailable()) {
    return { title: 'WebAssembly SIMD kernels', notes: [`Not run: ${wasmUnavailableReason()}.`] };
  }
  const timing: TimingOptions = opts.quick
    ? { warmupMs: 200, minSampleMs: 100, samples: 5, maxMs: 5_000 }
    : { warmupMs: 400, minSampleMs: 200, samples: 9, maxMs: 25_000 };
  const peer = await loadTf();
  await readyThreads();
  const coresBefore = await effectiveCores(T);
  const backend = getKernelBackend();
  const checks: string[] = [];
  const tables: BenchTable[] = [];
  try {
    tables.push(await gemmTable(peer, opts.quick, timing, checks));
    tables.push(await convTable(peer, opts.quick, timing, checks));
    tables.push(await activationTable(timing, checks));
  } finally {
    setKernelBackend(backend);
  }
  const coresAfter = await effectiveCores(T);
  const notes = [
    `numdl wasm: AssemblyScript 0.28 compiled with 128-bit SIMD (f64x2 / f32x4, no FMA: relaxed SIMD needs a flag on Node 20), one thread, or ${T} threads (worker_threads on a shared WebAssembly.Memory, Atomics hand-off; GEMM split by columns or rows, conv2d by examples). GEMM: packed panels, 4×6 (f64) / 8×6 (f32) register tiles of 12 vector accumulators, kc ≤ 256, mc ≤ 192; float32 accumulates in float32; threads claim column (or row) chunks of about n/(2T). conv2d: direct correlation on polyphase planes (any stride), tiles of 4 output channels × 2 vectors.`,
    'numdl ts: the pure TypeScript kernels (4×4 scalar tile GEMM, float32 accumulated in double; the conv2d operator\'s direct loops).',
    'GFLOP/s = 2mnk / median time. Ratios are medians of per-round time ratios of interleaved samples.',
    `Multi-threaded columns (×${T}) need idle cores: a ${T}-thread spin test found ${coresBefore.toFixed(2)} cores' worth of CPU for this process before the run and ${coresAfter.toFixed(2)} after; with about one, the ×${T} columns measure contention (chunks are claimed dynamically, so a starved thread costs little more than its last chunk), not scaling.`,
    peer ? `Peer: ${describe(peer)}.` : '@tensorflow/tfjs is not installed: no peer was timed.',
    ...(peer?.notes ?? []),
    checks.length ? `Result checks FAILED: ${checks.join('; ')}.` : 'Every numdl result was checked before timing (wasm f64 vs TypeScript to 1e-13, f32 to 1e-5, TF.js to 1e-4; activations to 1e-15 relative).',
  ];
  return { title: 'WebAssembly SIMD kernels (GEMM, conv2d, activations)', tables, notes };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}

