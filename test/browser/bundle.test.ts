/**
 * The main entry bundles for the browser: esbuild (platform `browser`, the
 * package resolved by its name through `exports`) walks the whole import
 * graph of the built `numdl` and the test fails on any import of a Node
 * built-in (`node:fs`, `os`, …). The same check on `numdl/node` must find
 * some — the proof that the check sees them. Needs the build (`npm run build`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * Bundle `source` for the browser as a bundler would (a package's `browser`
 * field may map a built-in away, as seedrandom's does for `crypto`); return
 * what esbuild could not resolve because it is a Node built-in
 * (`importer: message`), and the bundle's inputs.
 */
export async function nodeImportsOf(source: string): Promise<{ offenders: string[]; inputs: string[] }> {
  try {
    const result = await build({
      stdin: { contents: source, resolveDir: root, loader: 'ts' },
      bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    });
    return { offenders: [], inputs: Object.keys(result.metafile.inputs) };
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location: { file: string } | null }> }).errors;
    if (!errors) throw e;
    const offenders = errors.map((m) => `${m.location?.file ?? '?'}: ${m.text}`);
    const other = offenders.filter((o) => !/Could not resolve "(node:)?[a-z_/]+"/.test(o) || ![...builtins].some((b) => o.includes(`"${b}"`)));
    assert.deepEqual(other, [], 'the bundle failed for another reason than Node built-ins');
    return { offenders, inputs: [] };
  }
}

const built = existsSync(join(root, 'dist', 'index.js'));

test('the main entry imports no Node built-in anywhere in its graph', { skip: built ? false : 'dist/ missing: run npm run build' }, async () => {
  const { offenders, inputs } = await nodeImportsOf("import * as nd from 'numdl'; console.log(Object.keys(nd).length);");
  assert.deepEqual(offenders, [], 'node built-ins in the browser bundle of numdl');
  // It really walked the package: the kernels' inlined binaries and the dependencies are in.
  assert.ok(inputs.some((f) => f.endsWith('dist/core/wasm/kernelBinaries.js')), 'kernel binaries bundled');
  assert.ok(inputs.some((f) => /node_modules\/ndarray-ops\//.test(f)), 'ndarray-ops bundled');
  assert.ok(inputs.some((f) => /node_modules\/fft\.js\//.test(f)), 'fft.js bundled');
});

test('the check finds the Node built-ins of numdl/node (so it can fail)', { skip: built ? false : 'dist/ missing: run npm run build' }, async () => {
  const { offenders } = await nodeImportsOf("import * as n from 'numdl/node'; console.log(n);");
  for (const m of ['node:fs', 'node:zlib']) assert.ok(offenders.some((o) => o.includes(`"${m}"`)), `${m} found in ${offenders.join(', ')}`);
});
