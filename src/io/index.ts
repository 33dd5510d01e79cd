/**
 * Saving and loading models as plain JSON (browser-safe; the file helpers
 * `saveModel` / `loadModel` are in the Node entry `numdl/node`).
 */
export {
  modelToJSON, modelFromJSON, MODEL_FORMAT, MODEL_FORMAT_VERSION,
  type SavedModel, type SavedValue, type ModelToJSONOptions, type LoadedModel, type LoadedObjective,
} from './modelJson.js';
export type { ConstructorSpec } from '../core/spec.js';
