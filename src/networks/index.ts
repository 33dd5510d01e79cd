export type * from './types.js';
export { chain, type ChainModel, type ChainState } from './chain.js';
export { resnet, type ResNetModel, type ResNetOptions, type ResNetState } from './resnet.js';
export { paramViews } from './params.js';
