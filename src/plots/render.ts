/**
 * The optional rendering dependencies, loaded on first use:
 * - `pngjs` encodes raster images (RGBA buffers we fill ourselves) as PNG;
 * - `vega-lite` compiles chart specifications to Vega, and `vega` renders them
 *   to SVG headlessly (`renderer: 'none'`, no canvas, no network).
 * Loading them lazily keeps `numdl/plots` importable without them (the table
 * and progress helpers need nothing), and a missing package gives a clear
 * error naming what to install.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fail } from '../core/errors.js';

type PngModule = typeof import('pngjs');
type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');

// No module-level cache: the module loader already keeps an imported module,
// so a later `import()` returns it without loading again (and a failed one is
// retried, e.g. after the package was installed).
async function loadPng(fn: string): Promise<PngModule> {
  try {
    return await import('pngjs');
  } catch (e) {
    return fail(fn, `needs the optional peer dependency pngjs to write PNG files (npm install pngjs): ${(e as Error).message}`);
  }
}

async function loadVega(fn: string): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  try {
    const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
    return { vega, vl };
  } catch (e) {
    return fail(fn, `needs the optional peer dependencies vega and vega-lite to draw charts (npm install vega vega-lite): ${(e as Error).message}`);
  }
}

/** Create the parent folder of `path` and write `content`; returns the absolute path. */
export function writeOutput(path: string, content: string | Uint8Array): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  return abs;
}

/** Check that `path` is a non-empty string ending in one of `exts` (lower case, with the dot). */
export function checkPath(fn: string, path: unknown, exts: string[]): string {
  if (typeof path !== 'string' || path.length === 0) fail(fn, `path must be a non-empty string, got ${String(path)}`);
  const lower = path.toLowerCase();
  if (!exts.some((e) => lower.endsWith(e))) {
    fail(fn, `path ${path} must end in ${exts.join(' or ')}${exts.length === 1 && exts[0] === '.svg' ? ' (charts are rendered to SVG)' : ''}`);
  }
  return path;
}

/** Encode an RGBA raster (`width*height*4` bytes, rows top to bottom) as PNG bytes. */
export async function encodePng(fn: string, width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): Promise<Buffer> {
  const { PNG } = await loadPng(fn);
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return PNG.sync.write(png);
}

/** Render a Vega specification to an SVG string. */
export async function vegaToSvg(fn: string, spec: Record<string, unknown>): Promise<string> {
  const { vega } = await loadVega(fn);
  const view = new vega.View(vega.parse(spec as import('vega').Spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Compile a Vega-Lite specification and render it to an SVG string. */
export async function vegaLiteToSvg(fn: string, spec: Record<string, unknown>): Promise<string> {
  const { vl } = await loadVega(fn);
  const warnings: string[] = [];
  // Vega-Lite's warnings (chart cosmetics) are collected instead of printed on the console.
  const logger = {
    level(): number { return 0; },
    error(...args: unknown[]) { warnings.push(args.map(String).join(' ')); return logger; },
    warn(...args: unknown[]) { warnings.push(args.map(String).join(' ')); return logger; },
    info() { return logger; },
    debug() { return logger; },
  };
  const compiled = vl.compile(spec as unknown as import('vega-lite').TopLevelSpec, { logger: logger as never });
  return vegaToSvg(fn, compiled.spec as unknown as Record<string, unknown>);
}

/** Base of every Vega-Lite chart here: white background, readable fonts. */
export function chartConfig(): Record<string, unknown> {
  return {
    background: 'white',
    config: {
      font: 'Helvetica, Arial, sans-serif',
      title: { fontSize: 14, anchor: 'start' },
      axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.5 },
      legend: { labelFontSize: 11, titleFontSize: 12 },
    },
  };
}
