export type * from './types.js';
export {
  elementwise, tanh, relu, smoothRelu, smoothReluWith, sin, identityActivation, identity, activations,
  type ActivationKernel, type ElementwiseActivation, type ActivationName,
} from './activations/index.js';
export { singleLayer, type SingleLayerOptions, type SingleLayerState, type SingleLayerModel, type BiasKind } from './singleLayer.js';
export { averagePoolLayer, type AveragePoolLayer } from './averagePoolLayer.js';
