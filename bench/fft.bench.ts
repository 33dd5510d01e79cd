/**
 * FFT benchmark: numdl's `fft` / `fft2` (float64, any length) and their
 * reusable plans against TensorFlow.js `tf.spectral.fft` (float32) on the
 * `cpu` backend; the `wasm` backend is used too if it has an FFT kernel
 * (tfjs-backend-wasm 4.22 has none — no `FFT`, not even `Complex` — which the
 * table then says).
 *
 * - 1-D complex transforms, n = 256 … 65536 (powers of two; quick: powers of
 *   four) plus the non-powers 784 = 28² and 1000 (Bluestein in numdl; TF.js
 *   falls back to an O(n²) DFT there).
 * - batched 2-D transforms of 256 (quick: 32) images of 28×28 and 32×32 (docs/conventions.md §1
 *   layout: one image per column). TF.js has no 2-D FFT: its peer is
 *   fft along x, transpose, fft along y, transpose back.
 *
 *   npx tsx bench/fft.bench.ts [--quick]     (prints only; bench/run.ts writes RESULTS.md)
 */
import { createRng, matrix } from '../src/core/index.js';
import { fft, fft2, createFftPlan, createFft2Plan } from '../src/core/fft.js';
import { fmt, renderSection, speedup, timeCases, type BenchCase, type BenchSection, type Timing, type TimingOptions } from './harness.js';
import { describe, loadTf, useBackend, type Tf } from './tfjs.js';

type Tensor = ReturnType<Tf['complex']>;

/** In quick mode TF.js's cpu FFT (seconds per call beyond this length) is not timed. */
const PEER_MAX_QUICK = 16384;

/** max |x − y| / max |y| over the real and imaginary parts; TF.js returns complex data interleaved. */
function relDiffInterleaved(tfData: ArrayLike<number>, re: ArrayLike<number>, im: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < re.length; i++) {
    d = Math.max(d, Math.abs(tfData[2 * i] - re[i]), Math.abs(tfData[2 * i + 1] - im[i]));
    s = Math.max(s, Math.abs(re[i]), Math.abs(im[i]));
  }
  return d / Math.max(s, 1e-300);
}

/** Which TF.js backends can run a complex FFT, and why the others cannot. */
function fftBackends(tf: Tf, backends: string[]): { ok: string[]; missing: Record<string, string> } {
  const ok: string[] = [], missing: Record<string, string> = {};
  for (const b of backends) {
    const lacks = ['Complex', 'FFT'].filter((k) => !tf.getKernel(k, b));
    if (lacks.length) missing[b] = `no ${lacks.join('/')} kernel`;
    else ok.push(b);
  }
  return { ok, missing };
}

/**
 * Run the FFT benchmark.
 * @param opts `quick`: 1-D lengths 4^4 … 4^8 only (TF.js up to 16384), 2-D batches of 32
 *   instead of 256, fewer and shorter samples
 * @returns the `fft` section: a 1-D and a 2-D table with ratios, and notes
 */
export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  const timing: TimingOptions = opts.quick
    ? { warmupMs: 100, minSampleMs: 50, samples: 5, maxMs: 2_500 }
    : { warmupMs: 300, minSampleMs: 150, samples: 9, maxMs: 15_000 };
  const peer = await loadTf();
  const tf = peer?.tf;
  const { ok: tfBackends, missing } = tf ? fftBackends(tf, peer.backends) : { ok: [] as string[], missing: {} as Record<string, string> };
  const rng = createRng(20260402);
  const checks: string[] = [];
  const peerCols = [...tfBackends, ...Object.keys(missing)];
  const peerCell = (b: string, x?: Timing, unit = 1e6) => (missing[b] ? `n/a (${missing[b]})` : x ? fmt(x.median * unit, 3) : 'n/a');

  // ---- 1-D complex transforms
  const lengths = opts.quick ? [256, 1024, 4096, 16384, 65536, 784, 1000] : [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 784, 1000];
  const rows1: (string | number)[][] = [];
  for (const n of lengths) {
    const re = rng.normalArray(n), im = rng.normalArray(n);
    const wr = new Float64Array(n), wi = new Float64Array(n);
    const plan = createFftPlan(n);
    const ref = fft(re, im);
    const cases: BenchCase[] = [
      { name: 'numdl fft', params: { n, dtype: 'float64', api: 'fft(re, im)' }, fn: () => fft(re, im) },
      {
        name: 'numdl fft', params: { n, dtype: 'float64', api: 'plan.forward', algorithm: plan.algorithm },
        fn: () => {
          wr.set(re);
          wi.set(im);
          plan.forward(wr, wi);
          return wr;
        },
      },
    ];
    const tensors: Tensor[] = [];
    const peerSkipped = opts.quick && n > PEER_MAX_QUICK;
    for (const backend of peerSkipped ? [] : tfBackends) {
      await useBackend(tf!, backend);
      const x = tf!.complex(Float32Array.from(re), Float32Array.from(im));
      tensors.push(x);
      const go = () => {
        const y = tf!.spectral.fft(x);
        const d = y.dataSync();
        y.dispose();
        return d;
      };
      cases.push({
        name: 'tfjs tf.spectral.fft', params: { n, dtype: 'complex64', backend }, fn: go, setup: () => useBackend(tf!, backend),
        check: (d) => {
          const err = relDiffInterleaved(d as Float32Array, ref.re, ref.im);
          if (!(err < 1e-4)) checks.push(`fft n=${n} tfjs-${backend} differs from numdl by ${err.toExponential(2)}`);
        },
        // TF.js's cpu FFT takes seconds at these lengths: fewer samples.
        timing: n >= 16384 ? { warmupMs: 0, minSamples: 1, samples: 3, maxMs: 10_000 } : undefined,
      });
    }
    const t = await timeCases(cases, timing);
    const [tf1, tp] = t;
    const nominal = 5 * n * Math.log2(n);
    const peerT = (b: string) => t.find((x) => x.params.backend === b);
    const cpu = peerT('cpu');
    rows1.push([
      String(n), plan.algorithm, fmt(tf1.median * 1e6, 3), fmt(tp.median * 1e6, 3), fmt(nominal / tp.median / 1e9, 3),
      ...peerCols.map((b) => (peerSkipped && !missing[b] ? 'not timed (quick)' : peerCell(b, peerT(b)))),
      cpu ? `${speedup(tf1, cpu).toFixed(2)}×` : 'n/a', cpu ? `${speedup(tp, cpu).toFixed(2)}×` : 'n/a',
    ]);
    console.log(`  ${t.map((x) => `${x.label}: ${fmt(x.median * 1e6, 3)} µs`).join('\n  ')}`);
    for (const x of tensors) x.dispose();
  }

  // ---- batched 2-D transforms (one image per column)
  const batch = opts.quick ? 32 : 256;
  const rows2: (string | number)[][] = [];
  for (const [nx, ny] of [[28, 28], [32, 32]] as [number, number][]) {
    const len = nx * ny;
    const reM = matrix(len, batch, rng.normalArray(len * batch)), imM = matrix(len, batch, rng.normalArray(len * batch));
    const wr = new Float64Array(len * batch), wi = new Float64Array(len * batch);
    const plan = createFft2Plan(nx, ny);
    const ref = fft2(reM, imM, [nx, ny]);
    const base = { nx, ny, batch, dtype: 'float64' };
    const cases: BenchCase[] = [
      { name: 'numdl fft2', params: { ...base, input: 'complex', api: 'fft2(re, im, dims)' }, fn: () => fft2(reM, imM, [nx, ny]) },
      {
        name: 'numdl fft2', params: { ...base, input: 'complex', api: 'plan.forward' },
        fn: () => {
          wr.set(reM.data);
          wi.set(imM.data);
          plan.forward(wr, wi);
          return wr;
        },
      },
      { name: 'numdl fft2', params: { ...base, input: 'real', api: 'fft2(re, null, dims)' }, fn: () => fft2(reM, null, [nx, ny]) },
      {
        name: 'numdl fft2', params: { ...base, input: 'real', api: 'plan.forwardReal' },
        fn: () => {
          plan.forwardReal(reM.data, wr, wi);
          return wr;
        },
      },
    ];
    const tensors: Tensor[] = [];
    for (const backend of tfBackends) {
      await useBackend(tf!, backend);
      // Row-major [batch, ny, nx] has the same memory order as numdl's columns.
      const x = tf!.complex(tf!.tensor3d(Float32Array.from(reM.data), [batch, ny, nx]), tf!.tensor3d(Float32Array.from(imM.data), [batch, ny, nx]));
      tensors.push(x);
      const go = () => {
        const y = tf!.tidy(() => tf!.transpose(tf!.spectral.fft(tf!.transpose(tf!.spectral.fft(x), [0, 2, 1])), [0, 2, 1]));
        const d = y.dataSync();
        y.dispose();
        return d;
      };
      cases.push({
        name: 'tfjs fft·transpose·fft·transpose', params: { nx, ny, batch, dtype: 'complex64', backend }, fn: go, setup: () => useBackend(tf!, backend),
        check: (d) => {
          const err = relDiffInterleaved(d as Float32Array, ref.re.data, ref.im.data);
          if (!(err < 1e-4)) checks.push(`fft2 ${nx}×${ny} tfjs-${backend} differs from numdl by ${err.toExponential(2)}`);
        },
        // Seconds per batch on the cpu backend: fewer samples.
        timing: { warmupMs: 0, minSamples: opts.quick ? 1 : 2, samples: opts.quick ? 3 : 5, maxMs: opts.quick ? 6_000 : 60_000 },
      });
    }
    const t = await timeCases(cases, timing);
    const [c1, c2, r1, r2] = t;
    const peerT = (b: string) => t.find((x) => x.params.backend === b);
    const cpu = peerT('cpu');
    rows2.push([
      `${batch} × ${nx}×${ny}`, fmt(c1.median * 1e3, 3), fmt(c2.median * 1e3, 3), fmt(r1.median * 1e3, 3), fmt(r2.median * 1e3, 3),
      ...peerCols.map((b) => peerCell(b, peerT(b), 1e3)),
      cpu ? `${speedup(c1, cpu).toFixed(2)}×` : 'n/a', cpu ? `${speedup(c2, cpu).toFixed(2)}×` : 'n/a',
    ]);
    console.log(`  ${t.map((x) => `${x.label}: ${fmt(x.median * 1e3, 3)} ms`).join('\n  ')}`);
    for (const x of tensors) x.dispose();
  }

  const notes = [
    'numdl: float64; `fft(re, im)` / `fft2(re, im, dims)` are the validated entries that allocate their results; `plan.forward` is `createFftPlan(n)` / `createFft2Plan(nx, ny)` transforming in place (timed including a copy of the input into the work arrays, since the transform overwrites them); `forwardReal` transforms two real images per complex FFT.',
    'TF.js: complex64 tensors created on the backend, `tf.spectral.fft` along the last axis, plus `dataSync()` to read the result into JavaScript and `dispose()`; production mode. A 2-D transform is fft, transpose, fft, transpose (TF.js has no fft2d).',
    `Times per call (µs for 1-D, ms for a batch of ${batch} images); GFLOP/s* is the nominal 5·n·log2(n) flops of a complex FFT over the plan time. Ratios are numdl speed / TF.js cpu speed (median of per-round ratios); above 1 means numdl is faster.`,
    'TF.js\'s cpu FFT (tfjs-backend-cpu `fft_utils.js`) slices a batch row by row and, per row, recurses down to length 1 creating small tensors at every node (powers of two) or multiplies by the O(n²) DFT matrix (other lengths): seconds per call at n ≥ 16384 and for 32×32 batches, so those peer rows have fewer samples' + (opts.quick ? `, and in quick mode TF.js is not timed beyond n = ${PEER_MAX_QUICK}.` : '.'),
  ];
  for (const [b, why] of Object.entries(missing)) notes.push(`tfjs-${b}: not timed — ${why} registered for that backend in TF.js ${peer!.version}, so \`tf.spectral.fft\` cannot run there.`);
  if (peer) notes.push(`Peer: ${describe(peer)}.`, ...peer.notes);
  else notes.push('@tensorflow/tfjs is not installed: no peer was timed.');
  notes.push(checks.length ? `Result checks FAILED: ${checks.join('; ')}.` : 'Every transform was checked against TF.js before timing: relative differences below 1e-4.');

  return {
    title: 'FFT: complex 1-D transforms and batched 2-D transforms (lower times are better)',
    tables: [
      {
        caption: '1-D complex FFT of length n, µs per transform',
        columns: ['n', 'numdl algorithm', 'numdl fft µs', 'numdl plan µs', 'plan GFLOP/s*', ...peerCols.map((b) => `tfjs-${b} µs`), 'fft / cpu', 'plan / cpu'],
        align: ['r', 'l'],
        rows: rows1,
      },
      {
        caption: `2-D FFT of a batch of ${batch} images, ms per batch`,
        columns: ['images', 'fft2 complex', 'plan complex', 'fft2 real', 'plan real', ...peerCols.map((b) => `tfjs-${b} complex`), 'fft2 / cpu', 'plan / cpu'],
        rows: rows2,
      },
    ],
    notes,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}
