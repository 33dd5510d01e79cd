import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng, randn } from '../../src/core/index.js';
import { pca2, run } from '../../examples/peaks-stable.js';

test('pca2 projects onto the two directions of largest variance', () => {
  const rng = createRng(1);
  const F = randn(4, 200, rng);
  // Stretch rows 2 and 0: the projection keeps their spread.
  for (let c = 0; c < 200; c++) {
    F.data[2 + 4 * c] *= 10;
    F.data[0 + 4 * c] *= 5;
  }
  const P = pca2(F);
  let v0 = 0, v1 = 0;
  for (let c = 0; c < 200; c++) {
    v0 += P.data[2 * c] ** 2;
    v1 += P.data[2 * c + 1] ** 2;
  }
  assert.ok(v0 / 200 > 60 && v1 / 200 > 15 && v1 < v0, `variances ${v0 / 200}, ${v1 / 200}`);
});

test('peaks-stable (fast): plain, antisymmetric and Hamiltonian networks train by Newton-CG and VarPro', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-peaks-stable-'));
  try {
    const { rows, files } = await run({ fast: true, out, verbose: false });
    assert.equal(rows.length, 6);
    assert.deepEqual([...new Set(rows.map((r) => r.method))], ['Newton-CG', 'VarPro']);
    for (const r of rows) {
      // Five balanced classes: chance is 20 %.
      assert.ok(r.trainAccuracy > 0.5 && r.valAccuracy > 0.5, `${r.model} ${r.method}: ${r.trainAccuracy}, ${r.valAccuracy}`);
      assert.ok(r.iterations > 0 && r.matvecs > 0);
    }
    // The antisymmetric kernel has m(m−1)/2 parameters per step instead of m².
    const p = (name: string) => rows.find((r) => r.model.startsWith(name))!.params;
    assert.ok(p('antisymmetric') < p('ResNet'));
    // 3 networks × (5 depth snapshots + 2 decision-region images); with N = 4 every depth 0…4 is drawn.
    assert.equal(files.length, 3 * 7);
    for (const f of files) assert.ok(existsSync(f), `${f} written`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
