/**
 * The operator examples run end to end (small, fast) and print small errors:
 * examples/conv1d-fft.ts (the lecture's five-step FFT exercise) and
 * examples/conv2d-image.ts (edge stencil on a digit and a ramp, PNGs saved).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const tsx = (script: string, args: string[] = []) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('operator examples', () => {
  it('conv1d-fft prints errors at rounding level for all five steps', () => {
    const out = tsx('examples/conv1d-fft.ts');
    const errors = [...out.matchAll(/(\d\.\d\de[+-]\d+)/g)].map((m) => Number(m[1]));
    assert.ok(errors.length >= 9, out);
    for (const e of errors) assert.ok(e < 1e-12, `error ${e} too large:\n${out}`);
    for (const step of ['1.', '2.', '3.', '4.', '5.']) assert.ok(out.includes(`\n${step} `), `step ${step} missing`);
  });
  it('conv2d-image saves input, output and transposed output PNGs for both boundaries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'numdl-conv2d-image-'));
    try {
      const out = tsx('examples/conv2d-image.ts', ['--out', dir, '--scale', '2']);
      assert.match(out, /ramp {2}zero {6}K y along row 14: ix=0 -0\.1111, ix=1 -0\.2222/);
      assert.match(out, /ramp {2}periodic {2}K y along row 14: ix=0 2\.8889/);
      for (const img of ['digit', 'ramp']) {
        for (const f of ['input', 'zero-output', 'zero-transposed', 'periodic-output', 'periodic-transposed']) {
          assert.ok(existsSync(join(dir, `${img}-${f}.png`)), `${img}-${f}.png missing`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
