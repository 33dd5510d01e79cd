/**
 * matmul benchmark: numdl's packed GEMM (float64 and float32) against
 * TensorFlow.js `tf.matMul` (float32; TF.js has no float64) on its `cpu` and
 * `wasm` backends, in one process, timed interleaved (see harness.ts).
 *
 * Shapes: square n = 64 … 1024 (quick: … 512) and the tall-skinny
 * 64×784 · 784×2048 of an MNIST-sized layer. Reported: GFLOP/s = 2mnk / time
 * and numdl/peer speed ratios. Each product is checked against TF.js first.
 *
 *   npx tsx bench/matmul.bench.ts [--quick]     (prints only; bench/run.ts writes RESULTS.md)
 */
import { createRng, matmul, randn, toFloat32, transpose, type Matrix, type Matrix32 } from '../src/core/index.js';
import { fmt, renderSection, speedup, timeCases, type BenchCase, type BenchParams, type BenchSection, type Timing, type TimingOptions } from './harness.js';
import { describe, loadTf, useBackend, type Tf } from './tfjs.js';

type Tensor = ReturnType<Tf['tensor2d']>;

/** Square sizes and the tall-skinny shape, as [m, k, n]. */
function shapes(quick: boolean): [number, number, number][] {
  const square = quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024];
  return [...square.map((n): [number, number, number] => [n, n, n]), [64, 784, 2048]];
}

/** Row-major float32 copy of a column-major matrix (TF.js's layout). */
function rowMajor32(M: Matrix): Float32Array {
  return Float32Array.from(transpose(M).data);
}

/** max |x − y| / max |y|. */
function relDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1e-300);
}

/**
 * Run the matmul benchmark.
 * @param opts `quick`: square sizes up to 512, fewer and shorter samples
 * @returns the `matmul` section: a GFLOP/s table with ratios, and notes
 */
export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  const timing: TimingOptions = opts.quick
    ? { warmupMs: 150, minSampleMs: 80, samples: 5, maxMs: 3_000 }
    : { warmupMs: 400, minSampleMs: 200, samples: 9, maxMs: 30_000 };
  const peer = await loadTf();
  const tf = peer?.tf;
  const backends = peer?.backends ?? [];
  const rng = createRng(20260401);
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const checks: string[] = [];
  let target = '';

  for (const [m, k, n] of shapes(opts.quick)) {
    const A = randn(m, k, rng), B = randn(k, n, rng);
    const A32: Matrix32 = toFloat32(A), B32: Matrix32 = toFloat32(B);
    const flops = 2 * m * n * k;
    const base: BenchParams = { m, k, n };
    const cases: BenchCase[] = [
      { name: 'numdl matmul', params: { ...base, dtype: 'float64' }, fn: () => matmul(A, B) },
      { name: 'numdl matmul', params: { ...base, dtype: 'float32' }, fn: () => matmul(A32, B32) },
    ];
    const tensors: Tensor[] = [];
    const C = matmul(A, B);
    const Crow = transpose(C).data;
    if (tf) {
      for (const backend of backends) {
        await useBackend(tf, backend);
        const a = tf.tensor2d(rowMajor32(A), [m, k]), b = tf.tensor2d(rowMajor32(B), [k, n]);
        tensors.push(a, b);
        const prod = () => {
          const c = tf.matMul(a, b);
          const d = c.dataSync();
          c.dispose();
          return d;
        };
        cases.push({
          name: 'tfjs tf.matMul', params: { ...base, dtype: 'float32', backend }, fn: prod, setup: () => useBackend(tf, backend),
          check: (d) => {
            const err = relDiff(d as Float32Array, Crow);
            if (!(err < 1e-4)) checks.push(`${m}×${k}·${k}×${n} tfjs-${backend} differs from numdl by ${err.toExponential(2)}`);
          },
        });
      }
    }
    const err32 = relDiff(matmul(A32, B32).data, C.data);
    if (!(err32 < 1e-5)) checks.push(`${m}×${k}·${k}×${n} numdl float32 differs from float64 by ${err32.toExponential(2)}`);

    const t = await timeCases(cases, timing);
    const [f64, f32] = t;
    const peerT = (b: string): Timing | undefined => t.find((x) => x.params.backend === b);
    const gf = (x?: Timing) => (x ? fmt(flops / x.median / 1e9, 3) : 'n/a');
    const ratio = (a: Timing, b?: Timing) => (b ? `${speedup(a, b).toFixed(2)}×` : 'n/a');
    const cpu = peerT('cpu'), wasm = peerT('wasm');
    rows.push([`${m}×${k} · ${k}×${n}`, gf(f64), gf(f32), gf(cpu), gf(wasm), ratio(f64, cpu), ratio(f32, cpu), ratio(f64, wasm), ratio(f32, wasm)]);
    console.log(`  ${t.map((x) => `${x.label}: ${fmt(flops / x.median / 1e9, 3)} GFLOP/s`).join('\n  ')}`);
    if (m === 512 && n === 512 && k === 512 && cpu) {
      const r = speedup(f64, cpu);
      target = `Target of issue 2 (numdl float64 at n = 512 ≥ 3× TF.js cpu): ${r.toFixed(2)}× — ${r >= 3 ? 'met' : 'NOT met'}.`;
      if (wasm) {
        const g64 = speedup(wasm, f64), g32 = speedup(wasm, f32);
        target += ` Gap to TF.js wasm at n = 512: wasm is ${g64.toFixed(1)}× faster than numdl float64 and ${g32.toFixed(1)}× faster than numdl float32 (XNNPACK, SIMD, float32; numdl runs its WebAssembly SIMD kernels by default, NUMDL_KERNELS=js for the TypeScript reference).`;
      }
    }
    for (const x of tensors) x.dispose();
  }

  if (target) notes.push(target);
  notes.push(
    'numdl: `matmul(A, B)` on column-major matrices (validated public entry, allocates C) with the default kernels: WebAssembly SIMD (f64x2 / f32x4, packed panels, register tiles) where it pays off, the TypeScript 4×4-tile kernel (packed panels, kc ≤ 256, mc ≤ 128) otherwise; float32 = Float32Array in and out.',
    'TF.js: `tf.matMul(a, b)` on row-major float32 tensors created on that backend, plus `dataSync()` to read C back into JavaScript and `dispose()`; production mode.',
    'GFLOP/s = 2mnk / median time. A ratio is numdl speed / peer speed (median of per-round time ratios); above 1 means numdl is faster.',
  );
  if (peer) notes.push(`Peer: ${describe(peer)}. Node runs the wasm backend single-threaded; numdl is single-threaded too.`, ...peer.notes);
  else notes.push('@tensorflow/tfjs is not installed: no peer was timed.');
  notes.push(checks.length ? `Result checks FAILED: ${checks.join('; ')}.` : 'Every product was checked against TF.js (and float32 against float64) before timing: relative differences below 1e-4.');
  return {
    title: 'matmul: C = A·B, GFLOP/s (higher is better)',
    tables: [{
      columns: ['A · B', 'numdl f64', 'numdl f32', 'tfjs-cpu f32', 'tfjs-wasm f32', 'f64 / cpu', 'f32 / cpu', 'f64 / wasm', 'f32 / wasm'],
      rows,
    }],
    notes,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}
