/**
 * Hostile data: a gzip bomb is stopped as soon as it inflates past the size
 * its header announces, huge headers give short errors, and a folder where a
 * file should be is named as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NumdlError } from '../../src/index.js';
import { loadMnist, parseIdx } from '../../src/node/index.js';

/** IDX header for ubyte data with the given dims. */
function header(dims: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return head;
}

/** A 10-image file whose gzip inflates to 64 MiB: header for 10×28×28, then zeros. */
function bomb(): Buffer {
  return gzipSync(Buffer.concat([header([10, 28, 28]), Buffer.alloc(64 * 2 ** 20)]), { level: 9 });
}

test('parseIdx stops a gzip bomb as soon as it inflates past the size the header announces', () => {
  const gz = bomb();
  assert.ok(gz.length < 200 * 1024, `the bomb is small: ${gz.length} bytes`);
  assert.throws(() => parseIdx(gz), (e: unknown) => e instanceof NumdlError && e.fn === 'parseIdx' && e.code === 'badData'
    && /inflates to more than the 7856 bytes its header announces \(16 \+ 10\*28\*28\)/.test(e.message), 'bomb');
  // A header that announces more than a buffer can hold is refused before inflating.
  const huge = gzipSync(Buffer.concat([header([0xffffffff, 0xffffffff]), Buffer.alloc(1000)]));
  assert.throws(() => parseIdx(huge), (e: unknown) => e instanceof NumdlError && e.code === 'tooLarge' && e.message.length < 300);
  // A well-formed gzip file still parses, a short one is still truncated.
  const ok = Buffer.concat([header([2, 2, 2]), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]);
  assert.deepEqual(Array.from(parseIdx(gzipSync(ok)).data), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(() => parseIdx(gzipSync(ok.subarray(0, 20))), /truncated/);
});

test('loadMnist stops a gzip bomb too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-bomb-'));
  try {
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), bomb());
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(Buffer.concat([header([10]), Buffer.alloc(10)]).fill(0, 0, 2)));
    assert.throws(() => loadMnist({ dir, train: 0 }), (e: unknown) => e instanceof NumdlError && e.fn === 'loadMnist' && /inflates to more than the 7856 bytes/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors for huge IDX headers stay short', () => {
  const dims = Array.from({ length: 255 }, () => 0xffffffff);
  const buf = Buffer.concat([header(dims), Buffer.alloc(8)]);
  for (const b of [buf, gzipSync(buf)]) {
    assert.throws(() => parseIdx(b), (e: unknown) => e instanceof NumdlError && e.message.length < 300 && /255 dimensions/.test(e.message), 'short message');
  }
  const small = Buffer.concat([header([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), Buffer.alloc(4)]);
  assert.throws(() => parseIdx(small), (e: unknown) => e instanceof Error && e.message.length < 300);
});

test('loadMnist names a folder where a file should be (archives that unpack each file into a folder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-dirs-'));
  try {
    mkdirSync(join(dir, 't10k-images-idx3-ubyte'));
    mkdirSync(join(dir, 't10k-labels-idx1-ubyte'));
    assert.throws(() => loadMnist({ dir, train: 0 }), (e: unknown) => e instanceof NumdlError && e.fn === 'loadMnist'
      && /t10k-images-idx3-ubyte is a folder, not a file/.test(e.message) && !/EISDIR/.test(e.message));
    writeFileSync(join(dir, 'plain-file'), 'x');
    assert.throws(() => loadMnist({ dir: join(dir, 'plain-file') }), (e: unknown) => e instanceof NumdlError && /is a file, not a folder/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
