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
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { checkSize, fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';

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
  if (!(bytes instanceof Uint8Array)) fail('isGzip', `bytes must be a Uint8Array or Buffer, got ${bytes === null ? 'null' : typeof bytes}`);
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
  if (bytes.length < 4) fail(fn, `${what} has ${bytes.length} bytes, too short for an IDX header (4 bytes at least)`, 'badData');
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(fn, `${what} has magic number ${hex(magic)}, not an IDX file (the first two bytes must be zero)`, 'badData');
  }
  const t = TYPES[bytes[2]];
  if (t === undefined) fail(fn, `${what} has magic number ${hex(magic)} with unknown element type 0x${bytes[2].toString(16).padStart(2, '0')}`, 'badData');
  const d = bytes[3];
  if (d === 0) fail(fn, `${what} has magic number ${hex(magic)} with zero dimensions`, 'badData');
  const headerBytes = 4 + 4 * d;
  if (bytes.length < headerBytes) {
    fail(fn, `${what} has ${bytes.length} bytes, truncated inside the header (${headerBytes} bytes for ${d} dimensions)`, 'badData');
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
  // Messages quote the sizes; a header of up to 255 dimensions must not make them kilobytes long.
  const dimsText = d <= 6 ? dims.join('*') : `${dims.slice(0, 3).join('*')}*…*${dims[d - 1]} (${d} dimensions)`;
  const expectedText = `${headerBytes} + ${dimsText}${t.bytes > 1 ? `*${t.bytes}` : ''}`;
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

/**
 * Growing prefixes of the compressed stream inflated to find the header
 * (4 + 4·d ≤ 1024 bytes). Deflate expands at most about 1032:1, so the largest
 * probe inflates to at most ~17 MB whatever the file holds.
 */
const HEADER_PROBES = [64, 256, 1024, 4096, 16384];
/** Output cap of a probe (above the ~17 MB a 16 KiB prefix can give). */
const PROBE_MAX_OUTPUT = 32 << 20;
/** Largest buffer Node can allocate (2³² − 1 bytes on 64-bit builds of recent versions; smaller elsewhere). */
const MAX_BYTES = Math.min(2 ** 32 - 1, Number.MAX_SAFE_INTEGER);

/**
 * Inflate a gzip-compressed IDX file safely (a "gzip bomb" must not take
 * memory): first inflate only the beginning to read the header, compute the
 * length the file must have, then inflate the whole stream with zlib's
 * `maxOutputLength` set to that length, so inflation stops with an error as
 * soon as the output grows past it (memory stays bounded by the announced
 * size). A header that announces more than a buffer can hold is refused
 * before the full inflation.
 * @param fn the public function, for messages
 * @param what the source, for messages ("buffer", "images file /x/y")
 * @returns the inflated bytes (at most the announced length; shorter if truncated)
 * @internal
 */
export function inflateIdx(fn: string, what: string, compressed: Uint8Array): Uint8Array {
  let head: Uint8Array = new Uint8Array(0);
  for (const k of HEADER_PROBES) {
    try {
      // Z_SYNC_FLUSH: return what the first k bytes inflate to, without requiring the stream's end.
      head = gunzipSync(compressed.subarray(0, k), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: PROBE_MAX_OUTPUT });
    } catch (e) {
      return fail(fn, `${what} looks gzip-compressed (starts with 1f 8b) but does not inflate: ${(e as Error).message}`, 'badData');
    }
    if (head.length >= 4 && head.length >= 4 + 4 * head[3]) break;
    if (k >= compressed.length) {
      // The whole stream gave no complete header: inflate it strictly, so that
      // a broken stream is reported as such rather than as a short file.
      try {
        head = gunzipSync(compressed, { maxOutputLength: PROBE_MAX_OUTPUT });
      } catch (e) {
        return fail(fn, `${what} looks gzip-compressed (starts with 1f 8b) but does not inflate: ${(e as Error).message}`, 'badData');
      }
      break;
    }
  }
  const header = readIdxHeader(fn, what, head);
  if (header.expectedBytes > MAX_BYTES) {
    fail(fn, `${what}: its header announces ${header.expectedText} = ${header.expectedBytes.toExponential(3)} bytes, more than a buffer can hold (${MAX_BYTES}); corrupt header or wrong file`, 'tooLarge', { expectedBytes: header.expectedBytes });
  }
  return inflateAtMost(fn, what, compressed, header.expectedBytes, header);
}

/** gunzip with an output cap at the announced length; past it, the bomb error. */
function inflateAtMost(fn: string, what: string, compressed: Uint8Array, cap: number, header: IdxHeader): Uint8Array {
  try {
    return gunzipSync(compressed, { maxOutputLength: Math.max(1, cap) });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail(fn, `${what} inflates to more than the ${header.expectedBytes} bytes its header announces (${header.expectedText}); stopped inflating there (corrupt file or a gzip bomb)`, 'badData', { expectedBytes: header.expectedBytes });
    }
    return fail(fn, `${what} looks gzip-compressed (starts with 1f 8b) but does not inflate: ${(e as Error).message}`, 'badData');
  }
}

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Decode only the first `count` items (default all `dims[0]`). */
  count?: number;
}

/**
 * Parse an IDX buffer (raw, or gzip-compressed: detected by its first bytes
 * 1f 8b and inflated with `node:zlib`, never past the length the header
 * announces, so a gzip bomb is stopped early). The buffer must have exactly
 * the length the header announces; a shorter one is truncated, a longer one corrupt.
 * @param buffer the file's bytes
 * @param options `{ count? }`: decode only the first `count` items
 * @returns header fields, `count` and the decoded elements (row-major, as in the file)
 * @throws `NumdlError` on a bad magic number, an unknown element type, a truncated or over-long buffer, a bad gzip stream (or one that inflates past the announced length), or `count > dims[0]`
 * @example parseIdx(bytes).dims // [10000, 28, 28] for t10k-images-idx3-ubyte
 */
export function parseIdx(buffer: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  const fn = 'parseIdx';
  if (!(buffer instanceof Uint8Array)) fail(fn, `buffer must be a Uint8Array or Buffer, got ${buffer === null ? 'null' : typeof buffer}`);
  checkOptions(fn, options, ['count']);
  // A gzip stream is inflated only up to the length its header announces (see inflateIdx).
  const bytes = isGzip(buffer) ? inflateIdx(fn, 'buffer', buffer) : buffer;
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
    fail(fn, `${what} has ${length} bytes, expected ${header.expectedText} = ${header.expectedBytes} (truncated)`, 'badData');
  }
  if (length > header.expectedBytes) {
    fail(fn, `${what} has ${length} bytes, expected ${header.expectedText} = ${header.expectedBytes} (trailing bytes: corrupt header or wrong file)`, 'badData');
  }
}
