/**
 * Options objects are checked the same way everywhere: unknown keys (typos)
 * and invalid values are rejected with a NumdlError naming the function and
 * the option; and the messages the reliability review found misleading now
 * name the function, the argument and what was expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from '../../src/index.js';
import { NumdlError } from '../../src/index.js';

const rng = nd.createRng(3);
const Y = nd.randn(2, 6, rng);
const C = nd.matrix(3, 6, new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1]));
const model = nd.singleLayer(nd.dense(4, 2));

function throwsNumdl(f: () => unknown, fn: string, code: string, re: RegExp) {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof NumdlError, `not a NumdlError: ${String(e)}`);
    assert.equal(e.fn, fn);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

test('misspelled option keys are rejected, with a did-you-mean hint', () => {
  throwsNumdl(() => nd.singleLayer(nd.dense(4, 2), { actvation: 'tanh' } as never), 'singleLayer', 'unknownOption', /unknown option 'actvation' \(did you mean 'activation'\?/);
  throwsNumdl(() => nd.classificationObjective(model, Y, C, { regularisation: { W: 1 } } as never), 'classificationObjective', 'unknownOption', /'regularisation' \(did you mean 'regularization'\?/);
  throwsNumdl(() => nd.classificationObjective(model, Y, C, { regularization: { w: 1 } } as never), 'classificationObjective', 'unknownOption', /'regularization\.w' \(did you mean 'W'\?/);
  throwsNumdl(() => nd.varproObjective(model, Y, C, { inner: { maxIters: 3 } } as never), 'varproObjective', 'unknownOption', /'inner\.maxIters' \(did you mean 'maxIter'\?/);
  throwsNumdl(() => nd.resnet(() => nd.singleLayer(nd.dense(4, 4)), { steps: 2, t: 1 } as never), 'resnet', 'unknownOption', /'t' \(did you mean 'T'\?/);
  throwsNumdl(() => nd.conv2d([8, 8], [3, 3, 1, 1], { boundry: 'zero' } as never), 'conv2d', 'unknownOption', /'boundry'/);
  throwsNumdl(() => nd.setupPeaks({ n: 10, seeds: 1 } as never), 'setupPeaks', 'unknownOption', /did you mean 'seed'/);
  throwsNumdl(() => nd.pcg((v) => v, new Float64Array(2), { maxIters: 2 } as never), 'pcg', 'unknownOption', /did you mean 'maxIter'/);
  // Known keys with undefined values are fine, as before.
  assert.doesNotThrow(() => nd.singleLayer(nd.dense(4, 2), { activation: undefined }));
});

test('invalid option values are rejected: tikhonov(-1), resnet h and T', () => {
  throwsNumdl(() => nd.tikhonov(-1 as never), 'tikhonov', 'badOption', /options must be an object, got number/);
  throwsNumdl(() => nd.tikhonov({ lambda: -1 }), 'tikhonov', 'badArgument', /lambda must be >= 0, got -1/);
  const step = () => nd.singleLayer(nd.dense(4, 4));
  throwsNumdl(() => nd.resnet(step, { steps: 2, h: -1 }), 'resnet', 'badArgument', /h must be > 0, got -1/);
  throwsNumdl(() => nd.resnet(step, { steps: 2, T: 0 }), 'resnet', 'badArgument', /T must be > 0, got 0/);
  assert.equal(nd.resnet(step, { steps: 2, T: 1 }).nParams, 2 * step().nParams);
});

test('the misleading messages now name the function, the argument and what was expected', () => {
  throwsNumdl(() => nd.adjointTest((v) => v, (w) => w, {} as never), 'adjointTest', 'badArgument', /opts\.nIn \(length of v\) must be a non-negative integer, got undefined/);
  const A = nd.fromMatrix(nd.randn(6, 8, rng));
  throwsNumdl(() => nd.compose(A, A), 'compose', 'badShape', /operator 0 is 6×8, so operator 1 must have 8 rows .* but it is 6×8/);
  const obj = nd.classificationObjective(model, Y, C);
  throwsNumdl(() => nd.predict(obj as never, new Float64Array(obj.nParams), Y), 'predict', 'badArgument', /model is an objective; pass its model/);
  const x = new Float64Array(obj.nParams);
  throwsNumdl(() => nd.armijoLineSearch(obj, x, new Float64Array(3), obj.evaluate(x)), 'armijoLineSearch', 'badShape', /p has length 3, expected/);
  throwsNumdl(() => nd.armijoLineSearch(obj, x, x, null as never), 'armijoLineSearch', 'badArgument', /start must be \{ value, gradient \}/);
  throwsNumdl(() => nd.wolfeLineSearch(obj, x, x, obj.evaluate(x), { c2: 1e-6 }), 'wolfeLineSearch', 'badOption', /c2 must be in/);
  throwsNumdl(() => nd.zeros(1e5, 1e5), 'zeros', 'tooLarge', /a 100000×100000 matrix needs 10000000000 doubles/);
});
