export type { LossResult, LossFunction } from './types.js';
export { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
export { leastSquares } from './leastSquares.js';
export { tikhonov, type Regularizer, type TikhonovOptions, type RegularizerLike } from './tikhonov.js';
export { softmax, argmaxColumns, predictClasses, accuracy, labelAccuracy } from './classify.js';
export { oneHot, classes, type IndexLabels } from './labels.js';
