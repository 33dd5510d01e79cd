/**
 * One training run of the playground: data, network, objective and optimizer
 * from a configuration, run by numdl's optimizer with a per-iteration
 * callback that measures the training and validation loss and accuracy and,
 * at most every `viewEvery` milliseconds, the views (decision regions,
 * feature trajectories, step spectra).
 *
 * Pure TypeScript over numdl with no DOM: the Web Worker calls
 * {@link runTraining} with `postMessage` as `emit`, the Node tests call it
 * directly. Pausing is the page's business: it terminates the worker and
 * later starts a new run from the last iterate it received (`x0`, `startIter`),
 * so an uninterrupted run is exactly the library's optimizer; a resumed
 * L-BFGS / SGD / ADAM run starts with empty memory / momentum / moments.
 */
import * as nd from 'numdl';
import { classCount, validateConfig, type PlaygroundConfig } from './config.js';
import { BOX, makeData, type PlaygroundData } from './datasets.js';
import { buildNetwork, stabilityVerdict, type PlaygroundNetwork, type RegionKind, type StabilityVerdict } from './network.js';

/** Half-width of the decision-region square (a margin around the data's [−3, 3]²). */
export const VIEW_BOX = BOX + 0.3;

/** What the page asks for. */
export interface RunRequest {
  config: PlaygroundConfig;
  /** Start here ([θ; vec W], length nParams of the full objective) instead of the seeded initialisation. */
  x0?: Float64Array | null;
  /** Iterations already done (numbering continues from here; the budget is config.iterations in total). */
  startIter?: number;
  /** Training seconds already spent (the time axis continues from here). */
  startTime?: number;
  /** Run at most this many iterations (epochs) now — 1 for the Step button. */
  maxIter?: number;
  /** Minimum milliseconds between two views (default 150; also at least 3× the last views' cost); 0: every iteration. */
  viewEvery?: number;
  /** Resolution of the decision-region grid (default 72 × 72). */
  gridSize?: number;
}

/** One row of the live history. */
export interface ProgressMessage {
  type: 'progress';
  iter: number;
  /** Objective value (regularised; VarPro's reduced Φ(θ)). */
  objective: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
  /** Training seconds (monitoring and views excluded), cumulative over resumed runs. */
  time: number;
  /** The optimizer's table row (numbers and strings). */
  row: Record<string, number | string | boolean>;
  /** The iterate [θ; vec W] (a copy). */
  x: Float64Array;
}

/** The views at one iterate. */
export interface ViewsMessage {
  type: 'views';
  iter: number;
  /** Decision regions on a size × size grid over [−VIEW_BOX, VIEW_BOX]², row 0 at the top (y = +VIEW_BOX). */
  regions: { size: number; box: number; labels: Uint8Array; confidence: Float32Array };
  /** Y(t) at t_j = j·h for a few training points: values[p][j·m + i] = feature i of point p at step j. */
  trajectories: { t: Float64Array; width: number; labels: Int32Array; values: Float64Array[] };
  /** z = hλ of every step's linearisation at a few points, and the verdict. */
  spectrum: { re: Float64Array; im: Float64Array; h: number; region: RegionKind; verdict: StabilityVerdict };
}

/** The run's end. */
export interface DoneMessage {
  type: 'done';
  status: string;
  message: string;
  iterations: number;
}

/** Sent once before training: the data (for drawing the points) and sizes. */
export interface SetupMessage {
  type: 'setup';
  Ytrain: Float64Array;
  labelsTrain: Int32Array;
  Yval: Float64Array;
  labelsVal: Int32Array;
  classes: number;
  nParams: number;
  nTheta: number;
  kernels: string;
}

export type TrainerMessage = SetupMessage | ProgressMessage | ViewsMessage | DoneMessage;

/** Receives the messages (postMessage in the worker); `transfer` lists buffers that may be moved. */
export type Emit = (msg: TrainerMessage, transfer?: ArrayBuffer[]) => void;

/** Everything a run is built from. */
export interface Session {
  config: PlaygroundConfig;
  data: PlaygroundData;
  net: PlaygroundNetwork;
  /** The full objective over x = [θ; vec W] (also what VarPro's iterates are completed to). */
  objective: nd.ClassificationObjective;
  /** The seeded starting point [θ₀; 0]. */
  x0: Float64Array;
}

/** Build data, network, objective and the starting point of a configuration. */
export function createSession(config: PlaygroundConfig): Session {
  const data = makeData(config);
  const net = buildNetwork(config);
  const objective = nd.classificationObjective(net.model, data.Ytrain, data.Ctrain, { regularization: { theta: config.lambda, W: config.lambda } });
  const x0 = objective.initialize(nd.createRng(config.seed).fork('init'));
  return { config, data, net, objective, x0 };
}

/** Up to `per` training points of every class (the first ones: deterministic). */
function samplePoints(labels: Int32Array, classes: number, per: number): Int32Array {
  const out: number[] = [];
  const count = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length && out.length < per * classes; i++) {
    if (count[labels[i]] < per) {
      count[labels[i]]++;
      out.push(i);
    }
  }
  return Int32Array.from(out);
}

/**
 * The views at x = [θ; vec W]: decision regions (argmax class and its
 * probability on a grid), trajectories of a few training points and the
 * spectra of the linearised steps at a few of them.
 */
export function computeViews(s: Session, x: Float64Array, iter: number, gridSize = 72): ViewsMessage {
  const { net, data } = s;
  const n = gridSize;
  const G = nd.zeros(2, n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = c + n * r;
      G.data[2 * k] = -VIEW_BOX + ((c + 0.5) * 2 * VIEW_BOX) / n;
      G.data[2 * k + 1] = VIEW_BOX - ((r + 0.5) * 2 * VIEW_BOX) / n;
    }
  }
  const P = nd.predict(net.model, x, G);
  const nc = data.classes;
  const labels = new Uint8Array(n * n), confidence = new Float32Array(n * n);
  const prob = nd.columnMajorData(P.probabilities);
  for (let k = 0; k < n * n; k++) {
    labels[k] = P.labels[k];
    confidence[k] = prob[P.labels[k] + nc * k];
  }

  const theta = x.subarray(0, net.model.nParams);
  const idx = samplePoints(data.labelsTrain, nc, nc > 2 ? 1 : 2);
  const Ys = nd.selectColumns(data.Ytrain, idx);
  const traj = net.trajectory(theta, Ys);
  const m = net.width, steps = traj.length;
  const values = Array.from(idx, (_, p) => {
    const v = new Float64Array(steps * m);
    traj.forEach((Yj, j) => v.set(nd.columnMajorData(Yj).subarray(p * m, (p + 1) * m), j * m));
    return v;
  });
  const t = Float64Array.from({ length: steps }, (_, j) => j * net.h);

  const spIdx = samplePoints(data.labelsTrain, nc, 1);
  const lam = net.stepSpectra(theta, nd.selectColumns(data.Ytrain, spIdx));
  const verdict = stabilityVerdict(lam, net.h, net.region);
  const re = lam.re.map((v) => v * net.h), im = lam.im.map((v) => v * net.h);
  return {
    type: 'views',
    iter,
    regions: { size: n, box: VIEW_BOX, labels, confidence },
    trajectories: { t, width: m, labels: Int32Array.from(idx, (i) => data.labelsTrain[i]), values },
    spectrum: { re, im, h: net.h, region: net.region, verdict },
  };
}

/** Buffers of a views message that can be transferred. */
export function viewsTransfer(v: ViewsMessage): ArrayBuffer[] {
  return [v.regions.labels.buffer, v.regions.confidence.buffer, v.spectrum.re.buffer, v.spectrum.im.buffer, ...v.trajectories.values.map((a) => a.buffer)] as ArrayBuffer[];
}

/**
 * Run the optimizer of `req.config` and report through `emit`: a setup
 * message, then per iteration (epoch) a progress message, views at the start,
 * at most every `viewEvery` ms and at the end, and a done message.
 * @param clock milliseconds (performance.now)
 * @returns the optimizer's result
 * @throws `runTraining: invalid configuration: depth must be ≥ 1, got 0` (every problem listed); x0 of the wrong length
 */
export function runTraining(req: RunRequest, emit: Emit, clock: () => number = () => performance.now()): nd.OptimizerResult {
  const c = req.config;
  const problems = validateConfig(c);
  if (problems.length) throw new Error(`runTraining: invalid configuration: ${problems.join('; ')}`);
  const s = createSession(c);
  const { data, objective, net } = s;
  const nTheta = net.model.nParams;
  const startIter = req.startIter ?? 0;
  const startTime = req.startTime ?? 0;
  const viewEvery = req.viewEvery ?? 150;
  const budget = Math.max(0, c.iterations - startIter);
  const maxIter = Math.min(budget, req.maxIter ?? budget);
  if (req.x0 && req.x0.length !== objective.nParams) throw new Error(`runTraining: x0 has length ${req.x0.length}, expected ${objective.nParams} ([θ; vec W] of this configuration)`);
  const x0 = req.x0 ? Float64Array.from(req.x0) : s.x0;
  emit({
    type: 'setup',
    Ytrain: Float64Array.from(nd.columnMajorData(data.Ytrain)),
    labelsTrain: data.labelsTrain,
    Yval: Float64Array.from(nd.columnMajorData(data.Yval)),
    labelsVal: data.labelsVal,
    classes: data.classes,
    nParams: objective.nParams,
    nTheta,
    kernels: nd.kernelInfoLine(), // e.g. 'kernels: wasm (FMA, local memory, 1 thread), float64'
  });

  // Unregularised losses for the curves.
  const trainEval = nd.classificationObjective(net.model, data.Ytrain, data.Ctrain);
  const valEval = nd.classificationObjective(net.model, data.Yval, data.Cval);
  const varpro = c.optimizer === 'varpro'
    ? nd.varproObjective(net.model, data.Ytrain, data.Ctrain, {
      // W's regulariser at least 1e-3 (as numdl's flagship): a well-posed inner problem.
      regularization: { theta: c.lambda, W: Math.max(c.lambda, 1e-3) },
      inner: { tol: 1e-6, maxIter: 10 },
    })
    : null;
  const fullX = (x: Float64Array): Float64Array => {
    if (!varpro) return x;
    const W = varpro.currentW() ?? varpro.solveW(x).W;
    const out = new Float64Array(objective.nParams);
    out.set(x);
    out.set(nd.columnMajorData(W), nTheta);
    return out;
  };

  let spent = 0; // ms spent in the callback (monitoring, views, messages)
  let lastViews = -Infinity, viewCost = 0;
  let lastIter = startIter;
  let lastX = x0;
  const callback: nd.IterationCallback = (row, x) => {
    const t0 = clock();
    const iter = startIter + row.iter;
    const xf = Float64Array.from(fullX(x));
    const tr = trainEval.evaluate(xf, null, { valueOnly: true });
    const va = valEval.evaluate(xf, null, { valueOnly: true });
    const tableRow: Record<string, number | string | boolean> = {};
    for (const [k, v] of Object.entries(row)) tableRow[k] = v;
    tableRow.iter = iter;
    const time = startTime + row.time - spent / 1000;
    lastIter = iter;
    lastX = xf;
    emit({
      type: 'progress', iter, objective: row.value, trainLoss: tr.value, trainAcc: tr.info?.accuracy ?? NaN,
      valLoss: va.value, valAcc: va.info?.accuracy ?? NaN, time, row: tableRow, x: xf,
    });
    // Views at most every viewEvery ms, and at most a quarter of the time (they cost about half a Newton-CG iteration).
    if (row.iter === 0 || (viewEvery === 0 ? true : clock() - lastViews >= Math.max(viewEvery, 3 * viewCost))) {
      const tv = clock();
      const v = computeViews(s, xf, iter, req.gridSize);
      emit(v, viewsTransfer(v));
      lastViews = clock();
      viewCost = lastViews - tv;
    }
    spent += clock() - t0;
  };

  let result: nd.OptimizerResult;
  if (maxIter === 0) {
    // Nothing to run (the page's preview of the start, or the budget is used up): report x0 alone.
    const xs = varpro ? x0.slice(0, nTheta) : x0;
    const value = (varpro ?? objective).evaluate(xs, null, { valueOnly: true }).value;
    callback({ iter: 0, value, gradNorm: NaN, step: 0, stepNorm: 0, lsIter: 0, cgIter: 0, matvecs: 0, evals: 1, time: 0 }, xs);
    result = { x: x0, value: NaN, gradNorm: NaN, status: 'maxIter', message: 'iteration budget used up', iterations: 0, evals: 0, matvecs: 0, time: 0, history: [] };
  } else {
    const common = { onIteration: callback, maxIter };
    const stochastic = {
      maxEpochs: maxIter,
      lr: c.lr * 0.5 ** (c.lrHalving > 0 ? Math.floor(startIter / c.lrHalving) : 0),
      batchSize: Math.min(c.batchSize, data.Ytrain.shape[1]),
      seed: `${c.seed}-epoch${startIter}`,
      schedule: c.lrHalving > 0 ? { type: 'step' as const, factor: 0.5, every: c.lrHalving } : ('constant' as const),
      monitorGradient: false,
      onEpoch: callback,
    };
    switch (c.optimizer) {
      case 'sgd': result = nd.sgd(objective, x0, { ...stochastic, momentum: c.momentum }); break;
      case 'adam': result = nd.adam(objective, x0, stochastic); break;
      case 'newtonCG': result = nd.newtonCG(objective, x0, { ...common, cgMaxIter: c.cgMaxIter }); break;
      case 'gaussNewton': result = nd.gaussNewton(objective, x0, { ...common, cgMaxIter: c.cgMaxIter, damping: 'levenbergMarquardt' }); break;
      case 'lbfgs': result = nd.lbfgs(objective, x0, { ...common, memory: c.memory }); break;
      case 'varpro': result = nd.varpro(varpro!, x0.slice(0, nTheta), { ...common, method: 'newtonCG', cgMaxIter: c.cgMaxIter }); break;
    }
  }
  // The views of the final iterate (the throttle may have skipped them).
  const v = computeViews(s, lastX, lastIter, req.gridSize);
  emit(v, viewsTransfer(v));
  emit({ type: 'done', status: result.status, message: result.message, iterations: lastIter });
  return result;
}

/** Number of classes (re-exported for the page). */
export { classCount };
