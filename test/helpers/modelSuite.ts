/**
 * Conformance suite for every Model (single layers, chains, ResNets): Taylor
 * tests of jvp in the parameters, the input and both; adjoint tests of vjp
 * against jvp; shapes; inputs untouched; same seed, same bits; clear errors
 * for wrong sizes. One call registers the tests of one instance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, mat, randn, vec, zeros } from '../../src/core/index.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { Model, ModelState } from '../../src/networks/types.js';
import { assertAdjoint, assertClose, assertTaylor } from './assertions.js';

/** One model instance for {@link modelSuite}. */
export interface ModelCase {
  label: string;
  /** Builds the model (called inside the tests). */
  make: () => Model;
  /** Examples n (default 5). */
  n?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Scale of the random perturbation added to initialize(rng) for the test point (default 0.3). */
  perturb?: number;
  /** Print the Taylor orders of E1 (e.g. for ResNets the lead quotes). */
  printOrders?: boolean;
  /** Step h0 of the Taylor test (default 2^-1). */
  h0?: number;
}

/** Orders observed by the suite, keyed by case label and test (filled as tests run). */
export const observedOrders: Record<string, Record<string, number[]>> = {};

/** Random test point x, data Y, and directions for a case. */
export function casePoint(c: ModelCase, model: Model) {
  const rng = createRng(c.seed ?? 1);
  const n = c.n ?? 5;
  const x = model.initialize(rng);
  const p = c.perturb ?? 0.3;
  for (let i = 0; i < x.length; i++) x[i] += p * rng.normal();
  const Y = randn(model.nIn, n, rng);
  const dx = rng.normalArray(model.nParams);
  const dY = randn(model.nIn, n, rng);
  return { x, Y, dx, dY, n, rng };
}

function orderLine(orders: number[]): string {
  return orders.slice(0, 14).map((o) => (Number.isFinite(o) ? o.toFixed(2) : '  - ')).join(' ');
}

/**
 * Register the conformance tests for each case.
 * @param cases model instances
 */
export function modelSuite(cases: ModelCase[]): void {
  for (const c of cases) {
    const record = (what: string, orders: number[]) => {
      (observedOrders[c.label] ??= {})[what] = orders;
      if (c.printOrders) console.log(`Taylor orders of E1, ${c.label}, ${what}: ${orderLine(orders)}`);
    };

    test(`${c.label}: shapes, parameter blocks and sizes`, () => {
      const model = c.make();
      const { x, Y, n } = casePoint(c, model);
      const s = model.forward(x, Y);
      assert.deepEqual(s.output.shape, [model.nOut, n]);
      const blocks = model.paramBlocks();
      let off = 0;
      for (const b of blocks) {
        assert.equal(b.offset, off, `block ${b.name} starts at ${b.offset}, expected ${off}`);
        off += b.length;
      }
      assert.equal(off, model.nParams);
      assert.equal(new Set(blocks.map((b) => b.name)).size, blocks.length, 'block names are unique');
      assert.equal(model.initialize(createRng(3)).length, model.nParams);
      const dZ = model.jvp(x, s, null, null);
      assert.deepEqual(dZ.shape, [model.nOut, n]);
      assert.ok(dZ.data.every((v) => v === 0), 'jvp with both directions null is zero');
      const r = model.vjp(x, s, randn(model.nOut, n, createRng(4)));
      assert.equal(r.dx.length, model.nParams);
      assert.deepEqual(r.dY.shape, [model.nIn, n]);
      if (model.stateBytesPerExample !== undefined) assert.ok(model.stateBytesPerExample > 0);
    });

    test(`${c.label}: Taylor test of J_x dx (parameters)`, () => {
      const model = c.make();
      const { x, Y, dx } = casePoint(c, model);
      const s = model.forward(x, Y);
      if (model.nParams === 0) {
        // A parameter-free layer (pooling): nothing to expand in x; its J_x is the empty map.
        assert.ok(vec(model.jvp(x, s, dx, null)).every((v) => v === 0), 'J_x of a parameter-free model is zero');
        return;
      }
      const r = assertTaylor(`${c.label} J_x`, (xx) => model.forward(xx, Y).output, x, dx, { jvp: (v) => model.jvp(x, s, v, null), h0: c.h0 });
      record('J_x', r.orders1);
    });

    test(`${c.label}: Taylor test of J_Y dY (input)`, () => {
      const model = c.make();
      const { x, Y, dY } = casePoint(c, model);
      const s = model.forward(x, Y);
      const [r0, c0] = Y.shape;
      const r = assertTaylor(`${c.label} J_Y`, (y) => model.forward(x, mat(Float64Array.from(y), r0, c0)).output, vec(Y), vec(dY), {
        jvp: (v) => model.jvp(x, s, null, mat(v, r0, c0)),
        h0: c.h0,
      });
      record('J_Y', r.orders1);
    });

    test(`${c.label}: Taylor test of J_x dx + J_Y dY (both)`, () => {
      const model = c.make();
      const { x, Y, dx, dY } = casePoint(c, model);
      const s = model.forward(x, Y);
      const np = model.nParams, [r0, c0] = Y.shape;
      const both = new Float64Array(np + r0 * c0);
      both.set(x, 0);
      both.set(vec(Y), np);
      const dir = new Float64Array(both.length);
      dir.set(dx, 0);
      dir.set(vec(dY), np);
      const f = (z: Float64Array) => model.forward(z.slice(0, np), mat(z.slice(np), r0, c0)).output;
      const r = assertTaylor(`${c.label} J`, f, both, dir, { jvp: (v) => model.jvp(x, s, v.slice(0, np), mat(v.slice(np), r0, c0)), h0: c.h0 });
      record('J', r.orders1);
    });

    test(`${c.label}: adjoint test of vjp against jvp (parameters and input)`, () => {
      const model = c.make();
      const { x, Y, n } = casePoint(c, model);
      const s = model.forward(x, Y);
      const np = model.nParams, nIn = model.nIn, nOut = model.nOut;
      // The parameter part and the input part separately, then together.
      assertAdjoint(`${c.label} J_x`, (v) => model.jvp(x, s, v, null), (w) => model.vjp(x, s, mat(w, nOut, n)).dx, { nIn: np, nOut: nOut * n, rng: createRng(11) });
      assertAdjoint(`${c.label} J_Y`, (v) => model.jvp(x, s, null, mat(v, nIn, n)), (w) => model.vjp(x, s, mat(w, nOut, n)).dY, { nIn: nIn * n, nOut: nOut * n, rng: createRng(12) });
      assertAdjoint(
        `${c.label} J`,
        (v) => model.jvp(x, s, v.slice(0, np), mat(v.slice(np), nIn, n)),
        (w) => {
          const r = model.vjp(x, s, mat(w, nOut, n));
          const out = new Float64Array(np + nIn * n);
          out.set(r.dx, 0);
          out.set(vec(r.dY), np);
          return out;
        },
        { nIn: np + nIn * n, nOut: nOut * n, rng: createRng(13) },
      );
    });

    test(`${c.label}: inputs untouched, same seed same bits`, () => {
      const model = c.make();
      const { x, Y, dx, dY, n } = casePoint(c, model);
      const x0 = Float64Array.from(x), Y0 = vec(Y), dx0 = Float64Array.from(dx), dY0 = vec(dY);
      const s = model.forward(x, Y);
      const dZ = randn(model.nOut, n, createRng(5));
      const dZ0 = vec(dZ);
      const j1 = model.jvp(x, s, dx, dY);
      const v1 = model.vjp(x, s, dZ);
      assert.deepEqual(x, x0);
      assert.deepEqual(vec(Y), Y0);
      assert.deepEqual(dx, dx0);
      assert.deepEqual(vec(dY), dY0);
      assert.deepEqual(vec(dZ), dZ0);
      // Derivatives are repeatable on the same state (nothing consumed or mutated).
      assert.deepEqual(vec(model.jvp(x, s, dx, dY)), vec(j1));
      assert.deepEqual(model.vjp(x, s, dZ).dx, v1.dx);
      // Same seed, same bits — for a freshly built model too.
      const m2 = c.make();
      const p2 = casePoint(c, m2);
      assert.deepEqual(p2.x, x0);
      assert.deepEqual(vec(m2.forward(p2.x, p2.Y).output), vec(s.output));
    });

    test(`${c.label}: vjp with { input: false } gives the same dx (dY skipped or unchanged)`, () => {
      const model = c.make();
      const { x, Y, n } = casePoint(c, model);
      const s = model.forward(x, Y);
      const dZ = randn(model.nOut, n, createRng(6));
      const full = model.vjp(x, s, dZ);
      const part = model.vjp(x, s, dZ, { input: false });
      assert.deepEqual(part.dx, full.dx, 'dx is bit for bit the same');
      // A model may ignore the option (then dY is still J_Yᵀ dZ).
      if (part.dY !== null) assert.deepEqual(vec(part.dY), vec(full.dY));
      // The full product is still right afterwards (no scratch state leaks between calls).
      assert.deepEqual(vec(model.vjp(x, s, dZ, { input: true }).dY as Matrix), vec(full.dY));
      // Earlier results are not overwritten by later calls.
      const dY0 = vec(full.dY);
      model.vjp(x, s, randn(model.nOut, n, createRng(7)));
      assert.deepEqual(vec(full.dY), dY0);
    });

    test(`${c.label}: residualJvp (if offered) equals dY + h·jvp`, (t) => {
      const model = c.make();
      if (typeof model.residualJvp !== 'function' || model.nIn !== model.nOut) {
        t.skip('no residualJvp');
        return;
      }
      const { x, Y, dx, dY } = casePoint(c, model);
      const s = model.forward(x, Y);
      const h = 0.37;
      for (const [ddx, ddY] of [[dx, dY], [dx, null], [null, dY]] as const) {
        const J = vec(model.jvp(x, s, ddx, ddY));
        const ref = ddY ? J.map((v, k) => ddY.data[k] + h * v) : J.map((v) => h * v);
        const got = model.residualJvp(x, s, ddx, ddY, h);
        assert.deepEqual(got.shape, [model.nOut, Y.shape[1]]);
        assertClose(vec(got), ref, 1e-15, `residualJvp (dx ${ddx ? 'given' : 'null'}, dY ${ddY ? 'given' : 'null'})`);
      }
      assert.ok(vec(model.residualJvp(x, s, null, null, h)).every((v) => v === 0));
    });

    test(`${c.label}: wrong sizes give clear errors`, () => {
      const model = c.make();
      const { x, Y, n } = casePoint(c, model);
      assert.throws(() => model.forward(new Float64Array(model.nParams + 1), Y), /x has length \d+, expected \d+/);
      assert.throws(() => model.forward(x, zeros(model.nIn + 1, n)), /Y is \d+×\d+, expected \d+ rows/);
      const s: ModelState = model.forward(x, Y);
      assert.throws(() => model.jvp(x, s, new Float64Array(model.nParams + 2), null), /dx has length \d+, expected \d+/);
      assert.throws(() => model.jvp(x, s, null, zeros(model.nIn, n + 1)), /dY is \d+×\d+, expected \d+×\d+/);
      assert.throws(() => model.vjp(x, s, zeros(model.nOut + 1, n)), /dZ is \d+×\d+, expected \d+×\d+/);
      const short = model.nParams > 0 ? x.subarray(1) : new Float64Array(1);
      assert.throws(() => model.vjp(short, s, zeros(model.nOut, n)), /x has length \d+, expected \d+/);
    });
  }
}
