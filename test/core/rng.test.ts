import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/index.js';

test('same seed, same stream; different seeds differ', () => {
  const a = createRng(123), b = createRng(123), c = createRng(124);
  const sa = Array.from({ length: 20 }, () => a.uniform());
  const sb = Array.from({ length: 20 }, () => b.uniform());
  const sc = Array.from({ length: 20 }, () => c.uniform());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.deepEqual(Array.from(createRng('x').normalArray(9)), Array.from(createRng('x').normalArray(9)));
});

test('uniform lies in [0, 1) with mean 1/2; normal has mean 0 and variance 1', () => {
  const r = createRng(1);
  const n = 20000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  // 5-sigma bands: sd(mean of U) = 0.289/sqrt(n) ≈ 0.002, sd(mean of N) ≈ 0.007, sd(var) ≈ 0.01
  assert.ok(Math.abs(su / n - 0.5) < 0.011, `uniform mean ${su / n}`);
  assert.ok(Math.abs(sn / n) < 0.036, `normal mean ${sn / n}`);
  assert.ok(Math.abs(sn2 / n - 1) < 0.05, `normal variance ${sn2 / n}`);
});

test('randi covers its range; randperm is a permutation; shuffle permutes in place', () => {
  const r = createRng(5);
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const k = r.randi(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    seen.add(k);
  }
  assert.equal(seen.size, 7);
  const p = r.randperm(50);
  assert.deepEqual(Array.from(p).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(Array.from(p), Array.from({ length: 50 }, (_, i) => i));
  const arr = [1, 2, 3, 4, 5, 6, 7, 8];
  const out = r.shuffle(arr);
  assert.equal(out, arr);
  assert.deepEqual([...arr].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('fork gives reproducible, distinct child streams', () => {
  const a = createRng(9).fork('w'), b = createRng(9).fork('w');
  assert.equal(a.uniform(), b.uniform());
  const p = createRng(9);
  const c1 = p.fork(), c2 = p.fork();
  assert.notEqual(c1.uniform(), c2.uniform());
});

test('bad arguments are named', () => {
  assert.throws(() => createRng(NaN), /createRng: seed must be finite, got NaN/);
  assert.throws(() => createRng(1).randi(0), /randi: n must be a positive integer, got 0/);
  assert.throws(() => createRng(1).randperm(-2), /randperm: n must be a non-negative integer, got -2/);
});

test('seeds whose text repeats a shorter seed give different streams', () => {
  // seedrandom alone maps '1', '11' and '111' (and 'ab', 'abab') to one stream
  const first = (s: number | string) => createRng(s).uniform();
  const groups: (number | string)[][] = [[1, 11, 111], [12, 1212], ['ab', 'abab'], [0, '00']];
  for (const g of groups) {
    const vals = g.map(first);
    assert.equal(new Set(vals).size, g.length, `seeds ${g.join(', ')} collide`);
  }
  const many = new Set(Array.from({ length: 200 }, (_, i) => first(i)));
  assert.equal(many.size, 200);
});
