import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumdlError, isNumdlError, matmul, zeros, randn, createRng } from '../../src/index.js';
import { checkVector } from '../../src/internals.js';

test('library checks throw NumdlError with fn, code and the offending values', () => {
  const rng = createRng(1);
  let caught: unknown;
  try {
    matmul(randn(3, 4, rng), randn(5, 2, rng));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof NumdlError, String(caught));
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'NumdlError');
  assert.equal(caught.fn, 'matmul');
  assert.equal(typeof caught.code, 'string');
  assert.match(caught.message, /^matmul: /);
  assert.ok(isNumdlError(caught));
  assert.equal(isNumdlError(new TypeError('x')), false);
});

test('check helpers record the argument and what they got', () => {
  try {
    checkVector('f', 'x', new Float64Array(3), 4);
    assert.fail('no throw');
  } catch (e) {
    assert.ok(e instanceof NumdlError);
    assert.equal(e.fn, 'f');
    assert.equal(e.code, 'badShape');
    assert.equal(e.values.argument, 'x');
    assert.equal(e.values.got, 3);
    assert.equal(e.values.expected, 4);
  }
});

test('zeros(1e5, 1e5) is a NumdlError naming zeros and the size, not a bare RangeError', () => {
  assert.throws(() => zeros(1e5, 1e5), (e: unknown) => e instanceof NumdlError && e.fn === 'zeros' && /1e\+?10|10000000000|100000×100000/.test(e.message) && e.code === 'tooLarge');
});
