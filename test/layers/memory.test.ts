/**
 * Memory of a long synchronous run: the layers keep no per-state copies alive
 * (no WeakRef / FinalizationRegistry bookkeeping that only a yielding event
 * loop would clear), so the retained memory after 100 Newton-CG iterations on
 * the flagship-shaped ResNet is that after one. Runs in a child process with
 * `--expose-gc` (test/helpers/memoryGrowth.ts) on both kernel backends.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../helpers/memoryGrowth.ts', import.meta.url));
const MiB = 2 ** 20;

for (const kernels of ['wasm', 'js'] as const) {
  test(`Newton-CG on a 16-step ResNet (${kernels} kernels): retained memory after 100 iterations within 5 MiB of after 1`, () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '1000', '100'], {
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
