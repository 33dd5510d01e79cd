// Direct multi-channel 2-D convolution, any stride s, zero or periodic boundary, f64x2 / f32x4.
//
// Geometry (numdl's layout): an image with c channels is one column, pixel
// (ix, iy) of channel ch at ix + nx*(iy + ny*ch); a batch is n such columns.
// θ is [kx, ky, cin, cout] column-major, hx = (kx−1)/2, hy = (ky−1)/2, s
// divides nx and ny, the output keeps the pixels (s·ox, s·oy), ox < mx = nx/s,
// oy < my = ny/s, and
//
//   z(ox, oy, co) = Σ_ci Σ_{a,b} θ[a, b, ci, co] · y(s·ox + hx − a, s·oy + hy − b, ci)
//
// (a true convolution; y = 0 outside the image for the zero boundary, y
// wrapped around for the periodic one). With P the padded image
// (P(px, py) = y(px − hx, py − hy), (nx + kx − 1) × (ny + ky − 1), border zero
// or wrapped) and the stencil rotated by 180° (u = kx−1−a, v = ky−1−b):
//
//   z(ox, oy, co) = Σ_ci Σ_{u,v} θ[kx−1−u, ky−1−v, ci, co] · P(s·ox + u, s·oy + v, ci).
//
// Stride by polyphase planes: P(s·x + u, ·) = P_{u mod s}(x + ⌊u/s⌋, ·), where
// P_p(x) = P(s·x + p) (per direction, s² planes per channel), turns the strided
// correlation into a stride-1 correlation over the planes, tap (ci, u, v)
// reading plane (ci, u mod s, v mod s) at offset (⌊u/s⌋, ⌊v/s⌋). For s = 1 the
// one plane is P itself.
//
// Flat tiles: a plane of Qx × Qy pixels is read as one long row, output flat
// position f = ox + Qx·oy reads P at f + (offset of the tap). Positions with
// ox ≥ mx (or past the last row) read across row ends and are computed and
// dropped; in exchange every register tile is full (no ragged row ends) and
// one flat loop over the taps serves every stencil, stride and direction.
// The tile results go to a scratch plane and are then copied (compacted) into
// the output columns. When an output row is a whole number of vectors (and
// beta = 0, all output channel groups full) the tiles walk the rows instead
// and write the output directly (a 1-vector tile for an odd tail): no dropped
// positions, no compaction.
//
// The transpose Kᵀ is the same machinery: y(ix, iy, ci) gets
// θ[a, b, ci, co] · z((ix − hx + a)/s, (iy − hy + b)/s, co) where the division is
// exact. For the output phase (p, q) (ix = s·x + p, iy = s·y + q) only the taps
// a ≡ hx − p, b ≡ hy − q (mod s) contribute, as a stride-1 correlation over z
// padded by lx = ⌈hx/s⌉, ly = ⌈hy/s⌉ at offset ((p − hx + a)/s + lx, (q − hy + b)/s + ly);
// each phase's result is interleaved back into y (s = 1: one phase, the
// unrotated stencil over z padded by hx, hy).

import { madd } from './simd';

/** Output channels per register tile. */
const NC: i32 = 4;
/** Vectors along the flat position per register tile (NC·NV accumulators). */
const NV: i32 = 2;

/** Lanes of a vector of T. */
// @ts-ignore: decorator
@inline function lanesOf<T>(): i32 { return <i32>(16 / sizeof<T>()); }

/** Pixels per register tile along the flat position. */
// @ts-ignore: decorator
@inline function tileLen<T>(): i32 { return NV * lanesOf<T>(); }

/** n rounded up to a multiple of m. */
// @ts-ignore: decorator
@inline function roundUp(n: i32, m: i32): i32 { return (n + m - 1) / m * m; }

/** Byte address rounded up to a cache line. */
// @ts-ignore: decorator
@inline function align64(p: usize): usize { return (p + 63) & ~(<usize>63); }

/**
 * One register tile: NC output channels × NV vectors at consecutive flat
 * positions. acc(t, k) = Σ_tap wp[tap·NC + t] · P[p + offs[tap] + 16k bytes].
 * p: the plane base at the tile's first position; offs: `taps` u32 byte
 * offsets (one flat loop over every tap of every input channel, whatever the
 * stencil and stride); wp: the group's packed weights, NC per tap; out: the
 * tile's first output, oc bytes between output channels.
 * 8 accumulators (+ 2 inputs + 1 weight): tiles of 12 accumulators (3
 * vectors × 4, or 6 × 2) leave no spare register among x64's 16 and measured
 * 10–20 % slower, f64 and f32 alike.
 */
function tile<T>(p: usize, offs: usize, taps: i32, wp: usize, out: usize, oc: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a01 = z, a11 = z, a02 = z, a12 = z, a03 = z, a13 = z;
  const end = offs + (<usize>taps << 2);
  for (let q = offs; q < end; q += 4) {
    const r = p + <usize>load<u32>(q);
    const x0 = v128.load(r, 0), x1 = v128.load(r, 16);
    let w = v128.load_splat<T>(wp, 0 * sz);
    a00 = madd<T>(x0, w, a00); a10 = madd<T>(x1, w, a10);
    w = v128.load_splat<T>(wp, 1 * sz);
    a01 = madd<T>(x0, w, a01); a11 = madd<T>(x1, w, a11);
    w = v128.load_splat<T>(wp, 2 * sz);
    a02 = madd<T>(x0, w, a02); a12 = madd<T>(x1, w, a12);
    w = v128.load_splat<T>(wp, 3 * sz);
    a03 = madd<T>(x0, w, a03); a13 = madd<T>(x1, w, a13);
    wp += <usize>NC * sz;
  }
  let o = out;
  v128.store(o, a00, 0); v128.store(o, a10, 16);
  o += oc;
  v128.store(o, a01, 0); v128.store(o, a11, 16);
  o += oc;
  v128.store(o, a02, 0); v128.store(o, a12, 16);
  o += oc;
  v128.store(o, a03, 0); v128.store(o, a13, 16);
}

/** {@link tile} with one vector (4 accumulators): the tail of a row whose length is an odd number of vectors. */
function tile1<T>(p: usize, offs: usize, taps: i32, wp: usize, out: usize, oc: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a0 = z, a1 = z, a2 = z, a3 = z;
  const end = offs + (<usize>taps << 2);
  for (let q = offs; q < end; q += 4) {
    const x = v128.load(p + <usize>load<u32>(q));
    a0 = madd<T>(x, v128.load_splat<T>(wp), a0);
    a1 = madd<T>(x, v128.load_splat<T>(wp, sz), a1);
    a2 = madd<T>(x, v128.load_splat<T>(wp, 2 * sz), a2);
    a3 = madd<T>(x, v128.load_splat<T>(wp, 3 * sz), a3);
    wp += <usize>NC * sz;
  }
  v128.store(out, a0);
  v128.store(out + oc, a1);
  v128.store(out + 2 * oc, a2);
  v128.store(out + 3 * oc, a3);
}

/**
 * out[0..L) of every output channel (rows of L values, L a multiple of the
 * tile length) ← the correlation of the planes at P with the tap list
 * (offs, packed weights wp: groups of NC channels, `taps`·NC values each).
 * Positions outer, channel groups inner: a tile's input window (a few rows of
 * every plane) is reused from L1 by all groups.
 */
function correlate<T>(P: usize, offs: usize, taps: i32, wp: usize, cOut: i32, L: i32, out: usize): void {
  const sz = sizeof<T>();
  const TW = tileLen<T>();
  const oc = <usize>L * sz;
  const wg = <usize>(taps * NC) * sz;
  for (let f = 0; f < L; f += TW) {
    const pf = P + <usize>f * sz, pz = out + <usize>f * sz;
    for (let g = 0; g < cOut; g += NC) {
      tile<T>(pf, offs, taps, wp + <usize>(g / NC) * wg, pz + <usize>g * oc, oc);
    }
  }
}

/**
 * Like {@link correlate}, but straight into the output columns: rows of mx
 * outputs (mx a whole number of vectors, so no position is dropped: full
 * tiles, then one {@link tile1} if a vector is left) at row stride mx, channel
 * stride oc bytes, read from planes of row stride qx. Saves the dropped
 * positions and the compaction pass when the row fits.
 */
function correlateRows<T>(P: usize, qx: i32, offs: usize, taps: i32, wp: usize, cOut: i32, mx: i32, my: i32, out: usize, oc: usize): void {
  const sz = sizeof<T>();
  const TW = tileLen<T>();
  const wg = <usize>(taps * NC) * sz;
  for (let oy = 0; oy < my; oy++) {
    const prow = P + <usize>(oy * qx) * sz, orow = out + <usize>(oy * mx) * sz;
    let x = 0;
    for (; x + TW <= mx; x += TW) {
      for (let g = 0; g < cOut; g += NC) {
        tile<T>(prow + <usize>x * sz, offs, taps, wp + <usize>(g / NC) * wg, orow + <usize>x * sz + <usize>g * oc, oc);
      }
    }
    if (x == mx) continue;
    for (let g = 0; g < cOut; g += NC) {
      tile1<T>(prow + <usize>x * sz, offs, taps, wp + <usize>(g / NC) * wg, orow + <usize>x * sz + <usize>g * oc, oc);
    }
  }
}

/**
 * Copy c channels of one example (nx×ny each, from src) into the padded
 * buffer P (channel stride pc, row stride pr bytes): interior at (hx, hy);
 * the border is left alone (zero boundary: zero from the start) or filled with
 * the wrapped-around image (periodic: columns first on the interior rows, then
 * whole padded rows; needs hx ≤ nx, hy ≤ ny).
 */
function padImage<T>(P: usize, pc: usize, pr: usize, src: usize, c: i32, nx: i32, ny: i32, hx: i32, hy: i32, periodic: bool): void {
  const sz = sizeof<T>();
  const N = nx * ny;
  const rowBytes = <usize>nx * sz;
  const padRow = <usize>(nx + 2 * hx) * sz;
  for (let ch = 0; ch < c; ch++) {
    const pch = P + <usize>ch * pc;
    for (let iy = 0; iy < ny; iy++) {
      memory.copy(pch + <usize>(iy + hy) * pr + <usize>hx * sz, src + <usize>(ch * N + iy * nx) * sz, rowBytes);
    }
    if (!periodic) continue;
    for (let py = hy; py < hy + ny; py++) {
      const r = pch + <usize>py * pr;
      for (let a = 0; a < hx; a++) {
        store<T>(r + <usize>a * sz, load<T>(r + <usize>(a + nx) * sz));
        store<T>(r + <usize>(hx + nx + a) * sz, load<T>(r + <usize>(hx + a) * sz));
      }
    }
    for (let b = 0; b < hy; b++) {
      memory.copy(pch + <usize>b * pr, pch + <usize>(b + ny) * pr, padRow);
      memory.copy(pch + <usize>(hy + ny + b) * pr, pch + <usize>(hy + b) * pr, padRow);
    }
  }
}

/**
 * Split c padded channels (Px × Py each, contiguous, at T) into s² polyphase
 * planes per channel: plane (ch, p, q) at dst + ((ch·s + q)·s + p)·pc holds
 * P(s·x + p, s·y + q) at x + qx·y.
 */
function splitPhases<T>(dst: usize, pc: usize, qx: i32, T: usize, c: i32, Px: i32, Py: i32, s: i32): void {
  const sz = sizeof<T>();
  const step = <usize>s * sz;
  for (let ch = 0; ch < c; ch++) {
    const src = T + <usize>(ch * Px * Py) * sz;
    for (let py = 0; py < Py; py++) {
      const row = src + <usize>(py * Px) * sz;
      const dq = dst + <usize>((ch * s + py % s) * s) * pc + <usize>((py / s) * qx) * sz;
      // Plane p of this row takes pixels p, p + s, p + 2s, … (no division per pixel).
      for (let p = 0; p < s; p++) {
        const d = dq + <usize>p * pc, len = (Px - p + s - 1) / s;
        let q = row + <usize>p * sz;
        for (let x = 0; x < len; x++, q += step) store<T>(d + <usize>x * sz, load<T>(q));
      }
    }
  }
}

/**
 * {@link splitPhases} for s = 2 with vector shuffles: each pair of vectors of
 * a padded row gives one vector of its even and one of its odd pixels (the
 * scalar loop cost about as much as the whole stride-2 correlation).
 */
function splitPhases2<T>(dst: usize, pc: usize, qx: i32, T: usize, c: i32, Px: i32, Py: i32): void {
  const sz = sizeof<T>();
  const L = lanesOf<T>();
  const rowB = <usize>qx * sz;
  for (let ch = 0; ch < c; ch++) {
    const src = T + <usize>(ch * Px * Py) * sz;
    for (let py = 0; py < Py; py++) {
      const row = src + <usize>(py * Px) * sz;
      const d0 = dst + <usize>(ch * 4 + 2 * (py & 1)) * pc + <usize>(py >> 1) * rowB, d1 = d0 + pc;
      let x = 0;
      for (; x + 2 * L <= Px; x += 2 * L) {
        const a = v128.load(row + <usize>x * sz), b = v128.load(row + <usize>(x + L) * sz);
        const o = <usize>(x >> 1) * sz;
        if (sizeof<T>() == 8) {
          v128.store(d0 + o, v128.shuffle<f64>(a, b, 0, 2));
          v128.store(d1 + o, v128.shuffle<f64>(a, b, 1, 3));
        } else {
          v128.store(d0 + o, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
          v128.store(d1 + o, v128.shuffle<f32>(a, b, 1, 3, 5, 7));
        }
      }
      for (; x < Px; x++) store<T>((x & 1) == 0 ? d0 + <usize>(x >> 1) * sz : d1 + <usize>(x >> 1) * sz, load<T>(row + <usize>x * sz));
    }
  }
}

/**
 * The padded image of one example as the planes of the strided correlation:
 * s = 1 pads straight into the one plane per channel (row stride qx); s > 1
 * pads into T (Px × Py per channel) and splits it into s² planes per channel.
 */
function buildPlanes<T>(P: usize, pc: usize, qx: i32, T: usize, src: usize, c: i32, nx: i32, ny: i32,
  kx: i32, ky: i32, s: i32, periodic: bool): void {
  const sz = sizeof<T>();
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  if (s == 1) {
    padImage<T>(P, pc, <usize>qx * sz, src, c, nx, ny, hx, hy, periodic);
    return;
  }
  const Px = nx + kx - 1, Py = ny + ky - 1;
  padImage<T>(T, <usize>(Px * Py) * sz, <usize>Px * sz, src, c, nx, ny, hx, hy, periodic);
  if (s == 2) splitPhases2<T>(P, pc, qx, T, c, Px, Py);
  else splitPhases<T>(P, pc, qx, T, c, Px, Py, s);
}

// Workspace layouts. The kernels never allocate (the caller lays out linear
// memory), so each part's byte offset from the aligned workspace start is a
// small pure function of the geometry, each built on the previous one.

/** Padded plane width ⌈(n + k − 1)/s⌉ (likewise the height): the polyphase planes of the forward pass and the θ-gradient. */
// @ts-ignore: decorator
@inline function planeLen(n: i32, k: i32, s: i32): i32 { return (n + k - 1 + s - 1) / s; }

/** Bytes of one polyphase plane. */
function planeBytes(nx: i32, ny: i32, kx: i32, ky: i32, s: i32, sz: i32): usize {
  return <usize>(planeLen(nx, kx, s) * planeLen(ny, ky, s)) * sz;
}

/** Forward: flat output length per channel, ⌈my·qx⌉ to whole tiles. */
function fwdFlat(nx: i32, ny: i32, kx: i32, s: i32, sz: i32): i32 {
  return roundUp((ny / s) * planeLen(nx, kx, s), NV * (16 / sz));
}

/** Forward and gradient: the planes start after the padded-image buffer (s > 1 only). */
function planesOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, s: i32, sz: i32): usize {
  return s == 1 ? 0 : align64(<usize>(cin * (nx + kx - 1) * (ny + ky - 1)) * sz);
}

/** Forward: the scratch output, after the planes and a slack the dropped positions of the last tiles read. */
function fwdZOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, s: i32, sz: i32): usize {
  const slack = <usize>(NV * (16 / sz) + planeLen(nx, kx, s) + 8) * sz;
  return align64(planesOff(nx, ny, kx, ky, cin, s, <i32>sz) + <usize>(cin * s * s) * planeBytes(nx, ny, kx, ky, s, <i32>sz) + slack);
}

/** Forward: the tap offsets (u32 each). */
function fwdOffsOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(fwdZOff(nx, ny, kx, ky, cin, s, <i32>sz) + <usize>(roundUp(cout, NC) * fwdFlat(nx, ny, kx, s, <i32>sz)) * sz);
}

/** Forward: the packed weights. */
function fwdWOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(fwdOffsOff(nx, ny, kx, ky, cin, cout, s, <i32>sz) + (<usize>(cin * kx * ky) << 2));
}

/** Transpose: padding of z, ⌈h/s⌉ on each side. */
// @ts-ignore: decorator
@inline function trPad(k: i32, s: i32): i32 { return (((k - 1) >> 1) + s - 1) / s; }

/** Transpose: row length of the padded z. */
// @ts-ignore: decorator
@inline function trRow(nx: i32, kx: i32, s: i32): i32 { return nx / s + 2 * trPad(kx, s); }

/** Transpose: bytes of one padded channel of z. */
function trPlaneBytes(nx: i32, ny: i32, kx: i32, ky: i32, s: i32, sz: i32): usize {
  return <usize>(trRow(nx, kx, s) * trRow(ny, ky, s)) * sz;
}

/** Transpose: flat output length per channel and phase. */
function trFlat(nx: i32, ny: i32, kx: i32, s: i32, sz: i32): i32 {
  return roundUp((ny / s) * trRow(nx, kx, s), NV * (16 / sz));
}

/** Transpose: the scratch output, after the padded z and its slack. */
function trZOff(nx: i32, ny: i32, kx: i32, ky: i32, cout: i32, s: i32, sz: i32): usize {
  const slack = <usize>(NV * (16 / sz) + trRow(nx, kx, s) + 8) * sz;
  return align64(<usize>cout * trPlaneBytes(nx, ny, kx, ky, s, <i32>sz) + slack);
}

/** Transpose: the tap offsets; every tap (co, a, b) belongs to exactly one output phase, kx·ky·cout in all. */
function trOffsOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(trZOff(nx, ny, kx, ky, cout, s, <i32>sz) + <usize>(roundUp(cin, NC) * trFlat(nx, ny, kx, s, <i32>sz)) * sz);
}

/** Transpose: the packed weights. */
function trWOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(trOffsOff(nx, ny, kx, ky, cin, cout, s, <i32>sz) + (<usize>(kx * ky * cout) << 2));
}

/** Transpose: the tap count of every phase (i32 each). */
function trCountsOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(trWOff(nx, ny, kx, ky, cin, cout, s, <i32>sz) + <usize>(kx * ky * cout * roundUp(cin, NC)) * sz);
}

/**
 * Bytes of workspace one call of {@link dconv2d} / {@link sconv2d} needs
 * (transpose: with the TRANSPOSE flag); size = 8 (f64) or 4 (f32).
 */
export function conv2dWorkspace(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, transpose: bool, size: i32): usize {
  const end = transpose
    ? trCountsOff(nx, ny, kx, ky, cin, cout, s, size) + <usize>(s * s * 4)
    : fwdWOff(nx, ny, kx, ky, cin, cout, s, size) + <usize>(cin * kx * ky * roundUp(cout, NC)) * size;
  return end + 64;
}

/**
 * Forward tap list and packed weights: tap (ci, v, u) reads plane
 * (ci, u mod s, v mod s) at (⌊u/s⌋, ⌊v/s⌋); its weight for output channel co
 * is the rotated θ[kx−1−u, ky−1−v, ci, co] (θ index a + kx(b + ky(ci + cin·co))),
 * packed wp[g][tap][t] for co = g·NC + t (zero past cout).
 */
function forwardTaps<T>(offs: usize, wp: usize, theta: usize, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, qx: i32, pc: usize): void {
  const sz = sizeof<T>();
  const taps = cin * kx * ky, kk = kx * ky;
  let t = 0;
  for (let ci = 0; ci < cin; ci++) {
    for (let v = 0; v < ky; v++) {
      for (let u = 0; u < kx; u++) {
        const plane = (ci * s + v % s) * s + u % s;
        store<u32>(offs + (<usize>t << 2), <u32>(<usize>plane * pc + <usize>((v / s) * qx + u / s) * sz));
        const base = (kx - 1 - u) + kx * (ky - 1 - v) + kk * ci;
        packTap<T>(wp, t, taps, theta, base, kk * cin, cout);
        t++;
      }
    }
  }
}

/** wp[g][t][k] = θ[base + step·(g·NC + k)] for output channels g·NC + k < cOut, else 0. */
function packTap<T>(wp: usize, t: i32, taps: i32, theta: usize, base: i32, step: i32, cOut: i32): void {
  const sz = sizeof<T>();
  for (let g = 0; g < cOut; g += NC) {
    const q = wp + <usize>((g / NC) * taps * NC + t * NC) * sz;
    for (let k = 0; k < NC; k++) {
      const o = g + k;
      store<T>(q + <usize>k * sz, o < cOut ? load<T>(theta + <usize>(base + step * o) * sz) : <T>0);
    }
  }
}

/**
 * Copy rows: dst row r (dRow bytes apart, `len` values) ← src row r (sRow
 * bytes apart) + beta·dst, for `rows` rows (beta = 0 ignores the old dst).
 */
function compact<T>(dst: usize, dRow: usize, src: usize, sRow: usize, rows: i32, len: i32, beta: T): void {
  const sz = sizeof<T>();
  const bytes = <usize>len * sz;
  for (let r = 0; r < rows; r++) {
    const d = dst + <usize>r * dRow, q = src + <usize>r * sRow;
    if (beta == <T>0) {
      memory.copy(d, q, bytes);
      continue;
    }
    for (let i: usize = 0; i < bytes; i += sz) store<T>(d + i, load<T>(q + i) + beta * load<T>(d + i));
  }
}

/** Generic forward driver: z ← K y + beta·z over n examples. */
function forward<T>(z: usize, y: usize, theta: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: T, ws: usize, periodic: bool): void {
  const sz = sizeof<T>();
  const base = align64(ws);
  const P = base + planesOff(nx, ny, kx, ky, cin, s, <i32>sz), zOff = fwdZOff(nx, ny, kx, ky, cin, s, <i32>sz), Z = base + zOff;
  const offs = base + fwdOffsOff(nx, ny, kx, ky, cin, cout, s, <i32>sz), wp = base + fwdWOff(nx, ny, kx, ky, cin, cout, s, <i32>sz);
  const qx = planeLen(nx, kx, s), pc = planeBytes(nx, ny, kx, ky, s, <i32>sz), L = fwdFlat(nx, ny, kx, s, <i32>sz);
  const taps = cin * kx * ky;
  const mx = nx / s, my = ny / s;
  const N = nx * ny, M = mx * my;
  // Zero once: the zero boundary's border is never written again, and the
  // dropped positions only ever read finite values.
  memory.fill(base, 0, zOff);
  forwardTaps<T>(offs, wp, theta, kx, ky, cin, cout, s, qx, pc);
  const oc = <usize>L * sz;
  // Output rows of whole vectors are written directly (correlateRows); a
  // tile writes NC channels, so that also needs cout to fill the groups.
  const rows = beta == <T>0 && mx % lanesOf<T>() == 0 && cout % NC == 0;
  for (let j = 0; j < n; j++) {
    buildPlanes<T>(P, pc, qx, base, y + <usize>(j * cin * N) * sz, cin, nx, ny, kx, ky, s, periodic);
    const zj = z + <usize>(j * cout * M) * sz;
    if (rows) {
      correlateRows<T>(P, qx, offs, taps, wp, cout, mx, my, zj, <usize>M * sz);
      continue;
    }
    correlate<T>(P, offs, taps, wp, cout, L, Z);
    for (let co = 0; co < cout; co++) {
      compact<T>(zj + <usize>(co * M) * sz, <usize>mx * sz, Z + <usize>co * oc, <usize>qx * sz, my, mx, beta);
    }
  }
}

/**
 * Transpose tap lists, one per output phase (p, q), phase-major (p fastest):
 * tap (co, b, a) with a ≡ hx − p, b ≡ hy − q (mod s) reads the padded z of
 * channel co at ((p − hx + a)/s + lx, (q − hy + b)/s + ly); its weight for
 * output channel ci is θ[a, b, ci, co]. counts[phase] = its number of taps.
 */
function transposeTaps<T>(offs: usize, wp: usize, counts: usize, theta: usize, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32): void {
  const sz = sizeof<T>();
  const lx = trPad(kx, s), ly = trPad(ky, s), rx = trRow(nx, kx, s), pc = trPlaneBytes(nx, ny, kx, ky, s, <i32>sz);
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1, kk = kx * ky;
  const cinR = roundUp(cin, NC);
  let o: usize = offs, w: usize = wp;
  for (let q = 0; q < s; q++) {
    for (let p = 0; p < s; p++) {
      let t = 0;
      // Count first: packTap needs the phase's tap count for its group stride.
      const ra = ((hx - p) % s + s) % s, rb = ((hy - q) % s + s) % s;
      const na = ra < kx ? (kx - 1 - ra) / s + 1 : 0, nb = rb < ky ? (ky - 1 - rb) / s + 1 : 0;
      const taps = cout * na * nb;
      for (let co = 0; co < cout; co++) {
        for (let b = rb; b < ky; b += s) {
          for (let a = ra; a < kx; a += s) {
            const off = <usize>co * pc + <usize>(((q - hy + b) / s + ly) * rx + (p - hx + a) / s + lx) * sz;
            store<u32>(o + (<usize>t << 2), <u32>off);
            packTap<T>(w, t, taps, theta, a + kx * b + kk * cin * co, kk, cin);
            t++;
          }
        }
      }
      store<i32>(counts + (<usize>(p + s * q) << 2), taps);
      o += <usize>taps << 2;
      w += <usize>(taps * cinR) * sz;
    }
  }
}

/** y phase (p, q) of every channel ← rows of the scratch Z (row stride rx) + beta·y, scattered with stride s. */
function interleave<T>(y: usize, Z: usize, L: i32, rx: i32, nx: i32, ny: i32, cin: i32, s: i32, p: i32, q: i32, beta: T): void {
  const sz = sizeof<T>();
  const mx = nx / s, my = ny / s, N = nx * ny;
  if (s == 1) {
    for (let ci = 0; ci < cin; ci++) compact<T>(y + <usize>(ci * N) * sz, <usize>nx * sz, Z + <usize>(ci * L) * sz, <usize>rx * sz, ny, nx, beta);
    return;
  }
  const step = <usize>s * sz;
  for (let ci = 0; ci < cin; ci++) {
    for (let yy = 0; yy < my; yy++) {
      const d = y + <usize>(ci * N + (s * yy + q) * nx + p) * sz, r = Z + <usize>(ci * L + yy * rx) * sz;
      if (beta == <T>0) {
        for (let x = 0; x < mx; x++) store<T>(d + <usize>x * step, load<T>(r + <usize>x * sz));
        continue;
      }
      for (let x = 0; x < mx; x++) {
        const dp = d + <usize>x * step;
        store<T>(dp, load<T>(r + <usize>x * sz) + beta * load<T>(dp));
      }
    }
  }
}

/** Generic transpose driver: y ← Kᵀ z + beta·y over n examples. */
function transposeConv<T>(y: usize, z: usize, theta: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: T, ws: usize, periodic: bool): void {
  const sz = sizeof<T>();
  const base = align64(ws);
  const P = base, zOff = trZOff(nx, ny, kx, ky, cout, s, <i32>sz), Z = base + zOff;
  const offs = base + trOffsOff(nx, ny, kx, ky, cin, cout, s, <i32>sz), wp = base + trWOff(nx, ny, kx, ky, cin, cout, s, <i32>sz);
  const counts = base + trCountsOff(nx, ny, kx, ky, cin, cout, s, <i32>sz);
  const rx = trRow(nx, kx, s), pc = trPlaneBytes(nx, ny, kx, ky, s, <i32>sz), L = trFlat(nx, ny, kx, s, <i32>sz);
  const mx = nx / s, my = ny / s;
  const N = nx * ny, M = mx * my;
  const cinR = roundUp(cin, NC);
  memory.fill(base, 0, zOff);
  transposeTaps<T>(offs, wp, counts, theta, nx, ny, kx, ky, cin, cout, s);
  // Stride 1 (one phase), rows of whole vectors: straight into y, as in the forward pass.
  const rows = s == 1 && beta == <T>0 && nx % lanesOf<T>() == 0 && cin % NC == 0;
  for (let j = 0; j < n; j++) {
    padImage<T>(P, pc, <usize>rx * sz, z + <usize>(j * cout * M) * sz, cout, mx, my, trPad(kx, s), trPad(ky, s), periodic);
    const yj = y + <usize>(j * cin * N) * sz;
    if (rows) {
      correlateRows<T>(P, rx, offs, load<i32>(counts), wp, cin, nx, ny, yj, <usize>N * sz);
      continue;
    }
    let o: usize = offs, w: usize = wp;
    for (let q = 0; q < s; q++) {
      for (let p = 0; p < s; p++) {
        const taps = load<i32>(counts + (<usize>(p + s * q) << 2));
        correlate<T>(P, o, taps, w, cin, L, Z);
        interleave<T>(yj, Z, L, rx, nx, ny, cin, s, p, q, beta);
        o += <usize>taps << 2;
        w += <usize>(taps * cinR) * sz;
      }
    }
  }
}

/** Flags of {@link dconv2d}: periodic boundary. */
const PERIODIC: i32 = 1;
/** Flags of {@link dconv2d}: apply Kᵀ instead of K. */
const TRANSPOSE: i32 = 2;

/** Generic entry: forward or transpose by the flags. */
function conv<T>(out: usize, inp: usize, theta: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: T, ws: usize, flags: i32): void {
  const periodic = (flags & PERIODIC) != 0;
  if ((flags & TRANSPOSE) != 0) transposeConv<T>(out, inp, theta, n, nx, ny, kx, ky, cin, cout, s, beta, ws, periodic);
  else forward<T>(out, inp, theta, n, nx, ny, kx, ky, cin, cout, s, beta, ws, periodic);
}

/**
 * f64, for n examples (cin channels in, cout out, nx×ny, odd kx×ky, stride s
 * dividing nx and ny; θ [kx, ky, cin, cout]): out ← K(θ) inp + beta·out, or
 * with flags & 2 out ← K(θ)ᵀ inp + beta·out (inp then has (nx/s)·(ny/s)·cout
 * rows per example, out nx·ny·cin); flags & 1: periodic boundary, else zero.
 * ws: conv2dWorkspace(…, s, transpose, 8) bytes. beta = 0 ignores the old out.
 * (One entry for both directions: the worker threads run kernels by name.)
 */
export function dconv2d(out: usize, inp: usize, theta: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: f64, ws: usize, flags: i32): void {
  conv<f64>(out, inp, theta, n, nx, ny, kx, ky, cin, cout, s, beta, ws, flags);
}

/** f32 twin of {@link dconv2d}. */
export function sconv2d(out: usize, inp: usize, theta: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: f32, ws: usize, flags: i32): void {
  conv<f32>(out, inp, theta, n, nx, ny, kx, ky, cin, cout, s, beta, ws, flags);
}

// ---------------------------------------------------------------------------
// Gradient with respect to θ:
//
//   g[a, b, ci, co] = Σ_examples Σ_{ox,oy} z(ox, oy, co) · y(s·ox + hx − a, s·oy + hy − b, ci)
//                   = Σ z(ox, oy, co) · P_{u mod s, v mod s}(ox + ⌊u/s⌋, oy + ⌊v/s⌋, ci),
//
// u = kx−1−a, v = ky−1−b (the planes of the forward pass), the derivative of
// ⟨z, K(θ) y⟩. For each (co, ci) pair and plane the plane's taps are covered
// by blocks of 3×3; a block keeps 9 vector accumulators (one per tap) while it
// streams the pair's rows once: one vector of z and 9 unaligned vectors of the
// plane per step. Taps of a block past the plane's stencil are computed and
// dropped. Block sums go to f64x2 accumulators per example, so f32 sums stay
// short.

/** Padded row length of z for the gradient (a whole number of vectors of sz-byte values). */
// @ts-ignore: decorator
@inline function zRow(mx: i32, sz: i32): i32 { return roundUp(mx, 16 / sz); }

/** Gradient: 3×3 blocks along one direction covering plane 0's ⌈k/s⌉ taps (plane 0 has the most). */
// @ts-ignore: decorator
@inline function gradBlocks(k: i32, s: i32): i32 { return ((k + s - 1) / s + 2) / 3; }

/** Gradient: the zero-padded copy of z, after the planes and a slack the dropped taps and padding columns read. */
function gradZOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, s: i32, sz: i32): usize {
  const qx = planeLen(nx, kx, s);
  const slack = <usize>((3 * gradBlocks(ky, s) + 2) * qx + zRow(nx / s, <i32>sz) + 3 * gradBlocks(kx, s) + 16) * sz;
  return align64(planesOff(nx, ny, kx, ky, cin, s, <i32>sz) + <usize>(cin * s * s) * planeBytes(nx, ny, kx, ky, s, <i32>sz) + slack);
}

/** Gradient: the f64x2 block accumulators. */
function gradAccOff(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return align64(gradZOff(nx, ny, kx, ky, cin, s, <i32>sz) + <usize>(cout * zRow(nx / s, <i32>sz) * (ny / s)) * sz);
}

/** Gradient: end of the workspace. */
function gradEnd(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, sz: i32): usize {
  return gradAccOff(nx, ny, kx, ky, cin, cout, s, <i32>sz) + <usize>(cin * cout * s * s * gradBlocks(kx, s) * gradBlocks(ky, s) * 9) * 16;
}

/** Bytes of workspace {@link dconv2dGradTheta} / {@link sconv2dGradTheta} need. */
export function conv2dGradWorkspace(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32, size: i32): usize {
  return gradEnd(nx, ny, kx, ky, cin, cout, s, size) + 64;
}

/**
 * One 3×3 block of taps of one (co, ci) pair over one example: acc[t] (f64x2,
 * t = du + 3·dv) += Σ z(x, y) · P(x + u0 + du, y + v0 + dv) lane-wise.
 * pz: z row 0 of channel co (rows of zr bytes, ox pixels, zero past mx);
 * pp: the plane at (u0, v0) (rows of pr bytes); rows: my.
 */
function gradBlock<T>(pz: usize, zr: usize, pp: usize, pr: usize, ox: i32, rows: i32, acc: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a20 = z, a01 = z, a11 = z, a21 = z, a02 = z, a12 = z, a22 = z;
  const rowEnd = <usize>ox * sz;
  for (let iy = 0; iy < rows; iy++) {
    const zp = pz + <usize>iy * zr;
    const r0 = pp + <usize>iy * pr, r1 = r0 + pr, r2 = r1 + pr;
    for (let x: usize = 0; x < rowEnd; x += 16) {
      const zv = v128.load(zp + x);
      a00 = madd<T>(zv, v128.load(r0 + x), a00);
      a10 = madd<T>(zv, v128.load(r0 + x, sz), a10);
      a20 = madd<T>(zv, v128.load(r0 + x, 2 * sz), a20);
      a01 = madd<T>(zv, v128.load(r1 + x), a01);
      a11 = madd<T>(zv, v128.load(r1 + x, sz), a11);
      a21 = madd<T>(zv, v128.load(r1 + x, 2 * sz), a21);
      a02 = madd<T>(zv, v128.load(r2 + x), a02);
      a12 = madd<T>(zv, v128.load(r2 + x, sz), a12);
      a22 = madd<T>(zv, v128.load(r2 + x, 2 * sz), a22);
    }
  }
  addAcc<T>(acc, 0, a00); addAcc<T>(acc, 16, a10); addAcc<T>(acc, 32, a20);
  addAcc<T>(acc, 48, a01); addAcc<T>(acc, 64, a11); addAcc<T>(acc, 80, a21);
  addAcc<T>(acc, 96, a02); addAcc<T>(acc, 112, a12); addAcc<T>(acc, 128, a22);
}

/**
 * {@link gradBlock} for a 2×2 block of taps (t = du + 3·dv, du, dv < 2): the
 * planes of a stride-2 3×3 stencil hold 2×2, 2×1, 1×2 or 1×1 taps, where a
 * 3×3 block would compute more than twice the taps needed.
 */
function gradBlock2<T>(pz: usize, zr: usize, pp: usize, pr: usize, ox: i32, rows: i32, acc: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a01 = z, a11 = z;
  const rowEnd = <usize>ox * sz;
  for (let iy = 0; iy < rows; iy++) {
    const zp = pz + <usize>iy * zr;
    const r0 = pp + <usize>iy * pr, r1 = r0 + pr;
    for (let x: usize = 0; x < rowEnd; x += 16) {
      const zv = v128.load(zp + x);
      a00 = madd<T>(zv, v128.load(r0 + x), a00);
      a10 = madd<T>(zv, v128.load(r0 + x, sz), a10);
      a01 = madd<T>(zv, v128.load(r1 + x), a01);
      a11 = madd<T>(zv, v128.load(r1 + x, sz), a11);
    }
  }
  addAcc<T>(acc, 0, a00); addAcc<T>(acc, 16, a10);
  addAcc<T>(acc, 48, a01); addAcc<T>(acc, 64, a11);
}

/** Side of the tap blocks of a plane holding cu × cv taps: 2 when both fit in 2, else 3. */
// @ts-ignore: decorator
@inline function blockSide(cu: i32, cv: i32): i32 { return cu <= 2 && cv <= 2 ? 2 : 3; }

/** acc (f64x2 at acc + off) += the lanes of v, f32 lanes promoted and folded in pairs. */
// @ts-ignore: decorator
@inline function addAcc<T>(acc: usize, off: usize, v: v128): void {
  const p = acc + off;
  if (sizeof<T>() == 8) {
    v128.store(p, f64x2.add(v128.load(p), v));
  } else {
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
    v128.store(p, f64x2.add(v128.load(p), f64x2.add(lo, hi)));
  }
}

/** Accumulator slot of block blk of plane `ph` of pair (ci, co): 9 f64x2 per block. */
// @ts-ignore: decorator
@inline function accSlot(acc: usize, ci: i32, co: i32, cin: i32, ss: i32, ph: i32, nbM: i32, blk: i32): usize {
  return acc + <usize>((((ci + cin * co) * ss + ph) * nbM + blk) * 9) * 16;
}

/** One example's blocks: every pair (co, ci), plane (pu, pv) and 3×3 block of that plane's taps. */
function gradExample<T>(Z: usize, P: usize, acc: usize, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, s: i32): void {
  const sz = sizeof<T>();
  const my = ny / s, ox = zRow(nx / s, <i32>sz), bxM = gradBlocks(kx, s), nbM = bxM * gradBlocks(ky, s);
  const pc = planeBytes(nx, ny, kx, ky, s, <i32>sz);
  const zr = <usize>ox * sz, zc = <usize>(ox * my) * sz, pr = <usize>planeLen(nx, kx, s) * sz;
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      for (let pv = 0; pv < s; pv++) {
        // Taps of plane (pu, pv): u = pu + s·du, du < cu = ⌈(kx − pu)/s⌉ (likewise v).
        const cv = (ky - pv + s - 1) / s;
        for (let pu = 0; pu < s; pu++) {
          const cu = (kx - pu + s - 1) / s;
          const B = blockSide(cu, cv);
          const bu = (cu + B - 1) / B, bv = (cv + B - 1) / B;
          const ph = pu + s * pv;
          const plane = P + <usize>((ci * s + pv) * s + pu) * pc;
          for (let by = 0; by < bv; by++) {
            for (let bx = 0; bx < bu; bx++) {
              const pp = plane + <usize>(B * by) * pr + <usize>(B * bx) * sz;
              const slot = accSlot(acc, ci, co, cin, s * s, ph, nbM, bx + bxM * by);
              if (B == 2) gradBlock2<T>(Z + <usize>co * zc, zr, pp, pr, ox, my, slot);
              else gradBlock<T>(Z + <usize>co * zc, zr, pp, pr, ox, my, slot);
            }
          }
        }
      }
    }
  }
}

/** Generic driver: g ← Σ_examples ∂⟨z, K(θ)y⟩/∂θ + beta·g. */
function gradTheta<T>(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: T, ws: usize, periodic: bool): void {
  const sz = sizeof<T>();
  const base = align64(ws);
  const P = base + planesOff(nx, ny, kx, ky, cin, s, <i32>sz), Z = base + gradZOff(nx, ny, kx, ky, cin, s, <i32>sz);
  const acc = base + gradAccOff(nx, ny, kx, ky, cin, cout, s, <i32>sz);
  const mx = nx / s, my = ny / s;
  const N = nx * ny, M = mx * my;
  const zr = <usize>zRow(mx, <i32>sz) * sz;
  const bxM = gradBlocks(kx, s), nbM = bxM * gradBlocks(ky, s);
  // Everything read is finite: planes and the zero-padded z rows are zeroed once.
  memory.fill(base, 0, gradEnd(nx, ny, kx, ky, cin, cout, s, <i32>sz));
  for (let j = 0; j < n; j++) {
    buildPlanes<T>(P, planeBytes(nx, ny, kx, ky, s, <i32>sz), planeLen(nx, kx, s), base, y + <usize>(j * cin * N) * sz, cin, nx, ny, kx, ky, s, periodic);
    compact<T>(Z, zr, z + <usize>(j * cout * M) * sz, <usize>mx * sz, cout * my, mx, <T>0);
    gradExample<T>(Z, P, acc, nx, ny, kx, ky, cin, cout, s);
  }
  // Fold lanes, drop overhanging taps, undo the rotation: θ index a + kx(b + ky(ci + cin·co)).
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      for (let v = 0; v < ky; v++) {
        for (let u = 0; u < kx; u++) {
          const du = u / s, dv = v / s;
          // The plane's block side, as gradExample chose it.
          const B = blockSide((kx - u % s + s - 1) / s, (ky - v % s + s - 1) / s);
          const blk = (du / B) + bxM * (dv / B), t = (du % B) + 3 * (dv % B);
          const sl = accSlot(acc, ci, co, cin, s * s, u % s + s * (v % s), nbM, blk) + <usize>t * 16;
          const sum = load<f64>(sl) + load<f64>(sl, 8);
          const q = g + <usize>((kx - 1 - u) + kx * ((ky - 1 - v) + ky * (ci + cin * co))) * sz;
          store<T>(q, beta == <T>0 ? <T>sum : <T>sum + beta * load<T>(q));
        }
      }
    }
  }
}

/**
 * f64: g ← Σ_examples ∂⟨z, K(θ)y⟩/∂θ + beta·g, g laid out like θ
 * [kx, ky, cin, cout], z of (nx/s)·(ny/s)·cout rows; ws of conv2dGradWorkspace(…, 8) bytes.
 */
export function dconv2dGradTheta(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: f64, ws: usize, periodic: bool): void {
  gradTheta<f64>(g, z, y, n, nx, ny, kx, ky, cin, cout, s, beta, ws, periodic);
}

/** f32 twin of {@link dconv2dGradTheta} (sums carried in f64 across examples). */
export function sconv2dGradTheta(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  s: i32, beta: f32, ws: usize, periodic: bool): void {
  gradTheta<f32>(g, z, y, n, nx, ny, kx, ky, cin, cout, s, beta, ws, periodic);
}
