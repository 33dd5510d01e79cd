/**
 * The playground's configuration (playground/src/config.ts): defaults are the
 * flagship, validation names the field and value, and every valid
 * configuration round-trips through the URL query; bad links fall back to
 * defaults with a warning instead of breaking the page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from 'numdl';
import {
  ACTIVATIONS, DATASETS, DEFAULT_CONFIG, NUMBER_RULES, OPTIMIZERS, OPTIMIZER_DEFAULTS, OPTIMIZER_FIELDS, STEPS, URL_KEYS,
  configFromQuery, configToQuery, stepSize, validateConfig, type PlaygroundConfig,
} from '../../playground/src/config.js';

test('the default is the flagship: Peaks, ResNet width 8, N = 16, T = 4, tanh, Newton-CG', () => {
  const c = DEFAULT_CONFIG;
  assert.deepEqual([c.dataset, c.step, c.width, c.depth, c.T, c.activation, c.optimizer], ['peaks', 'resnet', 8, 16, 4, 'tanh', 'newtonCG']);
  assert.equal(stepSize(c), 0.25);
  assert.deepEqual(validateConfig({ ...c }), []);
  for (const o of OPTIMIZERS) assert.deepEqual(validateConfig({ ...c, optimizer: o, ...OPTIMIZER_DEFAULTS[o] }), [], o);
  for (const o of OPTIMIZERS) for (const f of OPTIMIZER_FIELDS[o]) assert.ok(f in URL_KEYS, `${o}: ${f}`);
});

test('validateConfig names the field and the value', () => {
  assert.deepEqual(validateConfig({ ...DEFAULT_CONFIG, depth: 0 }), ['depth must be ≥ 1, got 0']);
  assert.deepEqual(validateConfig({ ...DEFAULT_CONFIG, width: 2.5 }), ['width must be an integer, got 2.5']);
  assert.deepEqual(validateConfig({ ...DEFAULT_CONFIG, T: 0 }), ['T must be > 0, got 0']);
  assert.deepEqual(validateConfig({ ...DEFAULT_CONFIG, step: 'euler' as never }), ['step must be one of resnet, antisymmetric, hamiltonian, parabolic, hyperbolic, got euler']);
  assert.deepEqual(validateConfig({ ...DEFAULT_CONFIG, valSplit: 0.95, lr: NaN }), ['valSplit must be ≤ 0.9, got 0.95', 'lr must be a finite number, got NaN']);
});

/** A random valid configuration. */
function randomConfig(seed: number): PlaygroundConfig {
  const rng = createRng(seed);
  const pick = <T>(a: readonly T[]) => a[rng.randi(a.length)];
  const c: Record<string, unknown> = {
    dataset: pick(DATASETS), step: pick(STEPS), activation: pick(ACTIVATIONS), optimizer: pick(OPTIMIZERS),
  };
  for (const [key, r] of Object.entries(NUMBER_RULES)) {
    const hi = Math.min(r.max, r.min + 50);
    const v = r.min + (hi - r.min) * rng.uniform();
    c[key] = r.integer ? Math.max(r.openMin ? r.min + 1 : r.min, Math.round(v)) : v === r.min && r.openMin ? hi : v;
  }
  c.points = 200 + rng.randi(1000);
  c.valSplit = 0.1 + 0.5 * rng.uniform();
  return c as unknown as PlaygroundConfig;
}

test('every valid configuration round-trips through the URL (all fields, exact numbers)', () => {
  for (let s = 0; s < 50; s++) {
    const c = randomConfig(s);
    assert.deepEqual(validateConfig(c), [], `seed ${s}`);
    const q = configToQuery(c);
    for (const short of Object.values(URL_KEYS)) assert.match(q, new RegExp(`(^|&)${short}=`), `${short} missing from ${q}`);
    const back = configFromQuery(`?${q}`);
    assert.deepEqual(back.warnings, []);
    assert.deepEqual(back.config, c);
  }
});

test('bad links keep the defaults of the bad fields and say why', () => {
  const { config, warnings } = configFromQuery('?data=mnist&N=-3&T=abc&opt=adam&lr=0.5');
  assert.equal(config.dataset, 'peaks');
  assert.equal(config.depth, 16);
  assert.equal(config.T, 4);
  assert.equal(config.optimizer, 'adam');
  assert.equal(config.lr, 0.5);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /^data=mnist: must be one of peaks, spirals/);
  assert.match(warnings[1], /^N=-3: depth must be ≥ 1, got -3; using 16$/);
  assert.match(warnings[2], /^T=abc: T must be a finite number/);
  assert.deepEqual(configFromQuery('').config, DEFAULT_CONFIG);
});
