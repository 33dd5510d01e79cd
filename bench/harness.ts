/**
 * A tiny benchmark harness: interleaved timing with warm-up and medians, a
 * markdown table printer, and a writer that keeps one section per bench area
 * in `bench/RESULTS.md`.
 *
 * Module convention: every `bench/<area>.bench.ts` exports
 *
 *   export async function run(opts: { quick: boolean }): Promise<BenchSection>
 *
 * (and optionally `formatSection(section): string` to render itself);
 * `bench/run.ts` discovers the files, runs the selected areas in one process
 * and writes each area's section between `<!-- bench:<area> start/end -->`
 * markers, leaving the other areas' sections untouched.
 *
 * Timing: the machines we run on are noisy (shared cores drift by 2× over
 * seconds), so the cases of one comparison are timed round-robin — one sample
 * of each case per round — and each case reports the median of its samples;
 * a ratio between two cases is the median of their per-round ratios, so slow
 * phases hit both sides of a ratio alike.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { getWasmThreads, setWasmThreads } from '../src/core/wasm/threads.js';

/** Parameters of one benchmark case; they all appear in its label. */
export type BenchParams = Record<string, string | number | boolean>;

/** One thing to time. */
export interface BenchCase {
  /** What is timed, e.g. `numdl matmul f64`. */
  name: string;
  /** Every parameter of the case (sizes, precision, backend, options). */
  params: BenchParams;
  /** The timed call; its result is consumed (see {@link consume}). */
  fn: () => unknown;
  /** Untimed preparation run before each sample (e.g. selecting a TF.js backend). */
  setup?: () => void | Promise<void>;
  /** Called with the result of the first (warm-up) call, e.g. to compare it with a reference; may throw. */
  check?: (result: unknown) => void;
  /** Per-case overrides of the group's timing options (e.g. fewer samples for a very slow peer). */
  timing?: TimingOptions;
}

/** Timing options; times in milliseconds. */
export interface TimingOptions {
  /** Warm-up time per case before the first sample (default 300; at least one call). */
  warmupMs?: number;
  /** Calls per sample are chosen so a sample lasts at least this long (default 150). */
  minSampleMs?: number;
  /** Samples per case (default 7). */
  samples?: number;
  /** A case stops taking samples beyond this total time, keeping at least `minSamples` (default 20000). */
  maxMs?: number;
  /** Fewest samples even for slow cases (default 3). */
  minSamples?: number;
}

/** Result of timing one case. */
export interface Timing {
  /** `name key=value ...`: the case with all its parameters. */
  label: string;
  name: string;
  params: BenchParams;
  /** Median seconds per call. */
  median: number;
  /** Fastest and slowest sample, seconds per call. */
  min: number;
  max: number;
  /** Seconds per call of each sample, in round order. */
  samples: number[];
  /** Calls per sample. */
  reps: number;
}

let sinkValue = 0;

/**
 * Fold a result into a global sink so the JIT cannot drop the computation:
 * numbers, typed arrays / arrays (first and last entries), and objects with
 * a `data` array (ndarrays) or `re` array (complex results).
 * @param x anything a benchmarked call returns
 */
export function consume(x: unknown): void {
  if (typeof x === 'number') {
    sinkValue += x;
  } else if (x !== null && typeof x === 'object') {
    const o = x as { length?: number; data?: unknown; re?: unknown; [i: number]: unknown };
    if (typeof o.length === 'number') {
      if (o.length > 0) sinkValue += Number(o[0]) + Number(o[o.length - 1]);
    } else if (o.data !== undefined) consume(o.data);
    else if (o.re !== undefined) consume(o.re);
    else sinkValue += 1;
  } else if (x !== undefined) {
    sinkValue += 1;
  }
}

/** The value accumulated by {@link consume} (print it once so the sink is live). */
export function sink(): number {
  return sinkValue;
}

/**
 * `name key=value key=value`: a label carrying every parameter.
 * @example label('matmul', { m: 2, n: 3 }) // 'matmul m=2 n=3'
 */
export function label(name: string, params: BenchParams): string {
  const ps = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return ps.length ? `${name} ${ps.join(' ')}` : name;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/**
 * Time several cases against each other, interleaved: after a warm-up of
 * each case, every round takes one sample of each case in turn; a sample is
 * `reps` back-to-back calls (reps chosen from the warm-up so a sample lasts
 * `minSampleMs`), and its time per call is recorded.
 * @param cases the cases to compare (their `setup` runs, untimed, before each sample)
 * @param opts warm-up, sample length and count, time cap per case
 * @returns one {@link Timing} per case, in the order given
 */
export async function timeCases(cases: BenchCase[], opts: TimingOptions = {}): Promise<Timing[]> {
  const state = [] as { reps: number; want: number; samples: number[] }[];
  for (const c of cases) {
    const o = { ...opts, ...c.timing };
    const warmupMs = o.warmupMs ?? 300, minSampleMs = o.minSampleMs ?? 150;
    const samples = o.samples ?? 7, maxMs = o.maxMs ?? 20_000, minSamples = Math.min(o.minSamples ?? 3, samples);
    await c.setup?.();
    const t0 = performance.now();
    let calls = 0;
    do {
      const r = c.fn();
      if (calls === 0) c.check?.(r);
      consume(r);
      calls++;
    } while (performance.now() - t0 < warmupMs);
    // Mean over the warm-up (an overestimate while the JIT was still compiling).
    const perCall = (performance.now() - t0) / calls;
    const reps = Math.max(1, Math.round(minSampleMs / Math.max(perCall, 1e-6)));
    const want = Math.max(minSamples, Math.min(samples, Math.floor(maxMs / (reps * Math.max(perCall, 1e-6)))));
    state.push({ reps, want, samples: [] });
  }
  const rounds = Math.max(...state.map((s) => s.want));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const st = state[i];
      if (st.samples.length >= st.want) continue;
      await cases[i].setup?.();
      const fn = cases[i].fn;
      const t0 = performance.now();
      for (let q = 0; q < st.reps; q++) consume(fn());
      st.samples.push((performance.now() - t0) / 1000 / st.reps);
    }
  }
  return cases.map((c, i) => {
    const s = state[i].samples;
    return { label: label(c.name, c.params), name: c.name, params: c.params, median: median(s), min: Math.min(...s), max: Math.max(...s), samples: s, reps: state[i].reps };
  });
}

/**
 * How many times faster `a` is than `b`: the median over rounds of
 * `b.samples[r] / a.samples[r]` (rounds where both were sampled), which
 * cancels drift shared by both; falls back to the ratio of medians.
 * @returns time(b) / time(a) — above 1 when a is faster
 */
export function speedup(a: Timing, b: Timing): number {
  const n = Math.min(a.samples.length, b.samples.length);
  if (n === 0) return b.median / a.median;
  const r: number[] = [];
  for (let i = 0; i < n; i++) r.push(b.samples[i] / a.samples[i]);
  return median(r);
}

/** A table of a report section. */
export interface BenchTable {
  /** Optional line printed above the table. */
  caption?: string;
  /** Column headers. */
  columns: string[];
  /** Alignment per column (`l` or `r`; default: first left, others right). */
  align?: ('l' | 'r')[];
  /** Cells: numbers are printed as given by the caller's formatting (pass strings for control). */
  rows: (string | number)[][];
}

/** A row of the simple "numdl vs peers" form: numdl's time and each peer's time (or why it is missing). */
export interface BenchRow {
  /** Label carrying every parameter. */
  label: string;
  /** numdl's median, milliseconds. */
  ms: number;
  /** Peer medians by peer name (ms), or a reason string when the peer could not run. */
  peers: Record<string, number | string>;
}

/**
 * What a bench area returns: a title, tables (or the simple `rows` form,
 * rendered as time and peer-time/numdl-time ratio columns), and notes.
 */
export interface BenchSection {
  title: string;
  tables?: BenchTable[];
  rows?: BenchRow[];
  notes: string[];
}

/** What `bench/<area>.bench.ts` exports. */
export interface BenchModule {
  run(opts: { quick: boolean }): Promise<BenchSection>;
  formatSection?(s: BenchSection): string;
}

/**
 * A markdown table.
 * @example formatTable({ columns: ['n', 'GFLOP/s'], rows: [[64, '1.20']] })
 */
export function formatTable(t: BenchTable): string {
  const align = t.columns.map((_, i) => t.align?.[i] ?? (i === 0 ? 'l' : 'r'));
  const cells = t.rows.map((r) => r.map((c) => String(c)));
  const width = t.columns.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => (r[i] ?? '').length)));
  const pad = (s: string, i: number) => (align[i] === 'l' ? s.padEnd(width[i]) : s.padStart(width[i]));
  const line = (r: string[]) => `| ${r.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `|${width.map((w, i) => (align[i] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|')}|`;
  const out = [line(t.columns), rule, ...cells.map(line)].join('\n');
  return t.caption ? `${t.caption}\n\n${out}` : out;
}

/** Render the simple `rows` form: numdl ms, then per peer its ms and peer/numdl (> 1: numdl faster). */
function formatRows(rows: BenchRow[]): string {
  const peers = [...new Set(rows.flatMap((r) => Object.keys(r.peers)))];
  const columns = ['benchmark', 'numdl ms', ...peers.flatMap((p) => [`${p} ms`, `${p}/numdl`])];
  const body = rows.map((r) => [r.label, fmt(r.ms, 3), ...peers.flatMap((p) => {
    const v = r.peers[p];
    if (v === undefined) return ['–', '–'];
    if (typeof v === 'string') return ['n/a', 'n/a'];
    return [fmt(v, 3), (v / r.ms).toFixed(2)];
  })]);
  return formatTable({ columns, rows: body });
}

/**
 * Markdown of a section: `## title`, its tables (and simple rows), its notes.
 * @param s the section a bench area returned
 */
export function renderSection(s: BenchSection): string {
  const parts = [`## ${s.title}`];
  for (const t of s.tables ?? []) parts.push(formatTable(t));
  if (s.rows?.length) parts.push(formatRows(s.rows));
  if (s.notes.length) parts.push(s.notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n');
}

/**
 * A number with `digits` significant digits, without exponent for ordinary sizes.
 * @example fmt(0.012345, 3) // '0.0123'
 */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  if (mag >= digits - 1) return x.toFixed(0);
  if (mag < -6) return x.toExponential(digits - 1);
  return x.toFixed(Math.max(0, digits - 1 - mag));
}

/** Node version, CPU model and count, platform, current load: one line for the report. */
export function environment(): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0];
  return `Node ${process.version}, ${cpus[0]?.model?.trim() ?? 'unknown CPU'} ×${cpus.length}, ${os.platform()}-${os.arch()}, load average ${load.toFixed(1)}`;
}

const PREAMBLE = `# numdl benchmarks

Written by \`npm run bench\` (full) and \`npm run bench:quick\` (smaller sizes,
fewer samples; under 3 minutes); \`npm run bench -- --only matmul,fft\` runs
some areas. Each area below is a section of its own, replaced when that area is
re-run and otherwise kept. Times are medians of interleaved samples; a ratio
numdl/peer above 1 means numdl is faster. Single-threaded on both sides
unless noted. The machine these ran on is a shared VM whose throughput drifts
by up to 2× over seconds, so treat differences under ~20 % as noise.
`;

/**
 * Replace (or append) the section of `area` in a results file, keeping the
 * preamble and every other area's section as they are.
 * @param file path of RESULTS.md (created if missing)
 * @param area area name, e.g. `matmul` (the `<area>.bench.ts` stem)
 * @param markdown the section body (usually from {@link renderSection})
 * @param meta date, command and environment, printed under the body
 */
export function writeSection(file: string, area: string, markdown: string, meta: { date: Date; command: string; env?: string }): void {
  const start = `<!-- bench:${area} start -->`, end = `<!-- bench:${area} end -->`;
  const stamp = `_Run ${meta.date.toISOString().replace('T', ' ').slice(0, 16)} UTC with \`${meta.command}\`; ${meta.env ?? environment()}._`;
  const block = `${start}\n${markdown.trim()}\n\n${stamp}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : PREAMBLE;
  const i = text.indexOf(start), j = text.indexOf(end);
  if (i >= 0 && j > i) {
    text = text.slice(0, i) + block + text.slice(j + end.length);
  } else {
    text = `${text.trimEnd()}\n\n${block}\n`;
  }
  writeFileSync(file, text.endsWith('\n') ? text : text + '\n');
}

/**
 * Cores this process really gets right now: `threads` threads spin for `ms`
 * and their CPU time is divided by the wall time (2.0 on an idle two-core
 * machine, about 1 when other jobs keep the second core busy) — the ceiling
 * of the ×T/×1 column while it was measured.
 */
export async function effectiveCores(threads: number, ms = 300): Promise<number> {
  if (threads < 2) return 1;
  const { Worker } = await import('node:worker_threads');
  const spin = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const u0 = process.cpuUsage(), t0 = performance.now();
  const workers = Array.from({ length: threads - 1 }, () => new Worker(spin, { eval: true }));
  const done = Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const t = Date.now();
  let x = 0;
  while (Date.now() - t < ms) x += Math.sqrt(x + 1);
  await done;
  await Promise.all(workers.map((w) => w.terminate()));
  const u = process.cpuUsage(u0);
  consume(x);
  return (u.user + u.system) / 1000 / (performance.now() - t0);
}

/**
 * Run `fn` with numdl's WebAssembly kernels on `threads` threads and restore
 * the previous count afterwards (also when `fn` throws): a comparison with a
 * single-threaded peer (TF.js in Node) times numdl on one thread too.
 */
export async function withWasmThreads<T>(threads: number, fn: () => Promise<T>): Promise<T> {
  const before = getWasmThreads();
  setWasmThreads(threads);
  try {
    return await fn();
  } finally {
    setWasmThreads(before);
  }
}

/**
 * Time `cases` round-robin (one warm-up call each, then `rounds` rounds of
 * `reps` calls per case, interleaved): per case the median wall and CPU
 * milliseconds per call. CPU time of this process is the better one-core
 * estimate on a shared machine; interleaving cancels drift shared by the cases.
 */
export function timeRoundRobin(cases: { key: string; fn: () => unknown; reps: number }[], rounds: number): Map<string, { wall: number; cpu: number }> {
  const samples = new Map<string, { wall: number; cpu: number }[]>(cases.map((c) => [c.key, []]));
  for (const c of cases) consume(c.fn());
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t0 = performance.now(), u0 = process.cpuUsage();
      for (let q = 0; q < c.reps; q++) consume(c.fn());
      const u = process.cpuUsage(u0);
      samples.get(c.key)!.push({ wall: (performance.now() - t0) / c.reps, cpu: (u.user + u.system) / 1000 / c.reps });
    }
  }
  const out = new Map<string, { wall: number; cpu: number }>();
  for (const [k, s] of samples) out.set(k, { wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)) });
  return out;
}
