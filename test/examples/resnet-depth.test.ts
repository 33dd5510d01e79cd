import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { depthModel, FULL, run } from '../../examples/resnet-depth.js';

test('resnet-depth: the parameterisation does not depend on N (weights on a fixed coarse grid)', () => {
  const n = depthModel(4, FULL).nParams;
  for (const N of [8, 16, 64]) assert.equal(depthModel(N, FULL).nParams, n);
  assert.throws(() => depthModel(6, FULL), /steps = 6 is not a multiple of weights.intervals = 4/);
});

test('resnet-depth (fast): training works at every N and the learned map converges as N grows', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-resnet-depth-'));
  try {
    const { rows, Nref, files } = await run({ fast: true, out, verbose: false });
    assert.deepEqual(rows.map((r) => r.N), [4, 8, 16]);
    assert.equal(Nref, 64);
    for (const r of rows) {
      assert.ok(r.valAccuracy > 0.6, `N = ${r.N}: validation accuracy ${r.valAccuracy}`);
      assert.ok(r.iterations > 0 && r.timePerIter > 0);
    }
    // Forward Euler: the discretisation error of the learned network shrinks with h (first order: ≈ ×2 per doubling).
    const e = rows.map((r) => r.discretizationError);
    assert.ok(e[0] > e[1] && e[1] > e[2] && e[0] / e[2] > 2.5, `discretisation errors ${e}`);
    // The learned weights and labels approach those of the deepest run.
    assert.ok(rows[0].weightDiff > rows[1].weightDiff && rows[2].weightDiff === 0, `weight differences ${rows.map((r) => r.weightDiff)}`);
    assert.ok(rows[2].valAccuracyAtRef > rows[0].valAccuracyAtRef, 'the deeper network keeps its accuracy under refinement better');
    assert.equal(files.length, 5);
    for (const f of files) assert.ok(existsSync(f), `${f} written`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
