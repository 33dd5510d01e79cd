/**
 * The playground's figures as {@link PlotSpec}s, built from what the worker
 * reports: decision regions, loss and accuracy curves, feature trajectories
 * and the step spectra against the stability region.
 */
import type { PlotImage, PlotSpec } from './plot.js';
import type { SetupMessage, ViewsMessage } from './trainer.js';

/** Class colours (Okabe–Ito, distinguishable with colour-vision deficiencies). */
export const CLASS_COLORS = ['#E69F00', '#0072B2', '#009E73', '#CC79A7', '#5E3C99'];

/** One point of the live history. */
export interface HistoryPoint {
  iter: number;
  time: number;
  trainLoss: number;
  valLoss: number;
  trainAcc: number;
  valAcc: number;
}

/** The horizontal axis of the curves. */
export type XAxis = 'iter' | 'time';

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The decision regions as an image: class colour, paler where the predicted probability is lower. */
export function regionImage(v: ViewsMessage, nc: number): PlotImage {
  const { size, labels, confidence, box } = v.regions;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(size, size);
  const rgb = CLASS_COLORS.map(hexRgb);
  for (let k = 0; k < size * size; k++) {
    const [r, g, b] = rgb[labels[k] % rgb.length];
    // Opacity from 0.2 (probability 1/nc, a guess) to 0.75 (certain).
    const a = 0.2 + 0.55 * Math.max(0, Math.min(1, (confidence[k] - 1 / nc) / (1 - 1 / nc)));
    img.data[4 * k] = Math.round(255 + a * (r - 255));
    img.data[4 * k + 1] = Math.round(255 + a * (g - 255));
    img.data[4 * k + 2] = Math.round(255 + a * (b - 255));
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return { dataUrl: canvas.toDataURL('image/png'), source: canvas, x0: -box, x1: box, y0: -box, y1: box };
}

/** Decision regions (the image from {@link regionImage}) with the training points (points only before the first views). */
export function regionsSpec(image: PlotImage | null, setup: SetupMessage | null): PlotSpec | null {
  if (!image && !setup) return null;
  const box = image?.x1 ?? 3.3;
  const spec: PlotSpec = { xLabel: 'x₁', yLabel: 'x₂', xRange: [-box, box], yRange: [-box, box], equal: true };
  if (image) spec.image = image;
  if (setup) {
    const n = setup.labelsTrain.length;
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = setup.Ytrain[2 * i];
      y[i] = setup.Ytrain[2 * i + 1];
    }
    spec.markers = [{ x, y, color: Array.from(setup.labelsTrain, (l) => CLASS_COLORS[l % CLASS_COLORS.length]), radius: n > 2000 ? 1.6 : 2.4, stroke: '#ffffff' }];
  }
  return spec;
}

function xValues(h: HistoryPoint[], axis: XAxis): number[] {
  return h.map((p) => (axis === 'iter' ? p.iter : p.time));
}

function xRange(xs: number[]): [number, number] {
  if (xs.length === 0) return [0, 1];
  const hi = Math.max(...xs);
  return [Math.min(...xs), hi > xs[0] ? hi : xs[0] + 1];
}

const X_LABEL: Record<XAxis, string> = { iter: 'iteration (epoch for SGD/ADAM)', time: 'training time [s]' };

/** Training and validation cross-entropy (log scale). */
export function lossSpec(h: HistoryPoint[], axis: XAxis): PlotSpec {
  const xs = xValues(h, axis);
  const ys = h.flatMap((p) => [p.trainLoss, p.valLoss]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = ys.length ? Math.min(...ys) : 0.1, hi = ys.length ? Math.max(...ys) : 10;
  return {
    xLabel: X_LABEL[axis],
    yLabel: 'cross-entropy',
    xRange: xRange(xs),
    yRange: [lo / 1.3, hi * 1.3],
    yLog: true,
    lines: [
      { x: xs, y: h.map((p) => p.trainLoss), color: '#0b5cad', width: 2 },
      { x: xs, y: h.map((p) => p.valLoss), color: '#c2185b', width: 2, dash: [6, 4] },
    ],
    legend: [{ label: 'training', color: '#0b5cad' }, { label: 'validation', color: '#c2185b', dash: [6, 4] }],
  };
}

/** Training and validation accuracy in %. */
export function accuracySpec(h: HistoryPoint[], axis: XAxis): PlotSpec {
  const xs = xValues(h, axis);
  const ys = h.flatMap((p) => [p.trainAcc, p.valAcc]).filter(Number.isFinite).map((v) => 100 * v);
  const lo = ys.length ? Math.min(...ys) : 0;
  return {
    xLabel: X_LABEL[axis],
    yLabel: 'accuracy [%]',
    xRange: xRange(xs),
    yRange: [Math.max(0, Math.floor(lo / 10) * 10), 100],
    lines: [
      { x: xs, y: h.map((p) => 100 * p.trainAcc), color: '#0b5cad', width: 2 },
      { x: xs, y: h.map((p) => 100 * p.valAcc), color: '#c2185b', width: 2, dash: [6, 4] },
      { x: [xs[0] ?? 0, xs[xs.length - 1] ?? 1], y: [90, 90], color: '#888', width: 1, dash: [2, 3] },
    ],
    legendAt: 'bottom-right',
    legend: [{ label: 'training', color: '#0b5cad' }, { label: 'validation', color: '#c2185b', dash: [6, 4] }],
  };
}

/** Every feature of a few training points against t = j·h. */
export function trajectoriesSpec(v: ViewsMessage | null, T: number, nc: number): PlotSpec | null {
  if (!v) return null;
  const { t, width: m, labels, values } = v.trajectories;
  let lo = Infinity, hi = -Infinity;
  for (const a of values) for (const x of a) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const pad = 0.05 * (hi - lo);
  const lines = values.flatMap((a, p) => Array.from({ length: m }, (_, i) => ({
    x: t,
    y: Array.from(t, (_, j) => a[j * m + i]),
    color: CLASS_COLORS[labels[p] % CLASS_COLORS.length],
    width: 1.3,
    alpha: 0.8,
  })));
  return {
    xLabel: 't',
    yLabel: 'features Y(t)',
    xRange: [0, T],
    yRange: [lo - pad, hi + pad],
    lines,
    legend: Array.from({ length: nc }, (_, k) => ({ label: `class ${k + 1}`, color: CLASS_COLORS[k] })),
  };
}

/**
 * z = hλ against forward Euler's disc |1 + z| ≤ 1, or Verlet's / leapfrog's
 * segment on the imaginary axis; `zoom` fits the view to the eigenvalues
 * (the region's boundary still shows where it passes).
 */
export function spectrumSpec(v: ViewsMessage | null, zoom = false): PlotSpec | null {
  if (!v) return null;
  const { re, im, region } = v.spectrum;
  let xlo = region === 'euler' ? -2.2 : -1, xhi = region === 'euler' ? 0.4 : 1, ylim = region === 'euler' ? 1.3 : 2.4;
  if (zoom && re.length) {
    xlo = Infinity;
    xhi = -Infinity;
    ylim = 0;
  }
  for (let i = 0; i < re.length; i++) {
    xlo = Math.min(xlo, re[i] * 1.1);
    xhi = Math.max(xhi, re[i] * 1.1);
    ylim = Math.max(ylim, Math.abs(im[i]) * 1.1);
  }
  // Square view: as wide as tall.
  const span = Math.max(xhi - xlo, 2 * ylim, 1e-6);
  const cx = (xlo + xhi) / 2;
  const spec: PlotSpec = {
    xLabel: 'Re hλ',
    yLabel: 'Im hλ',
    xRange: [cx - span / 2, cx + span / 2],
    yRange: [-span / 2, span / 2],
    equal: true,
  };
  const fill = 'rgba(46, 125, 50, 0.18)', stroke = '#2e7d32';
  if (region === 'euler') {
    const k = 96;
    spec.polygons = [{ x: Array.from({ length: k }, (_, i) => -1 + Math.cos((2 * Math.PI * i) / k)), y: Array.from({ length: k }, (_, i) => Math.sin((2 * Math.PI * i) / k)), fill, stroke }];
    spec.note = 'region |1 + hλ| ≤ 1 (forward Euler)';
  } else {
    const w = span / 150;
    spec.polygons = [{ x: [-w, w, w, -w], y: [-2, -2, 2, 2], fill: stroke }];
    spec.note = region === 'imaginary' ? 'region Re hλ = 0, |Im hλ| ≤ 2 (Verlet / leapfrog)' : '';
  }
  const inside = (i: number) => (region === 'euler'
    ? Math.hypot(1 + re[i], im[i]) <= 1 + 1e-9
    : Math.abs(re[i]) <= 1e-8 * Math.max(1, Math.hypot(re[i], im[i])) && Math.abs(im[i]) <= 2 + 1e-9);
  const colors = Array.from(re, (_, i) => (inside(i) ? '#0b5cad' : '#d32f2f'));
  spec.markers = [{ x: re, y: im, color: colors, radius: 2.2 }];
  spec.legend = [{ label: 'inside', color: '#0b5cad' }, { label: 'outside', color: '#d32f2f' }];
  return spec;
}
