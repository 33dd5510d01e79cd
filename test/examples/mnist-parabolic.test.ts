import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../src/core/index.js';
import { mnistNetwork, run } from '../../examples/mnist-parabolic.js';

test('mnist-parabolic: plain, parabolic and hyperbolic CNNs have equal parameter counts and the same start', () => {
  const o = { width: 3, steps: 2, h: 0.5 };
  const nets = (['plain', 'parabolic', 'hyperbolic'] as const).map((k) => mnistNetwork(k, o));
  for (const n of nets) assert.equal(n.model.nParams, nets[0].model.nParams);
  assert.equal(nets[0].model.nParams, 3 * 9 + 3 + 2 * (9 * 9 + 3));
  const x = nets.map((n) => n.model.initialize(createRng(1)));
  assert.deepEqual(x[1], x[0]);
  assert.deepEqual(x[2], x[0]);
});

test('mnist-parabolic (fast): all three train above chance; the parabolic growth obeys its spectral bound', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-mnist-parabolic-'));
  try {
    const { rows, histories, files } = await run({ fast: true, out, verbose: false });
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.theta, rows[0].theta);
      assert.equal(r.classifier, rows[0].classifier);
      // Ten classes: chance is about 10 %.
      assert.ok(r.testAccuracy > 0.3, `${r.network}: test accuracy ${r.testAccuracy}`);
      assert.ok(Number.isFinite(r.eulerBound) && r.eulerBound > 0);
    }
    for (const h of histories) assert.equal(h.testAccuracy.length, 2, 'start and one epoch');
    const parabolic = rows.find((r) => r.network === 'parabolic')!;
    // A parabolic step's Jacobian I − h Kᵀdiag(σ')K is symmetric with eigenvalues in [1 − h·λ_max(KᵀK), 1]
    // (σ' ∈ [0, 1] for ReLU), so ‖J_Y‖₂ ≤ max(1, h·λ_max − 1)^N; λ_max of the periodic stencil bounds the
    // zero-boundary one up to the sampling of the symbol (10 % slack).
    const bound = Math.max(1, parabolic.eulerBound - 1) ** 2;
    assert.ok(parabolic.growth <= 1.1 * bound, `parabolic ‖J_Y‖₂ = ${parabolic.growth} exceeds ${bound}`);
    assert.equal(files.length, 4);
    for (const f of files) assert.ok(existsSync(f), `${f} written`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
