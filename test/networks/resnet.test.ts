import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, vec, zeros } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { chain, resnet } from '../../src/networks/index.js';
import { antisymmetric, conv2d, dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite, observedOrders } from '../helpers/modelSuite.js';

const step = (m: number) => () => singleLayer(dense(m, m), { activation: 'tanh', bias: 'vector' });

const depths = [1, 3, 16];
modelSuite([
  ...depths.map((N) => ({
    label: `resnet depth ${N} (dense 4×4 tanh steps, h = 1/${N}, opening dense 4×3)`,
    make: () => resnet(step(4), { steps: N, T: 1, opening: singleLayer(dense(4, 3), { bias: 'vector' }) }),
    printOrders: true,
  })),
  ...depths.map((N) => ({
    label: `resnet depth ${N} (dense 3×3 tanh steps, h = 0.5, no opening)`,
    make: () => resnet(step(3), { steps: N, h: 0.5 }),
    printOrders: true,
  })),
  {
    label: 'resnet depth 3 (conv2d 4×4 3×3 2→2 periodic steps, opening conv 1→2)',
    make: () => resnet(() => singleLayer(conv2d([4, 4], [3, 3, 2, 2], { boundary: 'periodic' }), { bias: 'vector' }), {
      steps: 3,
      h: 0.3,
      opening: singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { bias: 'vector' }),
    }),
    n: 3,
    printOrders: true,
  },
  {
    label: 'resnet depth 3 (antisymmetric 4 steps, smoothRelu)',
    make: () => resnet((j) => singleLayer(antisymmetric(4), { activation: j === 1 ? 'smoothRelu' : 'tanh' }), { steps: 3, h: 0.4 }),
  },
]);

test('resnet: Taylor orders observed (printed for the record)', () => {
  const lines: string[] = [];
  for (const [label, byTest] of Object.entries(observedOrders)) {
    for (const [what, orders] of Object.entries(byTest)) {
      // The median of the first orders before round-off sets in.
      const o = orders.slice(0, 10).filter(Number.isFinite).sort((a, b) => a - b);
      lines.push(`${label} ${what}: median order ${o[Math.floor(o.length / 2)].toFixed(3)}`);
    }
  }
  console.log(`ResNet Taylor orders (E1, h = 2^-1 … 2^-11):\n${lines.join("\n")}`);
  assert.ok(lines.length >= 6 * 3, `expected orders for the depth-1/3/16 cases, got ${lines.length}`);
});

test('resnet with zero weights is the identity (and so are its Jacobians in Y)', () => {
  for (const N of depths) {
    const net = resnet(step(5), { steps: N, h: 0.7 });
    const x = new Float64Array(net.nParams);
    const Y = randn(5, 4, createRng(N));
    const s = net.forward(x, Y);
    assert.deepEqual(vec(s.output), vec(Y), `depth ${N}`);
    assert.notEqual(s.output.data, Y.data, 'the output is a new matrix');
    const dY = randn(5, 4, createRng(100 + N));
    assert.deepEqual(vec(net.jvp(x, s, null, dY)), vec(dY));
    assert.deepEqual(vec(net.vjp(x, s, dY).dY), vec(dY));
  }
});

test('resnet follows Y_{j+1} = Y_j + h σ(K_j Y_j + b_j) step by step', () => {
  const layers = [0, 1, 2].map(() => singleLayer(dense(3, 3), { bias: 'vector' }));
  const open = singleLayer(dense(3, 2));
  const h = 0.25;
  const net = resnet(layers, { h, opening: open });
  const rng = createRng(41);
  const x = rng.normalArray(net.nParams);
  const Y = randn(2, 5, rng);
  let cur = open.forward(x.subarray(0, open.nParams), Y).output;
  let off = open.nParams;
  for (const L of layers) {
    const f = L.forward(x.subarray(off, off + L.nParams), cur).output;
    const next = zeros(3, 5);
    for (let k = 0; k < 15; k++) next.data[k] = cur.data[k] + h * f.data[k];
    cur = next;
    off += L.nParams;
  }
  assertClose(net.forward(x, Y).output, cur, 1e-15);
  assert.deepEqual(net.paramBlocks().map((b) => b.name), ['opening.theta', 'opening.bias', 'step0.theta', 'step0.bias', 'step1.theta', 'step1.bias', 'step2.theta', 'step2.bias']);
  // h = T / N
  assert.equal(resnet(step(3), { steps: 8, T: 2 }).h, 0.25);
  // Equivalent to chaining the opening with a ResNet without one.
  const net2 = chain([open, resnet(layers, { h })]);
  assert.deepEqual(vec(net2.forward(x, Y).output), vec(net.forward(x, Y).output));
});

test('resnet memory: per step A_j and Y_{j+1} (16·m bytes per example per single-layer step)', () => {
  const m = 6, N = 5;
  const open = singleLayer(dense(m, 2));
  const net = resnet(step(m), { steps: N, opening: open });
  assert.equal(net.stateBytesPerExample, 16 * m * N + open.stateBytesPerExample);
  const s = net.forward(net.initialize(createRng(1)), randn(2, 3, createRng(2)));
  // Each step's state references its input Y_j — the previous step's (overwritten) output.
  for (let j = 1; j < N; j++) assert.equal((s.steps[j] as unknown as { input: unknown }).input, s.steps[j - 1].output);
  assert.equal(s.output, s.steps[N - 1].output);
});

test('resnet: bad arguments give clear errors', () => {
  assert.throws(() => resnet(step(3), {}), /resnet: steps must be a positive integer, got undefined/);
  assert.throws(() => resnet([singleLayer(dense(3, 2))]), /resnet: layer 0 maps 2 → 3, but a residual step must keep the width 2 \(use an opening layer to change it\)/);
  assert.throws(() => resnet(step(3), { steps: 2, opening: singleLayer(dense(4, 2)) }), /resnet: opening has nOut = 4, expected the width 3/);
  assert.throws(() => resnet(step(3), { steps: 2, h: 1, T: 1 }), /resnet: give h or T, not both/);
  assert.throws(() => resnet([singleLayer(dense(3, 3))], { steps: 2 }), /resnet: steps = 2 but 1 layers were given/);
  assert.throws(() => resnet([]), /resnet: layers must be a non-empty array or a factory/);
});

test('resnet: vjp with { input: false } gives the same dx bit for bit and dY null, with and without opening', () => {
  const rng = createRng(41);
  const nets = [
    resnet(step(4), { steps: 5, h: 0.3, opening: singleLayer(dense(4, 2), { bias: 'vector' }) }),
    resnet(step(3), { steps: 4, h: 0.5 }),
  ];
  for (const net of nets) {
    const x = rng.normalArray(net.nParams);
    const s = net.forward(x, randn(net.nIn, 7, rng));
    const dZ = randn(net.nOut, 7, rng);
    const full = net.vjp(x, s, dZ);
    const part = net.vjp(x, s, dZ, { input: false });
    assert.equal(part.dY, null, net.name);
    assert.deepEqual(part.dx, full.dx, net.name);
  }
});

test('resnet: the fused residual step (residualJvp) gives the jvp of an unfused step bit for bit', () => {
  // The same network with steps hiding residualJvp takes the jvp-then-update path.
  const rng = createRng(42);
  const plain = (j: number) => {
    const { residualJvp: _r, ...m } = step(4)();
    void j;
    return m;
  };
  const fused = resnet(step(4), { steps: 4, h: 0.25, opening: singleLayer(dense(4, 3), { bias: 'vector' }) });
  const unfused = resnet(plain, { steps: 4, h: 0.25, opening: singleLayer(dense(4, 3), { bias: 'vector' }) });
  const x = rng.normalArray(fused.nParams), Y = randn(3, 6, rng), dx = rng.normalArray(fused.nParams), dY = randn(3, 6, rng);
  const sf = fused.forward(x, Y), su = unfused.forward(x, Y);
  assert.deepEqual(vec(sf.output), vec(su.output));
  for (const [a, b] of [[dx, dY], [dx, null], [null, dY]] as const) {
    assert.deepEqual(vec(fused.jvp(x, sf, a, b)), vec(unfused.jvp(x, su, a, b)));
  }
});
