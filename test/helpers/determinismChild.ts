// Child process of test/api/determinism.test.ts: prints the bits of the short runs on the backend NUMDL_KERNELS selects.
import { shortRuns } from './determinism.js';

console.log(shortRuns());
