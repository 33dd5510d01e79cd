import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, vec } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { chain, paramViews, resnet } from '../../src/networks/index.js';
import { conv2d, dense } from '../../src/operators/index.js';
import { modelSuite } from '../helpers/modelSuite.js';

modelSuite([
  {
    label: 'chain of 3 dense layers (tanh, sin, identity)',
    make: () => chain([
      singleLayer(dense(6, 3), { bias: 'vector' }),
      singleLayer(dense(5, 6), { activation: 'sin' }),
      singleLayer(dense(2, 5), { activation: 'identity', bias: 'vector' }),
    ]),
  },
  {
    label: 'chain of conv2d and dense layers',
    make: () => chain([
      singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { bias: 'vector' }),
      singleLayer(dense(3, 32), { activation: 'smoothRelu' }),
    ]),
    n: 3,
  },
  { label: 'chain of one layer', make: () => chain([singleLayer(dense(4, 3))]) },
  {
    label: 'chain of a layer and a ResNet',
    make: () => chain([singleLayer(dense(4, 2)), resnet((j) => singleLayer(dense(4, 4), { bias: j % 2 ? 'vector' : 'scalar' }), { steps: 2, h: 0.5 })]),
  },
]);

test('chain of one layer equals the layer (bit for bit)', () => {
  const layer = singleLayer(dense(4, 3), { bias: 'vector' });
  const net = chain([layer]);
  assert.equal(net.nParams, layer.nParams);
  const rng = createRng(31);
  const x = rng.normalArray(layer.nParams);
  const Y = randn(3, 6, rng), dY = randn(3, 6, rng), dZ = randn(4, 6, rng);
  const dx = rng.normalArray(layer.nParams);
  const s1 = layer.forward(x, Y), s2 = net.forward(x, Y);
  assert.deepEqual(vec(s2.output), vec(s1.output));
  assert.deepEqual(vec(net.jvp(x, s2, dx, dY)), vec(layer.jvp(x, s1, dx, dY)));
  const v1 = layer.vjp(x, s1, dZ), v2 = net.vjp(x, s2, dZ);
  assert.deepEqual(v2.dx, v1.dx);
  assert.deepEqual(vec(v2.dY), vec(v1.dY));
  assert.deepEqual(net.initialize(createRng(2)), layer.initialize(createRng(2)));
});

test('chain: parameters are concatenated in order and named per layer', () => {
  const a = singleLayer(dense(3, 2), { bias: 'vector' }), b = singleLayer(dense(1, 3));
  const net = chain([a, b]);
  assert.equal(net.nParams, 9 + 4);
  assert.deepEqual(net.paramBlocks(), [
    { name: 'layer0.theta', offset: 0, length: 6 },
    { name: 'layer0.bias', offset: 6, length: 3 },
    { name: 'layer1.theta', offset: 9, length: 3 },
    { name: 'layer1.bias', offset: 12, length: 1 },
  ]);
  const x = Float64Array.from({ length: 13 }, (_, i) => i);
  const views = paramViews(net, x);
  assert.deepEqual(Array.from(views[2].values), [9, 10, 11]);
  views[3].values[0] = -1;
  assert.equal(x[12], -1, 'views share the storage of x');
  // The chain applied to Y is b(a(Y)).
  const Y = randn(2, 4, createRng(1));
  const direct = b.forward(x.subarray(9), a.forward(x.subarray(0, 9), Y).output).output;
  assert.deepEqual(vec(net.forward(x, Y).output), vec(direct));
  assert.equal(net.stateBytesPerExample, 16 * 3 + 16 * 1);
});

test('chain: bad arguments give clear errors', () => {
  assert.throws(() => chain([]), /chain: models must be a non-empty array/);
  assert.throws(() => chain([singleLayer(dense(4, 2)), singleLayer(dense(3, 5))]), /chain: model 1 has nIn = 5 but model 0 has nOut = 4/);
  assert.throws(() => chain([singleLayer(dense(4, 2)), {} as never]), /chain: models\[1\] must be a Model/);
  assert.throws(() => paramViews(chain([singleLayer(dense(2, 2))]), new Float64Array(3)), /paramViews: x has length 3, expected 5/);
});

test('chain: vjp with { input: false } skips only the first model\'s input gradient (same dx, dY null)', () => {
  const rng = createRng(51);
  const net = chain([singleLayer(dense(4, 3), { bias: 'vector' }), resnet(() => singleLayer(dense(4, 4)), { steps: 2, h: 0.5 }), singleLayer(dense(2, 4))]);
  const x = rng.normalArray(net.nParams);
  const s = net.forward(x, randn(3, 5, rng));
  const dZ = randn(2, 5, rng);
  const full = net.vjp(x, s, dZ);
  const part = net.vjp(x, s, dZ, { input: false });
  assert.equal(part.dY, null);
  assert.deepEqual(part.dx, full.dx);
});
