/**
 * numdl/node — what needs Node.js: reading MNIST's IDX files (optionally
 * gzip-compressed) from disk, and model files (saveModel / loadModel). The
 * main entry `numdl` imports no `node:` module, so that it bundles for
 * browsers and Web Workers; this entry may.
 */
export { loadMnist, type LoadMnistOptions, type MnistData, type MnistSet } from './mnist.js';
export { parseIdx, isGzip, type IdxArray, type IdxHeader, type IdxType, type ParseIdxOptions } from './idx.js';
export { saveModel, loadModel } from './modelFile.js';
