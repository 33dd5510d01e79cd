/**
 * Optimizers over matrix-free objectives: steepest descent, Newton-CG,
 * Gauss-Newton (with Levenberg–Marquardt damping), the VarPro driver, L-BFGS,
 * the stochastic family (SGD with (Nesterov) momentum, AdaGrad, ADAM), sample
 * average approximation, line searches and histories.
 */
export type { OptimizerStatus, HistoryValue, HistoryRow, IterationCallback, CommonOptions, OptimizerResult } from './types.js';
export type { DescentOptions } from './descent.js';
export { armijoLineSearch, wolfeLineSearch } from './lineSearch.js';
export type { LineSearchResult, ArmijoOptions, WolfeOptions, LineStart } from './lineSearch.js';
export { formatHistory, formatScientific } from './printer.js';
export { steepestDescent } from './steepestDescent.js';
export type { SteepestDescentOptions } from './steepestDescent.js';
export { newtonCG } from './newtonCG.js';
export type { NewtonCGOptions } from './newtonCG.js';
export { gaussNewton } from './gaussNewton.js';
export type { GaussNewtonOptions } from './gaussNewton.js';
export { varpro } from './varpro.js';
export type { VarproOptions, VarproResult, VarproMethod } from './varpro.js';
export { lbfgs } from './lbfgs.js';
export type { LbfgsOptions } from './lbfgs.js';
export { learningRate } from './stochastic.js';
export type { StochasticOptions, StochasticResult, LearningRateSchedule } from './stochastic.js';
export { sgd } from './sgd.js';
export type { SgdOptions } from './sgd.js';
export { adagrad } from './adagrad.js';
export type { AdagradOptions } from './adagrad.js';
export { adam } from './adam.js';
export type { AdamOptions } from './adam.js';
export { sampledObjective } from './sampledObjective.js';
export type { SampledObjective } from './sampledObjective.js';
export { nonlinearCG } from './nonlinearCG.js';
export type { NonlinearCGOptions, NonlinearCGVariant } from './nonlinearCG.js';
