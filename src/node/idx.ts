/**
 * The IDX file format (used by MNIST), parsed here from its definition:
 *
 *   bytes 0–1  zero
 *   byte  2    element type: 0x08 ubyte, 0x09 byte, 0x0B int16, 0x0C int32,
 *              0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then d     big-endian uint32 sizes, then the elements, big-endian,
 *              in row-major (C) order: the last dimension varies fastest.
 *
 * So MNIST images (magic 0x00000803) are `count × rows × cols` unsigned bytes
 * and labels (magic 0x00000801) `count` unsigned bytes. A file may also be
 * gzip-compressed (it then starts with the bytes 1f 8b).
 */
import { gunzipSync } from 'node:zlib';
import { checkSize, fail } from '../core/errors.js';

/** Element types of the IDX format. */
export type IdxType = 'ubyte' | 'byte' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'ubyte', bytes: 1 },
  0x09: { type: 'byte', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

/** The header of an IDX file. */
export interface IdxHeader {
  /** The first four bytes as a big-endian number, e.g. `0x00000803`. */
  magic: number;
  /** Element type. */
  type: IdxType;
  /** Bytes per element. */
  itemBytes: number;
  /** Sizes of all dimensions, as stored (the first is the number of items). */
  dims: number[];
  /** Length of the header in bytes, `4 + 4·d`. */
  headerBytes: number;
  /** Total length the file must have: header plus all elements. */
  expectedBytes: number;
  /** The expected length written out, e.g. `16 + 10000*28*28`, for messages. */
  expectedText: string;
}

/** Result of {@link parseIdx}. */
export interface IdxArray extends IdxHeader {
  /** Number of items decoded (`count` if given, else `dims[0]`). */
  count: number;
  /**
   * The first `count` items, row-major as in the file: a Uint8Array view for
   * ubyte (no copy), otherwise a native-endian typed array.
   */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** True when the bytes start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function hex(m: number): string {
  return '0x' + (m >>> 0).toString(16).padStart(8, '0');
}

/**
 * Read and check an IDX header. `what` names the source in messages
 * ("buffer", "images file /x/y"), `fn` the public function.
 * @internal
 */
export function readIdxHeader(fn: string, what: string, bytes: Uint8Array): IdxHeader {
  if (bytes.length < 4) fail(fn, `${what} has ${bytes.length} bytes, too short for an IDX header (4 bytes at least)`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(fn, `${what} has magic number ${hex(magic)}, not an IDX file (the first two bytes must be zero)`);
  }
  const t = TYPES[bytes[2]];
  if (t === undefined) fail(fn, `${what} has magic number ${hex(magic)} with unknown element type 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const d = bytes[3];
  if (d === 0) fail(fn, `${what} has magic number ${hex(magic)} with zero dimensions`);
  const headerBytes = 4 + 4 * d;
  if (bytes.length < headerBytes) {
    fail(fn, `${what} has ${bytes.length} bytes, truncated inside the header (${headerBytes} bytes for ${d} dimensions)`);
  }
  const dims: number[] = [];
  let items = 1;
  for (let k = 0; k < d; k++) {
    const o = 4 + 4 * k;
    // Big-endian uint32 (>>> 0 keeps it unsigned).
    const s = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    dims.push(s);
    items *= s;
  }
  const expectedBytes = headerBytes + items * t.bytes;
  const expectedText = `${headerBytes} + ${dims.join('*')}${t.bytes > 1 ? `*${t.bytes}` : ''}`;
  return { magic, type: t.type, itemBytes: t.bytes, dims, headerBytes, expectedBytes, expectedText };
}

/**
 * Decode the first `count` items after the header (the caller has checked
 * that `bytes` holds them).
 * @internal
 */
export function decodeIdx(header: IdxHeader, bytes: Uint8Array, count: number): IdxArray['data'] {
  let perItem = 1;
  for (let k = 1; k < header.dims.length; k++) perItem *= header.dims[k];
  const len = count * perItem;
  const start = header.headerBytes;
  if (header.type === 'ubyte') return bytes.subarray(start, start + len);
  if (header.type === 'byte') return Int8Array.from(bytes.subarray(start, start + len), (b) => (b << 24) >> 24);
  // Multi-byte elements are big-endian in the file: read through a DataView.
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, len * header.itemBytes);
  switch (header.type) {
    case 'int16': {
      const out = new Int16Array(len);
      for (let i = 0; i < len; i++) out[i] = view.getInt16(2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(len);
      for (let i = 0; i < len; i++) out[i] = view.getInt32(4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(len);
      for (let i = 0; i < len; i++) out[i] = view.getFloat32(4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(len);
      for (let i = 0; i < len; i++) out[i] = view.getFloat64(8 * i, false);
      return out;
    }
  }
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Decode only the first `count` items (default all `dims[0]`). */
  count?: number;
}

/**
 * Parse an IDX buffer (raw, or gzip-compressed: detected by its first bytes
 * 1f 8b and inflated with `node:zlib`). The buffer must have exactly the length
 * the header announces; a shorter one is truncated, a longer one corrupt.
 * @param buffer the file's bytes
 * @param options `{ count? }`: decode only the first `count` items
 * @returns header fields, `count` and the decoded elements (row-major, as in the file)
 * @throws on a bad magic number, an unknown element type, a truncated or over-long buffer, a bad gzip stream, or `count > dims[0]`
 * @example parseIdx(bytes).dims // [10000, 28, 28] for t10k-images-idx3-ubyte
 */
export function parseIdx(buffer: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const fn = 'parseIdx';
  if (!(buffer instanceof Uint8Array)) fail(fn, `buffer must be a Uint8Array or Buffer, got ${buffer === null ? 'null' : typeof buffer}`);
  let bytes = buffer;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      fail(fn, `buffer looks gzip-compressed (starts with 1f 8b) but does not inflate: ${(e as Error).message}`);
    }
  }
  const header = readIdxHeader(fn, 'buffer', bytes);
  checkIdxLength(fn, 'buffer', header, bytes.length);
  const count = options.count === undefined ? header.dims[0] : checkSize(fn, 'count', options.count);
  if (count > header.dims[0]) fail(fn, `count = ${count} but the buffer holds ${header.dims[0]} items`);
  return { ...header, count, data: decodeIdx(header, bytes, count) };
}

/**
 * Check that a source of `length` bytes is exactly as long as its header says.
 * @internal
 */
export function checkIdxLength(fn: string, what: string, header: IdxHeader, length: number): void {
  if (length < header.expectedBytes) {
    fail(fn, `${what} has ${length} bytes, expected ${header.expectedText} = ${header.expectedBytes} (truncated)`);
  }
  if (length > header.expectedBytes) {
    fail(fn, `${what} has ${length} bytes, expected ${header.expectedText} = ${header.expectedBytes} (trailing bytes: corrupt header or wrong file)`);
  }
}
