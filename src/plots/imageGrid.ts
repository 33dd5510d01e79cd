/**
 * A grid of images as one PNG (MNIST digits, convolution inputs and outputs),
 * or as an SVG with that PNG embedded and text a reader needs: a title, a
 * caption under each image and a colour bar of the value range.
 */
import { checkMatrix, checkPositiveInt, checkSize, fail } from '../core/errors.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';
import { colormap, colormapRange, hexToRgb, type ColormapName, type Rgb } from './colors.js';
import { Raster } from './raster.js';
import { checkOptions } from '../core/options.js';
import { checkPath, encodePng, writeOutput } from './render.js';

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
  /** Title above the grid (SVG output only: a PNG carries no text). */
  title?: string;
  /**
   * Captions (SVG output only): one per image (under its tiles), or one per
   * tile (image × channel), e.g. `['label 7', …]` or the predicted classes.
   */
  captions?: string[];
  /**
   * A colour bar with the value range under the grid (SVG output only; default
   * true when one range holds for all tiles, i.e. not with `normalize: 'each'`).
   */
  colorbar?: boolean;
}

/** Height of a caption band under each row of tiles (SVG), pixels. */
const CAPTION_H = 15;

/** Escape text for SVG. */
function xml(t: string): string {
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number for a colour bar label: 3 significant digits. */
function tickLabel(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/**
 * Save images as a grid of tiles in a PNG. Column `k` of `images` holds
 * image `k` with `nx × ny` pixels and `c = rows/(nx*ny)` channels, pixel
 * `(ix, iy)` of channel `ic` at row `ix + nx*(iy + ny*ic)` (docs/conventions.md §1);
 * `ix` runs to the right and `iy` downwards, as the rows of an MNIST image.
 * Each (image, channel) is one tile; tiles fill the grid row by row, channels
 * of an image side by side.
 * An `.svg` path embeds the grid (as a PNG data URI) in an SVG with the
 * `title`, the `captions` in bands under each row of tiles, and a colour bar
 * labelled with the value range.
 * @param path output file, `.png` or `.svg` (parent folders are created)
 * @param images `nx*ny*c × count`
 * @param size `[nx, ny]`
 * @param options `{ cols?, scale = 2, padding = 1, normalize = 'global', range?, colormap = 'gray', background?, title?, captions?, colorbar? }`
 * @returns the absolute path written
 * @throws if `images` is not a matrix, has no columns, or its row count is not a multiple of `nx*ny`;
 *   if captions do not match the images or tiles in number; if title or captions are given for a PNG; if pngjs is missing
 * @example await saveImageGrid('out/digits.png', test.Y, [28, 28]) // 10000 digits in a 100 × 100 grid
 */
export async function saveImageGrid(path: string, images: Matrix, size: [number, number], options: ImageGridOptions = {}): Promise<string> {
  const fn = 'saveImageGrid';
  checkOptions(fn, options, ['cols', 'scale', 'padding', 'normalize', 'range', 'colormap', 'background', 'title', 'captions', 'colorbar']);
  checkPath(fn, path, ['.png', '.svg']);
  const svg = path.toLowerCase().endsWith('.svg');
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

  const captions = options.captions;
  if (captions !== undefined) {
    if (!Array.isArray(captions) || !captions.every((c) => typeof c === 'string')) fail(fn, 'captions must be an array of strings');
    if (captions.length !== count && captions.length !== tiles) fail(fn, `captions has ${captions.length} entries, expected one per image (${count}) or per tile (${tiles})`);
  }
  if (!svg && (captions !== undefined || options.title !== undefined)) fail(fn, `title and captions need an .svg path (a PNG carries no text), got ${path}`);
  const capH = captions ? CAPTION_H : 0;

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
  // With captions every row of tiles has a white band of capH pixels under it.
  const raster = new Raster(cols * tw + (cols + 1) * pad, gridRows * (th + capH) + (gridRows + 1) * pad, bg);
  const tileX = (t: number) => pad + (t % cols) * (tw + pad);
  const tileY = (t: number) => pad + Math.floor(t / cols) * (th + capH + pad);
  for (let t = 0; t < tiles; t++) {
    const start = t * np; // tile t = image ⌊t/c⌋, channel t mod c: consecutive blocks of np rows
    const [lo, hi] = fixed ?? rangeOf(start, np);
    const span = hi - lo;
    const x0 = tileX(t);
    const y0 = tileY(t);
    if (capH > 0) raster.fillRect(x0, y0 + th, tw, capH, [255, 255, 255]);
    for (let iy = 0; iy < ny; iy++) {
      for (let ix = 0; ix < nx; ix++) {
        const v = data[start + ix + nx * iy];
        const tt = span > 0 ? (v - lo) / span : symmetric ? 0.5 : 0;
        raster.fillRect(x0 + ix * scale, y0 + iy * scale, scale, scale, cmap(tt));
      }
    }
  }
  if (!svg) return raster.save(fn, path);

  // SVG: title, the grid as an embedded PNG, captions in the bands, colour bar.
  const png = await encodePng(fn, raster.width, raster.height, raster.data);
  const m = 8, titleH = options.title ? 24 : 0;
  const showBar = options.colorbar ?? fixed !== null;
  const barH = showBar && fixed ? 34 : 0;
  // Wide enough for the title and the colour bar's labels (text width ≈ 0.6 × font size per character).
  const W = Math.ceil(Math.max(raster.width, options.title ? 0.6 * 14 * options.title.length : 0, barH > 0 ? 120 : 0)) + 2 * m;
  const H = titleH + raster.height + barH + 2 * m;
  const gx = m, gy = m + titleH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (options.title) parts.push(`<text x="${m}" y="${m + 15}" font-size="14" font-weight="bold">${xml(options.title)}</text>`);
  parts.push(`<image x="${gx}" y="${gy}" width="${raster.width}" height="${raster.height}" image-rendering="pixelated" href="data:image/png;base64,${png.toString('base64')}"/>`);
  if (captions) {
    const perTile = captions.length === tiles; // with one channel, images and tiles coincide
    captions.forEach((c, k) => {
      // Per image: centred under its channel tiles when they share a row, else under the first.
      const first = perTile ? k : k * channels;
      const last = perTile ? k : k * channels + channels - 1;
      const sameRow = Math.floor(first / cols) === Math.floor(last / cols);
      const cx = gx + (sameRow ? (tileX(first) + tileX(last) + tw) / 2 : tileX(first) + tw / 2);
      const cy = gy + tileY(first) + th + capH - 4;
      // Shrink long captions to the width they have (not below 7 px).
      const room = sameRow ? (last - first + 1) * tw + (last - first) * pad : tw;
      const size = Math.max(7, Math.min(11, room / (0.6 * Math.max(1, c.length))));
      parts.push(`<text x="${cx}" y="${cy}" font-size="${size.toFixed(1)}" text-anchor="middle">${xml(c)}</text>`);
    });
  }
  if (barH > 0 && fixed) {
    const bw = Math.min(200, W - 2 * m), by = gy + raster.height + 8;
    const stops = colormapRange(cmapName, 11).map((col, i) => `<stop offset="${i / 10}" stop-color="${col}"/>`).join('');
    parts.push(`<defs><linearGradient id="bar">${stops}</linearGradient></defs>`);
    parts.push(`<rect x="${gx}" y="${by}" width="${bw}" height="9" fill="url(#bar)" stroke="#666" stroke-width="0.5"/>`);
    parts.push(`<text x="${gx}" y="${by + 22}" font-size="10">${tickLabel(fixed[0])}</text>`);
    parts.push(`<text x="${gx + bw}" y="${by + 22}" font-size="10" text-anchor="end">${tickLabel(fixed[1])}</text>`);
    const zeroAt = -fixed[0] / (fixed[1] - fixed[0]);
    if (zeroAt > 0.15 && zeroAt < 0.85) parts.push(`<text x="${gx + bw * zeroAt}" y="${by + 22}" font-size="10" text-anchor="middle">0</text>`);
  }
  parts.push('</svg>');
  return writeOutput(path, parts.join('\n'));
}
