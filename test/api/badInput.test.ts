/**
 * One bad-input case per public function, table-driven: every function
 * exported by the main entry `numdl` — and by `numdl/node` and
 * `numdl/internals` — (enumerated, not listed by hand) must have a case here
 * or be on the explicit allow-list of functions with no input to reject; a
 * new export without a case fails this file. Each case must throw a
 * NumdlError naming the function (bad input, not a bug), with a message that
 * starts with the function's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as main from '../../src/index.js';
import * as internals from '../../src/internals.js';
import * as nodeEntry from '../../src/node/index.js';
import { NumdlError } from '../../src/index.js';

/** The three entries' names in one namespace (a name lives in exactly one entry). */
const nd = { ...internals, ...nodeEntry, ...main };
const ENTRIES: Record<string, object> = { numdl: main, 'numdl/node': nodeEntry, 'numdl/internals': internals };

const rng = nd.createRng(1);
const A = nd.randn(3, 4, rng);
const B = nd.randn(5, 2, rng);
const sq = nd.randn(3, 3, rng);
const model = nd.singleLayer(nd.dense(4, 2), { activation: 'tanh' });
const Y = nd.randn(2, 6, rng);
const C = nd.matrix(3, 6, new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]));
const x = model.initialize(nd.createRng(2));
const objective = nd.classificationObjective(model, Y, C);
const spectrum = { re: new Float64Array([-1, -2]), im: new Float64Array([0, 0]) };
const notAnArray = 'oops' as never;
const bad = <T>(v: unknown) => v as T;

/** Each case calls the function with one bad input; `fn` if it reports under another name. */
type Case = (() => unknown) | { run: () => unknown; fn: string };

const CASES: Record<string, Case> = {
  // core: errors and checks (the helpers throw by design)
  fail: () => nd.fail('fail', 'x must be positive, got -1'),
  checkMatrix: () => nd.checkMatrix('checkMatrix', 'M', null),
  checkMatrix64: () => nd.checkMatrix64('checkMatrix64', 'M', nd.toFloat32(A)),
  checkNumber: () => nd.checkNumber('checkNumber', 'x', NaN),
  checkPositiveInt: () => nd.checkPositiveInt('checkPositiveInt', 'n', 0),
  checkSize: () => nd.checkSize('checkSize', 'n', -1),
  checkVector: () => nd.checkVector('checkVector', 'x', [1, 2]),
  shapeStr: () => nd.shapeStr(bad(null)),
  // core: matrices and vectors
  clone: () => nd.clone(bad({})),
  columnMajorData: () => nd.columnMajorData(bad(null)),
  ensureColumnMajor: () => nd.ensureColumnMajor(bad([1])),
  eye: () => nd.eye(-1),
  fromRows: () => nd.fromRows([[1, 2], [3]]),
  isColumnMajor: () => nd.isColumnMajor(bad(null)),
  mat: () => nd.mat(new Float64Array(5), 2, 3),
  matrix: () => nd.matrix(2, 2, new Float64Array(3)),
  normFro: () => nd.normFro(bad(null)),
  randn: () => nd.randn(2, 2, bad({})),
  randu: () => nd.randu(2, 2, rng, 1, 0),
  selectColumns: () => nd.selectColumns(A, [7]),
  toFloat32: () => nd.toFloat32(bad(null)),
  toFloat64: () => nd.toFloat64(bad(null)),
  toRows: () => nd.toRows(bad(null)),
  transpose: () => nd.transpose(bad(null)),
  vec: () => nd.vec(bad(null)),
  zeros: () => nd.zeros(1e5, 1e5),
  zeros32: () => nd.zeros32(-1, 2),
  fromColumns: () => nd.fromColumns([[1, 2], [3]]),
  toColumns: () => nd.toColumns(bad(null)),
  allFinite: () => nd.allFinite(bad(null)),
  axpy: () => nd.axpy(2, new Float64Array(2), new Float64Array(3)),
  concat: () => nd.concat(bad(null)),
  dot: () => nd.dot(new Float64Array(2), new Float64Array(3)),
  linComb: () => nd.linComb(1, new Float64Array(2), 1, new Float64Array(3)),
  norm2: () => nd.norm2(bad(null)),
  normInf: () => nd.normInf(bad(null)),
  scaled: () => nd.scaled(2, bad(null)),
  createRng: () => nd.createRng(bad({})),
  gemm: () => nd.gemm(new Float64Array(1), 2, 2, 2, new Float64Array(4), 2, false, new Float64Array(4), 2, false, 1, 0),
  gemm32: () => nd.gemm32(new Float32Array(1), 2, 2, 2, new Float32Array(4), 2, false, new Float32Array(4), 2, false, 1, 0),
  matmul: () => nd.matmul(A, B),
  matmulInto: () => nd.matmulInto(nd.zeros(3, 3), A, B),
  assign: () => nd.assign(nd.zeros(2, 2), nd.zeros(3, 2)),
  fill: () => nd.fill(bad(null), 1),
  addScaled: () => nd.addScaled(nd.zeros(2, 2), 1, nd.zeros(2, 3)),
  // core: operators
  applyToColumns: () => nd.applyToColumns(nd.fromMatrix(A), B),
  asOperator: () => nd.asOperator(bad(42)),
  blockDiagonal: () => nd.blockDiagonal(bad(null)),
  compose: () => nd.compose(nd.fromMatrix(A), nd.fromMatrix(A)),
  fromMatrix: () => nd.fromMatrix(bad(null)),
  identityOperator: () => nd.identityOperator(-1),
  kron: () => nd.kron(bad(null), A),
  linearOperator: () => nd.linearOperator(bad({ rows: -1 })),
  scale: () => nd.scale(NaN, A),
  sum: () => nd.sum(nd.fromMatrix(A), nd.fromMatrix(B)),
  toDense: () => nd.toDense(bad(null)),
  transposeOp: () => nd.transposeOp(bad(null)),
  zeroOperator: () => nd.zeroOperator(-1, 2),
  // core: FFT
  createFft2Plan: () => nd.createFft2Plan(0, 4),
  createFftPlan: () => nd.createFftPlan(1.5),
  fft: () => nd.fft(new Float64Array(4), new Float64Array(3)),
  fft2: () => nd.fft2(nd.zeros(4, 1), null, [3, 3]),
  ifft: () => nd.ifft(bad(null)),
  ifft2: () => nd.ifft2(nd.zeros(4, 1), null, [3, 3]),
  // core: derivative checks and solvers
  adjointTest: () => nd.adjointTest((v) => v, (w) => w, bad({})),
  taylorTest: () => nd.taylorTest((v) => v, new Float64Array(2), new Float64Array(2), bad({ jvp: 1, step: 3 })),
  pcg: () => nd.pcg(nd.fromMatrix(sq), new Float64Array(3), bad({ maxIters: 3 })),
  cgls: () => nd.cgls(A, new Float64Array(2)),
  cond: () => nd.cond(bad(null)),
  rank: () => nd.rank(A, -1),
  svd: () => nd.svd(A, bad({ vector: false })),
  eigSym: () => nd.eigSym(A),
  eigvals: () => nd.eigvals(A),
  // core: kernels (the backend switch and resident matrices)
  setKernelBackend: () => nd.setKernelBackend(bad('gpu')),
  setWasmThreads: () => nd.setWasmThreads(0),
  residentMatrix: () => nd.residentMatrix(-1, 2),
  toResident: () => nd.toResident(bad(null)),
  releaseResident: () => nd.releaseResident(bad(null)),
  isResident: () => nd.isResident(bad(null)),
  // operators
  circulantEigenvalues: () => nd.circulantEigenvalues(new Float64Array(5), 3),
  circulantEigenvalues2d: () => nd.circulantEigenvalues2d(new Float64Array(5), [4, 4], [3, 3]),
  conv1d: () => nd.conv1d(16, 3, bad({ boundry: 'zero' })),
  conv2d: () => nd.conv2d([8, 8], [3, 3, 1, 1], bad({ boundry: 'zero' })),
  sparseQ: () => nd.sparseQ(bad(null)),
  SparseBuilder: () => new nd.SparseBuilder(-1, 2),
  sparseMatVec: () => nd.sparseMatVec(nd.sparseQ(nd.dense(2, 2)), new Float64Array(3)),
  sparseMatVecTranspose: () => nd.sparseMatVecTranspose(nd.sparseQ(nd.dense(2, 2)), new Float64Array(7)),
  sparseToDense: () => nd.sparseToDense(bad(null)),
  dense: () => nd.dense(0, 2),
  diagonal: () => nd.diagonal(-1),
  antisymmetric: () => nd.antisymmetric(0),
  mMatrix: () => nd.mMatrix(-2),
  averagePool: () => nd.averagePool([7, 8], 1, 2),
  separableConv2d: () => nd.separableConv2d([8, 8], [3, 3, 1, 1], bad({ strid: 1 })),
  doublySymmetricConv2d: () => nd.doublySymmetricConv2d([8, 8], [3, 3, 1, 1], bad({ methd: 'fft' })),
  mMatrixConv: () => nd.mMatrixConv([8, 8], [3, 3], bad({ chanels: 2 })),
  linearParametric: () => nd.linearParametric(nd.zeros(4, 2), [2, 2], bad({ nmae: 'q' })),
  sparsityPattern: () => nd.sparsityPattern(bad([[1, 0], [1]])),
  waveletOperator: () => nd.waveletOperator(8, bad({ level: 2 })),
  // layers
  singleLayer: () => nd.singleLayer(nd.dense(4, 2), bad({ actvation: 'tanh' })),
  averagePoolLayer: () => nd.averagePoolLayer([7, 8], 1, 2),
  elementwise: () => nd.elementwise(bad(3), bad(null)),
  resolveActivation: () => nd.resolveActivation('resolveActivation', bad('tanhh')),
  smoothReluWith: () => nd.smoothReluWith(-1),
  // networks
  antisymmetricLayer: () => nd.antisymmetricLayer(4, bad({ gama: 0.1 })),
  chain: () => nd.chain(bad([])),
  continuousResnet: () => nd.continuousResnet(nd.singleLayer(nd.dense(4, 4)), bad({ steps: 2, T: 1, integrater: 'rk4' })),
  dampedAntisymmetric: () => nd.dampedAntisymmetric(4, { gamma: -1 }),
  hamiltonianNetwork: () => nd.hamiltonianNetwork(nd.dense(4, 4), bad({ steps: 2, stepz: 3 })),
  hyperbolicNetwork: () => nd.hyperbolicNetwork(nd.dense(4, 4), bad({ steps: 2, strat: 'copy' })),
  parabolicNetwork: () => nd.parabolicNetwork(nd.dense(4, 4), bad({ steps: 2, actvation: 'tanh' })),
  paramViews: () => nd.paramViews(model, new Float64Array(3)),
  resnet: () => nd.resnet(() => nd.singleLayer(nd.dense(4, 4)), { steps: 2, h: -1 }),
  resolveTableau: () => nd.resolveTableau('resolveTableau', bad('rk5')),
  stabilityFunction: () => nd.stabilityFunction(bad(null), 0, 0),
  symmetricLayer: () => nd.symmetricLayer(nd.dense(4, 4), bad({ activaton: 'tanh' })),
  timeGrid: () => nd.timeGrid({ steps: 0 }),
  transposedOperator: () => nd.transposedOperator(bad(null)),
  // losses
  accuracy: () => nd.accuracy(nd.zeros(3, 3), Y, nd.zeros(2, 6)),
  argmaxColumns: () => nd.argmaxColumns(nd.zeros(0, 3)),
  labelAccuracy: () => nd.labelAccuracy([1, 2], [1]),
  leastSquares: () => nd.leastSquares(nd.zeros(3, 3), Y, nd.zeros(2, 6)),
  predictClasses: () => nd.predictClasses(nd.zeros(3, 5), Y),
  softmax: () => nd.softmax(bad(null)),
  softmaxCrossEntropy: () => nd.softmaxCrossEntropy(nd.zeros(3, 3), Y, nd.zeros(2, 6)),
  tikhonov: () => nd.tikhonov(bad(-1)),
  oneHot: () => nd.oneHot(new Int32Array([0, 5]), 3),
  classes: () => nd.classes(bad(null)),
  // whole-network plans
  compile: () => nd.compile(model, bad({ batch: 8, thread: 1 })),
  compileNetwork: () => nd.compileNetwork(bad(null)),
  networkPlanSupport: () => nd.networkPlanSupport(bad(null)),
  compileConvNetwork: () => nd.compileConvNetwork(nd.singleLayer(nd.dense(3, 3))),
  convPlanSupport: () => nd.convPlanSupport(bad(null)),
  NetworkWorkspace: () => new nd.NetworkWorkspace(nd.compileNetwork(model), bad({ columns: 0, classes: 3 })),
  // model files
  modelToJSON: () => nd.modelToJSON(model, new Float64Array(1)),
  modelFromJSON: () => nd.modelFromJSON('{"format": "not-numdl"}'),
  saveModel: () => nd.saveModel('/nonexistent-numdl-dir/model.json', model, x),
  loadModel: { fn: 'loadModel', run: () => withTempDir((dir) => nd.loadModel(join(dir, 'missing.json'))) },
  toRegularizer: () => nd.toRegularizer('toRegularizer', 'r', -1),
  // objectives
  classificationObjective: () => nd.classificationObjective(model, Y, C, bad({ regularisation: { W: 1 } })),
  innerNewtonCG: () => nd.innerNewtonCG(objective, new Float64Array(2)),
  linearClassifierObjective: () => nd.linearClassifierObjective(Y, C, bad({ lambda: -1 })),
  predict: () => nd.predict(bad(objective), x, Y),
  sparseColumnsAffine: () => nd.sparseColumnsAffine(A, null, B),
  sparseColumnsAffineChunks: () => nd.sparseColumnsAffineChunks(A, null, B, () => {}),
  varproObjective: () => nd.varproObjective(model, Y, C, bad({ inner: { maxIters: 3 } })),
  // optimizers
  adagrad: () => nd.adagrad(objective, x, { epsilon: 0 }),
  adam: () => nd.adam(objective, x, { beta1: 1 }),
  armijoLineSearch: () => nd.armijoLineSearch(objective, x, new Float64Array(2), bad({ value: 1 })),
  createTablePrinter: () => nd.createTablePrinter(bad(null)),
  tableColumns: () => nd.tableColumns(bad(null), bad({})),
  formatHistory: () => nd.formatHistory(bad(null)),
  formatScientific: () => nd.formatScientific(bad('1')),
  gaussNewton: () => nd.gaussNewton(objective, x, { damping: 'levenbergMarquardt', c1: 0.1 }),
  lbfgs: () => nd.lbfgs(objective, x, { memory: 0 }),
  learningRate: () => nd.learningRate(bad({ type: 'exp' }), 0, 0.1),
  newtonCG: () => nd.newtonCG(objective, x, bad({ maxIters: 3 })),
  nonlinearCG: () => nd.nonlinearCG(objective, x, bad({ variant: 'PR' })),
  sampledObjective: () => nd.sampledObjective(objective, 0, 1),
  sgd: () => nd.sgd(objective, x, { batchSize: 0 }),
  steepestDescent: () => nd.steepestDescent(objective, new Float64Array(3)),
  varpro: () => nd.varpro(objective, x, bad({ method: 'bfgs' })),
  wolfeLineSearch: () => nd.wolfeLineSearch(objective, x, new Float64Array(x.length), bad(null)),
  // data
  isGzip: () => nd.isGzip(bad(null)),
  parseIdx: () => nd.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 1]), bad({ cnt: 1 })),
  peaks: () => nd.peaks(new Float64Array(2), new Float64Array(3)),
  peaksLabels: () => nd.peaksLabels(nd.zeros(2, 3), bad({ clases: 3 })),
  setupPeaks: () => nd.setupPeaks(bad({ n: 10, clases: 3 })),
  splitData: () => nd.splitData(Y, C, 1.5),
  loadMnist: { fn: 'loadMnist', run: () => withTempDir((dir) => nd.loadMnist({ dir: join(dir, 'missing') })) },
  // analysis
  amplificationFactors: () => nd.amplificationFactors(spectrum, -1),
  convolutionSpectrum: () => nd.convolutionSpectrum(nd.conv2d([4, 4], [3, 3, 1, 1], { boundary: 'periodic' }), new Float64Array(9), bad({ frm: 'K' })),
  denseLayerSpectrum: () => nd.denseLayerSpectrum(A),
  layerJacobian: () => nd.layerJacobian(model, x, nd.zeros(2, 2)),
  linearizationSpectrum: () => nd.linearizationSpectrum(nd.singleLayer(nd.dense(2, 2)), new Float64Array(6), nd.zeros(2, 1), bad({ att: 'all' })),
  maxStableStep: () => nd.maxStableStep(bad(null)),
  perturbationGrowth: () => nd.perturbationGrowth(model, x, Y, bad({ sample: 3 })),
  spectrumBounds: () => nd.spectrumBounds(bad(null)),
  stabilityCheck: () => nd.stabilityCheck(spectrum, 0.1, bad({ tool: 1 })),
};

function withTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-bad-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Public functions with no input to reject (queries, constructors of the
 * error type), and the raw WebAssembly kernels, whose boundary checks belong
 * to the kernel work of issue 13 ("Kernels and threads").
 */
const ALLOW = new Map<string, string>([
  ['NumdlError', 'the error class itself'],
  ['isNumdlError', 'accepts any value'],
  ['getKernelBackend', 'no arguments'],
  ['getWasmThreads', 'no arguments'],
  ['wasmAvailable', 'no arguments'],
  ['wasmUnavailableReason', 'no arguments'],
  ['wasmMemoryBytes', 'no arguments'],
  ['releaseWasmMemory', 'no arguments'],
  ['shutdownWasmThreads', 'no arguments'],
  ['startWasmThreads', 'no arguments'],
  ['wasmThreadsReady', 'no arguments'],
  ['residentMemoryStats', 'no arguments'],
  ['kernelBuild', 'no arguments'],
  ['wasmThreadStatus', 'no arguments'],
  ['kernelInfo', 'no arguments'],
  ['kernelInfoLine', 'no arguments'],
  ['preferWasmGemm', 'a query on sizes (answers false for sizes it does not prefer)'],
  ['wasmGemm', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmGemm32', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmGemmStrided', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmConv2d', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmConv2dTranspose', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmConv2dGradTheta', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmTanh', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmRelu', 'raw kernel: size checks are the Kernels section of issue 13'],
  ['wasmSin', 'raw kernel: size checks are the Kernels section of issue 13'],
]);

/** Kernel-module functions that still throw a plain Error (named, but not yet a NumdlError). */
const PLAIN_ERROR_OK = new Set<string>([]);

const exported = Object.entries(nd).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();

test('every public function of the main entry has a bad-input case (or is on the allow-list)', () => {
  // A name in two entries would hide one of them in the merged namespace.
  const counts = new Map<string, number>();
  for (const m of Object.values(ENTRIES)) for (const k of Object.keys(m)) counts.set(k, (counts.get(k) ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, c]) => c > 1).map(([k]) => k), []);
  const missing = exported.filter((name) => !(name in CASES) && !ALLOW.has(name));
  assert.deepEqual(missing, [], `public functions without a bad-input case: ${missing.join(', ')}`);
  const stale = [...Object.keys(CASES), ...ALLOW.keys()].filter((name) => !exported.includes(name));
  assert.deepEqual(stale, [], `cases for names that are not exported: ${stale.join(', ')}`);
});

for (const name of exported.filter((n) => n in CASES)) {
  test(`${name}: bad input gives a NumdlError naming ${name}`, async () => {
    const c = CASES[name];
    const run = typeof c === 'function' ? c : c.run;
    const fn = typeof c === 'function' ? name : c.fn;
    let thrown: unknown = undefined;
    try {
      // Async functions (saving and loading files) reject instead of throwing.
      await run();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown !== undefined, `${name} accepted bad input`);
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    if (PLAIN_ERROR_OK.has(name)) {
      assert.ok(thrown instanceof Error && message.startsWith(`${fn}:`), `${name}: ${message}`);
      return;
    }
    assert.ok(thrown instanceof NumdlError, `${name} threw ${thrown instanceof Error ? thrown.name : typeof thrown}: ${message}`);
    assert.ok(thrown.fn === fn || thrown.fn.startsWith(`${fn}.`), `${name}: error names ${thrown.fn}: ${message}`);
    assert.ok(message.startsWith(`${thrown.fn}: `) && message.length > thrown.fn.length + 10, message);
    assert.ok(message.length < 400, `${name}: message of ${message.length} characters`);
  });
}
