// Direct multi-channel 2-D convolution, stride 1, zero or periodic boundary, f64x2 / f32x4.
//
// Geometry (numdl's layout): an image with c channels is one column, pixel
// (ix, iy) of channel ch at ix + nx*(iy + ny*ch); a batch is n such columns.
// θ is [kx, ky, cin, cout] column-major, hx = (kx−1)/2, hy = (ky−1)/2, and
//
//   z(ix, iy, co) = Σ_ci Σ_{a,b} θ[a, b, ci, co] · y(ix + hx − a, iy + hy − b, ci)
//
// (a true convolution; y = 0 outside the image for the zero boundary, y
// wrapped around for the periodic one). With the image copied into a padded
// buffer P (P(px, py) = y(px − hx, py − hy), the border zero or wrapped) and the stencil
// rotated by 180° (u = kx−1−a, v = ky−1−b) this is the correlation
//
//   z(ix, iy, co) = Σ_ci Σ_{u,v} Wr[u, v, ci, co] · P(ix + u, iy + v, ci),
//
// computed in register tiles of 2 or 3 vectors along ix times 4 output
// channels (12 or 8 accumulators). The transpose Kᵀ (stride 1) is the same
// correlation over the padded z with the unrotated stencil and the channel
// roles swapped, so one tile kernel serves both: conv2dPackWeights arranges
// the weights for either direction.

/** Output channels per register tile. */
const NCO: i32 = 4;

/** Lanes of a vector of T. */
// @ts-ignore: decorator
@inline function lanesOf<T>(): i32 { return <i32>(16 / sizeof<T>()); }

/**
 * Arrange θ for the tile kernel. Forward: Wp[g][ci][v][u][t] = θ[kx−1−u, ky−1−v, ci, 4g+t];
 * transpose: Wp[g][co][v][u][t] = θ[u, v, 4g+t, co]. Missing channels of the
 * last group are zero. Wp holds kx·ky·cIn·⌈cOut/4⌉·4 entries, where (cIn,
 * cOut) = (cin, cout) forward and (cout, cin) transposed.
 */
function packWeights<T>(wp: usize, theta: usize, kx: i32, ky: i32, cin: i32, cout: i32, transpose: bool): void {
  const sz = sizeof<T>();
  const cIn = transpose ? cout : cin, cOut = transpose ? cin : cout;
  const kk = kx * ky;
  let q = wp;
  for (let g = 0; g < cOut; g += NCO) {
    for (let c = 0; c < cIn; c++) {
      for (let v = 0; v < ky; v++) {
        for (let u = 0; u < kx; u++) {
          for (let t = 0; t < NCO; t++) {
            const o = g + t;
            let val = <T>0;
            if (o < cOut) {
              // θ index a + kx*(b + ky*(ci + cin*co))
              const idx = transpose
                ? u + kx * v + kk * (o + cin * c)
                : (kx - 1 - u) + kx * (ky - 1 - v) + kk * (c + cin * o);
              val = load<T>(theta + <usize>idx * sz);
            }
            store<T>(q, val);
            q += sz;
          }
        }
      }
    }
  }
}

/** Store (beta = 0) or accumulate (out ← acc + beta·out) one vector of results. */
// @ts-ignore: decorator
@inline function put<T>(o: usize, acc: v128, beta: T): void {
  if (beta == <T>0) v128.store(o, acc);
  else v128.store(o, v128.add<T>(acc, v128.mul<T>(v128.splat<T>(beta), v128.load(o))));
}

/**
 * A tile of 3 vectors along ix × 4 output channels. p: P at the tile's
 * (x0, iy) in channel 0; offs: `taps` u32 byte offsets in P of the taps
 * (c, v, u), in the order of the packed weights wp (one flat loop over
 * cIn·ky·kx taps, whatever the stencil); out: z at (x0, iy) of the group's
 * first output channel, oc bytes between output channels; nco valid
 * channels, xv valid pixels along ix (partial tiles go through tmp).
 */
function tile3<T>(p: usize, offs: usize, taps: i32, wp: usize,
  out: usize, oc: usize, nco: i32, xv: i32, beta: T, tmp: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a20 = z, a01 = z, a11 = z, a21 = z;
  let a02 = z, a12 = z, a22 = z, a03 = z, a13 = z, a23 = z;
  const end = offs + (<usize>taps << 2);
  for (let q = offs; q < end; q += 4) {
    const r = p + <usize>load<u32>(q);
    const x0 = v128.load(r), x1 = v128.load(r, 16), x2 = v128.load(r, 32);
    let w = v128.load_splat<T>(wp);
    a00 = v128.add<T>(a00, v128.mul<T>(x0, w)); a10 = v128.add<T>(a10, v128.mul<T>(x1, w)); a20 = v128.add<T>(a20, v128.mul<T>(x2, w));
    w = v128.load_splat<T>(wp, sz);
    a01 = v128.add<T>(a01, v128.mul<T>(x0, w)); a11 = v128.add<T>(a11, v128.mul<T>(x1, w)); a21 = v128.add<T>(a21, v128.mul<T>(x2, w));
    w = v128.load_splat<T>(wp, 2 * sz);
    a02 = v128.add<T>(a02, v128.mul<T>(x0, w)); a12 = v128.add<T>(a12, v128.mul<T>(x1, w)); a22 = v128.add<T>(a22, v128.mul<T>(x2, w));
    w = v128.load_splat<T>(wp, 3 * sz);
    a03 = v128.add<T>(a03, v128.mul<T>(x0, w)); a13 = v128.add<T>(a13, v128.mul<T>(x1, w)); a23 = v128.add<T>(a23, v128.mul<T>(x2, w));
    wp += <usize>NCO * sz;
  }
  if (xv == 3 * lanesOf<T>()) {
    let o = out;
    put<T>(o, a00, beta); put<T>(o + 16, a10, beta); put<T>(o + 32, a20, beta);
    if (nco == 1) return;
    o += oc;
    put<T>(o, a01, beta); put<T>(o + 16, a11, beta); put<T>(o + 32, a21, beta);
    if (nco == 2) return;
    o += oc;
    put<T>(o, a02, beta); put<T>(o + 16, a12, beta); put<T>(o + 32, a22, beta);
    if (nco == 3) return;
    o += oc;
    put<T>(o, a03, beta); put<T>(o + 16, a13, beta); put<T>(o + 32, a23, beta);
    return;
  }
  v128.store(tmp, a00, 0); v128.store(tmp, a10, 16); v128.store(tmp, a20, 32);
  v128.store(tmp, a01, 48); v128.store(tmp, a11, 64); v128.store(tmp, a21, 80);
  v128.store(tmp, a02, 96); v128.store(tmp, a12, 112); v128.store(tmp, a22, 128);
  v128.store(tmp, a03, 144); v128.store(tmp, a13, 160); v128.store(tmp, a23, 176);
  storePartial<T>(tmp, 48, out, oc, nco, xv, beta);
}

/** Like {@link tile3} with 2 vectors along ix (8 accumulators). */
function tile2<T>(p: usize, offs: usize, taps: i32, wp: usize,
  out: usize, oc: usize, nco: i32, xv: i32, beta: T, tmp: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a01 = z, a11 = z, a02 = z, a12 = z, a03 = z, a13 = z;
  const end = offs + (<usize>taps << 2);
  for (let q = offs; q < end; q += 4) {
    const r = p + <usize>load<u32>(q);
    const x0 = v128.load(r), x1 = v128.load(r, 16);
    let w = v128.load_splat<T>(wp);
    a00 = v128.add<T>(a00, v128.mul<T>(x0, w)); a10 = v128.add<T>(a10, v128.mul<T>(x1, w));
    w = v128.load_splat<T>(wp, sz);
    a01 = v128.add<T>(a01, v128.mul<T>(x0, w)); a11 = v128.add<T>(a11, v128.mul<T>(x1, w));
    w = v128.load_splat<T>(wp, 2 * sz);
    a02 = v128.add<T>(a02, v128.mul<T>(x0, w)); a12 = v128.add<T>(a12, v128.mul<T>(x1, w));
    w = v128.load_splat<T>(wp, 3 * sz);
    a03 = v128.add<T>(a03, v128.mul<T>(x0, w)); a13 = v128.add<T>(a13, v128.mul<T>(x1, w));
    wp += <usize>NCO * sz;
  }
  if (xv == 2 * lanesOf<T>()) {
    let o = out;
    put<T>(o, a00, beta); put<T>(o + 16, a10, beta);
    if (nco == 1) return;
    o += oc;
    put<T>(o, a01, beta); put<T>(o + 16, a11, beta);
    if (nco == 2) return;
    o += oc;
    put<T>(o, a02, beta); put<T>(o + 16, a12, beta);
    if (nco == 3) return;
    o += oc;
    put<T>(o, a03, beta); put<T>(o + 16, a13, beta);
    return;
  }
  v128.store(tmp, a00, 0); v128.store(tmp, a10, 16);
  v128.store(tmp, a01, 32); v128.store(tmp, a11, 48);
  v128.store(tmp, a02, 64); v128.store(tmp, a12, 80);
  v128.store(tmp, a03, 96); v128.store(tmp, a13, 112);
  storePartial<T>(tmp, 32, out, oc, nco, xv, beta);
}

/** Copy the first xv pixels of nco spilled channel rows (row t at tmp + t*rowBytes) to the output. */
function storePartial<T>(tmp: usize, rowBytes: usize, out: usize, oc: usize, nco: i32, xv: i32, beta: T): void {
  const sz = sizeof<T>();
  for (let t = 0; t < nco; t++) {
    const o = out + <usize>t * oc, s = tmp + <usize>t * rowBytes;
    for (let i = 0; i < xv; i++) {
      const q = o + <usize>i * sz;
      const acc = load<T>(s + <usize>i * sz);
      store<T>(q, beta == <T>0 ? acc : acc + beta * load<T>(q));
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
      memory.copy(pch + <usize>b * pr, pch + <usize>(b + ny) * pr, pr);
      memory.copy(pch + <usize>(hy + ny + b) * pr, pch + <usize>(hy + b) * pr, pr);
    }
  }
}

/** Pixels per tile along ix for this row length: 2 or 3 vectors, whichever pads less (3 on ties). */
function tileWidth<T>(nx: i32): i32 {
  const L = lanesOf<T>();
  const w3 = 3 * L, w2 = 2 * L;
  const p3 = (nx + w3 - 1) / w3 * w3, p2 = (nx + w2 - 1) / w2 * w2;
  return p2 < p3 ? w2 : w3;
}

/** Bytes of workspace {@link dconv2d} / {@link sconv2d} need (padded images and a spill tile). */
export function conv2dWorkspace(nx: i32, ny: i32, kx: i32, ky: i32, cIn: i32, size: i32): usize {
  const w = size == 8 ? tileWidth<f64>(nx) : tileWidth<f32>(nx);
  const Px = (nx + w - 1) / w * w + kx - 1 + 8;
  const Py = ny + ky - 1;
  return <usize>cIn * <usize>Px * <usize>Py * <usize>size + 256 + 64 + <usize>(cIn * kx * ky) * 4;
}

/** Bytes of packed weights for conv2dPackWeights (cOut rounded up to the tile's 4 channels). */
export function conv2dWeightsBytes(kx: i32, ky: i32, cIn: i32, cOut: i32, size: i32): usize {
  return <usize>(kx * ky * cIn * ((cOut + NCO - 1) / NCO * NCO)) * <usize>size;
}

/** Generic driver: z ← K y + beta·z over n examples, wp from packWeights. */
function conv<T>(z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cIn: i32, cOut: i32,
  wp: usize, beta: T, ws: usize, periodic: bool): void {
  const sz = sizeof<T>();
  const w = tileWidth<T>(nx);
  const three = w == 3 * lanesOf<T>();
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  // Row length of P: every tile may read w + kx − 1 pixels from its x0; a
  // few more keep the last vector loads inside the buffer.
  const Px = (nx + w - 1) / w * w + kx - 1 + 8;
  const Py = ny + ky - 1;
  const P = (ws + 63) & ~(<usize>63);
  const tmp = P + <usize>cIn * <usize>Px * <usize>Py * sz;
  // Byte offset in P of every tap (c, v, u), in the order of the packed weights.
  const offs = tmp + 256;
  const taps = cIn * ky * kx;
  const pr = <usize>Px * sz, pc = <usize>(Px * Py) * sz;
  const N = nx * ny;
  const oc = <usize>N * sz;
  const wg = <usize>(kx * ky * cIn * NCO) * sz;
  // Only the interior of P is ever written, so its zero border is set once.
  memory.fill(P, 0, <usize>cIn * pc);
  let q = offs;
  for (let c = 0; c < cIn; c++) {
    for (let v = 0; v < ky; v++) {
      for (let u = 0; u < kx; u++) {
        store<u32>(q, <u32>(<usize>c * pc + <usize>v * pr + <usize>u * sz));
        q += 4;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    padImage<T>(P, pc, pr, y + <usize>(j * cIn) * <usize>N * sz, cIn, nx, ny, hx, hy, periodic);
    const zj = z + <usize>(j * cOut) * <usize>N * sz;
    for (let g = 0; g < cOut; g += NCO) {
      const nco = min(NCO, cOut - g);
      const wpg = wp + <usize>(g / NCO) * wg;
      for (let iy = 0; iy < ny; iy++) {
        const prow = P + <usize>iy * pr;
        const orow = zj + <usize>(g * N + iy * nx) * sz;
        for (let x0 = 0; x0 < nx; x0 += w) {
          const xv = min(w, nx - x0);
          if (three) tile3<T>(prow + <usize>x0 * sz, offs, taps, wpg, orow + <usize>x0 * sz, oc, nco, xv, beta, tmp);
          else tile2<T>(prow + <usize>x0 * sz, offs, taps, wpg, orow + <usize>x0 * sz, oc, nco, xv, beta, tmp);
        }
      }
    }
  }
}

/** Pack f64 weights for {@link dconv2d} (forward, or Kᵀ when transpose). */
export function dconv2dPackWeights(wp: usize, theta: usize, kx: i32, ky: i32, cin: i32, cout: i32, transpose: bool): void {
  packWeights<f64>(wp, theta, kx, ky, cin, cout, transpose);
}

/** Pack f32 weights for {@link sconv2d}. */
export function sconv2dPackWeights(wp: usize, theta: usize, kx: i32, ky: i32, cin: i32, cout: i32, transpose: bool): void {
  packWeights<f32>(wp, theta, kx, ky, cin, cout, transpose);
}

/**
 * f64: z ← K y + beta·z for n examples (cIn channels in, cOut out, nx×ny,
 * odd kx×ky, zero or periodic boundary, stride 1); wp from
 * dconv2dPackWeights, ws of conv2dWorkspace(nx, ny, kx, ky, cIn, 8) bytes.
 * beta = 0 ignores the old z.
 */
export function dconv2d(z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cIn: i32, cOut: i32,
  wp: usize, beta: f64, ws: usize, periodic: bool): void {
  conv<f64>(z, y, n, nx, ny, kx, ky, cIn, cOut, wp, beta, ws, periodic);
}

/** f32 twin of {@link dconv2d}. */
export function sconv2d(z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cIn: i32, cOut: i32,
  wp: usize, beta: f32, ws: usize, periodic: bool): void {
  conv<f32>(z, y, n, nx, ny, kx, ky, cIn, cOut, wp, beta, ws, periodic);
}

// ---------------------------------------------------------------------------
// Gradient with respect to θ:
//
//   g[a, b, ci, co] = Σ_examples Σ_{ix,iy} z(ix, iy, co) · y(ix + hx − a, iy + hy − b, ci)
//                   = Σ z(ix, iy, co) · P(ix + u, iy + v, ci),   u = kx−1−a, v = ky−1−b,
//
// the derivative of ⟨z, K(θ) y⟩. For each (co, ci) pair the stencil is covered
// by blocks of 3×3 taps; a block keeps 9 vector accumulators (one per tap)
// while it streams the pair's rows once: one vector of z and 9 unaligned
// vectors of P per step. Taps of a block that fall outside a 5×5, 7×7, …
// stencil are computed and dropped (P has slack rows for them). Block sums go
// to f64x2 accumulators per example, so f32 sums stay short.

/** Rows of slack after P for the blocks' overhanging taps. */
const SLACK_ROWS: i32 = 3;

/** Padded row length of z for the gradient (a whole number of vectors). */
// @ts-ignore: decorator
@inline function zRow<T>(nx: i32): i32 { const L = lanesOf<T>(); return (nx + L - 1) / L * L; }

/** Bytes of workspace {@link dconv2dGradTheta} / {@link sconv2dGradTheta} need. */
export function conv2dGradWorkspace(nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32, size: i32): usize {
  const Ox = size == 8 ? zRow<f64>(nx) : zRow<f32>(nx);
  const Px = Ox + kx - 1 + 8;
  const Py = ny + ky - 1;
  const bx = (kx + 2) / 3, by = (ky + 2) / 3;
  return <usize>(cin * Px * Py + SLACK_ROWS * Px + cout * Ox * ny) * <usize>size
    + <usize>(cin * cout * bx * by * 9) * 16 + 3 * 64;
}

/**
 * One 3×3 block of taps of one (co, ci) pair over one example: acc[t] (f64x2,
 * t = du + 3·dv) += Σ z(x, y) · P(x + u0 + du, y + v0 + dv) lane-wise.
 * pz: z row 0 of channel co (rows of zr bytes, ox pixels, zero past nx);
 * pp: P at (u0, v0) of channel ci (rows of pr bytes).
 */
function gradBlock<T>(pz: usize, zr: usize, pp: usize, pr: usize, ox: i32, ny: i32, acc: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let a00 = z, a10 = z, a20 = z, a01 = z, a11 = z, a21 = z, a02 = z, a12 = z, a22 = z;
  const rowEnd = <usize>ox * sz;
  for (let iy = 0; iy < ny; iy++) {
    const zp = pz + <usize>iy * zr;
    const r0 = pp + <usize>iy * pr, r1 = r0 + pr, r2 = r1 + pr;
    for (let x: usize = 0; x < rowEnd; x += 16) {
      const zv = v128.load(zp + x);
      a00 = v128.add<T>(a00, v128.mul<T>(zv, v128.load(r0 + x)));
      a10 = v128.add<T>(a10, v128.mul<T>(zv, v128.load(r0 + x, sz)));
      a20 = v128.add<T>(a20, v128.mul<T>(zv, v128.load(r0 + x, 2 * sz)));
      a01 = v128.add<T>(a01, v128.mul<T>(zv, v128.load(r1 + x)));
      a11 = v128.add<T>(a11, v128.mul<T>(zv, v128.load(r1 + x, sz)));
      a21 = v128.add<T>(a21, v128.mul<T>(zv, v128.load(r1 + x, 2 * sz)));
      a02 = v128.add<T>(a02, v128.mul<T>(zv, v128.load(r2 + x)));
      a12 = v128.add<T>(a12, v128.mul<T>(zv, v128.load(r2 + x, sz)));
      a22 = v128.add<T>(a22, v128.mul<T>(zv, v128.load(r2 + x, 2 * sz)));
    }
  }
  addAcc<T>(acc, 0, a00); addAcc<T>(acc, 16, a10); addAcc<T>(acc, 32, a20);
  addAcc<T>(acc, 48, a01); addAcc<T>(acc, 64, a11); addAcc<T>(acc, 80, a21);
  addAcc<T>(acc, 96, a02); addAcc<T>(acc, 112, a12); addAcc<T>(acc, 128, a22);
}

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

/** Generic driver: g ← Σ_examples ∂⟨z, K(θ)y⟩/∂θ + beta·g. */
function gradTheta<T>(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  beta: T, ws: usize, periodic: bool): void {
  const sz = sizeof<T>();
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  const Ox = zRow<T>(nx);
  const Px = Ox + kx - 1 + 8;
  const Py = ny + ky - 1;
  const bx = (kx + 2) / 3, by = (ky + 2) / 3, nb = bx * by;
  const pr = <usize>Px * sz, pc = <usize>(Px * Py) * sz;
  const zr = <usize>Ox * sz, zc = <usize>(Ox * ny) * sz;
  const N = nx * ny;
  const P = (ws + 63) & ~(<usize>63);
  const Z = (P + <usize>cin * pc + <usize>SLACK_ROWS * pr + 63) & ~(<usize>63);
  const acc = (Z + <usize>cout * zc + 63) & ~(<usize>63);
  const accBytes = <usize>(cin * cout * nb * 9) * 16;
  memory.fill(P, 0, <usize>cin * pc + <usize>SLACK_ROWS * pr);
  memory.fill(Z, 0, <usize>cout * zc);
  memory.fill(acc, 0, accBytes);
  for (let j = 0; j < n; j++) {
    padImage<T>(P, pc, pr, y + <usize>(j * cin) * <usize>N * sz, cin, nx, ny, hx, hy, periodic);
    const zj = z + <usize>(j * cout) * <usize>N * sz;
    for (let c = 0; c < cout; c++) {
      for (let iy = 0; iy < ny; iy++) {
        memory.copy(Z + <usize>c * zc + <usize>iy * zr, zj + <usize>(c * N + iy * nx) * sz, <usize>nx * sz);
      }
    }
    for (let co = 0; co < cout; co++) {
      for (let ci = 0; ci < cin; ci++) {
        const accPair = acc + <usize>((ci + cin * co) * nb * 9) * 16;
        for (let b = 0; b < nb; b++) {
          const u0 = 3 * (b % bx), v0 = 3 * (b / bx);
          gradBlock<T>(Z + <usize>co * zc, zr, P + <usize>ci * pc + <usize>v0 * pr + <usize>u0 * sz, pr, Ox, ny, accPair + <usize>(b * 9) * 16);
        }
      }
    }
  }
  // Fold lanes, drop overhanging taps, undo the rotation: θ index a + kx(b + ky(ci + cin·co)).
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      const accPair = acc + <usize>((ci + cin * co) * nb * 9) * 16;
      for (let v = 0; v < ky; v++) {
        for (let u = 0; u < kx; u++) {
          const blk = (u / 3) + bx * (v / 3), t = (u % 3) + 3 * (v % 3);
          const s = accPair + <usize>(blk * 9 + t) * 16;
          const sum = load<f64>(s) + load<f64>(s, 8);
          const q = g + <usize>((kx - 1 - u) + kx * ((ky - 1 - v) + ky * (ci + cin * co))) * sz;
          store<T>(q, beta == <T>0 ? <T>sum : <T>sum + beta * load<T>(q));
        }
      }
    }
  }
}

/**
 * f64: g ← Σ_examples ∂⟨z, K(θ)y⟩/∂θ + beta·g, g laid out like θ
 * [kx, ky, cin, cout]; ws of conv2dGradWorkspace(…, 8) bytes.
 */
export function dconv2dGradTheta(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  beta: f64, ws: usize, periodic: bool): void {
  gradTheta<f64>(g, z, y, n, nx, ny, kx, ky, cin, cout, beta, ws, periodic);
}

/** f32 twin of {@link dconv2dGradTheta} (sums carried in f64 across examples). */
export function sconv2dGradTheta(g: usize, z: usize, y: usize, n: i32, nx: i32, ny: i32, kx: i32, ky: i32, cin: i32, cout: i32,
  beta: f32, ws: usize, periodic: bool): void {
  gradTheta<f32>(g, z, y, n, nx, ny, kx, ky, cin, cout, beta, ws, periodic);
}
