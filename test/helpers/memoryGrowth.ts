/**
 * Child process of test/layers/memory.test.ts (run with `node --expose-gc
 * --import tsx`): trains the flagship-shaped ResNet (opening 2 → 8, 16
 * residual steps of width 8) by Newton-CG on synthetic data and prints, as
 * one JSON line, the retained JS heap (V8 heap + ArrayBuffer backing stores) and the live resident WebAssembly bytes
 * after gc() following iteration 1 and iteration `iters`.
 *
 *   node --expose-gc --import tsx test/helpers/memoryGrowth.ts [n] [iters]
 */
import { createRng, randn, zeros } from '../../src/core/index.js';
import { residentMemoryStats } from '../../src/core/wasm/resident.js';
import { singleLayer } from '../../src/layers/index.js';
import { resnet } from '../../src/networks/index.js';
import { classificationObjective } from '../../src/objectives/index.js';
import { dense } from '../../src/operators/index.js';
import { newtonCG } from '../../src/optimizers/index.js';

const n = Number(process.argv[2] ?? 2000);
const iters = Number(process.argv[3] ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('memoryGrowth: run with node --expose-gc');

const rng = createRng(7);
const Y = randn(2, n, rng);
const C = zeros(3, n);
for (let j = 0; j < n; j++) C.data[3 * j + ((Y.data[2 * j] > 0 ? 1 : 0) + (Y.data[2 * j + 1] > 0.5 ? 1 : 0))] = 1;
const opening = singleLayer(dense(8, 2), { activation: 'tanh', bias: 'vector' });
const model = resnet(() => singleLayer(dense(8, 8), { activation: 'tanh', bias: 'vector' }), { steps: 16, T: 4, opening });
const objective = classificationObjective(model, Y, C, { regularization: { theta: 1e-5, W: 1e-5 } });
const x0 = new Float64Array(objective.nParams);
x0.set(model.initialize(rng));

/** Retained heap and resident bytes after a full collection. */
function retained(): { heap: number; resident: number } {
  gc!();
  gc!();
  const u = process.memoryUsage();
  return { heap: u.heapUsed + u.arrayBuffers, resident: residentMemoryStats().liveBytes };
}

const samples: { iter: number; heap: number; resident: number }[] = [];
// One synchronous run, as a user's script would do it; the samples are taken
// from inside it (the WeakRef / FinalizationRegistry leak only shows there).
newtonCG(objective, x0, {
  maxIter: iters, cgMaxIter: 10, gradTol: 0, relGradTol: 0,
  onIteration: (info: { iter: number }) => {
    if (info.iter === 1 || info.iter === iters) samples.push({ iter: info.iter, ...retained() });
  },
});
console.log(JSON.stringify({ n, iters, samples }));
