/**
 * Memory of a long synchronous run: the layers keep no per-state copies alive
 * (no WeakRef / FinalizationRegistry bookkeeping that only a yielding event
 * loop would clear), so the retained memory after 100 Newton-CG iterations on
 * the flagship-shaped ResNet is that after one. Runs in a child process with
 * `--expose-gc` (test/helpers/memoryGrowth.ts) on the default kernels.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRng, randn } from '../../src/core/index.js';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { residentMemoryStats } from '../../src/core/wasm/resident.js';
import { singleLayer } from '../../src/layers/index.js';
import { dense } from '../../src/operators/index.js';
import { withBackend } from '../helpers/backend.js';

const script = fileURLToPath(new URL('../helpers/memoryGrowth.ts', import.meta.url));
const MiB = 2 ** 20;

// The default (WebAssembly) kernels, where the layers keep resident copies; 300 examples keep it fast
// (with the old WeakRef-keyed copies it grew by about 70 MiB here).
for (const kernels of ['wasm'] as const) {
  test(`Newton-CG on a 16-step ResNet (${kernels} kernels): retained memory after 100 iterations within 5 MiB of after 1`, { skip: wasmAvailable() ? false : 'WebAssembly kernels unavailable' }, () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '300', '100'], {
      encoding: 'utf8', env: { ...process.env, NUMDL_KERNELS: kernels },
    });
    const { samples } = JSON.parse(out.trim().split('\n').pop() as string) as { samples: { iter: number; heap: number; resident: number }[] };
    assert.equal(samples.length, 2, 'two samples (iterations 1 and 100)');
    const [first, last] = samples;
    assert.equal(last.iter, 100);
    const growth = (last.heap + last.resident) - (first.heap + first.resident);
    assert.ok(growth < 5 * MiB, `retained memory grew by ${(growth / MiB).toFixed(1)} MiB (heap ${(first.heap / MiB).toFixed(1)} → ${(last.heap / MiB).toFixed(1)} MiB, resident ${(first.resident / MiB).toFixed(1)} → ${(last.resident / MiB).toFixed(1)} MiB)`);
  });
}

test('a fused dense layer keeps at most its last state\'s resident copies, and dispose() gives them back', () => {
  const layer = singleLayer(dense(8, 8), { bias: 'vector' });
  if (!layer.fusedDense || !wasmAvailable()) return;
  withBackend('wasm', () => {
    const rng = createRng(4);
    const x = layer.initialize(rng);
    const before = residentMemoryStats().liveBytes;
    const results: Float64Array[] = [];
    for (let r = 0; r < 20; r++) {
      const Y = randn(8, 500, rng), W = randn(8, 500, rng);
      const s = layer.forward(x, Y);
      results.push(layer.vjp(x, s, W).dx);
      results.push(layer.vjp(x, s, W).dx);
      assert.deepEqual(results[results.length - 1], results[results.length - 2], 'the cached copies give the numbers of the first product');
    }
    const held = residentMemoryStats().liveBytes - before;
    assert.ok(held > 0 && held <= 2 * 8 * 500 * 8 + 128, `the layer holds ${held} resident bytes (two 8×500 copies at most)`);
    layer.dispose();
    assert.equal(residentMemoryStats().liveBytes, before, 'dispose() released the copies');
    const Y = randn(8, 500, rng), W = randn(8, 500, rng);
    const s = layer.forward(x, Y);
    const a = layer.vjp(x, s, W).dx;
    layer.dispose();
    assert.deepEqual(layer.vjp(x, s, W).dx, a, 'usable after dispose, same numbers');
    layer.dispose();
  });
});
