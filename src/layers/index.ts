export type * from './types.js';
export * from './activations/index.js';
export { singleLayer, type SingleLayerOptions, type SingleLayerState, type SingleLayerModel, type BiasKind } from './singleLayer.js';
