/**
 * Saving and loading trained models as plain JSON.
 *
 * A saved model is the constructor calls that built it (every numdl
 * constructor records its call as a `spec`, src/core/spec.ts) plus the
 * parameters, bit for bit. Loading replays the calls through the registry
 * (src/io/registry.ts), so the rebuilt model runs the same code on the same
 * parameters and `predict` returns bit-identical scores.
 *
 * Format `numdl-model`, version 1:
 *
 *     { format: 'numdl-model', version: 1,
 *       model: <value>,                      // { $call: kind, args: [<value>…] }
 *       classifier: { nClasses, bias } | null,
 *       objective?: { kind, options: <value> },
 *       parameters: { encoding: 'float64-le-base64', length, data },
 *       summary: { name, nParams, nIn, nOut } }
 *
 * where a <value> is JSON (numbers as JSON numbers, which round-trip doubles
 * exactly), or one of the tagged objects
 * `{ $call: kind, args }` (an object built by a numdl constructor),
 * `{ $factory: [<value>…] }` (what a factory `k => …` returned),
 * `{ $ref: name }` (a built-in loss function),
 * `{ $typed: 'Float64Array' | 'Float32Array' | 'Int32Array', data }` (little-endian bytes, base64),
 * `{ $matrix: [rows, cols], data }` (a float64 matrix, column-major, base64),
 * `{ $number: 'NaN' | 'Infinity' | '-Infinity' | '-0' }`, `{ $undefined: true }` (in arrays).
 */
import { fail } from '../core/errors.js';
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import { FactoryResults, hasBehaviour, type ConstructorSpec } from '../core/spec.js';
import type { IndexLabels } from '../losses/labels.js';
import type { Model } from '../networks/types.js';
import { classificationObjective, type ClassificationObjective, type ClassificationObjectiveOptions } from '../objectives/classificationObjective.js';
import { varproObjective, type VarProObjective, type VarProObjectiveOptions } from '../objectives/varproObjective.js';
import { decodeTyped, encodeTyped, typedName, type TypedName } from './base64.js';
import { CONSTRUCTORS, NAMED_FUNCTIONS, OBJECTIVE_KINDS, type ObjectiveKind } from './registry.js';

/** The format name written into every saved model. */
export const MODEL_FORMAT = 'numdl-model';
/** The format version this numdl writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** A value of a saved model: JSON, with tagged objects for calls, typed arrays and special numbers. */
export type SavedValue = null | boolean | number | string | SavedValue[] | { [key: string]: SavedValue };

/** The JSON object {@link modelToJSON} returns (see the module comment for the format). */
export interface SavedModel {
  format: typeof MODEL_FORMAT;
  version: number;
  /** The model as its constructor call. */
  model: SavedValue;
  /** The linear classifier W on top of the model (in x after θ), or null when x is θ alone. */
  classifier: { nClasses: number; bias: boolean } | null;
  /** The objective's kind and options (without its data), when an objective was saved. */
  objective?: { kind: ObjectiveKind; options: SavedValue };
  /** x, bit for bit: the float64 values little-endian, base64. */
  parameters: { encoding: 'float64-le-base64'; length: number; data: string };
  /** What the model was (checked on loading): its name and sizes. */
  summary: { name: string; nParams: number; nIn: number; nOut: number };
}

/** Options of {@link modelToJSON}. */
export interface ModelToJSONOptions {
  /**
   * For a bare model whose x carries a classifier, x = [θ; vec(W)]: whether W
   * has the bias column (default true, as in {@link predict}).
   */
  bias?: boolean;
}

/** A saved objective, rebuilt on the caller's data. */
export interface LoadedObjective {
  readonly kind: ObjectiveKind;
  /** The objective's options as saved (regularisation, loss, …). */
  readonly options: ClassificationObjectiveOptions | VarProObjectiveOptions;
  /**
   * The objective over the loaded model on data Y (nIn × n) and labels C
   * (nc × n, or class indices). For a VarPro objective, optimise θ = `x.subarray(0, model.nParams)`.
   */
  create(Y: Matrix, C: Matrix | IndexLabels): ClassificationObjective | VarProObjective;
}

/** What {@link modelFromJSON} returns. */
export interface LoadedModel {
  model: Model;
  /**
   * The saved parameters: θ alone, or [θ; vec(W)] when `classifier` is set —
   * then `predict(model, x, Y, { bias: classifier.bias })` classifies new data.
   */
  x: Float64Array;
  classifier: { nClasses: number; bias: boolean } | null;
  objective?: LoadedObjective;
}

/** The spec of an object, if it carries one. */
function specOf(v: unknown): ConstructorSpec | undefined {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return undefined;
  const s = (v as { spec?: unknown }).spec;
  if (!s || typeof s !== 'object' || typeof (s as ConstructorSpec).kind !== 'string' || !Array.isArray((s as ConstructorSpec).args)) return undefined;
  return s as ConstructorSpec;
}

function isMatrix64(v: object): v is Matrix {
  const m = v as Matrix;
  return Array.isArray(m.shape) && m.shape.length === 2 && m.data instanceof Float64Array && typeof m.get === 'function';
}

/** Describe an object that cannot be saved, for the error message. */
function what(v: unknown): string {
  if (typeof v === 'function') return `a function${v.name ? ` '${v.name}'` : ''}`;
  const name = (v as { name?: unknown }).name;
  return typeof name === 'string' ? `'${name}'` : `an object (${(v as object).constructor?.name ?? 'no prototype'})`;
}

/** Encode one value of a spec; `path` names it in errors. */
function encode(fn: string, v: unknown, path: string): SavedValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { $number: 'NaN' };
    if (v === Infinity || v === -Infinity) return { $number: String(v) };
    if (Object.is(v, -0)) return { $number: '-0' };
    return v;
  }
  if (v === undefined) return { $undefined: true };
  const spec = specOf(v);
  if (spec) {
    if (!(spec.kind in CONSTRUCTORS)) fail(fn, `${path} (${what(v)}) was built by '${spec.kind}', which cannot be saved`);
    return { $call: spec.kind, args: spec.args.map((a, i) => encode(fn, a, `${path}.${spec.kind}.args[${i}]`)) };
  }
  if (typeof v === 'function') {
    for (const [name, f] of Object.entries(NAMED_FUNCTIONS)) if (f === v) return { $ref: name };
    return fail(fn, `${path} is ${what(v)}, which cannot be saved (only numdl's built-in losses are saved by name; custom functions are code)`);
  }
  if (typeof v !== 'object') return fail(fn, `${path} is a ${typeof v}, which cannot be saved`);
  if (v instanceof FactoryResults) return { $factory: v.values.map((x, k) => encode(fn, x, `${path}[factory ${k}]`)) };
  const tn = typedName(v);
  if (tn) return { $typed: tn, data: encodeTyped(v as Float64Array) };
  // Other typed arrays (integer indices, …) as plain numbers: exact, read back as number[].
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map((x, i) => encode(fn, x, `${path}[${i}]`));
  if (isMatrix64(v)) return { $matrix: [v.shape[0], v.shape[1]], data: encodeTyped(columnMajorData(v)) };
  const proto = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== null) || hasBehaviour(v)) {
    return fail(fn, `${path} is ${what(v)}, which was not built by a numdl constructor and cannot be saved (custom models, operators and activations are code: rebuild them and load the parameters with modelFromJSON(...).x)`);
  }
  const out: Record<string, SavedValue> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) fail(fn, `${path} has a key '${k}'; keys starting with '$' are reserved by the saved format`);
    if (x === undefined) continue;
    out[k] = encode(fn, x, `${path}.${k}`);
  }
  return out;
}

function isObjective(v: unknown): v is (ClassificationObjective | VarProObjective) & { spec?: ConstructorSpec } {
  return !!v && typeof v === 'object' && typeof (v as { evaluate?: unknown }).evaluate === 'function' && !!(v as { model?: unknown }).model;
}

function isModel(v: unknown): v is Model {
  const m = v as Model;
  return !!m && typeof m === 'object' && typeof m.forward === 'function' && typeof m.vjp === 'function' && Number.isInteger(m.nParams);
}

/**
 * A trained model (or an objective with its model and settings) and its
 * parameters as a plain JSON object: the constructor calls that built the
 * model, the classifier and the objective's options (regularisation, loss,
 * coupling / inner solver, bias — not its data), and x bit for bit.
 * `JSON.stringify` it to store it; {@link modelFromJSON} rebuilds it.
 *
 * - An objective from `classificationObjective`: x = [θ; vec(W)] (its nParams).
 * - An objective from `varproObjective`: x = θ, and W is solved for at θ on the
 *   objective's data (`solveW`, which also sets its warm start); or x = [θ; vec(W)].
 *   The saved x is [θ; vec(W)] either way.
 * - A model: x = θ (no classifier), or [θ; vec(W)] with W nc × (nOut + 1)
 *   (nc × nOut with `bias: false`).
 *
 * @param objectiveOrModel a numdl objective or model (built by numdl's constructors)
 * @param x its parameters (not modified)
 * @param options `bias` of a bare model's classifier
 * @returns the JSON object ({@link SavedModel})
 * @throws naming the piece that cannot be saved, e.g.
 *   `modelToJSON: model.resnet.args[0][3] is 'myLayer', which was not built by a numdl constructor …`,
 *   or when x has the wrong length
 * @example
 * const json = modelToJSON(obj, result.x);
 * const { model, x } = modelFromJSON(JSON.parse(JSON.stringify(json)));
 * predict(model, x, Y).scores // bit-identical to predict(obj.model, result.x, Y).scores
 */
export function modelToJSON(objectiveOrModel: Model | ClassificationObjective | VarProObjective, x: Float64Array, options: ModelToJSONOptions = {}): SavedModel {
  const fn = 'modelToJSON';
  if (!(x instanceof Float64Array)) fail(fn, `x must be a Float64Array, got ${x === null ? 'null' : typeof x}`);
  let model: Model;
  let classifier: SavedModel['classifier'] = null;
  let objective: SavedModel['objective'];
  let params: Float64Array;
  if (isObjective(objectiveOrModel)) {
    const obj = objectiveOrModel;
    const spec = specOf(obj);
    if (!spec || !(OBJECTIVE_KINDS as readonly string[]).includes(spec.kind)) fail(fn, 'the objective was not built by classificationObjective or varproObjective; pass its model instead to save the model alone');
    model = obj.model;
    const kind = spec.kind as ObjectiveKind;
    const [nc, nW] = obj.wShape;
    const bias = nW === model.nOut + 1;
    classifier = { nClasses: nc, bias };
    const nTheta = model.nParams;
    if (kind === 'classificationObjective') {
      if (x.length !== obj.nParams) fail(fn, `x has length ${x.length}, expected the objective's nParams = ${obj.nParams} (θ and vec(W))`);
      params = Float64Array.from(x);
    } else if (x.length === nTheta) {
      const W = (obj as VarProObjective).solveW(x).W;
      params = new Float64Array(nTheta + nc * nW);
      params.set(x);
      params.set(columnMajorData(W), nTheta);
    } else if (x.length === nTheta + nc * nW) {
      params = Float64Array.from(x);
    } else {
      return fail(fn, `x has length ${x.length}, expected θ (model.nParams = ${nTheta}) or [θ; vec(W)] (${nTheta + nc * nW})`);
    }
    // args = [model, Y, C, options]: the data are not saved.
    objective = { kind, options: encode(fn, spec.args[3] ?? {}, 'objective.options') };
  } else if (isModel(objectiveOrModel)) {
    model = objectiveOrModel;
    const rest = x.length - model.nParams;
    if (rest < 0) fail(fn, `x has length ${x.length}, less than model.nParams = ${model.nParams}`);
    if (rest > 0) {
      const bias = options.bias ?? true;
      const nW = model.nOut + (bias ? 1 : 0);
      if (rest % nW !== 0) fail(fn, `x has length ${x.length}, which is model.nParams = ${model.nParams} plus ${rest}, not a multiple of nW = ${nW} (the classifier's columns)`);
      classifier = { nClasses: rest / nW, bias };
    }
    params = Float64Array.from(x);
  } else {
    return fail(fn, 'objectiveOrModel must be a numdl model or objective');
  }
  if (!specOf(model)) fail(fn, `model ${what(model)} was not built by a numdl constructor and cannot be saved (custom models are code: rebuild them and load the parameters with modelFromJSON(...).x)`);
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    model: encode(fn, model, 'model'),
    classifier,
    parameters: { encoding: 'float64-le-base64', length: params.length, data: encodeTyped(params) },
    summary: { name: model.name, nParams: model.nParams, nIn: model.nIn, nOut: model.nOut },
  };
  if (objective) saved.objective = objective;
  return saved;
}

const SPECIAL_NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** Decode one value; `path` names the JSON field in errors. */
function decode(fn: string, v: unknown, path: string): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map((x, i) => decode(fn, x, `${path}[${i}]`));
  if (typeof v !== 'object') return fail(fn, `${path} is a ${typeof v}, not a JSON value`);
  const o = v as Record<string, unknown>;
  const tags = Object.keys(o).filter((k) => k.startsWith('$'));
  if (tags.length === 0) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      // Assigning '__proto__' would set the object's prototype instead of a field.
      if (k === '__proto__') fail(fn, `${path} has a key '__proto__', which is not allowed`);
      out[k] = decode(fn, x, `${path}.${k}`);
    }
    return out;
  }
  if (tags.length > 1) fail(fn, `${path} has several tags (${tags.join(', ')})`);
  const tag = tags[0];
  const val = o[tag];
  switch (tag) {
    case '$call': {
      if (typeof val !== 'string') fail(fn, `${path}.$call must be a constructor name, got ${JSON.stringify(val)}`);
      const ctor = Object.prototype.hasOwnProperty.call(CONSTRUCTORS, val) ? CONSTRUCTORS[val] : undefined;
      if (!ctor) fail(fn, `${path}.$call: unknown constructor '${val}' (known: ${Object.keys(CONSTRUCTORS).join(', ')})`);
      if (!Array.isArray(o.args)) fail(fn, `${path}.args must be an array (the arguments of ${val})`);
      const args = o.args.map((a, i) => decode(fn, a, `${path}.args[${i}]`));
      try {
        return ctor(...args);
      } catch (e) {
        return fail(fn, `${path} (${val}) could not be rebuilt: ${(e as Error).message}`);
      }
    }
    case '$factory': {
      if (!Array.isArray(val)) fail(fn, `${path}.$factory must be an array`);
      const values = val.map((x, k) => decode(fn, x, `${path}.$factory[${k}]`));
      return (k: number) => {
        if (!(k in values)) fail(fn, `${path}.$factory has no entry ${k} (it holds ${values.length})`);
        return values[k];
      };
    }
    case '$ref': {
      if (typeof val !== 'string' || !Object.prototype.hasOwnProperty.call(NAMED_FUNCTIONS, val)) fail(fn, `${path}.$ref: unknown function ${JSON.stringify(val)} (known: ${Object.keys(NAMED_FUNCTIONS).join(', ')})`);
      return NAMED_FUNCTIONS[val];
    }
    case '$typed': {
      if (val !== 'Float64Array' && val !== 'Float32Array' && val !== 'Int32Array') fail(fn, `${path}.$typed: unknown array type ${JSON.stringify(val)}`);
      return decodeTyped(fn, `${path}.data`, val as TypedName, o.data);
    }
    case '$matrix': {
      if (!Array.isArray(val) || val.length !== 2 || !val.every((d) => Number.isInteger(d) && d >= 0)) fail(fn, `${path}.$matrix must be [rows, cols], got ${JSON.stringify(val)}`);
      const [r, c] = val as [number, number];
      return matrix(r, c, decodeTyped(fn, `${path}.data`, 'Float64Array', o.data, r * c) as Float64Array);
    }
    case '$number': {
      if (typeof val !== 'string' || !(val in SPECIAL_NUMBERS)) fail(fn, `${path}.$number must be one of ${Object.keys(SPECIAL_NUMBERS).join(', ')}, got ${JSON.stringify(val)}`);
      return SPECIAL_NUMBERS[val as string];
    }
    case '$undefined':
      return undefined;
    default:
      return fail(fn, `${path} has an unknown tag '${tag}'`);
  }
}

/**
 * Rebuild a model saved by {@link modelToJSON}: the same constructors on the
 * same arguments, and the parameters bit for bit, so that
 * `predict(model, x, Y, { bias: classifier.bias })` gives bit-identical scores
 * (with the same kernel backend). Accepts the object or its JSON text.
 * @param json a {@link SavedModel} (or its JSON string)
 * @returns `{ model, x, classifier, objective? }`; `objective.create(Y, C)`
 *   rebuilds the saved objective on data
 * @throws naming the field, on another format or version
 *   (`modelFromJSON: version 2 is not supported (this numdl reads version 1)`),
 *   an unknown constructor, arguments a constructor rejects, parameters of
 *   the wrong length, or a model that does not match the saved summary
 * @example const { model, x, classifier } = modelFromJSON(JSON.parse(text)); predict(model, x, Y).labels
 */
export function modelFromJSON(json: SavedModel | string | unknown): LoadedModel {
  const fn = 'modelFromJSON';
  let j: unknown = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch (e) {
      return fail(fn, `json is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) fail(fn, `json must be an object (a saved model), got ${Array.isArray(j) ? 'an array' : j === null ? 'null' : typeof j}`);
  const s = j as Record<string, unknown>;
  if (s.format !== MODEL_FORMAT) fail(fn, `format is ${JSON.stringify(s.format)}, expected '${MODEL_FORMAT}'`);
  if (s.version !== MODEL_FORMAT_VERSION) fail(fn, `version ${JSON.stringify(s.version)} is not supported (this numdl reads version ${MODEL_FORMAT_VERSION})`);
  for (const k of ['model', 'parameters', 'summary']) if (!(k in s)) fail(fn, `${k} is missing`);

  const model = decode(fn, s.model, 'model');
  if (!isModel(model)) fail(fn, 'model does not describe a model (it rebuilt something without forward/vjp/nParams)');
  const sum = s.summary as Record<string, unknown>;
  if (!sum || typeof sum !== 'object') fail(fn, 'summary must be an object { name, nParams, nIn, nOut }');
  for (const k of ['nParams', 'nIn', 'nOut'] as const) {
    if (sum[k] !== model[k]) fail(fn, `summary.${k} is ${JSON.stringify(sum[k])} but the rebuilt model has ${k} = ${model[k]}`);
  }
  if (sum.name !== model.name) fail(fn, `summary.name is ${JSON.stringify(sum.name)} but the rebuilt model is named '${model.name}'`);

  let classifier: LoadedModel['classifier'] = null;
  if (s.classifier !== null && s.classifier !== undefined) {
    const c = s.classifier as Record<string, unknown>;
    if (typeof c !== 'object' || !Number.isInteger(c.nClasses) || (c.nClasses as number) <= 0 || typeof c.bias !== 'boolean') {
      fail(fn, `classifier must be null or { nClasses: positive integer, bias: boolean }, got ${JSON.stringify(s.classifier)}`);
    }
    classifier = { nClasses: c.nClasses as number, bias: c.bias as boolean };
  }
  const expected = model.nParams + (classifier ? classifier.nClasses * (model.nOut + (classifier.bias ? 1 : 0)) : 0);
  const p = s.parameters as Record<string, unknown>;
  if (!p || typeof p !== 'object') fail(fn, 'parameters must be an object { encoding, length, data }');
  if (p.encoding !== 'float64-le-base64') fail(fn, `parameters.encoding is ${JSON.stringify(p.encoding)}, expected 'float64-le-base64'`);
  if (p.length !== expected) fail(fn, `parameters.length is ${JSON.stringify(p.length)}, expected ${expected} (model.nParams = ${model.nParams}${classifier ? ` plus the ${classifier.nClasses}-class classifier` : ''})`);
  const x = decodeTyped(fn, 'parameters.data', 'Float64Array', p.data, expected) as Float64Array;

  const out: LoadedModel = { model, x, classifier };
  if (s.objective !== undefined) {
    const o = s.objective as Record<string, unknown>;
    if (!o || typeof o !== 'object' || !(OBJECTIVE_KINDS as readonly unknown[]).includes(o.kind)) {
      fail(fn, `objective.kind must be one of ${OBJECTIVE_KINDS.join(', ')}, got ${JSON.stringify(o?.kind)}`);
    }
    const kind = o.kind as ObjectiveKind;
    const opts = decode(fn, o.options ?? {}, 'objective.options');
    if (!opts || typeof opts !== 'object' || Array.isArray(opts)) fail(fn, 'objective.options must be an object');
    if (!classifier) fail(fn, 'objective is given but classifier is null (a saved objective has a classifier)');
    const options = opts as ClassificationObjectiveOptions & VarProObjectiveOptions;
    out.objective = {
      kind,
      options,
      create: (Y: Matrix, C: Matrix | IndexLabels) => (kind === 'classificationObjective' ? classificationObjective(model, Y, C, options) : varproObjective(model, Y, C, options)),
    };
  }
  return out;
}
