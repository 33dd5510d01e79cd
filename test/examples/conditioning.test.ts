import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { matrix } from '../../src/core/matrix.js';
import { toDense, transposeOp } from '../../src/core/linearOperator.js';
import { factorsInPrecision, kroneckerJacobian, matrixFreeJacobian, roundToHalf, run, HALF_MAX } from '../../examples/conditioning.js';

/** All finite binary16 values, ascending, with their bit patterns (decoded independently of roundToHalf). */
function allHalves(): { value: number; bits: number }[] {
  const out: { value: number; bits: number }[] = [];
  for (let bits = 0; bits < 0x10000; bits++) {
    const sign = bits >> 15 ? -1 : 1, e = (bits >> 10) & 31, f = bits & 1023;
    if (e === 31) continue; // Inf, NaN
    const value = sign * (e === 0 ? f * 2 ** -24 : (1024 + f) * 2 ** (e - 25));
    if (value === 0 && sign < 0) continue; // keep one zero
    out.push({ value, bits });
  }
  return out.sort((a, b) => a.value - b.value);
}

test('roundToHalf is exact on known binary16 values and rounds ties to even', () => {
  assert.equal(roundToHalf(1), 1);
  assert.equal(roundToHalf(1 + 2 ** -10), 1 + 2 ** -10); // the next half after 1
  assert.equal(roundToHalf(1 + 2 ** -11), 1); // tie between 1 and 1 + 2^-10: to even (1)
  assert.equal(roundToHalf(1 + 3 * 2 ** -11), 1 + 2 ** -9); // tie: to the even 1 + 2·2^-10
  assert.equal(roundToHalf(1 + 2 ** -11 + 2 ** -30), 1 + 2 ** -10); // just above the tie
  assert.equal(roundToHalf(HALF_MAX), 65504);
  assert.equal(roundToHalf(65519.99), 65504);
  assert.equal(roundToHalf(65520), Infinity); // tie with 2^16: to even, which overflows
  assert.equal(roundToHalf(-70000), -Infinity);
  assert.equal(roundToHalf(2 ** -14), 2 ** -14); // smallest normal
  assert.equal(roundToHalf(2 ** -24), 2 ** -24); // smallest subnormal
  assert.equal(roundToHalf(2 ** -25), 0); // tie between 0 and 2^-24: to even (0)
  assert.equal(roundToHalf(2 ** -25 * 1.0001), 2 ** -24);
  assert.equal(roundToHalf(3 * 2 ** -25), 2 ** -23); // tie between 1·2^-24 and 2·2^-24
  assert.equal(roundToHalf(5 * 2 ** -25), 2 * 2 ** -24); // tie between 2·2^-24 and 3·2^-24
  assert.equal(roundToHalf(2049), 2048); // ulp is 2 in [2048, 4096): tie to even
  assert.equal(roundToHalf(2051), 2052);
  assert.equal(roundToHalf(0.1), 0.0999755859375);
  assert.equal(roundToHalf(-0.1), -0.0999755859375);
  assert.ok(Object.is(roundToHalf(-0), -0));
  assert.ok(Object.is(roundToHalf(-(2 ** -26)), -0));
  assert.ok(Number.isNaN(roundToHalf(NaN)));
});

test('roundToHalf agrees with a brute-force nearest-even search over all binary16 values', () => {
  const halves = allHalves();
  const values = halves.map((h) => h.value);
  const nearest = (x: number): number => {
    let lo = 0, hi = values.length - 1;
    if (x >= 65520) return Infinity;
    if (x <= -65520) return -Infinity;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (values[mid] <= x) lo = mid;
      else hi = mid;
    }
    const a = halves[lo], b = halves[hi];
    const da = Math.abs(x - a.value), db = Math.abs(b.value - x);
    if (da < db) return a.value;
    if (db < da) return b.value;
    return (a.bits & 1) === 0 ? a.value : b.value;
  };
  const rng = createRng(11);
  for (let k = 0; k < 20000; k++) {
    // log-uniform magnitudes across the whole range, subnormals included
    const x = (rng.uniform() < 0.5 ? -1 : 1) * 2 ** (-27 + 44 * rng.uniform());
    const got = roundToHalf(x), want = nearest(x);
    // === (not Object.is): an underflow to zero keeps x's sign, the oracle has a single zero
    assert.ok(got === want, `x = ${x}: got ${got}, expected ${want}`);
    if (got === 0) assert.ok(Object.is(got, x < 0 ? -0 : 0), `x = ${x}: zero has the wrong sign`);
  }
  // every midpoint between neighbours (ties), sampled
  for (let i = 0; i + 1 < halves.length; i += 7) {
    const mid = (halves[i].value + halves[i + 1].value) / 2;
    assert.ok(roundToHalf(mid) === nearest(mid), `midpoint ${mid}: got ${roundToHalf(mid)}, expected ${nearest(mid)}`);
    assert.equal(roundToHalf(halves[i].value), halves[i].value);
  }
});

test('conditioning: the Kronecker J equals the matrix-free J (and their transposes)', () => {
  const rng = createRng(5);
  const m = 6, d = 3, s = 15;
  const Y = matrix(d, s, rng.uniformArray(d * s, -1, 1));
  const K = matrix(m, d, rng.normalArray(m * d));
  const W = matrix(1, m, rng.normalArray(m));
  const Jk = kroneckerJacobian(factorsInPrecision(Y, K, W, 'double'));
  const Jf = matrixFreeJacobian(Y, K, W);
  assert.equal(Jk.rows, s);
  assert.equal(Jk.cols, m + m * d);
  const A = toDense(Jk).data, B = toDense(Jf).data;
  const At = toDense(transposeOp(Jk)).data, Bt = toDense(transposeOp(Jf)).data;
  let scale = 0;
  for (const b of B) scale = Math.max(scale, Math.abs(b));
  for (let i = 0; i < A.length; i++) {
    assert.ok(Math.abs(A[i] - B[i]) <= 1e-14 * scale, `entry ${i}: ${A[i]} vs ${B[i]}`);
    assert.ok(Math.abs(At[i] - Bt[i]) <= 1e-14 * scale, `transpose entry ${i}: ${At[i]} vs ${Bt[i]}`);
  }
  // J_W's columns are the features: J e_1 = σ(K Y)ᵀ's first column = first row of tanh(K Y).
  for (let j = 0; j < s; j++) {
    let p = 0;
    for (let l = 0; l < d; l++) p += K.data[0 + l * m] * Y.data[l + j * d];
    assert.ok(Math.abs(A[j] - Math.tanh(p)) < 1e-15);
  }
});

test('conditioning fast variant: J checks pass, cond(J) grows with m, half precision loses the small singular values', () => {
  const r = run({ widths: [4, 8], s: 40, seed: 1 });
  console.log(r.checkTable);
  console.log(r.table);
  for (const c of r.checks) {
    assert.ok(c.applyError < 1e-14, `m = ${c.m}: Kronecker vs matrix-free error ${c.applyError}`);
    assert.ok(c.transposeError < 1e-14, `m = ${c.m}: transpose error ${c.transposeError}`);
  }
  const row = (m: number, p: string) => r.rows.find((x) => x.m === m && x.precision === p)!;
  assert.equal(row(4, 'double').size, '40×16');
  assert.equal(row(8, 'double').size, '40×32');
  // J is tall here (m(d+1) ≤ s): cond grows with the width, by more than an order of magnitude.
  assert.ok(row(8, 'double').cond > 10 * row(4, 'double').cond, `cond ${row(4, 'double').cond} → ${row(8, 'double').cond}`);
  assert.ok(row(8, 'double').cond > 1e3);
  for (const m of [4, 8]) {
    // single precision resolves everything above u·σ₁ ≈ 6e-8·σ₁: relative errors ≲ cond·u
    assert.ok(row(m, 'single').maxRelErrResolved < 1e-3);
    assert.equal(row(m, 'single').lost, 0);
    // every σ_i well above u·σ₁ keeps a small relative error in half precision too ...
    assert.ok(row(m, 'half').maxRelErrResolved < 0.05, `m = ${m}: ${row(m, 'half').maxRelErrResolved}`);
  }
  // ... but those below u(half)·σ₁ exist at m = 8 and are perturbed by more than 10%
  assert.ok(row(8, 'half').belowU > 0);
  assert.ok(row(8, 'half').lost > 0);
  const spectrum = r.spectra.find((e) => e.m === 8 && e.precision === 'double')!.values;
  for (let i = 1; i < spectrum.length; i++) assert.ok(spectrum[i] <= spectrum[i - 1]);
});
