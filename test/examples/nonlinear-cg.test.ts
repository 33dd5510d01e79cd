import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAST, run } from '../../examples/nonlinear-cg.js';

test('nonlinear-cg (fast): every VarPro outer solver reaches the separable optimum; on Peaks nonlinear CG trains the ResNet', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-nonlinear-cg-'));
  try {
    const r = await run({ ...FAST, nTrain: 150, nVal: 300, steps: 3, iters: 30, newtonIters: 8, out });
    assert.equal(r.separable.length, 18);
    for (const row of r.separable.filter((x) => x.method.startsWith('VarPro'))) {
      assert.ok(row.reached, `${row.start} ${row.method}: gap ${row.gap} after ${row.iterations} iterations`);
    }
    // Nonlinear CG needs far fewer outer iterations than steepest descent on the reduced problem.
    for (const start of ['[1, 5]', '[5, 10]']) {
      const it = (m: string) => r.separable.find((x) => x.start === start && x.method === m)!.iterations;
      assert.ok(5 * it('VarPro + nonlinear CG (PR+)') < it('VarPro + steepest descent'), `${start}: PR+ ${it('VarPro + nonlinear CG (PR+)')} vs SD ${it('VarPro + steepest descent')}`);
      assert.equal(r.separable.find((x) => x.start === start && x.method === 'VarPro + Gauss-Newton')!.matvecs > 0, true);
    }
    assert.deepEqual(r.peaks.map((p) => p.method.split(' (')[0]), ['Newton-CG', 'nonlinear CG', 'nonlinear CG', 'L-BFGS', 'steepest descent', 'VarPro + nonlinear CG']);
    const cg = r.peaks[1];
    assert.ok(cg.valAcc > 0.6 && cg.trainAcc > 0.6, `nonlinear CG accuracy ${cg.trainAcc} / ${cg.valAcc}`);
    assert.equal(cg.matvecs, 0);
    for (const f of r.files) assert.ok(existsSync(f), `${f} written`);
    assert.equal(r.files.length, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
