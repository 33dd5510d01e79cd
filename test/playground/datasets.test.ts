/**
 * The playground's data sets (playground/src/datasets.ts): sizes, the split,
 * balanced classes inside the [−3, 3]² square, the labels of the two-class
 * problems by their defining geometry, Peaks by numdl's peaksLabels, and the
 * seed deciding everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from 'numdl';
import { DATASETS } from '../../playground/src/config.js';
import { BOX, makeData } from '../../playground/src/datasets.js';

const base = { points: 400, noise: 0, valSplit: 0.25, seed: 7 };

test('every data set: sizes, one-hot labels, balance, inside the square', () => {
  for (const dataset of DATASETS) {
    const d = makeData({ ...base, dataset });
    const nc = dataset === 'peaks' ? 5 : 2;
    assert.equal(d.classes, nc);
    assert.deepEqual(d.Ytrain.shape, [2, 300], dataset);
    assert.deepEqual(d.Yval.shape, [2, 100], dataset);
    assert.deepEqual(d.Ctrain.shape, [nc, 300]);
    const counts = new Array(nc).fill(0);
    for (const l of [...d.labelsTrain, ...d.labelsVal]) counts[l]++;
    for (const c of counts) assert.ok(c >= 400 / nc - 25 && c <= 400 / nc + 25, `${dataset}: class counts ${counts}`);
    for (const v of [...d.Ytrain.data, ...d.Yval.data]) assert.ok(Math.abs(v) <= BOX + 1e-12, `${dataset}: ${v} outside the square`);
    for (let j = 0; j < 300; j++) {
      let s = 0;
      for (let k = 0; k < nc; k++) s += d.Ctrain.data[k + nc * j];
      assert.equal(s, 1);
      assert.equal(d.Ctrain.data[d.labelsTrain[j] + nc * j], 1);
    }
  }
});

test('labels follow the geometry of each problem', () => {
  const all = (dataset: (typeof DATASETS)[number]) => {
    const d = makeData({ ...base, dataset, valSplit: 0.5 });
    const pts = [...Array(200).keys()].map((j) => ({ x: d.Ytrain.data[2 * j], y: d.Ytrain.data[2 * j + 1], l: d.labelsTrain[j] }));
    return pts;
  };
  for (const p of all('xor')) assert.equal(p.l, p.x * p.y > 0 ? 0 : 1);
  for (const p of all('circles')) assert.equal(p.l, Math.hypot(p.x, p.y) < 1.5 ? 0 : 1);
  const peaks = makeData({ ...base, dataset: 'peaks' });
  const truth = nd.peaksLabels(peaks.Ytrain, { classes: 5 });
  let agree = 0;
  for (let j = 0; j < truth.length; j++) agree += truth[j] === peaks.labelsTrain[j] ? 1 : 0;
  // setupPeaks draws from a 256² mesh: its labels are peaksLabels' at the mesh points.
  assert.ok(agree / truth.length > 0.97, `peaks labels agree on ${agree}/${truth.length}`);
});

test('the seed decides everything; noise moves the points, not the labels', () => {
  for (const dataset of DATASETS) {
    const a = makeData({ ...base, dataset }), b = makeData({ ...base, dataset });
    assert.deepEqual(a.Ytrain.data, b.Ytrain.data);
    assert.deepEqual(a.labelsVal, b.labelsVal);
    const c = makeData({ ...base, dataset, seed: 8 });
    assert.notDeepEqual(a.Ytrain.data, c.Ytrain.data);
    const noisy = makeData({ ...base, dataset, noise: 0.2 });
    assert.deepEqual(noisy.labelsTrain, a.labelsTrain);
    let moved = 0;
    for (let i = 0; i < a.Ytrain.data.length; i++) moved = Math.max(moved, Math.abs(noisy.Ytrain.data[i] - a.Ytrain.data[i]));
    assert.ok(moved > 0.2 && moved < 2, `${dataset}: largest jitter ${moved}`);
  }
});
