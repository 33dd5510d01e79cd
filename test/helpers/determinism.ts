/**
 * A short, flagship-like training problem whose final iterates' bits are
 * compared run against run, backend against backend and process against
 * process (test/api/determinism.test.ts and its child process).
 */
import { classificationObjective, createRng, dense, newtonCG, resnet, setupPeaks, singleLayer, sgd } from '../../src/index.js';

/** A small flagship-like problem: ResNet (width 8, 4 steps) on Peaks, cross-entropy. */
export function problem() {
  const { Y, C } = setupPeaks({ n: 200, classes: 5, seed: 1 });
  const net = resnet(() => singleLayer(dense(8, 8), { activation: 'tanh' }), { steps: 4, T: 1, opening: singleLayer(dense(8, 2), { activation: 'tanh' }) });
  const obj = classificationObjective(net, Y, C, { regularization: { theta: 1e-3, W: 1e-3 } });
  return { obj, x0: obj.initialize(createRng(7)) };
}

/** The bits of a Float64Array as hex, for exact comparison across processes. */
export function bits(x: Float64Array): string {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');
}

/** A short Newton-CG run and two SGD epochs; the final iterates' bits. */
export function shortRuns(): string {
  const { obj, x0 } = problem();
  const a = newtonCG(obj, x0, { maxIter: 4, quiet: true });
  const b = sgd(obj, x0, { lr: 0.05, batchSize: 20, maxEpochs: 2, seed: 3, quiet: true });
  return `${bits(a.x)}:${bits(b.x)}`;
}

