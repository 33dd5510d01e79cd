/**
 * The model contract (Model, ModelState, ParamBlock, VjpOptions), defined in
 * src/core/model.ts below the layers that implement it; re-exported here
 * under the names networks have always used.
 */
export type { Model, ModelState, ParamBlock, VjpOptions } from '../core/model.js';
