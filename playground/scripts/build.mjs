/**
 * Build the playground into a static site (`playground/dist/`): index.html,
 * style.css, main.js (the page) and worker.js (training, a module Web Worker),
 * bundled by esbuild. numdl is imported by its package name like any user
 * would (it resolves to this repository's package: run `npm run build` first).
 *
 *   node playground/scripts/build.mjs            # npm run build:playground
 *   node playground/scripts/build.mjs --serve    # npm run playground: build, watch, serve (PORT, 0 = any free port)
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { serveStatic } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
/** The playground folder. */
export const PLAYGROUND = resolve(here, '..');
/** Where the static site goes. */
export const DIST = join(PLAYGROUND, 'dist');

/** esbuild options of the two bundles, written to `outdir`. */
function options(dev, outdir = DIST) {
  const common = {
    bundle: true,
    platform: 'browser',
    target: ['es2022'],
    sourcemap: dev ? 'inline' : false,
    minify: !dev,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [],
    define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  };
  return [
    { ...common, entryPoints: [join(PLAYGROUND, 'src/main.ts')], outfile: join(outdir, 'main.js'), format: 'esm' },
    { ...common, entryPoints: [join(PLAYGROUND, 'src/worker.ts')], outfile: join(outdir, 'worker.js'), format: 'esm' },
  ];
}

/** numdl's built entry must exist: the bundle imports the package like any user. */
function checkLibraryBuilt() {
  const entry = resolve(PLAYGROUND, '../dist/index.js');
  if (!existsSync(entry)) throw new Error(`build-playground: ${entry} is missing; build numdl first (npm run build; npm ci does it)`);
}

/** Copy the static files into the site. */
async function copyStatic(outdir = DIST) {
  await mkdir(outdir, { recursive: true });
  for (const f of ['index.html', 'style.css']) await copyFile(join(PLAYGROUND, f), join(outdir, f));
}

/**
 * Build the static site once.
 * @param {{ dev?: boolean, outdir?: string }} [opts] `outdir` (default playground/dist): tests build
 *   elsewhere so that they never overwrite the site of a running `npm run playground`
 * @returns {Promise<string>} the site's folder
 */
export async function buildPlayground(opts = {}) {
  checkLibraryBuilt();
  const outdir = opts.outdir ? resolve(opts.outdir) : DIST;
  await copyStatic(outdir);
  await Promise.all(options(!!opts.dev, outdir).map((o) => esbuild.build(o)));
  return outdir;
}

/** Build, rebuild on change, and serve the site until interrupted. */
async function serveDev() {
  checkLibraryBuilt();
  await copyStatic();
  const rebuildStatic = { name: 'copy-static', setup: (b) => b.onEnd(() => copyStatic()) };
  const contexts = await Promise.all(options(true).map((o) => esbuild.context({ ...o, plugins: [...o.plugins, rebuildStatic] })));
  await Promise.all(contexts.map((c) => c.watch()));
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  const server = await serveStatic(DIST, port);
  console.log(`numdl playground: ${server.url}  (rebuilds on change; Ctrl-C stops)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--serve')) {
    await serveDev();
  } else {
    const t0 = performance.now();
    const dir = await buildPlayground();
    console.log(`numdl playground: static site in ${dir} (${Math.round(performance.now() - t0)} ms); serve it from any static host`);
  }
}
