/**
 * The execution engine: networks compiled once into plans, run as
 * whole-network WebAssembly passes over workspaces the caller owns
 * (docs/engine.md).
 */
export { compileNetwork, networkPlanSupport, type NetworkPlan, type PlanLayer, type PlanActivation, type NetworkPlanSupportOptions } from './plan.js';
export { compileConvNetwork, convPlanSupport, type ConvNetworkPlan, type ConvStage, type PoolStage } from './convPlan.js';
export { compile, type CompileOptions, type CompiledNetwork } from './compile.js';
export type { WorkspaceOptions, Precision } from './workspace.js';
