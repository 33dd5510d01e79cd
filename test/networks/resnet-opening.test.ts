/**
 * The lecture's ResNet opening, Y_0 = h·σ(K_1 Y + b_1) (`openingScale`):
 * the model conformance suite (Taylor and adjoint tests) with a scaled
 * opening, the lecture's forward reproduced exactly on a small case from an
 * independent transcription of its ResNetForward.m (parameters stored as all
 * K's, then all b's), and the option's checks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn, zeros, type Matrix } from '../../src/core/index.js';
import { singleLayer } from '../../src/layers/index.js';
import { resnet } from '../../src/networks/index.js';
import { dense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { modelSuite } from '../helpers/modelSuite.js';

const step = (m: number) => () => singleLayer(dense(m, m), { activation: 'tanh', bias: 'vector' });

modelSuite([
  {
    label: "resnet depth 3 with the lecture's opening h·σ(K Y + b) (dense 4×3, h = 0.25)",
    make: () => resnet(step(4), { steps: 3, h: 0.25, openingScale: 'h', opening: singleLayer(dense(4, 3), { bias: 'vector' }) }),
    printOrders: true,
  },
  {
    label: 'resnet depth 2 with openingScale = −1.7 (dense 6×2 opening, sin steps)',
    make: () => resnet(() => singleLayer(dense(6, 6), { activation: 'sin', bias: 'vector' }), { steps: 2, T: 1, openingScale: -1.7, opening: singleLayer(dense(6, 2), { activation: 'sin', bias: 'vector' }) }),
  },
]);

/**
 * The lecture's forward, transcribed independently: layers k = 1 … nt with
 * K_k (n₂ₖ × n₁ₖ) and b_k; Kb = [vec(K_1); …; vec(K_nt); b_1; …; b_nt];
 * Y ← P_k Y + h σ(K_k Y + b_k), P_k = 0 when the layer changes the width, else I.
 */
function lectureForward(Kb: Float64Array, Y0: Matrix, widths: [number, number][], h: number, act: (x: number) => number): Matrix {
  let off = 0;
  const K = widths.map(([nin, nout]) => { const k = Kb.subarray(off, off + nin * nout); off += nin * nout; return k; });
  const b = widths.map(([, nout]) => { const v = Kb.subarray(off, off + nout); off += nout; return v; });
  let Y = Y0;
  const n = Y0.shape[1];
  widths.forEach(([nin, nout], k) => {
    const Z = zeros(nout, n);
    for (let c = 0; c < n; c++) for (let i = 0; i < nout; i++) {
      let s = b[k][i];
      for (let j = 0; j < nin; j++) s += K[k][i + j * nout] * Y.get(j, c);
      Z.set(i, c, (nin === nout ? Y.get(i, c) : 0) + h * act(s));
    }
    Y = Z;
  });
  return Y;
}

test("openingScale 'h' reproduces the lecture's ResNetForward (2 → 8, then 7 residual layers of width 8, σ = sin, h = T/nt)", () => {
  const nt = 8, T = 4, h = T / nt, m = 8;
  const widths: [number, number][] = [[2, m], ...Array.from({ length: nt - 1 }, () => [m, m] as [number, number])];
  const rng = createRng(21);
  const nKb = widths.reduce((s, [a, c]) => s + a * c + c, 0);
  const Kb = rng.normalArray(nKb).map((v) => 0.5 * v);
  const Y = randn(2, 11, rng);
  // numdl: the opening is the lecture's first layer; its nt − 1 others are the residual steps, same h.
  const net = resnet(() => singleLayer(dense(m, m), { activation: 'sin', bias: 'vector' }), {
    steps: nt - 1, h, openingScale: 'h', opening: singleLayer(dense(m, 2), { activation: 'sin', bias: 'vector' }),
  });
  assert.equal(net.nParams, nKb);
  assert.equal(net.openingScale, h);
  // Reorder the lecture's [all K; all b] into numdl's [vec(K_1); b_1; vec(K_2); b_2; …].
  const x = new Float64Array(nKb);
  let kOff = 0, bOff = widths.reduce((s, [a, c]) => s + a * c, 0), o = 0;
  for (const [nin, nout] of widths) {
    x.set(Kb.subarray(kOff, kOff + nin * nout), o); o += nin * nout; kOff += nin * nout;
    x.set(Kb.subarray(bOff, bOff + nout), o); o += nout; bOff += nout;
  }
  const ours = net.forward(x, Y).output;
  const theirs = lectureForward(Kb, Y, widths, h, Math.sin);
  assertClose(ours, theirs, 1e-14, "numdl vs the lecture's forward");
  // The unscaled opening (numdl's default) is a different network.
  const plain = resnet(() => singleLayer(dense(m, m), { activation: 'sin', bias: 'vector' }), { steps: nt - 1, h, opening: singleLayer(dense(m, 2), { activation: 'sin', bias: 'vector' }) });
  const diff = Math.max(...plain.forward(x, Y).output.data.map((v, i) => Math.abs(v - theirs.data[i])));
  assert.ok(diff > 1e-2, `without openingScale the output differs by ${diff}`);
});

test('openingScale scales Y_0 only: the opening state and its jvp/vjp are those of s·G', () => {
  const open = singleLayer(dense(4, 3), { bias: 'vector' });
  const s = 0.3;
  const net = resnet(step(4), { steps: 2, h: 0.5, openingScale: s, opening: open });
  const rng = createRng(5);
  const x = net.initialize(rng).map((v) => v + 0.2 * rng.normal());
  const Y = randn(3, 4, rng);
  const st = net.forward(x, Y);
  const g = open.forward(x.subarray(0, open.nParams), Y).output;
  assertClose(st.openingState!.output, g, 0, 'the opening state keeps G(Y) unscaled');
  assert.match(net.name, /opening=0\.3·/);
  // With zero step weights the network is Y ↦ s·G(Y) (σ(0) = 0), so its input Jacobian is s·J_G.
  const x0 = Float64Array.from(x);
  x0.fill(0, open.nParams);
  const st0 = net.forward(x0, Y);
  assertClose(st0.output, g.data.map((v) => s * v), 1e-15, 'Y_N = s·G(Y)');
  const dY = randn(3, 4, rng);
  const Jg = open.jvp(x.subarray(0, open.nParams), open.forward(x.subarray(0, open.nParams), Y), null, dY);
  assertClose(net.jvp(x0, st0, null, dY), Jg.data.map((v) => s * v), 1e-14, 'J_Y = s·J_G');
});

test('openingScale is checked', () => {
  assert.throws(() => resnet(step(3), { steps: 2, openingScale: 'h' }), /resnet: openingScale = h needs an opening model/);
  assert.throws(() => resnet(step(3), { steps: 2, openingScale: NaN, opening: singleLayer(dense(3, 2)) }), /resnet: openingScale must be a finite number, got NaN/);
  assert.equal(resnet(step(3), { steps: 4, T: 2, openingScale: 'h', opening: singleLayer(dense(3, 2)) }).openingScale, 0.5);
  assert.equal(resnet(step(3), { steps: 2, opening: singleLayer(dense(3, 2)) }).openingScale, 1);
});
