/**
 * Contour plots of values on a grid (2-D loss landscapes): a heat map with
 * contour lines from marching squares.
 */
import { checkPositiveInt, fail } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { colormap, colormapRange, type ColormapName } from './colors.js';
import { Raster } from './raster.js';
import { coord, readGrid, type GridData, type GridInputOptions } from './grid.js';
import { chartConfig, checkPath, encodePng, vegaLiteToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';

/** A contour line segment `(x1, y1)–(x2, y2)` at `level`. */
export interface ContourSegment {
  level: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Marching squares: the segments of the level lines `f = level` of the grid,
 * linearly interpolated along cell edges. A saddle cell (four crossings) is
 * resolved by the mean of its corners. Cells with a non-finite corner are skipped.
 */
export function contourSegments(g: GridData, levels: number[]): ContourSegment[] {
  const { nx, ny, values } = g;
  const at = (ix: number, iy: number) => values[iy + ny * ix];
  const segs: ContourSegment[] = [];
  const px: number[] = new Array(4), py: number[] = new Array(4);
  for (let ix = 0; ix + 1 < nx; ix++) {
    for (let iy = 0; iy + 1 < ny; iy++) {
      // Corners counter-clockwise from (ix, iy): 00, 10, 11, 01.
      const v = [at(ix, iy), at(ix + 1, iy), at(ix + 1, iy + 1), at(ix, iy + 1)];
      if (!v.every(Number.isFinite)) continue;
      const cx = [ix, ix + 1, ix + 1, ix], cy = [iy, iy, iy + 1, iy + 1];
      for (const L of levels) {
        // Edge e joins corners e and e+1: 0 bottom, 1 right, 2 top, 3 left.
        const cross: boolean[] = [];
        let count = 0;
        for (let e = 0; e < 4; e++) {
          const a = v[e], b = v[(e + 1) % 4];
          const c = (a > L) !== (b > L);
          cross.push(c);
          if (c) {
            count++;
            const t = (L - a) / (b - a);
            px[e] = cx[e] + t * (cx[(e + 1) % 4] - cx[e]);
            py[e] = cy[e] + t * (cy[(e + 1) % 4] - cy[e]);
          }
        }
        if (count === 0) continue;
        const add = (e: number, f: number) =>
          segs.push({ level: L, x1: coord(g.x, px[e], nx), y1: coord(g.y, py[e], ny), x2: coord(g.x, px[f], nx), y2: coord(g.y, py[f], ny) });
        if (count === 2) {
          const [e, f] = [0, 1, 2, 3].filter((k) => cross[k]);
          add(e, f);
        } else {
          // Saddle: if the centre is on the side of corner 00, corners 10 and 01 are cut off.
          const centreHigh = (v[0] + v[1] + v[2] + v[3]) / 4 > L;
          if (centreHigh === v[0] > L) {
            add(0, 1);
            add(2, 3);
          } else {
            add(3, 0);
            add(1, 2);
          }
        }
      }
    }
  }
  return segs;
}

/** Options of {@link saveContour}. */
export interface ContourOptions extends GridInputOptions {
  title?: string;
  /** Number of equally spaced levels strictly between min and max, or the levels themselves. Default 10. */
  levels?: number | number[];
  /** Heat map colours. Default 'viridis'. */
  colormap?: ColormapName;
  /** Axis and legend titles. Defaults 'x', 'y', 'value'. */
  xLabel?: string;
  yLabel?: string;
  zLabel?: string;
  /** Points to mark with a cross (e.g. the current parameters at the origin). */
  markers?: [number, number][];
  /** Plot area in pixels. Defaults 400 × 400. */
  width?: number;
  height?: number;
}

/** The levels: `count` equally spaced values strictly inside (min, max), or the given list. */
export function contourLevels(fn: string, g: GridData, levels: number | number[] | undefined): number[] {
  if (Array.isArray(levels)) {
    if (!levels.every(Number.isFinite)) fail(fn, 'levels must be finite numbers');
    return levels;
  }
  const k = checkPositiveInt(fn, 'levels', levels ?? 10);
  if (g.max === g.min) return [];
  return Array.from({ length: k }, (_, i) => g.min + ((i + 1) * (g.max - g.min)) / (k + 1));
}

/**
 * Contour plot of values on a grid, rendered to SVG: a heat map (the grid
 * bilinearly interpolated, embedded as a PNG image) with contour lines
 * (marching squares) and a colour legend on top.
 * The grid: an `ny × nx` Matrix `Z` with `Z(iy, ix)` the value at
 * `(x_ix, y_iy)` (MATLAB's meshgrid layout; row 0 at y[0], the bottom), or a
 * Float64Array in that column-major order with `shape: [ny, nx]`.
 * @param path output file, `.svg`
 * @param values `ny × nx` grid values
 * @param options `{ x, y, levels = 10, colormap = 'viridis', title?, xLabel?, yLabel?, zLabel?, markers?, shape?, width?, height? }`
 * @returns the absolute path written
 * @throws if the grid is smaller than 2 × 2, has no finite value, a Float64Array comes without a matching shape, or a range is not increasing; if vega/vega-lite or pngjs are missing
 * @example await saveContour('out/landscape.svg', Z, { x: [-1, 1], y: [-1, 1], levels: 15, title: 'E(K + a dK, W + b dW)' })
 */
export async function saveContour(path: string, values: Matrix | Float64Array, options: ContourOptions = {}): Promise<string> {
  const fn = 'saveContour';
  checkOptions(fn, options, ['title', 'levels', 'colormap', 'xLabel', 'yLabel', 'zLabel', 'markers', 'width', 'height', 'x', 'y', 'shape']);
  checkPath(fn, path, ['.svg']);
  const g = readGrid(fn, values, options);
  const levels = contourLevels(fn, g, options.levels);
  const segs = contourSegments(g, levels);
  const width = checkPositiveInt(fn, 'width', options.width ?? 400);
  const height = checkPositiveInt(fn, 'height', options.height ?? 400);
  const cmapName = options.colormap ?? 'viridis';
  // The heat map: the grid bilinearly interpolated at the pixel centres,
  // embedded as a PNG (small, no seams between cells, unlike one rect per cell).
  const cmap = colormap(cmapName);
  const raster = new Raster(width, height);
  const span = g.max - g.min;
  for (let py = 0; py < height; py++) {
    const fy = (1 - (py + 0.5) / height) * (g.ny - 1); // fractional row index; image rows go down
    const iy = Math.min(g.ny - 2, Math.floor(fy)), ty = fy - iy;
    for (let px = 0; px < width; px++) {
      const fx = ((px + 0.5) / width) * (g.nx - 1);
      const ix = Math.min(g.nx - 2, Math.floor(fx)), tx = fx - ix;
      const v00 = g.values[iy + g.ny * ix], v10 = g.values[iy + g.ny * (ix + 1)];
      const v01 = g.values[iy + 1 + g.ny * ix], v11 = g.values[iy + 1 + g.ny * (ix + 1)];
      const z = (1 - ty) * ((1 - tx) * v00 + tx * v10) + ty * ((1 - tx) * v01 + tx * v11);
      raster.set(px, py, Number.isFinite(z) ? cmap(span > 0 ? (z - g.min) / span : 0.5) : [255, 255, 255]);
    }
  }
  const url = `data:image/png;base64,${(await encodePng(fn, width, height, raster.data)).toString('base64')}`;
  const sx = { domain: g.x, nice: false, zero: false };
  const sy = { domain: g.y, nice: false, zero: false };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: [{ x: g.x[0], y: g.y[1], url }] },
      mark: { type: 'image', aspect: false, align: 'left', baseline: 'top', width, height, aria: false },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: sx, title: options.xLabel ?? 'x' },
        y: { field: 'y', type: 'quantitative', scale: sy, title: options.yLabel ?? 'y' },
        url: { field: 'url', type: 'nominal' },
      },
    },
    {
      // Invisible marks at the extreme values, only to get the colour legend.
      data: { values: [{ x: g.x[0], y: g.y[0], z: g.min }, { x: g.x[0], y: g.y[0], z: g.max }] },
      mark: { type: 'square', opacity: 0, aria: false },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale: sx },
        y: { field: 'y', type: 'quantitative', scale: sy },
        color: { field: 'z', type: 'quantitative', scale: { domain: [g.min, g.max], range: colormapRange(cmapName) }, title: options.zLabel ?? 'value', legend: { type: 'gradient' } },
      },
    },
  ];
  if (segs.length > 0) {
    layers.push({
      data: { values: segs },
      mark: { type: 'rule', color: '#111111', strokeWidth: 0.9, opacity: 0.75, aria: false },
      encoding: {
        x: { field: 'x1', type: 'quantitative', scale: sx },
        y: { field: 'y1', type: 'quantitative', scale: sy },
        x2: { field: 'x2' },
        y2: { field: 'y2' },
      },
    });
  }
  if (options.markers && options.markers.length > 0) {
    options.markers.forEach((m, k) => {
      if (!Array.isArray(m) || m.length !== 2 || !m.every(Number.isFinite)) fail(fn, `markers[${k}] must be [x, y]`);
    });
    layers.push({
      data: { values: options.markers.map(([x, y]) => ({ x, y })) },
      mark: { type: 'point', shape: 'cross', size: 120, filled: true, color: '#e15759', stroke: 'white', strokeWidth: 0.8 },
      encoding: { x: { field: 'x', type: 'quantitative', scale: sx }, y: { field: 'y', type: 'quantitative', scale: sy } },
    });
  }
  const spec = {
    ...chartConfig(),
    ...(options.title ? { title: options.title } : {}),
    width,
    height,
    layer: layers,
  };
  return writeOutput(path, await vegaLiteToSvg(fn, spec));
}
