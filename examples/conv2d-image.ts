/**
 * Edge detection with a 2-D convolution (Residual CNNs and their relation to
 * PDEs, part "Convolutional Neural Networks"; MATLAB's E13Conv2D.m): the
 * stencil [−1 0 1] in x, repeated over the 3 rows in y, applied to a
 * generated MNIST-like 28×28 digit and to a smooth ramp, with zero and
 * periodic boundaries. Saves the input, the output K y and the transposed
 * output Kᵀ y as PNG images and prints what the boundaries do.
 *
 *   npx tsx examples/conv2d-image.ts [--out out/conv2d-image] [--seed 7] [--scale 6]
 */
import { createRng, matrix, type Matrix } from '../src/index.js';
import { conv2d } from '../src/operators/index.js';
import { saveImageGrid } from '../src/plots/index.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const outDir = option('out', 'out/conv2d-image');
const rng = createRng(Number(option('seed', '7')));
const scale = Number(option('scale', '6'));
const nx = 28, ny = 28;

/** A digit-like "7": thick strokes with a soft edge, slightly jittered by the seed. */
function digitImage(): Matrix {
  const j = () => 1.5 * (rng.uniform() - 0.5);
  const segs = [
    [6 + j(), 6 + j(), 21 + j(), 6 + j()],
    [21 + j(), 6 + j(), 11 + j(), 23 + j()],
    [11 + j(), 14 + j(), 19 + j(), 14 + j()],
  ];
  const img = new Float64Array(nx * ny);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      let v = 0;
      for (const [x0, y0, x1, y1] of segs) {
        const dx = x1 - x0, dy = y1 - y0;
        const t = Math.max(0, Math.min(1, ((ix - x0) * dx + (iy - y0) * dy) / (dx * dx + dy * dy)));
        const d = Math.hypot(ix - x0 - t * dx, iy - y0 - t * dy);
        v = Math.max(v, Math.min(1, 1.6 * Math.exp(-(d * d) / (2 * 1.1 * 1.1))));
      }
      img[ix + nx * iy] = v;
    }
  }
  return matrix(nx * ny, 1, img);
}

/** A smooth ramp in x: y(ix, iy) = ix/(nx−1). */
function rampImage(): Matrix {
  const img = new Float64Array(nx * ny);
  for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) img[ix + nx * iy] = ix / (nx - 1);
  return matrix(nx * ny, 1, img);
}

// θ[a, b] = [−1, 0, 1][a] for every b: stencil column-major [kx, ky] = [3, 3].
const theta = Float64Array.of(-1, 0, 1, -1, 0, 1, -1, 0, 1);
const images: [string, Matrix][] = [['digit', digitImage()], ['ramp', rampImage()]];
const fmt = (x: number) => (Math.abs(x) < 5e-5 ? '0' : x.toFixed(4));

console.log(`2-D convolution with the edge stencil [−1 0 1] (x) × [1 1 1] (y) on ${nx}×${ny} images; PNGs in ${outDir}/\n`);
for (const [name, Y] of images) {
  const tiles: Matrix[] = [Y];
  await saveImageGrid(`${outDir}/${name}-input.png`, Y, [nx, ny], { scale });
  for (const boundary of ['zero', 'periodic'] as const) {
    const K = conv2d([nx, ny], [3, 3, 1, 1], { boundary });
    const Z = K.apply(theta, Y), ZT = K.applyTranspose(theta, Y);
    tiles.push(Z, ZT);
    await saveImageGrid(`${outDir}/${name}-${boundary}-output.png`, Z, [nx, ny], { scale, colormap: 'coolwarm' });
    await saveImageGrid(`${outDir}/${name}-${boundary}-transposed.png`, ZT, [nx, ny], { scale, colormap: 'coolwarm' });
    // The stencil is odd in x, so K is antisymmetric: Kᵀ y = −K y for both boundaries.
    let anti = 0;
    for (let i = 0; i < Z.data.length; i++) anti = Math.max(anti, Math.abs(Z.data[i] + ZT.data[i]));
    const row = 14, at = (ix: number) => Z.data[ix + nx * row];
    console.log(`${name.padEnd(5)} ${boundary.padEnd(8)}  K y along row ${row}: ix=0 ${fmt(at(0))}, ix=1 ${fmt(at(1))}, ix=14 ${fmt(at(14))}, ix=27 ${fmt(at(27))};  max |Kᵀy + Ky| = ${anti.toExponential(1)}`);
  }
  const all = matrix(nx * ny, tiles.length, new Float64Array(nx * ny * tiles.length));
  tiles.forEach((t, k) => all.data.set(t.data, k * nx * ny));
  await saveImageGrid(`${outDir}/${name}-overview.svg`, all, [nx, ny], {
    scale: Math.max(2, scale >> 1), cols: tiles.length, normalize: 'each', colormap: 'coolwarm',
    title: `${name}: edge stencil [−1 0 1] × [1 1 1] (each tile on its own colour range)`, captions: ['input y', 'zero: K y', 'zero: Kᵀ y', 'periodic: K y', 'periodic: Kᵀ y'],
  });
}
console.log(`\nOn the ramp y = ix/27 the interior value is −6/27 = ${(-6 / 27).toFixed(4)}: the convolution flips the stencil`);
console.log('(z_i = −y_{i+1} + y_{i−1} per row, summed over 3 rows). Zero boundary: the missing neighbour reads 0, so the');
console.log('edge columns see a jump to zero; periodic: the left edge sees the right edge, a jump of the full ramp height.');
console.log(`\nsaved: ${outDir}/{digit,ramp}-{input,zero-output,zero-transposed,periodic-output,periodic-transposed}.png, {digit,ramp}-overview.svg`);
