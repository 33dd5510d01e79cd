/**
 * FMA against plain multiply-add in the WebAssembly kernels, in one process:
 * the `local` and `localFma` builds (src/core/wasm/kernelBinaries.ts, one
 * thread each, their own memories) run the same raw kernels on the same
 * operands, timed interleaved (bench/harness.ts), and the ratio of the medians
 * of per-round ratios is printed. Kernels: float64 and float32 gemm (square n),
 * and the flagship's dense-layer kernels (8×8 · 8×1000: residual forward with
 * tanh, jvp, vjp).
 *
 *   npx tsx bench/fma.bench.ts [--quick]     (prints only; `npm run bench -- --only fma` writes RESULTS.md)
 */
import v8 from 'node:v8';
import { KERNEL_BINARIES } from '../src/core/wasm/kernelBinaries.js';
import type { KernelExports } from '../src/core/wasm/module.js';
import { fmt, renderSection, speedup, timeCases, type BenchCase, type BenchSection } from './harness.js';

interface Build { name: string; ex: KernelExports; f64: Float64Array; f32: Float32Array }

// lib ES2022 without DOM does not declare the WebAssembly namespace: the members used here.
const WA = (globalThis as unknown as {
  WebAssembly: {
    Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
    Module: new (bytes: Uint8Array) => object;
    Instance: new (m: object, imports: object) => { exports: unknown };
  };
}).WebAssembly;

function load(name: 'local' | 'localFma'): Build {
  const bytes = Buffer.from(KERNEL_BINARIES[name], 'base64');
  const memory = new WA.Memory({ initial: 2048, maximum: 4096 });
  const inst = new WA.Instance(new WA.Module(bytes), { env: { memory } });
  return { name, ex: inst.exports as unknown as KernelExports, f64: new Float64Array(memory.buffer), f32: new Float32Array(memory.buffer) };
}

/**
 * Time the plain and FMA builds of the kernels against each other.
 * @param opts `quick`: one gemm size, fewer samples
 */
export async function run(opts: { quick: boolean }): Promise<BenchSection> {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const quick = opts.quick;
  const builds = [load('local'), load('localFma')];
  const base = (((builds[0].ex.heapBase() + 63) & ~63) + 4096);

  /** Fill both memories' [from, from + len) (in elements of `bytes`) with the same pseudo-random values. */
  function fill(byteAddr: number, len: number, is32: boolean, seed: number): void {
    for (const b of builds) {
      const arr = is32 ? b.f32 : b.f64, o = byteAddr / (is32 ? 4 : 8);
      for (let i = 0; i < len; i++) arr[o + i] = Math.sin(seed + 0.37 * i);
    }
  }

  const cases: BenchCase[] = [];
  const pairs: [string, number][] = [];
  for (const is32 of [false, true]) {
    for (const n of quick ? [256] : [256, 512]) {
      const sz = is32 ? 4 : 8;
      const a = base, bb = a + n * n * sz, c = bb + n * n * sz, ws = c + n * n * sz;
      fill(a, n * n, is32, 1);
      fill(bb, n * n, is32, 2);
      const flops = 2 * n * n * n;
      for (const b of builds) {
        const f = is32 ? b.ex.sgemm : b.ex.dgemm;
        cases.push({ name: `${is32 ? 'sgemm' : 'dgemm'} ${b.name}`, params: { n }, fn: () => f(n, n, n, a, 1, n, bb, 1, n, c, n, 1, 0, ws) });
      }
      pairs.push([`${is32 ? 'float32' : 'float64'} gemm n = ${n}`, flops]);
    }
  }
  {
    // Flagship layer: K 8×8, Y, A, W 8×1000, residual step h = 0.25, tanh.
    const m = 8, n = 1000;
    const K = base, bias = K + 1024, y = bias + 1024, a = y + m * n * 8, w = a + m * n * 8, out = w + m * n * 8, d = out + m * n * 8;
    const dK = d + m * n * 8, db = dK + 1024, Kt = db + 1024, gs = Kt + 1024;
    fill(K, 64, false, 3); fill(bias, 8, false, 4); fill(y, m * n, false, 5); fill(a, m * n, false, 6); fill(w, m * n, false, 7); fill(dK, 64, false, 8); fill(Kt, 64, false, 9);
    for (const b of builds) cases.push({ name: `dlayerForward ${b.name}`, params: { m, n }, fn: () => b.ex.dlayerForward(out, d, K, bias, y, m, m, n, 0.25, 1, true) });
    pairs.push(['dense layer forward (tanh, residual) 8×8·8×1000', 2 * 64 * n]);
    for (const b of builds) cases.push({ name: `dlayerJvp ${b.name}`, params: { m, n }, fn: () => b.ex.dlayerJvp(out, y, a, w, K, dK, bias, m, m, n, 0.25, 7) });
    pairs.push(['dense layer jvp (dK and dY, residual)', 4 * 64 * n]);
    for (const b of builds) cases.push({ name: `dlayerVjp8 ${b.name}`, params: { m, n }, fn: () => b.ex.dlayerVjp8(out, dK, db, y, a, w, Kt, gs, m, n, 0.25, true) });
    pairs.push(['dense layer vjp (dK, db, dY, residual)', 4 * 64 * n]);
  }

  const t = await timeCases(cases, quick ? { samples: 5, minSampleMs: 60, warmupMs: 100 } : { samples: 9, minSampleMs: 100 });
  const rows: string[][] = [];
  for (let i = 0; i < pairs.length; i++) {
    const [what, flops] = pairs[i];
    const plain = t[2 * i], fma = t[2 * i + 1];
    rows.push([what, fmt(flops / plain.median / 1e9), fmt(flops / fma.median / 1e9), `${fmt(speedup(fma, plain))}×`]);
  }
  return {
    title: 'fma: WebAssembly kernels with and without fused multiply-add (one thread)',
    tables: [{ columns: ['kernel', 'plain [GFLOP/s]', 'FMA [GFLOP/s]', 'FMA speed-up'], rows }],
    notes: [
      'The `local` and `localFma` builds of the kernels (scripts/build-wasm.mjs) instantiated side by side in one process, one thread each, the same operands, timed interleaved; the speed-up is the median of the per-round time ratios (above 1: FMA faster).',
      'FMA = `f64x2.relaxed_madd` / `f32x4.relaxed_madd` (madd64 / madd32 in assembly/simd.ts) in the multiply-adds of gemm, the dense-layer kernels, conv2d and the activation polynomials; plain = `mul` then `add`.',
      'Dense layer = the flagship\'s width: K 8×8 on 1000 columns (forward: residual step with tanh; jvp with dK and dY; vjp with dK, db and dY).',
    ],
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  run({ quick: process.argv.includes('--quick') }).then((s) => console.log(renderSection(s)));
}
