/**
 * Single layers keep no hidden state between calls: an operator whose product
 * calls another layer's products (a nested model, a callback) must not change
 * the outer layer's results, and two layers used alternately give the same
 * numbers as each alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, randn } from '../../src/core/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import { singleLayer, type SingleLayerModel, type SingleLayerState } from '../../src/layers/index.js';
import { dense } from '../../src/operators/index.js';
import type { ParametricOperator } from '../../src/operators/types.js';
import { withBackend } from '../helpers/backend.js';

/**
 * A dense operator (not flagged `denseMatrix`, so the layer takes its generic
 * path) whose every product first runs `hook` — e.g. another layer's vjp.
 */
function hookedDense(nOut: number, nIn: number, hook: () => void): ParametricOperator {
  const d = dense(nOut, nIn);
  return {
    name: `hooked(${d.name})`, nIn, nOut, nTheta: d.nTheta,
    apply: (t, Y) => { hook(); return d.apply(t, Y); },
    applyTranspose: (t, Z) => { hook(); return d.applyTranspose(t, Z); },
    jvp: (dt, Y) => { hook(); return d.jvp(dt, Y); },
    vjp: (Z, Y) => { hook(); return d.vjp(Z, Y); },
    toDense: (t) => d.toDense(t),
  };
}

/** A layer and a point of it: x, Y, its state, a cotangent and a tangent. */
function setup(layer: SingleLayerModel, n: number, seed: number) {
  const rng = createRng(seed);
  const x = rng.normalArray(layer.nParams);
  const Y = randn(layer.nIn, n, rng);
  const state = layer.forward(x, Y);
  const W = randn(layer.nOut, n, rng);
  const dx = rng.normalArray(layer.nParams);
  const dY = randn(layer.nIn, n, rng);
  return { x, Y, state, W, dx, dY };
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: entry ${i} is ${a[i]}, alone ${b[i]}`);
}

for (const backend of ['js', 'wasm'] as const) {
  test(`singleLayer (${backend}): an operator that calls another layer's vjp inside its products leaves the results unchanged`, () => {
    withBackend(backend, () => {
      const n = 64;
      // The inner layer is a plain tanh layer with a scalar bias on a non-dense-flagged operator: generic path.
      const inner = singleLayer(hookedDense(6, 5, () => {}), { bias: 'scalar' });
      const pi = setup(inner, 3 * n, 11);
      const nested = () => {
        inner.vjp(pi.x, pi.state, pi.W);
        inner.jvp(pi.x, pi.state, pi.dx, pi.dY);
      };
      const outerHooked = singleLayer(hookedDense(4, 3, nested), { bias: 'vector' });
      const outerPlain = singleLayer(hookedDense(4, 3, () => {}), { bias: 'vector' });
      const p = setup(outerPlain, n, 5);
      const alone = outerPlain.vjp(p.x, p.state, p.W);
      const aloneJ = outerPlain.jvp(p.x, p.state, p.dx, p.dY);
      const withNested = outerHooked.vjp(p.x, outerHooked.forward(p.x, p.Y), p.W);
      const withNestedJ = outerHooked.jvp(p.x, outerHooked.forward(p.x, p.Y), p.dx, p.dY);
      sameArray(withNested.dx, alone.dx, 'vjp dx');
      sameArray((withNested.dY as Matrix).data, (alone.dY as Matrix).data, 'vjp dY');
      sameArray(withNestedJ.data, aloneJ.data, 'jvp');
    });
  });

  test(`singleLayer (${backend}): a layer whose operator re-enters that layer's own vjp gives the numbers of a plain call`, () => {
    withBackend(backend, () => {
      let depth = 0;
      let self: SingleLayerModel | null = null;
      let other: ReturnType<typeof setup> | null = null;
      // Re-enter once (the nested call runs the hook too, with depth 1: no further nesting).
      const layer = singleLayer(hookedDense(4, 3, () => {
        if (depth > 0 || !self || !other) return;
        depth++;
        self.vjp(other.x, other.state, other.W);
        depth--;
      }), { bias: 'vector' });
      self = layer;
      const plain = singleLayer(hookedDense(4, 3, () => {}), { bias: 'vector' });
      const p = setup(plain, 50, 8);
      other = setup(layer, 70, 9);
      const alone = plain.vjp(p.x, p.state, p.W);
      const nested = layer.vjp(p.x, layer.forward(p.x, p.Y), p.W);
      sameArray(nested.dx, alone.dx, 're-entered vjp dx');
      sameArray(nested.dY.data, alone.dY.data, 're-entered vjp dY');
    });
  });

  test(`singleLayer (${backend}): two layers used alternately give the numbers of each alone`, () => {
    withBackend(backend, () => {
      const a = singleLayer(dense(8, 8), { bias: 'vector' });
      const b = singleLayer(dense(8, 8), { bias: 'vector' });
      const pa = setup(a, 300, 1), pb = setup(b, 500, 2);
      const alone = { va: a.vjp(pa.x, pa.state, pa.W), ja: a.jvp(pa.x, pa.state, pa.dx, pa.dY) };
      const aloneB = { vb: b.vjp(pb.x, pb.state, pb.W), jb: b.jvp(pb.x, pb.state, pb.dx, pb.dY) };
      // A second state of `a` in between (a layer may not confuse two states of its own).
      const pa2 = setup(a, 300, 3);
      for (let r = 0; r < 2; r++) {
        const jb = b.jvp(pb.x, pb.state, pb.dx, pb.dY);
        a.vjp(pa2.x, pa2.state, pa2.W);
        const va = a.vjp(pa.x, pa.state, pa.W);
        const ja = a.jvp(pa.x, pa.state, pa.dx, pa.dY);
        const vb = b.vjp(pb.x, pb.state, pb.W);
        sameArray(va.dx, alone.va.dx, 'a.vjp dx');
        sameArray(va.dY.data, alone.va.dY.data, 'a.vjp dY');
        sameArray(ja.data, alone.ja.data, 'a.jvp');
        sameArray(vb.dx, aloneB.vb.dx, 'b.vjp dx');
        sameArray(jb.data, aloneB.jb.data, 'b.jvp');
      }
      const s: SingleLayerState = pa.state;
      assert.equal(s.output.shape[1], 300);
    });
  });
}
