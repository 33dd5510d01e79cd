export type * from './types.js';
export type { LossOption, RegularizationOptions, ObjectiveCounters } from './common.js';
export { classificationObjective, type ClassificationObjective, type ClassificationObjectiveOptions } from './classificationObjective.js';
export {
  varproObjective, type VarProObjective, type VarProObjectiveOptions, type VarProInnerOptions, type VarProInnerReport, type InnerSolver,
} from './varproObjective.js';
export { innerNewtonCG, type InnerNewtonOptions, type InnerReport } from './innerNewton.js';
export { predict, type PredictOptions, type Prediction } from './predict.js';
export { linearClassifierObjective, type FeatureColumns, type LinearClassifierObjective, type LinearClassifierOptions } from './linearClassifierObjective.js';
