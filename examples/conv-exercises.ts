/**
 * The convolution exercises of the lecture "Residual CNNs and their relation
 * to PDEs" (part "Convolutional Neural Networks": "Coding: 1D Convolution using
 * FFTs", the derivatives of 1D convolutions, and the 2D edge-detection example
 * `E13Conv2D.m`), run in sequence: `examples/conv1d-fft.ts` then
 * `examples/conv2d-image.ts`.
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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from '../src/plots/index.js';
import { codeBlock, flagArg, intArg, numArg, outDir, runExample, shownPath } from './lib/cli.js';

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
  const rows = [...parseConv1d(scripts[0].stdout), ...parseConv2d(scripts[1].stdout)];
  const table = formatTable(rows as unknown as Record<string, unknown>[], ['script', 'check', { key: 'error', label: 'error', format: (v) => (v as number).toExponential(2) }]);
  return { scripts, rows, table, imageDir };
}

/** Each script's time, printed and in RESULTS.md. */
function timesOf(result: ConvExercisesResult): string {
  return result.scripts.map((s) => `${s.script} ${s.seconds.toFixed(1)} s`).join(', ');
}

runExample({
  name: 'conv-exercises',
  metaUrl: import.meta.url,
  summary: "The lecture's convolution exercises in sequence: conv1d-fft (circulant eigenvalues by FFT, derivatives) and conv2d-image (edge stencil), with the errors they report in one table.",
  options: {
    n: { help: 'length n of the 1D signals (default 16)' },
    scale: { help: 'pixel scale of the 2D PNGs (default 6; fast 2)' },
  },
  parse: (args, fast): ConvExercisesOptions => ({
    n: intArg(args, 'n', 16),
    seed: numArg(args, 'seed', 1),
    scale: intArg(args, 'scale', fast ? 2 : 6),
    out: outDir('conv-exercises', args.out),
    echo: flagArg(args, 'verbose'),
  }),
  run,
  print: ({ result }) => {
    console.log(`\nconvolution exercises: ${result.rows.length} checks, largest error ${Math.max(...result.rows.map((r) => r.error)).toExponential(2)} (${timesOf(result)})\n\n${result.table}\n\nimages: ${result.imageDir}`);
  },
  // The record names the size and seed only: the pixel scale does not change the errors.
  command: (_, opts) => `npx tsx examples/conv-exercises.ts --n ${opts?.n ?? 16} --seed ${opts?.seed ?? 1}`,
  results: ({ result }) => ({
    // The scripts' own times, not the whole run's.
    time: timesOf(result),
    separator: ': ',
    setup: '`examples/conv1d-fft.ts` and `examples/conv2d-image.ts` in sequence; the errors they report:',
    lines: ['', codeBlock(result.table), '', `Images: \`${shownPath(result.imageDir)}/\`.`],
  }),
});
