/**
 * Model files: {@link modelToJSON} / {@link modelFromJSON} to and from disk (Node only).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fail } from '../core/errors.js';
import type { Model } from '../networks/types.js';
import type { ClassificationObjective } from '../objectives/classificationObjective.js';
import type { VarProObjective } from '../objectives/varproObjective.js';
import { modelFromJSON, modelToJSON, type LoadedModel, type ModelToJSONOptions, type SavedModel } from '../io/modelJson.js';

/**
 * Write a trained model (or objective) and its parameters to a JSON file.
 * @param path the file to write (overwritten)
 * @param objectiveOrModel as {@link modelToJSON}
 * @param x the parameters
 * @param options as {@link modelToJSON}
 * @returns the saved JSON object
 * @throws as {@link modelToJSON}, or when the file cannot be written
 * @example await saveModel('out/resnet.json', obj, result.x)
 */
export async function saveModel(path: string, objectiveOrModel: Model | ClassificationObjective | VarProObjective, x: Float64Array, options: ModelToJSONOptions = {}): Promise<SavedModel> {
  if (typeof path !== 'string' || path === '') fail('saveModel', `path must be a non-empty string, got ${JSON.stringify(path)}`);
  const json = modelToJSON(objectiveOrModel, x, options);
  try {
    await writeFile(path, JSON.stringify(json) + '\n');
  } catch (e) {
    return fail('saveModel', `cannot write ${path}: ${(e as Error).message}`, 'unavailable', { path });
  }
  return json;
}

/**
 * Read a model file written by {@link saveModel}.
 * @param path the file
 * @returns as {@link modelFromJSON}
 * @throws when the file cannot be read or is not JSON (`loadModel: out/m.json is not JSON: …`), else as {@link modelFromJSON}
 * @example const { model, x } = await loadModel('out/resnet.json'); predict(model, x, Y)
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  if (typeof path !== 'string' || path === '') fail('loadModel', `path must be a non-empty string, got ${JSON.stringify(path)}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return fail('loadModel', `cannot read ${path}: ${(e as Error).message}`, 'unavailable', { path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail('loadModel', `${path} is not JSON: ${(e as Error).message}`);
  }
  return modelFromJSON(json);
}
