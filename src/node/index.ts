/**
 * numdl/node — what needs Node: files.
 */
export { saveModel, loadModel } from './modelFile.js';
