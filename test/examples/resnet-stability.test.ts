import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../../examples/resnet-stability.js';

test('resnet-stability (fast): random K grows, antisymmetric stays near 1, damped and parabolic do not grow; spectra against |1 + hλ| ≤ 1', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-resnet-stability-'));
  try {
    const { rows, spectra, files, options } = await run({ fast: true, out, verbose: false });
    const Nmax = Math.max(...options.depths);
    assert.equal(rows.length, 6 * options.depths.length);
    const at = (kernel: string, N = Nmax) => rows.find((r) => r.kernel.startsWith(kernel) && r.N === N)!;
    const sp = (kernel: string) => spectra.find((s) => s.kernel.startsWith(kernel))!;
    // Forward Euler check on the linearisation at the mean example.
    assert.ok(sp('random K').abscissa > 0 && !sp('random K').eulerStable && !sp('random K').rk4Stable);
    assert.ok(Math.abs(sp('K − Kᵀ').abscissa) < 1e-12, 'K − Kᵀ: purely imaginary linearisation');
    assert.ok(!sp('K − Kᵀ').eulerStable && sp('K − Kᵀ').rk4Stable, 'imaginary axis: Euler unstable, RK4 stable');
    assert.ok(sp('K − Kᵀ − ').eulerStable && sp('K − Kᵀ − ').eulerMaxStep >= options.h);
    assert.ok(sp('parabolic').eulerStable && sp('parabolic').abscissa <= 1e-12);
    // Growth through depth.
    assert.ok(at('random K').forward > 1.5 && at('random K').worstCase > 5, `random K: ${JSON.stringify(at('random K'))}`);
    assert.ok(at('K − Kᵀ').forward < 1.1 && at('K − Kᵀ').forward > 0.9, `K − Kᵀ: ${at('K − Kᵀ').forward}`);
    for (const N of options.depths) {
      assert.ok(at('K − Kᵀ − ', N).worstCase <= 1 + 1e-9, 'damped antisymmetric: no growth');
      assert.ok(at('parabolic', N).worstCase <= 1 + 1e-9, 'parabolic: no growth');
    }
    assert.ok(at('random K').worstCase > 5 * at('K − Kᵀ').worstCase);
    assert.equal(files.length, 4);
    for (const f of files) assert.ok(existsSync(f), `${f} written`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
