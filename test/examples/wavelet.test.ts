import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAST, run, waveletLevels } from '../../examples/wavelet.js';

test('wavelet: the scale of each coefficient in Mallat\'s layout (1-D and 2-D)', () => {
  assert.deepEqual(Array.from(waveletLevels([8], 3)), [0, 3, 2, 2, 1, 1, 1, 1]);
  // 4×4, one level: the 2×2 corner holds the averages, the rest the level-1 details.
  assert.deepEqual(Array.from(waveletLevels([4, 4], 1)), [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(waveletLevels([4, 4], 2)).slice(0, 4), [0, 2, 1, 1]);
});

test('wavelet (fast): cost sweep, learned Haar and convolution denoisers beat the noisy input, figures written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'numdl-wavelet-'));
  try {
    const r = await run({ ...FAST, digits: 60, maxN: 2048, maxDenseN: 512, out });
    console.log(r.denoise.map((d) => `${d.data} | ${d.model}: ${d.relError.toFixed(4)}`).join('\n'));
    assert.deepEqual(r.cost.map((c) => c.n), [256, 512, 1024, 2048]);
    for (const c of r.cost) assert.ok(c.wavelet > 0 && c.fft > 0 && (c.n <= 512 ? c.dense > 0 : Number.isNaN(c.dense)));
    assert.equal(r.denoise.length, 10);
    for (const block of [r.denoise.slice(0, 5), r.denoise.slice(5)]) {
      const noisy = block[0].relError;
      assert.ok(block[0].model === 'noisy input' && noisy > 0.2, `noisy error ${noisy}`);
      // Every fitted model denoises.
      for (const d of block.slice(1, 4)) assert.ok(d.relError < 0.9 * noisy, `${d.data} ${d.model}: ${d.relError} vs noisy ${noisy}`);
    }
    // On piecewise-constant signals the data-dependent Haar threshold is the best of all.
    const steps = r.denoise.slice(0, 5);
    assert.equal(Math.min(...steps.map((d) => d.relError)), steps[4].relError);
    assert.equal(r.files.length, 3);
    for (const f of r.files) assert.ok(existsSync(f), `${f} written`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
