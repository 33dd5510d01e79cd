/**
 * What "Deterministic" in the README promises, tested exactly:
 * - same seed, same kernel backend (and thread count) → bit-identical results,
 *   run after run and process after process;
 * - across backends (TypeScript `js` vs WebAssembly `wasm`, switched by
 *   NUMDL_KERNELS or setKernelBackend) → every single call (value, gradient,
 *   Hessian product) agrees to rounding; whole trajectories are not promised
 *   to be identical (ill-conditioned runs may drift).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRng, wasmAvailable } from '../../src/index.js';
import { withBackend } from '../helpers/backend.js';
import { problem, shortRuns } from '../helpers/determinism.js';

const backends = wasmAvailable() ? (['js', 'wasm'] as const) : (['js'] as const);

for (const b of backends) {
  test(`same seed and backend (${b}) → bit-identical runs`, () => {
    const first = withBackend(b, shortRuns);
    const second = withBackend(b, shortRuns);
    assert.equal(second, first);
  });
}

test('across backends every call agrees to rounding (value, gradient, Hessian product)', { skip: !wasmAvailable() && 'wasm unavailable' }, () => {
  const { obj, x0 } = problem();
  const v = createRng(9).normalArray(obj.nParams);
  const at = (b: 'js' | 'wasm') => withBackend(b, () => {
    const ev = obj.evaluate(x0);
    return { value: ev.value, g: Float64Array.from(ev.gradient), Hv: Float64Array.from(ev.hessian!(v)) };
  });
  const js = at('js'), wa = at('wasm');
  const rel = (a: Float64Array, c: Float64Array) => {
    let d = 0, s = 0;
    for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - c[i])); s = Math.max(s, Math.abs(a[i])); }
    return d / s;
  };
  assert.ok(Math.abs(js.value - wa.value) <= 1e-14 * Math.abs(js.value), `value ${js.value} vs ${wa.value}`);
  assert.ok(rel(js.g, wa.g) <= 1e-13, `gradient rel. difference ${rel(js.g, wa.g)}`);
  assert.ok(rel(js.Hv, wa.Hv) <= 1e-13, `Hessian product rel. difference ${rel(js.Hv, wa.Hv)}`);
});

test('NUMDL_KERNELS=js in a fresh process gives the same bits as setKernelBackend(\'js\') here', () => {
  const here = withBackend('js', shortRuns);
  const script = fileURLToPath(new URL('../helpers/determinismChild.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, NUMDL_KERNELS: 'js' }, encoding: 'utf8' }).trim();
  assert.equal(out, here);
});
