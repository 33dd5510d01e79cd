/**
 * The public contract: the names users and tests rely on exist in the
 * package's entries (the numerics in the main one, MNIST loading in
 * `numdl/node`), the built package imports by its name, and importing the
 * numerics does not load the plotting dependencies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import * as nd from '../../src/index.js';
import * as ndNode from '../../src/node/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const CONTRACT = [
  'matrix', 'zeros', 'eye', 'randn', 'vec', 'mat', 'matmul', 'createRng', 'kron',
  'fft', 'ifft', 'fft2', 'ifft2', 'pcg', 'cgls', 'svd', 'eigvals', 'taylorTest', 'adjointTest',
  'dense', 'diagonal', 'antisymmetric', 'mMatrix', 'conv1d', 'conv2d', 'circulantEigenvalues',
  'tanh', 'relu', 'smoothRelu', 'sin', 'identity',
  'singleLayer', 'chain', 'resnet',
  'softmaxCrossEntropy', 'leastSquares',
  'classificationObjective', 'varproObjective',
  'sgd', 'adam', 'steepestDescent', 'newtonCG', 'gaussNewton', 'varpro', 'lbfgs',
  'peaks', 'setupPeaks',
];

test('every name of the contract is exported from the main entry (and loadMnist from numdl/node)', () => {
  const missing = CONTRACT.filter((name) => !(name in nd));
  assert.deepEqual(missing, [], `missing exports: ${missing.join(', ')}`);
  for (const name of CONTRACT) {
    const v = (nd as Record<string, unknown>)[name];
    assert.ok(typeof v === 'function' || (typeof v === 'object' && v !== null), `${name} is ${typeof v}`);
  }
  // identity is the activation (an object with evaluate), not a LinearOperator factory
  assert.equal(typeof nd.identity.evaluate, 'function');
  assert.equal(typeof ndNode.loadMnist, 'function');
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('the numerics never import the plots entry point or its dependencies', () => {
  const offenders: string[] = [];
  for (const f of sourceFiles(join(root, 'src'))) {
    if (f.includes(`${join('src', 'plots')}`)) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (/plots|^pngjs|^vega/.test(spec)) offenders.push(`${f}: ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the built package (dist/) imports by its name in a plain Node process', () => {
  const script = `
    const nd = await import('numdl');
    const A = nd.matrix(2, 2, new Float64Array([1, 2, 3, 4]));
    const B = nd.matmul(A, A);
    console.log(JSON.stringify({ b: Array.from(B.data), hasPlots: 'saveImageGrid' in nd }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  assert.deepEqual(r.b, [7, 10, 15, 22]);
  assert.equal(r.hasPlots, false, 'plots must live in numdl/plots, not the main entry');
});

test('the CommonJS build (dist/cjs) computes like the ESM one and draws with the ESM-only vega', () => {
  const script = `
    const nd = require('numdl');
    const plots = require('numdl/plots');
    const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
    const { join } = require('node:path');
    const dir = mkdtempSync(join(require('node:os').tmpdir(), 'numdl-cjs-'));
    (async () => {
      const esm = await import('numdl');
      const rng = nd.createRng(5);
      const A = nd.randn(40, 30, rng), B = nd.randn(30, 20, rng);
      const same = Array.from(nd.matmul(A, B).data).every((v, i) => v === esm.matmul(A, B).data[i]);
      const svg = readFileSync(await plots.saveLineChart(join(dir, 'c.svg'), [{ name: 'a', x: [1, 2, 3], y: [3, 1, 2] }]), 'utf8');
      const png = readFileSync(await plots.saveImageGrid(join(dir, 'g.png'), nd.zeros(4, 2), [2, 2]));
      rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ same, twoCopies: nd.matmul !== esm.matmul, svg: svg.startsWith('<svg'), png: png.subarray(1, 4).toString() }));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  assert.deepEqual(r, { same: true, twoCopies: true, svg: true, png: 'PNG' });
});
