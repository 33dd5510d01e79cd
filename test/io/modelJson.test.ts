import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nd from '../../src/index.js';
import { CONSTRUCTORS } from '../../src/io/registry.js';
import { loadModel, saveModel } from '../../src/node/index.js';
import type { Model } from '../../src/networks/types.js';
import type { Matrix } from '../../src/core/matrix.js';
import { withBackend } from '../helpers/backend.js';

const { createRng, randn, predict, modelToJSON, modelFromJSON } = nd;

/** The bytes of a float64 array, for bit-identity (NaN and −0 included). */
const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const assertBitIdentical = (a: Float64Array, b: Float64Array, what: string) => {
  assert.equal(a.length, b.length, `${what}: lengths`);
  assert.ok(bytes(a).equals(bytes(b)), `${what}: not bit-identical`);
};

/** θ = initialize + noise, and a random classifier W (nc × (nOut + 1)) after it. */
function parameters(model: Model, nc: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const theta = model.initialize(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal();
  const x = new Float64Array(theta.length + nc * (model.nOut + 1));
  x.set(theta);
  for (let i = theta.length; i < x.length; i++) x[i] = rng.normal();
  return x;
}

/** JSON text → object, as a file would. */
const throughText = (json: unknown) => JSON.parse(JSON.stringify(json));

/** Every model a user trains, by the constructors numdl exports (kinds listed for the coverage test). */
const periodic = { boundary: 'periodic' as const };
const CASES: { label: string; make: () => Model; n?: number }[] = [
  { label: 'singleLayer(dense) tanh, vector bias', make: () => nd.singleLayer(nd.dense(6, 3), { activation: 'tanh', bias: 'vector' }) },
  { label: 'singleLayer(dense 8×8) on the fused WebAssembly path', make: () => nd.singleLayer(nd.dense(8, 8), { activation: nd.tanh, bias: 'scalar' }), n: 200 },
  { label: 'singleLayer(diagonal) relu, no bias', make: () => nd.singleLayer(nd.diagonal(5), { activation: 'relu', bias: 'none' }) },
  { label: 'singleLayer(antisymmetric) sin', make: () => nd.singleLayer(nd.antisymmetric(4), { activation: nd.sin }) },
  { label: 'singleLayer(mMatrix) identity', make: () => nd.singleLayer(nd.mMatrix(4), { activation: nd.identity }) },
  { label: 'singleLayer(conv1d periodic) smoothRelu', make: () => nd.singleLayer(nd.conv1d(8, 3, periodic), { activation: 'smoothRelu' }) },
  { label: 'singleLayer(conv1d zero) smoothReluWith(0.3)', make: () => nd.singleLayer(nd.conv1d(9, 3), { activation: nd.smoothReluWith(0.3), initGain: 0.5 }) },
  { label: 'singleLayer(conv2d zero, 1→2, stride 2) vector bias', make: () => nd.singleLayer(nd.conv2d([4, 4], [3, 3, 1, 2], { stride: 2 }), { bias: 'vector' }) },
  {
    label: 'chain[conv2d zero 1→2 relu, averagePoolLayer 2×2, ResNet conv2d 2→2] (the mnist-cnn shape)',
    make: () => nd.chain([
      nd.singleLayer(nd.conv2d([4, 4], [3, 3, 1, 2]), { activation: 'relu', bias: 'vector' }),
      nd.averagePoolLayer([4, 4], 2, 2),
      nd.resnet(() => nd.singleLayer(nd.conv2d([2, 2], [1, 1, 2, 2]), { activation: 'relu', bias: 'vector' }), { steps: 1 }),
    ]),
  },
  { label: 'singleLayer(conv2d periodic fft)', make: () => nd.singleLayer(nd.conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic', method: 'fft' }), { bias: 'vector' }) },
  { label: 'singleLayer(separableConv2d)', make: () => nd.singleLayer(nd.separableConv2d([4, 4], [3, 3, 1, 2], periodic), { bias: 'vector' }) },
  { label: 'singleLayer(doublySymmetricConv2d)', make: () => nd.singleLayer(nd.doublySymmetricConv2d([4, 4], [3, 3, 1, 1])) },
  { label: 'singleLayer(mMatrixConv, 2 channels)', make: () => nd.singleLayer(nd.mMatrixConv([4, 4], [3, 3], { channels: 2 })) },
  { label: 'singleLayer(linearParametric(sparse Q of mMatrix(3), triplets with Int32Array indices))', make: () => nd.singleLayer(nd.linearParametric(nd.sparseQ(nd.mMatrix(3)), [3, 3])) },
  {
    label: 'singleLayer(linearParametric(dense Q, Uint16Array/number[] triplets))',
    make: () => nd.chain([
      nd.singleLayer(nd.linearParametric(nd.randn(6, 4, createRng(2)), [3, 2], { name: 'myQ' })),
      nd.singleLayer(nd.linearParametric({ rows: 9, cols: 2, rowIdx: Uint16Array.of(0, 4, 8, 1), colIdx: [0, 0, 1, 1], values: [1, 2, 1 / 3, -1] }, [3, 3])),
    ]),
  },
  { label: 'singleLayer(waveletOperator 8×8 image, 2 channels, 2 levels)', make: () => nd.singleLayer(nd.waveletOperator([8, 8], { levels: 2, channels: 2 }), { bias: 'vector' }) },
  { label: 'singleLayer(sparsityPattern(boolean rows))', make: () => nd.singleLayer(nd.sparsityPattern([[true, true, false], [true, true, true], [false, true, true]]), { bias: 'vector' }) },
  { label: 'singleLayer(transposedOperator(dense))', make: () => nd.singleLayer(nd.transposedOperator(nd.dense(3, 5))) },
  { label: 'singleLayer(dampedAntisymmetric(conv2d periodic), γ = 0.1)', make: () => nd.singleLayer(nd.dampedAntisymmetric(nd.conv2d([4, 4], [3, 3, 1, 1], periodic), { gamma: 0.1 })) },
  { label: 'antisymmetricLayer(4, γ = 0.01)', make: () => nd.antisymmetricLayer(4, { gamma: 0.01, bias: 'vector' }) },
  { label: 'symmetricLayer(conv2d)', make: () => nd.symmetricLayer(nd.conv2d([4, 4], [3, 3, 1, 2], periodic), { bias: 'vector' }) },
  { label: 'chain of single layers', make: () => nd.chain([nd.singleLayer(nd.dense(5, 3)), nd.singleLayer(nd.dense(4, 5), { activation: nd.relu })]) },
  {
    label: 'resnet, the flagship shape (opening 2→8, 16 steps, T = 4, factory)',
    make: () => nd.resnet(() => nd.singleLayer(nd.dense(8, 8), { activation: 'tanh' }), { steps: 16, T: 4, opening: nd.singleLayer(nd.dense(8, 2), { activation: 'tanh' }) }),
    n: 200,
  },
  { label: 'resnet from an array, h = 0.3, no opening', make: () => nd.resnet([nd.singleLayer(nd.dense(3, 3)), nd.singleLayer(nd.dense(3, 3), { bias: 'vector' })], { h: 0.3 }) },
  {
    label: 'continuousResnet rk4, piecewise weights, factory, opening',
    make: () => nd.continuousResnet((k) => nd.singleLayer(nd.dense(4, 4), { bias: k === 0 ? 'vector' : 'scalar' }), {
      T: 2, steps: 4, weights: { intervals: 2 }, integrator: 'rk4', opening: nd.singleLayer(nd.dense(4, 3)),
    }),
  },
  { label: 'continuousResnet, the rk4 tableau as an object (b = 1/6, 1/3: 17 digits), T = π', make: () => nd.continuousResnet(nd.singleLayer(nd.dense(3, 3)), { T: Math.PI, steps: 3, integrator: nd.rk4 }) },
  { label: 'resnet with h = 1/3 and smoothReluWith(1/7)', make: () => nd.resnet([nd.singleLayer(nd.dense(3, 3), { activation: nd.smoothReluWith(1 / 7) })], { h: 1 / 3 }) },
  { label: 'continuousResnet heun tableau object, shared weights', make: () => nd.continuousResnet(nd.singleLayer(nd.dense(3, 3)), { h: 0.25, steps: 3, weights: 'shared', integrator: nd.heun }) },
  { label: 'parabolicNetwork over conv2d (factory)', make: () => nd.parabolicNetwork(() => nd.conv2d([4, 4], [3, 3, 1, 1], periodic), { T: 1, steps: 2, bias: 'vector' }) },
  { label: 'hamiltonianNetwork over dense, opening, output YZ', make: () => nd.hamiltonianNetwork(nd.dense(4, 4), { T: 1, steps: 3, bias: 'scalar', opening: nd.singleLayer(nd.dense(4, 3)), output: 'YZ' }) },
  {
    label: 'hamiltonianNetwork from pairs { f, g }',
    make: () => nd.hamiltonianNetwork(() => ({ f: nd.singleLayer(nd.dense(3, 2), { bias: 'none' }), g: nd.singleLayer(nd.transposedOperator(nd.dense(3, 2)), { bias: 'none' }) }), { T: 1, steps: 2, input: 'YZ' }),
  },
  { label: 'hyperbolicNetwork over an operator, start copy', make: () => nd.hyperbolicNetwork(nd.dense(3, 3), { T: 1, steps: 3, start: 'copy', weights: 'shared' }) },
  { label: 'hyperbolicNetwork over a model', make: () => nd.hyperbolicNetwork(nd.symmetricLayer(nd.dense(2, 3)), { T: 0.5, steps: 2 }) },
];

for (const c of CASES) {
  test(`modelToJSON/modelFromJSON: ${c.label} predicts bit-identical scores`, () => {
    const model = c.make();
    const nc = 3, n = c.n ?? 7;
    const x = parameters(model, nc, 11);
    const Y = randn(model.nIn, n, createRng(12));
    const json = throughText(modelToJSON(model, x));
    const loaded = modelFromJSON(json);
    assert.equal(loaded.model.name, model.name);
    assert.equal(loaded.model.nParams, model.nParams);
    assert.deepEqual(loaded.classifier, { nClasses: nc, bias: true });
    assertBitIdentical(loaded.x, x, 'x');
    for (const backend of ['js', 'wasm'] as const) {
      withBackend(backend, () => {
        const a = predict(model, x, Y), b = predict(loaded.model, loaded.x, Y, { bias: loaded.classifier?.bias });
        assertBitIdentical(b.scores.data, a.scores.data, `${backend} scores`);
      });
    }
  });
}

test('every constructor in the registry is covered by a round-trip case, and every spec kind is in the registry', () => {
  const seen = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.$call === 'string') seen.add(o.$call);
    Object.values(o).forEach(walk);
  };
  for (const c of CASES) {
    const m = c.make();
    walk(modelToJSON(m, new Float64Array(m.nParams)).model);
  }
  // averagePool and tikhonov are built but saved only inside objectives / pooling models.
  seen.add('averagePool');
  seen.add('tikhonov');
  for (const kind of seen) assert.ok(kind in CONSTRUCTORS, `spec kind ${kind} is not in the registry`);
  const untested = Object.keys(CONSTRUCTORS).filter((k) => !seen.has(k));
  assert.deepEqual(untested, [], `constructors without a round-trip case: ${untested.join(', ')}`);
  assert.equal((nd.averagePool([4, 4], 1) as { spec?: { kind: string } }).spec?.kind, 'averagePool');
});

test('parameters round-trip bit for bit: −0, ±∞, NaN, subnormals, 1/3', () => {
  const m = nd.chain([nd.singleLayer(nd.dense(2, 2)), nd.singleLayer(nd.dense(1, 2), { bias: 'none' })]);
  const x2 = Float64Array.of(-0, Infinity, -Infinity, NaN, 5e-324, 1 / 3, 0.1 + 0.2);
  assert.equal(x2.length, m.nParams);
  const loaded = modelFromJSON(throughText(modelToJSON(m, x2)));
  assertBitIdentical(loaded.x, x2, 'x');
  assert.ok(Object.is(loaded.x[0], -0));
  assert.equal(loaded.classifier, null);
});

test('a classification objective is saved with its settings and rebuilt on data', () => {
  const rng = createRng(3);
  const { Y, C } = nd.setupPeaks({ n: 60, classes: 3, seed: 2 });
  const net = nd.resnet(() => nd.singleLayer(nd.dense(4, 4)), { steps: 3, T: 1, opening: nd.singleLayer(nd.dense(4, 2)) });
  const options = { regularization: { theta: 1e-3, W: nd.tikhonov({ lambda: 2e-3 }) }, coupling: 'full' as const, loss: nd.softmaxCrossEntropy };
  const obj = nd.classificationObjective(net, Y, C, options);
  const r = nd.newtonCG(obj, obj.initialize(rng), { maxIter: 3 });
  const loaded = modelFromJSON(JSON.stringify(modelToJSON(obj, r.x)));
  assert.equal(loaded.objective?.kind, 'classificationObjective');
  assert.deepEqual(loaded.classifier, { nClasses: 3, bias: true });
  const obj2 = loaded.objective!.create(Y, C);
  const a = obj.evaluate(r.x), b = obj2.evaluate(loaded.x);
  assert.equal(b.value, a.value);
  assertBitIdentical(b.gradient, a.gradient, 'gradient');
  const v = createRng(4).normalArray(obj.nParams);
  assertBitIdentical(b.hessian!(v), a.hessian!(v), 'Hessian mat-vec (coupling full kept)');
  assert.equal(loaded.objective!.create(Y, nd.classes(C)).evaluate(loaded.x).value, a.value, 'rebuilt on index labels');
  assertBitIdentical(predict(loaded.model, loaded.x, Y).scores.data, predict(net, r.x, Y).scores.data, 'scores');
});

test('a VarPro objective is saved with W solved at θ; least squares by name', () => {
  const { Y, C } = nd.setupPeaks({ n: 50, classes: 3, seed: 5 });
  const net = nd.singleLayer(nd.dense(6, 2), { bias: 'vector' });
  const obj = nd.varproObjective(net, Y, C, { loss: 'leastSquares', regularization: { W: 1e-2 }, inner: { tol: 1e-10 }, hessian: 'schur' });
  const theta = net.initialize(createRng(6));
  const json = throughText(modelToJSON(obj, theta));
  const loaded = modelFromJSON(json);
  assert.equal(loaded.objective?.kind, 'varproObjective');
  assert.equal(loaded.x.length, net.nParams + 3 * 7);
  const W = obj.solveW(theta).W;
  assertBitIdentical(predict(loaded.model, loaded.x, Y).scores.data, predict(net, theta, Y, { W }).scores.data, 'scores');
  const obj2 = loaded.objective!.create(Y, C);
  assert.equal(obj2.evaluate(loaded.x.subarray(0, net.nParams)).value, nd.varproObjective(net, Y, C, loaded.objective!.options).evaluate(theta).value);
  // The function form of the loss is saved by name.
  const o2 = nd.classificationObjective(net, Y, C, { loss: nd.leastSquares });
  assert.deepEqual(throughText(modelToJSON(o2, new Float64Array(o2.nParams))).objective.options, { loss: { $ref: 'leastSquares' } });
});

test('a spec cannot drift: changing the options object after construction changes neither the model nor its description', () => {
  const Q = nd.randn(4, 2, createRng(1));
  const op = nd.linearParametric(Q, [2, 2]);
  const before = op.toDense(Float64Array.of(1, 2)).data.slice();
  Q.data.fill(7);
  const rebuilt = modelFromJSON(throughText(modelToJSON(nd.singleLayer(op), new Float64Array(3)))).model as unknown as { op: typeof op };
  assert.deepEqual(rebuilt.op.toDense(Float64Array.of(1, 2)).data, before, 'a matrix argument is copied into the spec');

  const opts: { activation: 'tanh' | 'relu'; bias: 'vector' | 'none' } = { activation: 'tanh', bias: 'vector' };
  const layer = nd.singleLayer(nd.dense(3, 2), opts);
  opts.activation = 'relu';
  opts.bias = 'none';
  const loaded = modelFromJSON(throughText(modelToJSON(layer, new Float64Array(layer.nParams))));
  assert.equal(loaded.model.name, layer.name);
  assert.match(loaded.model.name, /tanh, bias=vector/);
});

test('what cannot be saved is named: a custom model, operator, activation, loss or inner solver', () => {
  const custom: Model = { ...nd.singleLayer(nd.dense(2, 2)), name: 'myModel' };
  assert.throws(() => modelToJSON(custom, new Float64Array(custom.nParams)), /modelToJSON: model 'myModel' was not built by a numdl constructor/);
  const inner = { ...nd.singleLayer(nd.dense(2, 2)), name: 'myStep' };
  const net = nd.resnet([nd.singleLayer(nd.dense(2, 2)), inner], { h: 1 });
  assert.throws(() => modelToJSON(net, new Float64Array(net.nParams)), /modelToJSON: model\.resnet\.args\[0\]\[1\] is 'myStep', which was not built by a numdl constructor/);
  const op = { ...nd.dense(2, 2), name: 'myOp' };
  const l1 = nd.singleLayer(op);
  assert.throws(() => modelToJSON(l1, new Float64Array(l1.nParams)), /model\.singleLayer\.args\[0\] is 'myOp'/);
  const act = nd.elementwise('square', (x, v, d) => { for (let k = 0; k < x.length; k++) { v[k] = x[k] * x[k]; if (d) d[k] = 2 * x[k]; } });
  const l2 = nd.singleLayer(nd.dense(2, 2), { activation: act });
  assert.throws(() => modelToJSON(l2, new Float64Array(l2.nParams)), /model\.singleLayer\.args\[1\]\.activation is 'square'/);
  const { Y, C } = nd.setupPeaks({ n: 10, classes: 2, seed: 1 });
  const l3 = nd.singleLayer(nd.dense(2, 2));
  const o1 = nd.classificationObjective(l3, Y, C, { loss: (W: Matrix, Z: Matrix, Cb: Matrix) => nd.softmaxCrossEntropy(W, Z, Cb) });
  assert.throws(() => modelToJSON(o1, new Float64Array(o1.nParams)), /objective\.options\.loss is a function/);
  const o2 = nd.varproObjective(l3, Y, C, { inner: { solve: (_o, w0) => ({ x: w0 }) } });
  assert.throws(() => modelToJSON(o2, new Float64Array(o2.nParams + 6)), /objective\.options\.inner\.solve is a function/);
  // …but its model alone can be saved
  assert.doesNotThrow(() => modelToJSON(l3, new Float64Array(l3.nParams)));
  assert.throws(() => modelToJSON(l3, new Float64Array(l3.nParams + 4)), /x has length 9, which is model\.nParams = 5 plus 4, not a multiple of nW = 3/);
  assert.throws(() => modelToJSON(l3, [1, 2] as unknown as Float64Array), /modelToJSON: x must be a Float64Array/);
});

test('modelFromJSON rejects other versions and formats, and names the field of tampered JSON', () => {
  const model = nd.resnet(() => nd.singleLayer(nd.dense(3, 3)), { steps: 2, opening: nd.singleLayer(nd.dense(3, 2)) });
  const good = () => throughText(modelToJSON(model, parameters(model, 2, 1)));
  const bad = (edit: (j: Record<string, any>) => void, re: RegExp) => {
    const j = good();
    edit(j);
    assert.throws(() => modelFromJSON(j), re);
  };
  bad((j) => { j.version = 2; }, /modelFromJSON: version 2 is not supported \(this numdl reads version 1\)/);
  bad((j) => { delete j.version; }, /version undefined is not supported/);
  bad((j) => { j.format = 'other'; }, /modelFromJSON: format is "other", expected 'numdl-model'/);
  bad((j) => { j.model.$call = 'denseNet'; }, /modelFromJSON: model\.\$call: unknown constructor 'denseNet'/);
  bad((j) => { j.model.args[1].opening.$call = 'bogus'; }, /model\.args\[1\]\.opening\.\$call: unknown constructor 'bogus'/);
  bad((j) => { j.model.args[0][1].args[0].args[0] = -3; }, /model\.args\[0\]\[1\]\.args\[0\] \(dense\) could not be rebuilt: dense: nOut must be a positive integer, got -3/);
  bad((j) => { j.model.args[0][1].args[0].args[0] = 4; }, /could not be rebuilt: resnet: layer 1 maps 3 → 4/);
  bad((j) => { j.model.args[1].steps = 3; }, /model \(resnet\) could not be rebuilt: resnet: steps = 3 but 2 layers were given/);
  bad((j) => { j.parameters.data = Buffer.from(new Float64Array(34).buffer).toString('base64'); }, /modelFromJSON: parameters\.data holds 34 values, expected 35/);
  bad((j) => { j.parameters.data = Buffer.from(new Uint8Array(300)).toString('base64'); }, /parameters\.data holds 300 bytes, not a whole number of Float64Array entries/);
  bad((j) => { j.parameters.data = '%' + j.parameters.data.slice(1); }, /parameters\.data is not valid base64 \(character '%' at 0\)/);
  bad((j) => { j.parameters.length = 34; }, /parameters\.length is 34, expected 35/);
  bad((j) => { j.parameters.encoding = 'json'; }, /parameters\.encoding is "json"/);
  bad((j) => { j.classifier.nClasses = 3; }, /parameters\.length is 35, expected 39/);
  bad((j) => { j.classifier = { nClasses: 'two' }; }, /classifier must be null or \{ nClasses/);
  bad((j) => { j.summary.nParams = 1; }, /summary\.nParams is 1 but the rebuilt model has nParams = 27/);
  bad((j) => { delete j.parameters; }, /modelFromJSON: parameters is missing/);
  bad((j) => { j.model.args[1].T = { $number: 'big' }; }, /model\.args\[1\]\.T\.\$number must be one of NaN/);
  assert.throws(() => modelFromJSON(JSON.stringify(good()).replace('"steps":2', '"__proto__":{"polluted":1},"steps":2')), /modelFromJSON: model\.args\[1\] has a key '__proto__', which is not allowed/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  bad((j) => { j.objective = { kind: 'adam', options: {} }; }, /objective\.kind must be one of classificationObjective, varproObjective, got "adam"/);
  assert.throws(() => modelFromJSON('{"format": '), /modelFromJSON: json is not valid JSON/);
  assert.throws(() => modelFromJSON([1]), /modelFromJSON: json must be an object \(a saved model\), got an array/);
  assert.doesNotThrow(() => modelFromJSON(good()));
});

test('saveModel / loadModel write and read a model file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'numdl-model-'));
  try {
    const model = nd.continuousResnet(nd.singleLayer(nd.dense(3, 3)), { T: 1, steps: 2, integrator: 'rk4' });
    const x = parameters(model, 2, 9);
    const path = join(dir, 'model.json');
    await saveModel(path, model, x);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).format, 'numdl-model');
    const loaded = await loadModel(path);
    const Y = randn(3, 5, createRng(1));
    assertBitIdentical(predict(loaded.model, loaded.x, Y).scores.data, predict(model, x, Y).scores.data, 'scores');
    writeFileSync(join(dir, 'broken.json'), '{ nope');
    await assert.rejects(loadModel(join(dir, 'broken.json')), /loadModel: .*broken\.json is not JSON/);
    await assert.rejects(loadModel(join(dir, 'missing.json')), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every exported constructor of a model, operator, activation or regulariser is in the registry (a new one must record its spec)', async () => {
  const { readdirSync, readFileSync: read } = await import('node:fs');
  const root = join(import.meta.dirname, '..', '..', 'src');
  const dirs = ['operators', 'networks', 'layers', 'layers/activations', 'losses'];
  // Helpers that take or check such objects but build none a user trains (elementwise wraps the user's own kernel: code).
  const notConstructors = new Set(['checkModel', 'checkOperator', 'resolveActivation', 'toRegularizer', 'elementwise']);
  const found: string[] = [];
  for (const d of dirs) {
    for (const f of readdirSync(join(root, d)).filter((f) => f.endsWith('.ts'))) {
      for (const m of read(join(root, d, f), 'utf8').matchAll(/^export function (\w+)\(.*\): (\w+) \{$/gm)) {
        if (/(Operator|Model|Pool|Activation|Regularizer)$/.test(m[2]) && !notConstructors.has(m[1])) found.push(m[1]);
      }
    }
  }
  assert.ok(found.length >= 20, `found ${found.join(', ')}`);
  const missing = found.filter((k) => !(k in CONSTRUCTORS));
  assert.deepEqual(missing, [], `constructors without a registry entry (and spec): ${missing.join(', ')}`);
});
