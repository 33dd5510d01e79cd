/**
 * The package as a user gets it: `npm pack` (of the current build), the
 * tarball extracted into a temporary folder's node_modules/numdl, its runtime
 * dependencies linked from this repository's node_modules (no network, no
 * npm install), and small consumer projects beside it that
 * - `require` every entry (CommonJS) and `import` every entry (ESM),
 * - compile with `tsc` under `strict` without `skipLibCheck` — `module:
 *   nodenext` as ESM and as CommonJS, `module: commonjs` with and without
 *   `esModuleInterop`, and a browser project (`moduleResolution: bundler`, DOM
 *   types, no Node types) — and run what tsc emitted,
 * - bundle `import * as nd from 'numdl'` for the browser with esbuild.
 * The optional peers (pngjs, vega) are absent there, as for a numerics user:
 * the plots must say what to install. Needs the build (`npm run build`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { publicSurface } from '../helpers/publicSurface.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'cjs', 'index.js'));
const skip = built ? false : 'dist/ or dist/cjs/ missing: run npm run build';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

let tmp = '';

/** Run a command; on failure the assertion shows its output. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Write `files` (relative path ↦ text) under `dir`. */
function writeProject(dir: string, files: Record<string, string | object>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

before(() => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), 'numdl-package-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' })) as Array<{ filename: string }>;
  const modules = join(tmp, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  run('tar', ['-xzf', join(tmp, packed[0].filename), '-C', modules], tmp);
  run('mv', [join(modules, 'package'), join(modules, 'numdl')], tmp);
  // The runtime dependencies as npm would install them (linked: their own dependencies resolve beside them).
  const pkg = JSON.parse(readFileSync(join(modules, 'numdl', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) symlinkSync(join(root, 'node_modules', dep), join(modules, dep));
  // Node's types for the Node consumers (the browser project opts out with `types: []`).
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the tarball holds both builds and no stale or test files', { skip }, () => {
  const pkgDir = join(tmp, 'node_modules', 'numdl');
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/node/index.js', 'dist/cjs/node/index.js', 'dist/internals.js', 'dist/plots/index.js']) {
    assert.ok(existsSync(join(pkgDir, f)), `${f} in the tarball`);
  }
  for (const f of ['dist/data/mnist.js', 'test', 'node_modules']) assert.ok(!existsSync(join(pkgDir, f)), `${f} must not be in the tarball`);
});

/** The script both module systems run: every entry loads, the numerics compute, the surface is the committed one. */
const CHECKS = `
  const A = nd.matrix(2, 2, new Float64Array([1, 2, 3, 4]));
  const out = {
    product: Array.from(nd.matmul(A, A).data),
    backend: nd.kernelInfo().backend,
    names: Object.keys(nd).sort(),
    node: typeof ndNode.loadMnist + ' ' + typeof ndNode.parseIdx,
    internals: typeof internals.fail + ' ' + typeof internals.wasmGemm,
    table: plots.formatTable([{ a: 1 }], [{ key: 'a', label: 'a' }]).length > 0,
  };
  let pngError = '';
  try { await plots.saveImageGrid('out.png', nd.zeros(4, 1), [2, 2]); } catch (e) { pngError = e.message; }
  out.pngError = pngError;
  // Save and load: in memory (the main entry) and through a file (numdl/node); the same scores bit for bit.
  const net = nd.resnet([nd.singleLayer(nd.dense(3, 3))], { h: 1 / 3, opening: nd.singleLayer(nd.dense(3, 2)) });
  const x = Float64Array.from({ length: net.nParams + 2 * 4 }, (_, i) => Math.sin(i + 1));
  const Y = nd.matrix(2, 3, Float64Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6));
  const same = (m) => JSON.stringify(Array.from(nd.predict(m.model, m.x, Y).scores.data)) === JSON.stringify(Array.from(nd.predict(net, x, Y).scores.data));
  await ndNode.saveModel('model.json', net, x);
  out.saved = same(nd.modelFromJSON(JSON.stringify(nd.modelToJSON(net, x)))) + ' ' + same(await ndNode.loadModel('model.json'));
  console.log(JSON.stringify(out));
`;

function checkOutput(label: string, stdout: string): void {
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.deepEqual(out.product, [7, 10, 15, 22], label);
  assert.equal(out.backend, 'wasm', `${label}: the WebAssembly kernels load from the package`);
  assert.deepEqual(out.names, publicSurface(), `${label}: exports`);
  assert.equal(out.node, 'function function', label);
  assert.equal(out.internals, 'function function', label);
  assert.equal(out.table, true, label);
  assert.match(String(out.pngError), /needs the optional peer dependency pngjs.*npm install pngjs/, `${label}: the plots name the missing peer`);
  assert.equal(out.saved, 'true true', `${label}: modelToJSON/modelFromJSON and saveModel/loadModel give the same scores`);
}

test('require() of every entry works in a CommonJS project', { skip }, () => {
  const dir = join(tmp, 'require');
  writeProject(dir, {
    'package.json': { name: 'consumer-require', private: true },
    'main.js': `const nd = require('numdl'); const ndNode = require('numdl/node'); const plots = require('numdl/plots'); const internals = require('numdl/internals');
(async () => { ${CHECKS} })().catch((e) => { console.error(e); process.exit(1); });`,
  });
  checkOutput('require', run(process.execPath, ['main.js'], dir));
});

test('import of every entry works in an ES module project', { skip }, () => {
  const dir = join(tmp, 'import');
  writeProject(dir, {
    'package.json': { name: 'consumer-import', private: true, type: 'module' },
    'main.js': `import * as nd from 'numdl'; import * as ndNode from 'numdl/node'; import * as plots from 'numdl/plots'; import * as internals from 'numdl/internals';
${CHECKS}`,
  });
  checkOutput('import', run(process.execPath, ['main.js'], dir));
});

/** A strictly typed use of the public API (types included), the same for every tsc configuration. */
const TYPED_USE = `
const rng = nd.createRng(1);
const A: nd.Matrix = nd.randn(3, 4, rng);
const B: nd.Matrix32 = nd.toFloat32(A);
const op: nd.ParametricOperator = nd.dense(4, 2);
const layer: nd.Model = nd.singleLayer(op, { activation: 'tanh', bias: 'vector' });
const peaks = nd.setupPeaks({ n: 50, seed: 1 });
const obj = nd.classificationObjective(layer, peaks.Y, peaks.C);
const result: nd.OptimizerResult = nd.newtonCG(obj, new Float64Array(obj.nParams), { maxIter: 2 });
const info: nd.KernelInfo = nd.kernelInfo();
const v: nd.Matrix = nd.ensureColumnMajor(A.transpose(1, 0));
nd.addScaled(v, 2, nd.fill(nd.zeros(4, 3), 1));
const saved: nd.SavedModel = nd.modelToJSON(obj, result.x);
const loaded: nd.LoadedModel = nd.modelFromJSON(JSON.stringify(saved));
const labels: Int32Array = nd.classes(nd.predict(loaded.model, loaded.x, nd.fromColumns([[0, 1], [1, 0]])).scores);
export const summary: string = [result.status, info.backend, B.dtype, v.get(0, 0).toFixed(3)].join(' ');
export const nLabels: number = labels.length;
`;
const NODE_USE = `
export const nodeNames: string = [typeof ndNode.loadMnist, typeof internals.fail].join(' ');
const opts: ndNode.LoadMnistOptions = { train: 0, test: 0 };
export const mnistOptions: string = JSON.stringify(opts);
`;
const PLOTS_USE = `
export const table: string = plots.formatTable([{ a: 1 }], ['a']);
`;
/** Without Node's types (lib ES2022 only) the consumer declares the one global it uses. */
const CONSOLE = 'declare const console: { log(...values: unknown[]): void };';

// skipDefaultLibCheck spares re-checking TypeScript's own lib.*.d.ts (lib.dom is large); every
// other declaration file — numdl's and @types/node — is checked, as without skipLibCheck.
const strict = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, noEmitOnError: true, outDir: 'out', target: 'ES2022', lib: ['ES2022'] };
const esImports = "import * as nd from 'numdl';\nimport * as ndNode from 'numdl/node';\nimport * as internals from 'numdl/internals';";

/**
 * The consumer projects. Only the first loads Node's types (with `numdl/plots`,
 * whose declarations use `Buffer`): checking @types/node without skipLibCheck
 * is most of tsc's time, and the others show that the declarations of
 * `numdl`, `numdl/node` and `numdl/internals` need no Node types at all.
 */
const configs: Array<{ name: string; type?: 'module' | 'commonjs'; compilerOptions: Record<string, unknown>; imports: string; node: boolean; plots?: boolean }> = [
  {
    name: 'nodenext-esm, with Node types and numdl/plots', type: 'module', node: true, plots: true,
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
    imports: `${esImports}\nimport * as plots from 'numdl/plots';`,
  },
  { name: 'nodenext-cjs', type: 'commonjs', node: true, compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', types: [] }, imports: esImports },
  { name: 'commonjs-esModuleInterop', node: true, compilerOptions: { module: 'commonjs', esModuleInterop: true, types: [] }, imports: esImports },
  {
    name: 'commonjs-no-esModuleInterop', node: true, compilerOptions: { module: 'commonjs', esModuleInterop: false, types: [] },
    imports: "import nd = require('numdl');\nimport ndNode = require('numdl/node');\nimport internals = require('numdl/internals');",
  },
  {
    name: 'browser-bundler, DOM types', node: false,
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] },
    imports: "import * as nd from 'numdl';",
  },
];

/** Write a consumer project and start its tsc (all start together in `before`; the tests await them). */
function startCompile(c: (typeof configs)[number]): Promise<{ dir: string; status: number | null; output: string }> {
  const dir = join(tmp, `tsc-${c.name.split(',')[0]}`);
  const needsConsole = !(c.compilerOptions.types as string[]).includes('node') && !c.name.includes('DOM');
  writeProject(dir, {
    'package.json': { name: `consumer-${c.name.split(',')[0]}`, private: true, ...(c.type ? { type: c.type } : {}) },
    'tsconfig.json': { compilerOptions: { ...strict, ...c.compilerOptions }, files: ['main.ts'] },
    'main.ts': [c.imports, needsConsole ? CONSOLE : '', TYPED_USE, c.node ? NODE_USE : '', c.plots ? PLOTS_USE : '', 'console.log(summary);', ''].join('\n'),
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', '.'], { cwd: dir });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ dir, status, output }));
  });
}

const compiles = new Map<string, ReturnType<typeof startCompile>>();
before(() => {
  if (!skip) for (const c of configs) compiles.set(c.name, startCompile(c));
});

for (const c of configs) {
  test(`strict tsc (no skipLibCheck) compiles against the declarations: ${c.name}${c.node ? ', and the output runs' : ''}`, { skip }, async () => {
    const { dir, status, output } = await compiles.get(c.name)!;
    assert.equal(status, 0, `tsc in ${dir}:\n${output}`);
    if (!c.node) return;
    const out = run(process.execPath, ['out/main.js'], dir);
    assert.match(out, /^\w+ wasm float32 -?\d+\.\d{3}$/m, `${c.name}: ${out}`);
  });
}

test('the installed package bundles for the browser with esbuild', { skip }, async () => {
  const dir = join(tmp, 'browser');
  writeProject(dir, { 'main.js': "import * as nd from 'numdl'; console.log(nd.kernelInfoLine(), nd.matmul(nd.eye(2), nd.eye(2)).data);" });
  const r = await build({ entryPoints: [join(dir, 'main.js')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((f) => f.includes('node_modules/numdl/dist/index.js')), 'resolved numdl through its exports (ESM build)');
  assert.ok(!inputs.some((f) => f.includes('/dist/cjs/')), 'the browser bundle takes the ESM build');
  assert.ok(r.outputFiles[0].text.length > 100_000, 'the kernels are inlined in the bundle');
});

// modelToJSON / modelFromJSON come from the "pkg-model" branch; this test enables itself once
// public-surface.txt lists modelToJSON (the surface test makes that list follow the main entry).
const hasModelJson = publicSurface().includes('modelToJSON');
test('a model saved to JSON and loaded again predicts bit-identical scores (ESM and CommonJS)', {
  skip: skip || (hasModelJson ? false : 'LEAD: enables itself when modelToJSON is public (after merging pkg-model)'),
}, () => {
  const body = `
    const peaks = nd.setupPeaks({ n: 60, seed: 1 });
    const opening = nd.singleLayer(nd.dense(4, 2), { activation: 'tanh', bias: 'vector' });
    const model = nd.resnet(() => nd.singleLayer(nd.dense(4, 4), { activation: 'tanh', bias: 'vector' }), { steps: 3, T: 1, opening });
    const obj = nd.classificationObjective(model, peaks.Y, peaks.C);
    const rng = nd.createRng(2);
    const x = rng.normalArray(obj.nParams);
    const json = JSON.parse(JSON.stringify(nd.modelToJSON(obj, x)));
    const back = nd.modelFromJSON(json);
    const a = nd.predict(model, x, peaks.Y).scores.data, b = nd.predict(back.model, back.x, peaks.Y).scores.data;
    console.log(JSON.stringify({ n: a.length, identical: a.length === b.length && a.every((v, i) => Object.is(v, b[i])) }));
  `;
  const dir = join(tmp, 'model-json');
  writeProject(dir, {
    'package.json': { name: 'consumer-model-json', private: true },
    'esm.mjs': `import * as nd from 'numdl';\n${body}`,
    'cjs.cjs': `const nd = require('numdl');\n${body}`,
  });
  for (const f of ['esm.mjs', 'cjs.cjs']) {
    const r = JSON.parse(run(process.execPath, [f], dir).trim().split('\n').pop()!) as { n: number; identical: boolean };
    assert.deepEqual(r, { n: 5 * 60, identical: true }, f);
  }
});

// The examples CLI (--help, strict options) comes from the "examples" branch; this test enables itself
// once examples/lib/cli.ts handles --help. The examples are not part of the package: they run from the repository.
const exampleCli = readFileSync(join(root, 'examples', 'lib', 'cli.ts'), 'utf8');
test('an example prints its usage for --help and exits 0', { skip: /--help|'help'/.test(exampleCli) ? false : 'LEAD: enable after merging the examples CLI (examples/lib/cli.ts without --help here)' }, () => {
  const out = run(process.execPath, ['--import', 'tsx', join(root, 'examples', 'core-demo.ts'), '--help'], root);
  assert.match(out, /usage/i);
});
