/**
 * The local-memory build of the kernels (browsers without cross-origin
 * isolation, simulated with `crossOriginIsolated = false` in a child process):
 * there `memory.grow` detaches the old buffer, so resident matrices would turn
 * into detached views after a growth. They are ordinary matrices there, and a
 * fused ResNet's value, gradient and Gauss-Newton mat-vec survive a memory
 * growth between evaluations and agree with the TypeScript kernels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { wasmUnavailableReason } from '../../src/core/wasm/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const opts = { skip: wasmUnavailableReason() !== '' ? `the kernels are unavailable: ${wasmUnavailableReason()}` : false };

/** Child: evaluate a width-8 ResNet classifier, grow the memory, evaluate again; both backends. */
const CHILD = `
globalThis.crossOriginIsolated = false;
const nd = await import(${JSON.stringify(path.join(root, 'src/index.ts'))});
const rng = nd.createRng(3);
const { Y, C } = nd.setupPeaks({ n: 300, seed: 2 });
const net = nd.resnet(() => nd.singleLayer(nd.dense(8, 8), { activation: 'tanh', bias: 'vector' }),
  { steps: 4, T: 1, opening: nd.singleLayer(nd.dense(8, 2), { activation: 'tanh', bias: 'vector' }) });
const obj = nd.classificationObjective(net, Y, C);
const x = obj.initialize(rng);
x.subarray(net.nParams).set(rng.normalArray(obj.nParams - net.nParams, 0.1));
const v = rng.normalArray(obj.nParams);
const run = () => { const e = obj.evaluate(x); return [e.value, ...e.gradient, ...e.hessian(v)]; };
const resident = nd.residentMatrix(8, 300);
const before = run();
const bytes0 = nd.wasmMemoryBytes();
nd.matmul(nd.randn(1200, 1200, rng), nd.randn(1200, 1200, rng)); // 3 × 11 MiB of operands: the memory grows
const grew = nd.wasmMemoryBytes() > bytes0;
const after = run();
const info = nd.kernelInfo();
nd.setKernelBackend('js');
const js = run();
let diffAfter = 0, diffJs = 0, scale = 0;
for (let i = 0; i < js.length; i++) {
  diffAfter = Math.max(diffAfter, Math.abs(after[i] - before[i]));
  diffJs = Math.max(diffJs, Math.abs(after[i] - js[i]));
  scale = Math.max(scale, Math.abs(js[i]));
}
console.log(JSON.stringify({ info, grew, resident: nd.isResident(resident), diffAfter, diffJs: diffJs / scale }));
`;

test('local memory: no resident views to detach; a ResNet objective survives memory growth', opts, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: root, env: { ...process.env, NUMDL_KERNELS: '' }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.info.sharedMemory, false, 'the local-memory build is loaded');
  assert.equal(out.info.backend, 'wasm');
  assert.equal(out.grew, true, 'the memory grew between the evaluations');
  assert.equal(out.resident, false, 'residentMatrix gives an ordinary matrix with local memory');
  assert.equal(out.diffAfter, 0, 'same numbers before and after the growth');
  assert.ok(out.diffJs < 1e-12, `wasm vs TypeScript kernels: relative difference ${out.diffJs}`);
});
