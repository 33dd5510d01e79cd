/**
 * The playground's 2-D classification data sets, all inside the square
 * [−3, 3]² (the decision-region plot shows that square): the lecture's Peaks
 * (numdl's `setupPeaks`, 5 classes) and four classic two-class problems —
 * two spirals, two moons, circles and XOR. Points carry Gaussian jitter of
 * standard deviation `noise`; all randomness comes from `seed`.
 */
import * as nd from 'numdl';
import { classCount, type PlaygroundConfig } from './config.js';

/** Half-width of the square the data live in. */
export const BOX = 3;

/** Training and validation data of a run. */
export interface PlaygroundData {
  /** Training points 2 × n, one-hot labels nc × n and labels. */
  Ytrain: nd.Matrix;
  Ctrain: nd.Matrix;
  labelsTrain: Int32Array;
  Yval: nd.Matrix;
  Cval: nd.Matrix;
  labelsVal: Int32Array;
  classes: number;
}

/** Points (2 × n) and labels of one of the two-class problems, before jitter. */
function twoClass(name: 'spirals' | 'moons' | 'circles' | 'xor', n: number, rng: nd.Rng): { P: Float64Array; labels: Int32Array } {
  const P = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2; // alternate the classes: balanced for every n
    labels[i] = c;
    let x: number, y: number;
    if (name === 'spirals') {
      // Archimedean spirals r = a·φ, the second one turned by π; 1.75 turns.
      const s = Math.sqrt(rng.uniform()); // denser outside, where the arms are longer
      const phi = 0.5 + s * 3.5 * Math.PI;
      const r = (2.8 * phi) / (0.5 + 3.5 * Math.PI);
      const a = phi + c * Math.PI;
      x = r * Math.cos(a);
      y = r * Math.sin(a);
    } else if (name === 'moons') {
      // The upper moon (cos t, sin t) and the lower one (1 − cos t, ½ − sin t), t ∈ [0, π], centred and scaled by 2.
      const t = Math.PI * rng.uniform();
      const u = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
      const v = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x = 2 * (u - 0.5);
      y = 2 * (v - 0.25);
    } else if (name === 'circles') {
      // Radius uniform in [0, 1.2] (class 0) or [1.8, 2.8] (class 1).
      const a = 2 * Math.PI * rng.uniform();
      const r = c === 0 ? 1.2 * Math.sqrt(rng.uniform()) : 1.8 + rng.uniform();
      x = r * Math.cos(a);
      y = r * Math.sin(a);
    } else {
      // XOR: the class is whether x and y have the same sign; keep 0.15 away from the axes.
      const ax = 0.15 + (BOX - 0.15) * rng.uniform(), ay = 0.15 + (BOX - 0.15) * rng.uniform();
      const sx = rng.uniform() < 0.5 ? -1 : 1;
      const sy = c === 0 ? sx : -sx;
      x = sx * ax;
      y = sy * ay;
    }
    P[2 * i] = x;
    P[2 * i + 1] = y;
  }
  return { P, labels };
}

/** One-hot labels, nc × n. */
function oneHot(labels: Int32Array, nc: number): nd.Matrix {
  const C = nd.zeros(nc, labels.length);
  for (let i = 0; i < labels.length; i++) C.data[labels[i] + nc * i] = 1;
  return C;
}

/** Labels (argmax of every column) of a one-hot matrix. */
function labelsOf(C: nd.Matrix): Int32Array {
  const [nc, n] = C.shape;
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (let k = 1; k < nc; k++) if (C.data[k + nc * j] > C.data[best + nc * j]) best = k;
    out[j] = best;
  }
  return out;
}

/**
 * The data of a configuration: `points` points of `dataset` with jitter
 * `noise`, split at random into training and validation (`valSplit` held out).
 * Peaks draws `ceil(points/5)` per class (numdl's setupPeaks) and keeps the first `points`.
 * @example const d = makeData({ ...DEFAULT_CONFIG }); d.Ytrain.shape // [2, 1050]
 */
export function makeData(c: Pick<PlaygroundConfig, 'dataset' | 'points' | 'noise' | 'valSplit' | 'seed'>): PlaygroundData {
  const rng = nd.createRng(c.seed).fork(`data-${c.dataset}`);
  // All streams up front (a fork advances its parent): the split is the same with and without noise.
  const pointsRng = rng.fork('points'), jitter = rng.fork('noise'), splitRng = rng.fork('split');
  const nc = classCount(c.dataset);
  let P: Float64Array, labels: Int32Array;
  if (c.dataset === 'peaks') {
    const d = nd.setupPeaks({ n: c.points, classes: nc, rng: pointsRng });
    P = Float64Array.from(d.Y.data.subarray(0, 2 * c.points));
    labels = d.labels.slice(0, c.points);
  } else {
    ({ P, labels } = twoClass(c.dataset, c.points, pointsRng));
  }
  if (c.noise > 0) {
    for (let i = 0; i < P.length; i++) P[i] += c.noise * jitter.normal();
  }
  const Y = nd.matrix(2, c.points, P);
  const split = nd.splitData(Y, oneHot(labels, nc), 1 - c.valSplit, splitRng);
  return {
    Ytrain: split.Ytrain,
    Ctrain: split.Ctrain,
    labelsTrain: labelsOf(split.Ctrain),
    Yval: split.Yval,
    Cval: split.Cval,
    labelsVal: labelsOf(split.Cval),
    classes: nc,
  };
}
