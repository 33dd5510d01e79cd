import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConv1d, parseConv2d, run } from '../../examples/conv-exercises.js';

test('conv-exercises: runs conv1d-fft and conv2d-image in sequence, every reported error at round-off level', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-conv-exercises-'));
  try {
    const r = await run({ out: dir, scale: 1 });
    console.log(r.table);
    assert.deepEqual(r.scripts.map((s) => [s.script, s.exitCode]), [['conv1d-fft.ts', 0], ['conv2d-image.ts', 0]]);
    // 1D: steps 1–4, four stencil sizes in step 5, the Taylor and the adjoint test.
    assert.equal(r.rows.filter((x) => x.script === 'conv1d-fft').length, 10);
    // 2D: two images × two boundaries.
    assert.equal(r.rows.filter((x) => x.script === 'conv2d-image').length, 4);
    for (const row of r.rows) assert.ok(Number.isFinite(row.error) && row.error < 1e-12, `${row.script}: ${row.check}: ${row.error}`);
    for (const f of ['digit-input.png', 'digit-zero-output.png', 'ramp-periodic-transposed.png', 'ramp-overview.svg']) {
      assert.ok(existsSync(join(r.imageDir, f)), `missing ${f}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('conv-exercises: the output parsers read labels with colons and the largest number of a line', () => {
  const rows = parseConv1d([
    '1-D periodic convolution with FFTs, n = 16',
    '4. ‖Kᵀy − real(ifft(conj(λ) ∘ fft(y)))‖∞:                      4.44e-16  (operator\'s applyTranspose: 2.22e-15)',
    '5. stencil size  3: circulantEigenvalues vs eig(full(K)):      max error 5.33e-15',
    '+  Taylor test of θ ↦ K(θ)y, largest E1 (linear: exact):       5.53e-16 (exact: true)',
  ].join('\n'));
  assert.deepEqual(rows.map((x) => [x.check, x.error]), [
    ['4. ‖Kᵀy − real(ifft(conj(λ) ∘ fft(y)))‖∞', 2.22e-15],
    ['5. stencil size 3: circulantEigenvalues vs eig(full(K))', 5.33e-15],
    ['+ Taylor test of θ ↦ K(θ)y, largest E1 (linear: exact)', 5.53e-16],
  ]);
  const rows2 = parseConv2d('ramp  periodic  K y along row 14: ix=0 1.0e+0;  max |Kᵀy + Ky| = 3.0e-17\nother line');
  assert.deepEqual(rows2.map((x) => x.error), [3e-17]);
});
