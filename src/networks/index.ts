export type * from './types.js';
export { chain, type ChainModel, type ChainState } from './chain.js';
export { resnet, type ResNetModel, type ResNetOptions, type ResNetState } from './resnet.js';
export { paramViews } from './params.js';
// Continuous-depth networks, integrators and stable architectures (issue 8).
export { timeGrid, type TimeGrid, type TimeGridOptions, type WeightSharing } from './timeGrid.js';
export { forwardEuler, heun, rk4, stabilityFunction, type ButcherTableau, type RungeKuttaName } from './rungeKutta.js';
export { continuousResnet, type ContinuousResNetModel, type ContinuousResNetOptions, type ContinuousResNetState } from './continuousResnet.js';
export { transposedOperator, dampedAntisymmetric, type DampedAntisymmetricOptions } from './stableOperators.js';
export { antisymmetricLayer, symmetricLayer, type AntisymmetricLayerOptions, type SymmetricLayerModel, type SymmetricLayerState } from './stableLayers.js';
export { parabolicNetwork, type ParabolicNetworkOptions } from './parabolic.js';
export { hamiltonianNetwork, type HamiltonianModel, type HamiltonianNetworkOptions, type HamiltonianPair, type HamiltonianState } from './hamiltonian.js';
export { hyperbolicNetwork, type HyperbolicModel, type HyperbolicNetworkOptions, type HyperbolicState } from './hyperbolic.js';
