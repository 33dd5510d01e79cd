/**
 * A grid of images as one PNG (MNIST digits, convolution inputs and outputs).
 */
import { checkMatrix, checkPositiveInt, checkSize, fail } from '../core/errors.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';
import { colormap, hexToRgb, type ColormapName, type Rgb } from './colors.js';
import { Raster } from './raster.js';
import { checkPath } from './render.js';

/** Options of {@link saveImageGrid}. */
export interface ImageGridOptions {
  /** Tiles per row. Default: the number of channels if there are several, else ⌈√count⌉. */
  cols?: number;
  /** Output pixels per image pixel (integer). Default 2. */
  scale?: number;
  /** Gap between tiles, in output pixels. Default 1. */
  padding?: number;
  /**
   * How values map to colours: `'global'` one range for all tiles (default),
   * `'each'` a range per tile (per image and channel), `'none'` the fixed range
   * [0, 1]. With the diverging `coolwarm` map the range is symmetric, [−a, a],
   * so that zero is the neutral middle colour.
   */
  normalize?: 'global' | 'each' | 'none';
  /** Fixed value range `[lo, hi]`; overrides `normalize`. */
  range?: [number, number];
  /** Colour map. Default `'gray'` (low black, high white). */
  colormap?: ColormapName;
  /** Colour of the gaps, `#rrggbb`. Default `#a0a0a0`. */
  background?: string;
}

/**
 * Save images as a grid of tiles in a PNG. Column `k` of `images` holds
 * image `k` with `nx × ny` pixels and `c = rows/(nx*ny)` channels, pixel
 * `(ix, iy)` of channel `ic` at row `ix + nx*(iy + ny*ic)` (docs/conventions.md §1);
 * `ix` runs to the right and `iy` downwards, as the rows of an MNIST image.
 * Each (image, channel) is one tile; tiles fill the grid row by row, channels
 * of an image side by side.
 * @param path output file, `.png` (parent folders are created)
 * @param images `nx*ny*c × count`
 * @param size `[nx, ny]`
 * @param options `{ cols?, scale = 2, padding = 1, normalize = 'global', range?, colormap = 'gray', background? }`
 * @returns the absolute path written
 * @throws if `images` is not a matrix, has no columns, or its row count is not a multiple of `nx*ny`; if pngjs is missing
 * @example await saveImageGrid('out/digits.png', test.Y, [28, 28]) // 10000 digits in a 100 × 100 grid
 */
export async function saveImageGrid(path: string, images: Matrix, size: [number, number], options: ImageGridOptions = {}): Promise<string> {
  const fn = 'saveImageGrid';
  checkPath(fn, path, ['.png']);
  checkMatrix(fn, 'images', images);
  if (!Array.isArray(size) || size.length !== 2) fail(fn, `size must be [nx, ny], got ${String(size)}`);
  const nx = checkPositiveInt(fn, 'nx', size[0]);
  const ny = checkPositiveInt(fn, 'ny', size[1]);
  const [rows, count] = images.shape;
  const np = nx * ny;
  if (rows === 0 || rows % np !== 0) fail(fn, `images has ${rows} rows, expected a multiple of nx*ny = ${nx}*${ny} = ${np}`);
  if (count === 0) fail(fn, 'images has no columns: nothing to draw');
  const channels = rows / np;
  const tiles = count * channels;
  const cols = Math.min(tiles, options.cols === undefined ? (channels > 1 ? channels : Math.ceil(Math.sqrt(tiles))) : checkPositiveInt(fn, 'cols', options.cols));
  const scale = checkPositiveInt(fn, 'scale', options.scale ?? 2);
  const pad = checkSize(fn, 'padding', options.padding ?? 1);
  const normalize = options.normalize ?? 'global';
  if (!['global', 'each', 'none'].includes(normalize)) fail(fn, `normalize must be 'global', 'each' or 'none', got '${String(normalize)}'`);
  const cmapName = options.colormap ?? 'gray';
  const cmap = colormap(cmapName);
  const symmetric = cmapName === 'coolwarm';
  let bg: Rgb = [160, 160, 160];
  if (options.background !== undefined) {
    if (!/^#[0-9a-fA-F]{6}$/.test(options.background)) fail(fn, `background must be a colour '#rrggbb', got '${options.background}'`);
    bg = hexToRgb(options.background);
  }
  if (options.range !== undefined) {
    const r = options.range;
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) fail(fn, `range must be [lo, hi] with lo < hi, got [${String(r)}]`);
  }

  const data = columnMajorData(images);
  // Value range of the tile starting at `start` (or of everything).
  const rangeOf = (start: number, len: number): [number, number] => {
    let lo = Infinity, hi = -Infinity;
    for (let i = start; i < start + len; i++) {
      const v = data[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(lo <= hi)) return [0, 1]; // all NaN
    if (symmetric) {
      const a = Math.max(Math.abs(lo), Math.abs(hi));
      return [-a, a];
    }
    return [lo, hi];
  };
  const fixed: [number, number] | null = options.range ?? (normalize === 'none' ? [0, 1] : normalize === 'global' ? rangeOf(0, data.length) : null);

  const gridRows = Math.ceil(tiles / cols);
  const tw = nx * scale, th = ny * scale;
  const raster = new Raster(cols * tw + (cols + 1) * pad, gridRows * th + (gridRows + 1) * pad, bg);
  for (let t = 0; t < tiles; t++) {
    const start = t * np; // tile t = image ⌊t/c⌋, channel t mod c: consecutive blocks of np rows
    const [lo, hi] = fixed ?? rangeOf(start, np);
    const span = hi - lo;
    const x0 = pad + (t % cols) * (tw + pad);
    const y0 = pad + Math.floor(t / cols) * (th + pad);
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const v = data[start + ix + nx * iy];
        const tt = span > 0 ? (v - lo) / span : symmetric ? 0.5 : 0;
        raster.fillRect(x0 + ix * scale, y0 + iy * scale, scale, scale, cmap(tt));
      }
    }
  }
  return raster.save(fn, path);
}
