/**
 * Child process of test/core/threads.test.ts: starts two kernel threads,
 * kills the worker while the main thread stays busy (so its `exit` event
 * cannot be handled), then runs a threaded product and a threaded
 * convolution that hand chunks to the dead worker. Prints one JSON line: the
 * largest difference from the single-threaded results and the pool status.
 * Before the bounded wait, the product never returned (Atomics.wait forever).
 *
 *   node --import tsx test/helpers/deadWorker.ts
 */
import { wasmConv2d } from '../../src/core/wasm/conv2d.js';
import { wasmGemm } from '../../src/core/wasm/gemm.js';
import { setWasmThreads, startWasmThreads, wasmPoolWorkers, wasmThreadStatus, wasmThreadsReady } from '../../src/core/wasm/threads.js';

const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${(w as { code?: string }).code}: ${w.message}`));

const m = 300, n = 300, k = 200;
const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i)), b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
const geo = { nx: 28, ny: 28, kx: 3, ky: 3, cin: 4, cout: 4 };
const nc = 40;
const theta = Float64Array.from({ length: 144 }, (_, i) => Math.sin(3 * i)), y = Float64Array.from({ length: 784 * 4 * nc }, (_, i) => Math.cos(0.1 * i));

setWasmThreads(1);
const c1 = new Float64Array(m * n), z1 = new Float64Array(784 * 4 * nc);
wasmGemm(c1, m, n, k, a, m, false, b, k, false, 1, 0);
wasmConv2d(z1, theta, y, nc, geo);

setWasmThreads(2);
startWasmThreads();
for (let i = 0; i < 400 && wasmThreadsReady() < 1; i++) await new Promise((r) => setTimeout(r, 25));
if (wasmThreadsReady() < 1) throw new Error('deadWorker: no worker became ready');
void wasmPoolWorkers()[0].terminate();
// Stay synchronous for 300 ms: the worker dies meanwhile, the pool does not hear of it.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
const t0 = performance.now();
const c2 = new Float64Array(m * n), z2 = new Float64Array(784 * 4 * nc);
wasmGemm(c2, m, n, k, a, m, false, b, k, false, 1, 0);
const status = wasmThreadStatus();
wasmConv2d(z2, theta, y, nc, geo); // a new pool: works again
const ms = performance.now() - t0;
let diff = 0;
for (let i = 0; i < c1.length; i++) diff = Math.max(diff, Math.abs(c1[i] - c2[i]));
for (let i = 0; i < z1.length; i++) diff = Math.max(diff, Math.abs(z1[i] - z2[i]));
await new Promise((r) => setTimeout(r, 50)); // let the warning event arrive
console.log(JSON.stringify({ diff, status, warnings, ms }));
process.exit(0);
