/**
 * The training Web Worker: one message (a {@link RunRequest}) starts one run;
 * every report goes back by postMessage (the page terminates the worker to
 * pause, so this never needs to listen while the optimizer runs).
 */
import { runTraining, type RunRequest } from './trainer.js';

interface WorkerScope {
  onmessage: ((e: { data: RunRequest }) => void) | null;
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  try {
    runTraining(e.data, (msg, transfer) => scope.postMessage(msg, transfer ?? []));
  } catch (err) {
    const error = err as Error;
    scope.postMessage({ type: 'error', message: error?.message ?? String(err) });
  }
};
