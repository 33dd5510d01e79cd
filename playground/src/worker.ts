/**
 * The playground's Web Worker (all numdl work happens here, none on the page):
 * a {@link RunRequest} starts one training run, every report going back by
 * postMessage (the page terminates the worker to pause, so this never needs to
 * listen while the optimizer runs); an {@link ExportRequest} answers with the
 * model as JSON.
 */
import type { PlaygroundConfig } from './config.js';
import { exportModelJSON } from './exportModel.js';
import { runTraining, type RunRequest } from './trainer.js';

/** Ask for the model JSON of an iterate. */
export interface ExportRequest {
  kind: 'export';
  config: PlaygroundConfig;
  x: Float64Array;
  iteration: number;
}

interface WorkerScope {
  onmessage: ((e: { data: RunRequest | ExportRequest }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  try {
    const req = e.data;
    if ('kind' in req && req.kind === 'export') {
      scope.postMessage({ type: 'model', json: exportModelJSON(req.config, req.x, req.iteration) });
      return;
    }
    runTraining(req as RunRequest, (msg, transfer) => scope.postMessage(msg, transfer ?? []));
  } catch (err) {
    const error = err as Error;
    scope.postMessage({ type: 'error', message: error?.message ?? String(err) });
  }
};
