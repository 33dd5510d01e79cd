/**
 * Export of the trained model as JSON.
 */
import * as nd from 'numdl';
import { configToQuery, type PlaygroundConfig } from './config.js';
import { createSession } from './trainer.js';

/**
 * The trained model as JSON text: numdl's `modelToJSON(objective, x)` when the
 * library has it, otherwise the playground's own record — the configuration
 * (which rebuilds the network exactly) and the parameters x = [θ; vec W] with
 * the model's named parameter blocks.
 *
 * NOTE for the lead: `modelToJSON` comes with the packaging work ("pkg-model");
 * once it is on main, the fallback branch below can go.
 * @param config the run's configuration
 * @param x the iterate [θ; vec W] (length of the full objective's nParams)
 * @param iteration the iteration x belongs to
 */
export function exportModelJSON(config: PlaygroundConfig, x: Float64Array, iteration: number): string {
  const { objective } = createSession(config);
  const toJSON: unknown = Reflect.get(nd, 'modelToJSON');
  if (typeof toJSON === 'function') {
    const out = (toJSON as (o: unknown, x: Float64Array) => unknown)(objective, x);
    return typeof out === 'string' ? out : JSON.stringify(out, null, 1);
  }
  return JSON.stringify({
    format: 'numdl-playground-model',
    version: 1,
    note: 'rebuild with the playground configuration (URL query below); x = [θ; vec(W)], W column-major nc × (m + 1)',
    query: configToQuery(config),
    config,
    iteration,
    model: objective.model.name,
    nParams: objective.nParams,
    wShape: objective.wShape,
    blocks: objective.paramBlocks(),
    x: Array.from(x),
  }, null, 1);
}
