#!/usr/bin/env node
/**
 * Build numdl's CommonJS copy next to the ESM one (run by `npm run build`
 * after `tsc`, which writes the ESM JavaScript and the declarations to dist/).
 *
 * Every source file is transpiled on its own by esbuild (no bundling) into
 * dist/cjs/, mirroring dist/: each entry (`numdl`, `numdl/node`,
 * `numdl/plots`, `numdl/internals`) loads the same module instances as the
 * others, exactly as in the ESM build, so `require('numdl')` and
 * `require('numdl/internals')` share one set of kernels and one WebAssembly
 * memory. dist/cjs/package.json says `"type": "commonjs"`, so Node reads these
 * `.js` files as CommonJS and TypeScript reads the declarations copied beside
 * them as CommonJS declarations (what `module: nodenext` needs for a
 * `require` of the package).
 *
 * `import()` of the plots' optional peers (`vega` is ESM-only) stays a real
 * dynamic import, which CommonJS modules can do; everything else becomes
 * `require`.
 *
 *   node scripts/build-cjs.mjs
 */
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const out = join(dist, 'cjs');

/** Files under `dir` whose names satisfy `keep`, recursively, skipping `skip`. */
function files(dir, keep, skip = null) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (p === skip) continue;
    if (statSync(p).isDirectory()) found.push(...files(p, keep, skip));
    else if (keep(name)) found.push(p);
  }
  return found;
}

const t0 = performance.now();
rmSync(out, { recursive: true, force: true });
const entryPoints = files(src, (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'));
const result = await build({
  entryPoints,
  outdir: out,
  outbase: src,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  bundle: false,
  sourcemap: true,
  logLevel: 'warning',
  // Keep `import()` as is: CommonJS can import ESM-only packages (vega) that way.
  supported: { 'dynamic-import': true },
});
if (result.errors.length > 0 || result.warnings.length > 0) {
  console.error('build-cjs: esbuild reported problems (see above)');
  process.exit(1);
}
writeFileSync(join(out, 'package.json'), '{\n  "type": "commonjs"\n}\n');

// The declarations, copied next to the CommonJS files (without their maps,
// which point at ../src from dist/ and would be wrong one folder deeper).
let nDecl = 0;
for (const f of files(dist, (n) => n.endsWith('.d.ts'), out)) {
  const target = join(out, relative(dist, f));
  mkdirSync(dirname(target), { recursive: true });
  const text = readFileSync(f, 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  writeFileSync(target, text);
  nDecl++;
}
console.log(`build-cjs: ${entryPoints.length} modules and ${nDecl} declaration files to ${relative(root, out)}/ in ${Math.round(performance.now() - t0)} ms`);
