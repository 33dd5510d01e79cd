/**
 * Lossless text encoding of float64 (and other typed) arrays for saved
 * models: the IEEE-754 bytes, little-endian regardless of the platform, in
 * standard base64 (RFC 4648 §4, with `=` padding). Written out here because
 * `Buffer` is Node-only and `btoa` works on strings, not bytes.
 */
import { fail } from '../core/errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Base64 of a byte array. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    const b0 = bytes[i], b1 = i + 1 < n ? bytes[i + 1] : 0, b2 = i + 2 < n ? bytes[i + 2] : 0;
    const t = (b0 << 16) | (b1 << 8) | b2;
    chunk += ALPHABET[(t >> 18) & 63] + ALPHABET[(t >> 12) & 63] + (i + 1 < n ? ALPHABET[(t >> 6) & 63] : '=') + (i + 2 < n ? ALPHABET[t & 63] : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * Bytes of a base64 string.
 * @param fn caller, for the error message
 * @param field the JSON field, for the error message
 * @throws `fn: field is not valid base64 (character '%' at 17)` or a wrong length
 */
export function base64ToBytes(fn: string, field: string, s: unknown): Uint8Array {
  if (typeof s !== 'string') fail(fn, `${field} must be a base64 string, got ${s === null ? 'null' : typeof s}`);
  if (s.length % 4 !== 0) fail(fn, `${field} is not valid base64 (length ${s.length} is not a multiple of 4)`);
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let t = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      let v = c < 128 ? DECODE[c] : -1;
      if (v < 0) {
        if (c === 61 /* = */ && i + k >= s.length - pad) v = 0;
        else fail(fn, `${field} is not valid base64 (character '${s[i + k]}' at ${i + k})`);
      }
      t = (t << 6) | v;
    }
    if (o < out.length) out[o++] = (t >> 16) & 255;
    if (o < out.length) out[o++] = (t >> 8) & 255;
    if (o < out.length) out[o++] = t & 255;
  }
  return out;
}

/** The typed arrays a saved model may contain, by constructor name. */
const TYPED = {
  Float64Array: { ctor: Float64Array, bytes: 8, get: (d: DataView, o: number) => d.getFloat64(o, true), set: (d: DataView, o: number, v: number) => d.setFloat64(o, v, true) },
  Float32Array: { ctor: Float32Array, bytes: 4, get: (d: DataView, o: number) => d.getFloat32(o, true), set: (d: DataView, o: number, v: number) => d.setFloat32(o, v, true) },
  Int32Array: { ctor: Int32Array, bytes: 4, get: (d: DataView, o: number) => d.getInt32(o, true), set: (d: DataView, o: number, v: number) => d.setInt32(o, v, true) },
} as const;

/** Names of the typed arrays {@link encodeTyped} accepts. */
export type TypedName = keyof typeof TYPED;
type AnyTyped = Float64Array | Float32Array | Int32Array;

/** The {@link TypedName} of a typed array, or null for other values. */
export function typedName(v: unknown): TypedName | null {
  if (v instanceof Float64Array) return 'Float64Array';
  if (v instanceof Float32Array) return 'Float32Array';
  if (v instanceof Int32Array) return 'Int32Array';
  return null;
}

/** Base64 of the little-endian bytes of a typed array (bit-exact: every finite value, ±0, ±∞). */
export function encodeTyped(a: AnyTyped): string {
  const t = TYPED[typedName(a) as TypedName];
  const bytes = new Uint8Array(a.length * t.bytes);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) t.set(view, i * t.bytes, a[i]);
  return bytesToBase64(bytes);
}

/**
 * The typed array of a base64 string written by {@link encodeTyped}.
 * @param length the expected number of entries, or undefined
 * @throws naming `field` on bad base64, a byte count that is not a whole number of entries, or another length
 */
export function decodeTyped(fn: string, field: string, type: TypedName, s: unknown, length?: number): AnyTyped {
  const t = TYPED[type];
  const bytes = base64ToBytes(fn, field, s);
  if (bytes.length % t.bytes !== 0) fail(fn, `${field} holds ${bytes.length} bytes, not a whole number of ${type} entries`);
  const n = bytes.length / t.bytes;
  if (length !== undefined && n !== length) fail(fn, `${field} holds ${n} values, expected ${length}`);
  const out = new t.ctor(n);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) out[i] = t.get(view, i * t.bytes);
  return out;
}
