/**
 * A 3-D view of values on a grid (loss landscapes): shaded quadrilaterals in
 * perspective-free (orthographic) projection, drawn back to front (painter's
 * algorithm) as Vega path marks in an SVG.
 */
import { checkNumber, checkPositiveInt } from '../core/errors.js';
import type { Matrix } from '../core/matrix.js';
import { colormap, mix, rgbToHex, type ColormapName } from './colors.js';
import { readGrid, type GridInputOptions } from './grid.js';
import { checkPath, vegaToSvg, writeOutput } from './render.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link saveSurface}. */
export interface SurfaceOptions extends GridInputOptions {
  title?: string;
  /** Axis titles. Defaults 'x', 'y', 'value'. */
  xLabel?: string;
  yLabel?: string;
  zLabel?: string;
  /** Colours by height. Default 'viridis'. */
  colormap?: ColormapName;
  /** Viewing angles in degrees, as MATLAB's `view(az, el)`. Defaults −37.5 and 30. */
  azimuth?: number;
  elevation?: number;
  /** At most this many grid points per side are drawn (evenly subsampled). Default 60. */
  maxGrid?: number;
  /** Picture size in pixels. Defaults 520 × 440. */
  width?: number;
  height?: number;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** Evenly spaced indices 0 … n−1, at most m of them, both ends kept. */
function subsample(n: number, m: number): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: m }, (_, i) => Math.round((i * (n - 1)) / (m - 1)));
}

/**
 * Surface plot of values on a grid, rendered to SVG: every grid cell a
 * quadrilateral coloured by its mean height and shaded by its slope (Lambert
 * lighting), seen from `(azimuth, elevation)` like MATLAB's `surf`; the floor
 * of the bounding box and the axis ranges are drawn as labels. Same grid layout
 * as {@link saveContour} (`ny × nx`, row iy ↔ y, column ix ↔ x). x, y and the
 * height are each scaled to the box, so the picture shows shape, not aspect.
 * @param path output file, `.svg`
 * @param values `ny × nx` grid values
 * @param options `{ x, y, title?, xLabel?, yLabel?, zLabel?, colormap = 'viridis', azimuth = −37.5, elevation = 30, maxGrid = 60, shape?, width?, height? }`
 * @returns the absolute path written
 * @throws as {@link saveContour}; if vega is missing
 * @example await saveSurface('out/landscape-3d.svg', Z, { x: [-1, 1], y: [-1, 1], title: 'loss surface' })
 */
export async function saveSurface(path: string, values: Matrix | Float64Array, options: SurfaceOptions = {}): Promise<string> {
  const fn = 'saveSurface';
  checkOptions(fn, options, ['title', 'xLabel', 'yLabel', 'zLabel', 'colormap', 'azimuth', 'elevation', 'maxGrid', 'width', 'height', 'x', 'y', 'shape']);
  checkPath(fn, path, ['.svg']);
  const g = readGrid(fn, values, options);
  const width = checkPositiveInt(fn, 'width', options.width ?? 520);
  const height = checkPositiveInt(fn, 'height', options.height ?? 440);
  const maxGrid = checkPositiveInt(fn, 'maxGrid', options.maxGrid ?? 60);
  const az = (checkNumber(fn, 'azimuth', options.azimuth ?? -37.5) * Math.PI) / 180;
  const el = (checkNumber(fn, 'elevation', options.elevation ?? 30) * Math.PI) / 180;
  const cmap = colormap(options.colormap ?? 'viridis');
  const ixs = subsample(g.nx, Math.max(2, maxGrid));
  const iys = subsample(g.ny, Math.max(2, maxGrid));
  const zspan = g.max - g.min;
  const H = 0.7; // half height of the box relative to its half width 1

  // Normalised coordinates: x, y in [−1, 1], z in [−H, H].
  const nxp = ixs.length, nyp = iys.length;
  const X = (a: number) => -1 + (2 * a) / (nxp - 1);
  const Yc = (b: number) => -1 + (2 * b) / (nyp - 1);
  const Z = (z: number) => (zspan > 0 ? -H + (2 * H * (z - g.min)) / zspan : 0);
  // View: rotate by the azimuth about z, then tilt by the elevation.
  // u runs right on the screen, w away from the viewer, s up on the screen.
  const ca = Math.cos(az), sa = Math.sin(az), ce = Math.cos(el), se = Math.sin(el);
  const project = (x: number, y: number, z: number) => {
    const u = x * ca + y * sa;
    const w = -x * sa + y * ca;
    return { u, s: z * ce + w * se, depth: w * ce - z * se };
  };
  // Screen placement: fit the projected box into the picture.
  const corners: { u: number; s: number }[] = [];
  for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-H, H]) corners.push(project(x, y, z));
  const uMin = Math.min(...corners.map((c) => c.u)), uMax = Math.max(...corners.map((c) => c.u));
  const sMin = Math.min(...corners.map((c) => c.s)), sMax = Math.max(...corners.map((c) => c.s));
  const margin = 40;
  const k = Math.min((width - 2 * margin) / (uMax - uMin), (height - 2 * margin) / (sMax - sMin));
  const ox = width / 2 - (k * (uMin + uMax)) / 2, oy = height / 2 + (k * (sMin + sMax)) / 2;
  const screen = (x: number, y: number, z: number) => {
    const p = project(x, y, z);
    return [ox + k * p.u, oy - k * p.s] as const;
  };
  const pt = (x: number, y: number, z: number) => screen(x, y, z).map((v) => v.toFixed(2)).join(',');

  // Light from above, a little from the viewer's side and left:
  // towards the viewer is (sa, −ca, 0), screen-left is (−ca, −sa, 0).
  const light = (() => {
    const l = [0.5 * sa - 0.4 * ca, -0.5 * ca - 0.4 * sa, 1];
    const m = Math.hypot(l[0], l[1], l[2]);
    return l.map((v) => v / m);
  })();
  const quads: { path: string; fill: string; stroke: string; depth: number }[] = [];
  const val = (a: number, b: number) => g.values[iys[b] + g.ny * ixs[a]];
  for (let a = 0; a + 1 < nxp; a++) {
    for (let b = 0; b + 1 < nyp; b++) {
      const z = [val(a, b), val(a + 1, b), val(a + 1, b + 1), val(a, b + 1)];
      if (!z.every(Number.isFinite)) continue;
      const xs = [X(a), X(a + 1), X(a + 1), X(a)], ys = [Yc(b), Yc(b), Yc(b + 1), Yc(b + 1)], zs = z.map(Z);
      // Normal from the cross product of the diagonals.
      const d1 = [xs[2] - xs[0], ys[2] - ys[0], zs[2] - zs[0]];
      const d2 = [xs[3] - xs[1], ys[3] - ys[1], zs[3] - zs[1]];
      const nrm = [d1[1] * d2[2] - d1[2] * d2[1], d1[2] * d2[0] - d1[0] * d2[2], d1[0] * d2[1] - d1[1] * d2[0]];
      const nl = Math.hypot(nrm[0], nrm[1], nrm[2]) || 1;
      const lambert = Math.abs(nrm[0] * light[0] + nrm[1] * light[1] + nrm[2] * light[2]) / nl;
      const meanZ = (z[0] + z[1] + z[2] + z[3]) / 4;
      const base = cmap(zspan > 0 ? (meanZ - g.min) / zspan : 0.5);
      const shaded = mix(base, [0, 0, 0], 0.45 * (1 - lambert));
      const centre = project((xs[0] + xs[2]) / 2, (ys[0] + ys[2]) / 2, (zs[0] + zs[1] + zs[2] + zs[3]) / 4);
      quads.push({
        path: `M${pt(xs[0], ys[0], zs[0])}L${pt(xs[1], ys[1], zs[1])}L${pt(xs[2], ys[2], zs[2])}L${pt(xs[3], ys[3], zs[3])}Z`,
        fill: rgbToHex(shaded),
        stroke: rgbToHex(mix(shaded, [0, 0, 0], 0.25)),
        depth: centre.depth,
      });
    }
  }
  // Painter's algorithm: farthest first.
  quads.sort((p, q) => q.depth - p.depth);

  // Floor of the box and its labels.
  const floor = `M${pt(-1, -1, -H)}L${pt(1, -1, -H)}L${pt(1, 1, -H)}L${pt(-1, 1, -H)}Z`;
  const label = (x: number, y: number, z: number, text: string, align: string) => {
    const [sx, sy] = screen(x, y, z);
    return { x: sx, y: sy, text, align };
  };
  // Put the x labels on the floor edge nearer to the viewer, the y labels likewise.
  const yNear = project(0, -1, -H).depth < project(0, 1, -H).depth ? -1 : 1;
  const xNear = project(-1, 0, -H).depth < project(1, 0, -H).depth ? -1 : 1;
  const off = 1.18;
  const labels = [
    label(0, yNear * off, -H, options.xLabel ?? 'x', 'center'),
    label(-1, yNear * off, -H, fmt(g.x[0]), 'center'),
    label(1, yNear * off, -H, fmt(g.x[1]), 'center'),
    label(xNear * off, 0, -H, options.yLabel ?? 'y', 'center'),
    label(xNear * off, -1, -H, fmt(g.y[0]), 'center'),
    label(xNear * off, 1, -H, fmt(g.y[1]), 'center'),
  ];
  const subtitle = `${options.zLabel ?? 'value'} from ${fmt(g.min)} to ${fmt(g.max)}`;
  const spec = {
    width,
    height,
    padding: 5,
    background: 'white',
    title: { text: options.title ?? '', subtitle, anchor: 'start', fontSize: 14, font: 'Helvetica, Arial, sans-serif' },
    data: [
      { name: 'floor', values: [{ path: floor }] },
      { name: 'quads', values: quads },
      { name: 'labels', values: labels },
    ],
    marks: [
      { type: 'path', from: { data: 'floor' }, encode: { enter: { path: { field: 'path' }, fill: { value: '#f4f4f4' }, stroke: { value: '#999999' }, strokeWidth: { value: 1 } } } },
      { type: 'path', from: { data: 'quads' }, encode: { enter: { path: { field: 'path' }, fill: { field: 'fill' }, stroke: { field: 'stroke' }, strokeWidth: { value: 0.4 } } } },
      {
        type: 'text',
        from: { data: 'labels' },
        encode: { enter: { x: { field: 'x' }, y: { field: 'y' }, text: { field: 'text' }, align: { field: 'align' }, baseline: { value: 'middle' }, fontSize: { value: 11 }, fill: { value: '#333333' }, font: { value: 'Helvetica, Arial, sans-serif' } } },
      },
    ],
  };
  return writeOutput(path, await vegaToSvg(fn, spec));
}
