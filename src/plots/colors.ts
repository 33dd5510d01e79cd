/**
 * Colour maps for rasters and the categorical palette shared by the raster
 * (decision regions) and the vector charts (scatter plots), so a class has the
 * same colour everywhere.
 */
import { fail } from '../core/errors.js';

/** An RGB colour, components 0…255. */
export type Rgb = [number, number, number];

/** Names of the continuous colour maps. */
export type ColormapName = 'gray' | 'grayInverted' | 'viridis' | 'coolwarm';

/** Categorical palette (Tableau 10), one colour per class, repeated beyond 10 classes. */
export const PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

/** `#rrggbb` → RGB. */
export function hexToRgb(hex: string): Rgb {
  const h = hex.replace('#', '');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** RGB → `#rrggbb`. */
export function rgbToHex(c: Rgb): string {
  return '#' + c.map((v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0')).join('');
}

/** Colour of class `k` in the palette. */
export function classColor(k: number): Rgb {
  return hexToRgb(PALETTE[((k % PALETTE.length) + PALETTE.length) % PALETTE.length]);
}

/** Blend `c` towards `to` by `t ∈ [0, 1]`. */
export function mix(c: Rgb, to: Rgb, t: number): Rgb {
  return [c[0] + (to[0] - c[0]) * t, c[1] + (to[1] - c[1]) * t, c[2] + (to[2] - c[2]) * t];
}

// Anchor colours sampled from the published colour maps, interpolated linearly.
const ANCHORS: Record<Exclude<ColormapName, 'gray' | 'grayInverted'>, Rgb[]> = {
  viridis: ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'].map(hexToRgb),
  // Moreland's diverging map: blue, light grey, red (0 maps to the middle).
  coolwarm: ['#3b4cc0', '#7092f3', '#aac7fd', '#dddddd', '#f7b194', '#e7694f', '#b40426'].map(hexToRgb),
};

/**
 * A colour map as a function of `t ∈ [0, 1]` (clamped; NaN gives magenta so
 * that bad values stand out).
 */
export function colormap(name: ColormapName = 'gray'): (t: number) => Rgb {
  if (name === 'gray') return (t) => (Number.isNaN(t) ? [255, 0, 255] : grayOf(t));
  if (name === 'grayInverted') return (t) => (Number.isNaN(t) ? [255, 0, 255] : grayOf(1 - t));
  const anchors = ANCHORS[name];
  if (anchors === undefined) fail('colormap', `unknown colour map '${String(name)}', expected gray, grayInverted, viridis or coolwarm`);
  const m = anchors.length - 1;
  return (t) => {
    if (Number.isNaN(t)) return [255, 0, 255];
    const s = Math.max(0, Math.min(1, t)) * m;
    const i = Math.min(m - 1, Math.floor(s));
    return mix(anchors[i], anchors[i + 1], s - i);
  };
}

function grayOf(t: number): Rgb {
  const g = 255 * Math.max(0, Math.min(1, t));
  return [g, g, g];
}

/** The map's colours at `n` evenly spaced points, as hex (for Vega scales). */
export function colormapRange(name: ColormapName, n = 9): string[] {
  const f = colormap(name);
  return Array.from({ length: n }, (_, i) => rgbToHex(f(n === 1 ? 0.5 : i / (n - 1))));
}
