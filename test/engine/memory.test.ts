import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// Runs in a child process with --expose-gc: Newton-CG on the flagship network
// (300 points), retained heap (JS heap + array buffers, after gc()) after 1 and
// after 100 iterations, through the default (plan) path.
const SCRIPT = `
import { createRng } from './src/core/rng.js';
import { dense } from './src/operators/index.js';
import { singleLayer } from './src/layers/index.js';
import { resnet } from './src/networks/index.js';
import { setupPeaks } from './src/data/index.js';
import { classificationObjective } from './src/objectives/index.js';
import { newtonCG } from './src/optimizers/index.js';
const rng = createRng(1);
const net = resnet(() => singleLayer(dense(8, 8), { activation: 'tanh', bias: 'vector' }), { steps: 16, T: 4, opening: singleLayer(dense(8, 2), { activation: 'tanh', bias: 'vector' }) });
const { Y, C } = setupPeaks({ n: 300, rng: rng.fork('data') });
const obj = classificationObjective(net, Y, C, { regularization: { theta: 1e-5, W: 1e-5 }, threads: 1 });
const retained = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
let x = obj.initialize(rng);
x = newtonCG(obj, x, { maxIter: 1, cgMaxIter: 10, gradTol: 0, relGradTol: 0, relDecreaseTol: 0 }).x;
const after1 = retained();
const r = newtonCG(obj, x, { maxIter: 100, cgMaxIter: 10, gradTol: 0, relGradTol: 0, relDecreaseTol: 0 });
const after100 = retained();
console.log(JSON.stringify({ engine: obj.engine, after1, after100, iterations: r.iterations }));
`;

test('memory: retained heap after 100 Newton-CG iterations within 5 MiB of after 1 (plan path, --expose-gc)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const p = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(p.status, 0, `child failed: ${p.stderr}`);
  const out = JSON.parse(p.stdout.trim().split('\n').pop() as string) as { engine: string; after1: number; after100: number; iterations: number };
  assert.equal(out.engine, 'plan');
  assert.ok(out.iterations >= 50, `only ${out.iterations} iterations ran`);
  const grew = (out.after100 - out.after1) / 2 ** 20;
  assert.ok(grew < 5, `retained memory grew by ${grew.toFixed(2)} MiB over 100 iterations (${(out.after1 / 2 ** 20).toFixed(1)} → ${(out.after100 / 2 ** 20).toFixed(1)} MiB)`);
});
