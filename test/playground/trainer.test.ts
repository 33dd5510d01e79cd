/**
 * One playground run outside the browser (playground/src/trainer.ts, what the
 * Web Worker executes): the message sequence, every optimizer lowering the
 * objective on a small problem, determinism, resuming from a received iterate
 * (as Pause → Train does), VarPro's iterates completed by W(θ), and the views.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, OPTIMIZERS, OPTIMIZER_DEFAULTS, type PlaygroundConfig } from '../../playground/src/config.js';
import { VIEW_BOX, computeViews, createSession, runTraining, type ProgressMessage, type TrainerMessage, type ViewsMessage } from '../../playground/src/trainer.js';

const small: PlaygroundConfig = { ...DEFAULT_CONFIG, points: 200, width: 4, depth: 4, T: 2, iterations: 4 };

function collect(req: Parameters<typeof runTraining>[0]): TrainerMessage[] {
  const out: TrainerMessage[] = [];
  // structuredClone with transfer, as postMessage does: a transferred buffer must not be used afterwards.
  runTraining(req, (m, transfer) => out.push(structuredClone(m, { transfer: transfer ?? [] })));
  return out;
}
const progress = (ms: TrainerMessage[]) => ms.filter((m): m is ProgressMessage => m.type === 'progress');

test('the start (maxIter 0): setup, one progress row, views, done — for every optimizer', () => {
  for (const optimizer of OPTIMIZERS) {
    const config = { ...small, optimizer, ...OPTIMIZER_DEFAULTS[optimizer], iterations: 4 };
    const ms = collect({ config, maxIter: 0 });
    assert.deepEqual(ms.map((m) => m.type), ['setup', 'progress', 'views', 'views', 'done'], optimizer);
    const setup = ms[0] as Extract<TrainerMessage, { type: 'setup' }>;
    const p = progress(ms)[0];
    assert.equal(p.iter, 0);
    assert.equal(p.x.length, setup.nParams, `${optimizer}: x = [θ; vec W]`);
    // W₀ = 0 predicts one class (≈ 1/5 right); VarPro starts from W(θ₀), the best classifier on the initial features.
    if (optimizer === 'varpro') assert.ok(p.trainAcc > 0.4, `varpro: accuracy ${p.trainAcc} at the start`);
    else assert.ok(Math.abs(p.trainAcc - 0.2) < 0.1, `${optimizer}: accuracy ${p.trainAcc} at the start`);
    assert.ok(Math.abs(p.valLoss - Math.log(5)) < (optimizer === 'varpro' ? 1 : 1e-12), `${optimizer}: validation loss ${p.valLoss}`);
    assert.match(setup.kernels, /^kernels: /);
  }
});

test('every optimizer lowers the objective and raises the accuracy on a small Peaks problem', () => {
  for (const optimizer of OPTIMIZERS) {
    const config = { ...small, optimizer, ...OPTIMIZER_DEFAULTS[optimizer], iterations: optimizer === 'lbfgs' ? 20 : 5 };
    const ms = collect({ config, viewEvery: 0 });
    const rows = progress(ms);
    const done = ms[ms.length - 1] as Extract<TrainerMessage, { type: 'done' }>;
    assert.equal(done.type, 'done');
    assert.deepEqual(rows.map((r) => r.iter), [...Array(done.iterations + 1).keys()], optimizer);
    const first = rows[0], last = rows[rows.length - 1];
    assert.ok(last.trainLoss < 0.8 * first.trainLoss, `${optimizer}: loss ${first.trainLoss} → ${last.trainLoss}`);
    assert.ok(last.trainAcc > first.trainAcc + 0.1, `${optimizer}: accuracy ${first.trainAcc} → ${last.trainAcc}`);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i].time >= rows[i - 1].time, 'training time never decreases');
    assert.equal(ms.filter((m) => m.type === 'views').length, rows.length + 1, 'views every iteration (viewEvery 0) and at the end');
  }
});

test('same configuration, same iterates', () => {
  const a = progress(collect({ config: small })), b = progress(collect({ config: small }));
  assert.deepEqual(a.map((r) => Array.from(r.x)), b.map((r) => Array.from(r.x)));
  const other = progress(collect({ config: { ...small, seed: 2 } }));
  assert.notDeepEqual(Array.from(other[0].x), Array.from(a[0].x));
});

test('resuming from a received iterate continues the numbering, the time and the objective', () => {
  const config = { ...small, iterations: 6 };
  const first = progress(collect({ config, maxIter: 3 }));
  assert.equal(first[first.length - 1].iter, 3);
  const last = first[first.length - 1];
  const second = progress(collect({ config, x0: last.x, startIter: 3, startTime: last.time }));
  assert.deepEqual(second.map((r) => r.iter), [3, 4, 5, 6]);
  assert.equal(second[0].objective, last.objective, 'row 0 of the resumed run is the last iterate');
  assert.deepEqual(Array.from(second[0].x), Array.from(last.x));
  assert.ok(second[0].time >= last.time);
  assert.ok(second[3].objective < last.objective);
  // The budget is the configuration's: nothing left to do after iteration 6.
  const none = progress(collect({ config, x0: second[3].x, startIter: 6 }));
  assert.deepEqual(none.map((r) => r.iter), [6]);
});

test('VarPro: iterates are θ completed by W(θ); accuracy from the completed x', () => {
  const config = { ...small, optimizer: 'varpro' as const, ...OPTIMIZER_DEFAULTS.varpro, iterations: 3 };
  const ms = collect({ config });
  const s = createSession(config);
  const rows = progress(ms);
  for (const r of rows) {
    assert.equal(r.x.length, s.objective.nParams);
    const W = r.x.subarray(s.objective.nTheta);
    assert.ok(W.some((w) => w !== 0), 'W(θ) is filled in');
  }
  const last = rows[rows.length - 1];
  assert.ok(last.trainAcc > 0.4, `accuracy ${last.trainAcc}`);
});

test('views: regions, trajectories on t = jh, step spectra', () => {
  const config = { ...small, step: 'hamiltonian' as const };
  const s = createSession(config);
  const v: ViewsMessage = computeViews(s, s.x0, 0, 20);
  assert.equal(v.regions.size, 20);
  assert.equal(v.regions.box, VIEW_BOX);
  assert.ok(v.regions.labels.every((l) => l < 5));
  assert.ok(v.regions.confidence.every((c) => c >= 0.2 - 1e-6 && c <= 1 + 1e-6), 'the predicted class has probability ≥ 1/nc');
  assert.deepEqual(Array.from(v.trajectories.t), [0, 0.5, 1, 1.5, 2]);
  assert.equal(v.trajectories.values.length, 5, 'one point per class');
  assert.equal(v.trajectories.values[0].length, 5 * 4);
  assert.equal(v.spectrum.region, 'imaginary');
  assert.equal(v.spectrum.h, 0.5);
  assert.equal(v.spectrum.re.length, 4 * 5 * 8, 'N steps × 5 points × 2m eigenvalues');
});

test('bad requests fail with a message naming the problem', () => {
  assert.throws(() => runTraining({ config: { ...small, depth: 0, lr: -1 } }, () => {}), {
    message: 'runTraining: invalid configuration: depth must be ≥ 1, got 0; lr must be > 0, got -1',
  });
  assert.throws(() => runTraining({ config: small, x0: new Float64Array(3) }, () => {}), /runTraining: x0 has length 3, expected \d+ \(\[θ; vec W\] of this configuration\)/);
});
