/**
 * The curated public surface (docs/conventions.md §4): the main entry exports
 * exactly the names of test/package/public-surface.txt, internals stay in
 * `numdl/internals`, and the Node-only names stay in `numdl/node`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../../src/index.js';
import * as internals from '../../src/internals.js';
import * as nodeEntry from '../../src/node/index.js';
import { publicSurface } from '../helpers/publicSurface.js';


test('the main entry exports exactly the committed public surface', () => {
  const listed = publicSurface();
  assert.deepEqual(listed, [...listed].sort(), 'public-surface.txt must stay sorted');
  const actual = Object.keys(nd).sort();
  const added = actual.filter((n) => !listed.includes(n));
  const removed = listed.filter((n) => !actual.includes(n));
  assert.deepEqual(
    { added, removed }, { added: [], removed: [] },
    'the main entry changed: add deliberate new public names to test/package/public-surface.txt, or move internals to src/internals.ts',
  );
});

test('internals are not in the main entry, and the internals entry has what tests and benchmarks use', () => {
  const pub = new Set(Object.keys(nd));
  const both = Object.keys(internals).filter((n) => pub.has(n));
  assert.deepEqual(both, [], 'a name is either public or internal');
  for (const n of ['fail', 'checkMatrix', 'shapeStr', 'GEMM_BLOCKS', 'gemm', 'wasmGemmStrided', 'preferWasmGemm', 'wasmConv2d', 'resolveActivation']) {
    assert.ok(n in internals, `numdl/internals exports ${n}`);
    assert.ok(!pub.has(n), `the main entry does not export ${n}`);
  }
});

test('the Node-only names live in numdl/node, not in the main entry', () => {
  for (const n of ['loadMnist', 'parseIdx', 'isGzip']) {
    assert.equal(typeof (nodeEntry as Record<string, unknown>)[n], 'function', `numdl/node exports ${n}`);
    assert.ok(!(n in nd), `the main entry does not export ${n}`);
  }
});
