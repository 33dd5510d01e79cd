/**
 * Which build of the WebAssembly kernels loads, and that every build computes
 * the same products: the FMA build (default where relaxed SIMD validates) and
 * the plain one (`NUMDL_FMA=0`), the shared-memory build (Node) and the
 * local-memory build that browsers without cross-origin isolation get
 * (simulated here with `crossOriginIsolated = false` before the first import).
 * Each variant runs in a child process, since the build is chosen once per
 * process; the products are compared with a plain triple loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { kernelInfo, kernelInfoLine, wasmUnavailableReason } from '../../src/core/wasm/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const noSimd = wasmUnavailableReason() !== '';
const opts = { skip: noSimd ? `the kernels are unavailable: ${wasmUnavailableReason()}` : false };

/** Child script: load the library, multiply two 37×53 · 53×29 matrices, print the info and the max error. */
const CHILD = `
if (process.env.SIMULATE_BROWSER === '1') globalThis.crossOriginIsolated = false;
const nd = await import(${JSON.stringify(path.join(root, 'src/index.ts'))});
const rng = nd.createRng(5);
const m = 37, k = 53, n = 29;
const A = nd.randn(m, k, rng), B = nd.randn(k, n, rng);
nd.setKernelBackend('wasm');
const C = nd.matmul(A, B);
let err = 0, scale = 0;
for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) {
  let s = 0;
  for (let p = 0; p < k; p++) s += A.data[i + p * m] * B.data[p + j * k];
  err = Math.max(err, Math.abs(s - C.data[i + j * m])); scale = Math.max(scale, Math.abs(s));
}
console.log(JSON.stringify({ info: nd.kernelInfo(), rel: err / scale, first: C.data[0] }));
`;

function runChild(env: Record<string, string>): { info: ReturnType<typeof kernelInfo>; rel: number; first: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root, env: { ...process.env, NUMDL_KERNELS: '', ...env }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('kernelInfo describes the kernels in effect', opts, () => {
  const k = kernelInfo();
  assert.equal(k.wasmAvailable, true);
  assert.equal(k.sharedMemory, true, 'Node can create shared memory: the shared build loads');
  assert.ok(k.threads >= 1);
  assert.equal(k.fma, k.fmaReason === '');
  assert.equal(k.precision, 'float64');
  assert.match(kernelInfoLine(), /^kernels: (wasm|js) /);
});

test('NUMDL_FMA=0 loads the plain build; both builds match the triple loop', opts, () => {
  const plain = runChild({ NUMDL_FMA: '0' });
  assert.equal(plain.info.fma, false);
  assert.equal(plain.info.fmaReason, 'NUMDL_FMA=0');
  assert.ok(plain.rel < 1e-14, `plain build: relative error ${plain.rel}`);
  const dflt = runChild({});
  // Node 20 validates relaxed SIMD once the V8 flag is set: FMA is the default there and later.
  assert.equal(dflt.info.fma, true, `FMA off by default: ${dflt.info.fmaReason}`);
  assert.ok(dflt.rel < 1e-14, `FMA build: relative error ${dflt.rel}`);
  assert.ok(Math.abs(dflt.first - plain.first) <= 1e-13 * Math.abs(plain.first) + 1e-300);
});

test('without cross-origin isolation the local-memory build runs on one thread', opts, () => {
  const r = runChild({ SIMULATE_BROWSER: '1', NUMDL_THREADS: '2' });
  assert.equal(r.info.sharedMemory, false);
  assert.equal(r.info.threads, 1);
  assert.equal(r.info.backend, 'wasm');
  assert.ok(r.rel < 1e-14, `local build: relative error ${r.rel}`);
});
