import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directConv3x3, EDGE_STENCILS, mnistEdges, parseConv1d, parseConv2d, run } from '../../examples/conv-exercises.js';

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
    // E13 on a real MNIST digit: x and y stencils × (direct loop, antisymmetry).
    assert.equal(r.rows.filter((x) => x.script === 'mnist-digit').length, 4);
    assert.equal(r.mnist.label, 7, 'MNIST test image 0 is a 7');
    for (const f of r.mnist.files) assert.ok(existsSync(f), `missing ${f}`);
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

test('conv-exercises: the direct 3×3 loop flips the stencil (a unit impulse returns θ mirrored), and the MNIST edges see the stroke', async () => {
  const nx = 5, ny = 4;
  const y = new Float64Array(nx * ny);
  y[2 + nx * 1] = 1;
  const theta = Float64Array.from({ length: 9 }, (_, k) => k + 1);
  const z = directConv3x3(theta, y, nx, ny);
  // z(ix, iy) = θ[(1 − jx) + 3(1 − jy)] with (jx, jy) = (2 − ix, 1 − iy): z(1, 0) = θ[0 + 3·0]… z(3, 2) = θ[2 + 3·2].
  assert.equal(z[1 + nx * 0], theta[0]);
  assert.equal(z[3 + nx * 2], theta[8]);
  assert.equal(z[2 + nx * 1], theta[4]);
  const dir = mkdtempSync(join(tmpdir(), 'numdl-e13-'));
  try {
    const m = await mnistEdges(dir, 1, 1);
    assert.equal(m.label, 2, 'MNIST test image 1 is a 2');
    for (const row of m.rows) assert.ok(row.error < 1e-12, `${row.check}: ${row.error}`);
    assert.equal(EDGE_STENCILS.x.reduce((a, b) => a + b, 0), 0, 'an edge stencil sums to zero: constants give no edge');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
