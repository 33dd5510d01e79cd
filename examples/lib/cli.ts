/**
 * Shared plumbing of the example scripts: one command-line parser (Node's
 * `util.parseArgs` in strict mode), `--help`, the output folder, "run only
 * when executed directly", the results sections and the JSON results.
 *
 * Every example exports `run(options)` returning its table rows, so the tests
 * can call the fast variant for real; its script part is one
 * {@link runExample} call, which parses the command line against the
 * example's declared options plus the common ones ({@link COMMON_OPTIONS}),
 * times `run`, prints a short summary and writes:
 *
 * - `--json FILE`: `{ example, seed, protocol, rows: [{ method, trainAccuracy?,
 *   valAccuracy?, testAccuracy?, iterations?, seconds?, … }], … }`
 *   (see {@link JsonResults});
 * - for a full run (not `--fast`), the example's results section: into
 *   `<out>/RESULTS.md` (under `out/`, ignored by git) by default, into the
 *   committed `examples/RESULTS.md` only with `--write-results`.
 *
 * A bad command line (unknown option, a value that is not a number, …) ends
 * the process with status 1 and ONE line on stderr naming the example, the
 * option and the value; `--help` prints the usage and exits with status 0.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs as nodeParseArgs } from 'node:util';
import { formatTable, type TableColumn } from '../../src/plots/index.js';
import { activations, type ActivationName } from '../../src/layers/activations/index.js';
import { getWasmThreads } from '../../src/core/wasm/threads.js';

/** The activation names `--activation` accepts. */
export const ACTIVATION_NAMES = Object.keys(activations) as ActivationName[];

/** The committed results file, written only with `--write-results`. */
export const COMMITTED_RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'RESULTS.md');

/** The committed JSON results (`examples/results/<name>.json`), written with `--write-results`; the README's tables are generated from them. */
export const COMMITTED_JSON_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return metaUrl === pathToFileURL(resolve(entry)).href || fileURLToPath(metaUrl) === resolve(entry);
  } catch {
    return false;
  }
}

/**
 * A mistake on the command line. {@link runExample} prints its message as one
 * line (prefixed with the example's name) and exits with status 1, without a
 * stack trace.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Parsed command line: option name → its string value, or `true` for a flag. */
export type Args = Record<string, string | boolean>;

/** One command-line option of an example, for the parser and `--help`. */
export interface OptionSpec {
  /** `'string'` (default: takes a value, `--name value` or `--name=value`) or `'boolean'` (a flag). */
  type?: 'string' | 'boolean';
  /** One-line description for `--help`; say the default here, e.g. "(default 40; fast 20)". */
  help: string;
  /** Placeholder of the value in `--help` (default `N`). */
  value?: string;
}

/** Options by name (without the leading `--`). */
export type OptionSpecs = Record<string, OptionSpec>;

/** The options every example takes, in addition to its own. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', help: 'print this help and exit' },
  fast: { type: 'boolean', help: 'the small, quick variant the tests run (its numbers mean little; writes no results section)' },
  seed: { help: 'seed of data, initialisation and shuffles (a non-negative integer)' },
  out: { value: 'DIR', help: 'folder for figures and the results section (default out/<example>/)' },
  json: { value: 'FILE', help: 'also write the results as JSON to FILE' },
  verbose: { type: 'boolean', help: "print the optimizers' iteration tables (and a failure's stack trace)" },
  'write-results': { type: 'boolean', help: 'write the results section into the committed examples/RESULTS.md (instead of <out>/RESULTS.md)' },
};

/** The options of examples that run over several seeds or protocols ({@link ExampleMain.seeds}, {@link ExampleMain.protocols}). */
const SEEDS_OPTION: OptionSpec = { value: 'LIST', help: 'run once per seed and report mean and range, e.g. 1-5 or 1,3,7' };

/** A numeric option with a default; throws a {@link CliError} naming the option on a non-number or a value out of range. */
export function numArg(args: Args, name: string, dflt: number, range: { integer?: boolean; min?: number; max?: number } = {}): number {
  const v = args[name];
  if (v === undefined) return dflt;
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new CliError(`--${name} must be a number, got '${String(v)}'`);
  if (range.integer && !Number.isInteger(x)) throw new CliError(`--${name} must be an integer, got '${v}'`);
  if (range.min !== undefined && x < range.min) throw new CliError(`--${name} must be ≥ ${range.min}, got '${v}'`);
  if (range.max !== undefined && x > range.max) throw new CliError(`--${name} must be ≤ ${range.max}, got '${v}'`);
  return x;
}

/** A positive integer option (sizes, counts, iterations) with a default. */
export function intArg(args: Args, name: string, dflt: number, min = 1): number {
  return numArg(args, name, dflt, { integer: true, min });
}

/**
 * A numeric option without a default: `undefined` when absent, so that the
 * example's `run` picks its own (fast or full) default. Sizes and counts
 * (`integer`) must be positive integers.
 */
export function optionalNumArg(args: Args, name: string, integer = false): number | undefined {
  return args[name] === undefined ? undefined : integer ? intArg(args, name, NaN) : numArg(args, name, NaN);
}

/** A string option with a default. */
export function strArg(args: Args, name: string, dflt: string): string {
  const v = args[name];
  return typeof v === 'string' ? v : dflt;
}

/** A string option that must be one of `choices`. */
export function choiceArg<T extends string>(args: Args, name: string, choices: readonly T[], dflt: T): T {
  const v = strArg(args, name, dflt);
  if (!(choices as readonly string[]).includes(v)) throw new CliError(`--${name} must be one of ${choices.join(', ')}; got '${v}'`);
  return v as T;
}

/** A comma-separated list option whose items must be among `choices`. */
export function listArg<T extends string>(args: Args, name: string, choices: readonly T[], dflt: readonly T[]): T[] {
  const v = args[name];
  if (typeof v !== 'string') return [...dflt];
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !(choices as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) throw new CliError(`--${name} takes a comma-separated list of ${choices.join(', ')}; got '${v}'`);
  return items as T[];
}

/** A comma-separated list of numbers (`--widths 8,16,32`); each item a positive integer when `integer`. */
export function numListArg(args: Args, name: string, dflt: readonly number[], integer = true): number[] {
  const v = args[name];
  if (typeof v !== 'string') return [...dflt];
  const items = v.split(',').map((s) => s.trim());
  const xs = items.map(Number);
  if (items.some((s) => s === '') || xs.some((x) => !Number.isFinite(x) || (integer && (!Number.isInteger(x) || x < 1)))) {
    throw new CliError(`--${name} takes a comma-separated list of ${integer ? 'positive integers' : 'numbers'}, got '${v}'`);
  }
  return xs;
}

/** A boolean flag. */
export function flagArg(args: Args, name: string): boolean {
  return args[name] === true || args[name] === 'true';
}

/** The seeds of `--seeds`: `a-b` (inclusive) or a comma-separated list of non-negative integers. */
export function seedList(text: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(text.trim());
  if (range) {
    const a = Number(range[1]), b = Number(range[2]);
    if (b < a || b - a > 1000) throw new CliError(`--seeds range must be a-b with a ≤ b (at most 1000 seeds), got '${text}'`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d+$/.test(s))) throw new CliError(`--seeds must be a-b or a comma-separated list of non-negative integers, got '${text}'`);
  return items.map(Number);
}

/** The output folder `out/<example>/` (or `--out`), created. */
export function outDir(example: string, out?: string | boolean): string {
  const dir = resolve(typeof out === 'string' ? out : join('out', example));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Write (or replace) this example's section of a results file
 * (default `examples/RESULTS.md`), keeping the other examples' sections.
 * Sections are delimited by HTML comments naming the example.
 */
export function writeResultsSection(example: string, markdown: string, file = COMMITTED_RESULTS): void {
  const begin = `<!-- begin ${example} -->`;
  const end = `<!-- end ${example} -->`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Results of the examples\n\nEach section is written by its example\'s full run (`npm run <name> -- --write-results`).\n';
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(begin), j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + block + text.slice(j + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Today's date as YYYY-MM-DD (for results files). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The machine a result was measured on: CPU model × logical cores, Node version (results sections, JSON). */
export function machine(): string {
  const c = cpus();
  const model = (c[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').replace(/\(R\)|\(TM\)/g, '').trim();
  return `${model} ×${c.length}, Node ${process.version}`;
}

/**
 * How RESULTS.md shows a saved file: from its `out/` folder on (the path
 * relative to the repository for the default output folder), the whole path
 * when it was written elsewhere (`--out /tmp/x`).
 */
export function shownPath(file: string): string {
  return file.slice(file.lastIndexOf('/out/') + 1);
}

/**
 * The figures of a run for the console: `figures in <dir>/:` and the file
 * names, wrapped to lines of at most `width` columns.
 */
export function figuresSummary(dir: string, files: string[], width = 120): string {
  const lines = [`figures in ${dir}/:`];
  for (const f of files.map((x) => x.slice(x.lastIndexOf('/') + 1))) {
    const last = lines[lines.length - 1];
    if (last.length + f.length + 2 > width) {
      lines[lines.length - 1] = `${last},`;
      lines.push(`  ${f}`);
    }
    else lines[lines.length - 1] = `${last}${last.endsWith(':') ? ' ' : ', '}${f}`;
  }
  return lines.join('\n');
}

/** Text as a fenced code block, for a plain-text table in RESULTS.md. */
export function codeBlock(text: string): string {
  return ['```', text, '```'].join('\n');
}

/** The `Figures: \`out/…\`, \`out/…\`.` line of a RESULTS.md section. */
export function figuresLine(files: string[]): string {
  return `Figures: ${files.map((f) => `\`${shownPath(f)}\``).join(', ')}.`;
}

/** The command of an example run through its npm script, as RESULTS.md shows it (`npm run <script> -- <argv>`). */
export function npmRunCommand(script: string, argv: string): string {
  return `npm run ${script}${argv ? ` -- ${argv}` : ''}`;
}

/**
 * A result with the figures `save` wrote of it into `dir`, for examples whose
 * `run` only computes (saving counts in the run's time all the same).
 */
export async function withFigures<R>(result: R, save: (result: R, dir: string) => Promise<string[]>, dir: string): Promise<R & { files: string[] }> {
  return { ...result, files: await save(result, dir) };
}

/** What an example's `main` did, handed to its `print` and `results` callbacks. */
export interface ExampleRun<O, R> {
  /** The options `parse` made of the command line. */
  options: O;
  /** What `run` returned. */
  result: R;
  /** Wall time of `run`, in seconds. */
  seconds: number;
  /** The command as RESULTS.md shows it (see {@link ExampleMain.command}). */
  command: string;
  /** The protocol of this run (`numdl` for examples with one protocol). */
  protocol: string;
  /** The seed of this run (`--seed`, or the example's own default), null when the example takes none. */
  seed: number | null;
}

/**
 * An example's section of RESULTS.md, as its `results` callback gives it.
 * The section reads
 *
 *     ## <name>[ — <title>]
 *
 *     <date>, <machine>, `<command>` (<time>)<separator><setup>
 *     <lines…>
 */
export interface ResultsSection {
  /** Words after the example's name in the heading; none gives just `## <name>`. */
  title?: string;
  /** What the parentheses after the command say; default the whole seconds (`98 s`); `null` leaves them out. */
  time?: string | null;
  /** Between the time and the setup; default `. `. */
  separator?: string;
  /** The setup sentence(s) ending the date-and-command line. */
  setup: string;
  /** The lines after that line: tables, remarks, the figures line (start with `''` for a blank line). */
  lines: string[];
}

/** One row of the JSON results: a method (or a configuration) and its metrics. Accuracies in [0, 1]. */
export interface JsonRow {
  method: string;
  trainAccuracy?: number;
  valAccuracy?: number;
  testAccuracy?: number;
  iterations?: number;
  seconds?: number;
  [metric: string]: string | number | boolean | null | undefined;
}

/** The JSON results of one run (`--json FILE`). */
export interface JsonRun {
  example: string;
  seed: number | null;
  protocol: string;
  rows: JsonRow[];
  /** Wall seconds of the whole `run` (including figures). */
  seconds: number;
  command: string;
  date: string;
  machine: string;
  /** Threads numdl's WebAssembly kernels could use in this run (`NUMDL_THREADS`, default the machine's cores). */
  threads: number;
}

/**
 * What `--json FILE` writes: one run's {@link JsonRun}; with `--seeds` or
 * several protocols, additionally `runs` (every run) and `summary` (per
 * protocol and method: mean, min and max over the seeds).
 */
export type JsonResults = JsonRun & { runs?: JsonRun[]; summary?: SummaryRow[] };

/** Mean, min and max over the seeds of one protocol and method. */
export interface SummaryRow {
  protocol: string;
  method: string;
  seeds: number[];
  /** metric → { mean, min, max } for every numeric metric of the rows. */
  metrics: Record<string, { mean: number; min: number; max: number }>;
  /** The string fields of the first seed's row (e.g. the lecture's reference). */
  text: Record<string, string>;
}

/** What {@link runExample} needs of an example. */
export interface ExampleMain<O, R> {
  /** The example's name: its file `examples/<name>.ts` and its RESULTS.md section. */
  name: string;
  /** The example module's `import.meta.url`: it runs only when it is the script node was started with. */
  metaUrl: string;
  /** One or two sentences for `--help`: what the example shows. */
  summary: string;
  /** The example's own options (the common ones, {@link COMMON_OPTIONS}, are added). */
  options: OptionSpecs;
  /** The default `--seed` shown by `--help` and reported in the JSON (default 1); null for an example without randomness. */
  defaultSeed?: number | null;
  /**
   * The protocols `--protocol` accepts (the first is the default), e.g.
   * `['numdl', 'lecture']`; `--protocol all` runs each. Absent: no `--protocol`.
   */
  protocols?: string[];
  /** Accept `--seeds LIST` (run per seed, summarise mean and range). */
  seeds?: boolean;
  /** The options from the parsed command line; `fast` is the `--fast` flag; `args.protocol` is set when the example has protocols. */
  parse: (args: Args, fast: boolean) => O;
  /** The work to time: the example's `run`, with its figures when `main` saves them. */
  run: (options: O) => Promise<R>;
  /** Print the outcome (a short summary: table and figure paths); default a `total <s> s` line. */
  print?: (done: ExampleRun<O, R>) => void;
  /**
   * The command RESULTS.md shows, from the arguments joined by spaces;
   * default `npx tsx examples/<name>.ts <argv>`.
   */
  command?: (argv: string, options: O) => string;
  /** The RESULTS.md section of a full run (not called with `--fast`); none for an example without one. */
  results?: (done: ExampleRun<O, R>) => ResultsSection;
  /** The JSON rows of a run; default {@link toJsonRows} of `result.rows` (none when the result has no rows). */
  json?: (done: ExampleRun<O, R>) => JsonRow[];
  /** The results file; default `<out>/RESULTS.md`, or `examples/RESULTS.md` with `--write-results` (tests point it at a temporary file). */
  resultsFile?: string;
}

/**
 * The usage text of an example: the command, its summary, and every option
 * (the example's own, then the common ones) with its help.
 */
export function usage(example: Pick<ExampleMain<unknown, unknown>, 'name' | 'summary' | 'options' | 'protocols' | 'seeds' | 'defaultSeed'>): string {
  const all = allOptions(example);
  const lines = [`usage: npx tsx examples/${example.name}.ts [options]`, '', example.summary, '', 'options:'];
  const entries = Object.entries(all).map(([name, spec]) => {
    const head = `  --${name}${spec.type === 'boolean' ? '' : ` ${spec.value ?? 'N'}`}`;
    let help = spec.help;
    if (name === 'seed') help += example.defaultSeed === null ? ' (unused: no randomness)' : ` (default ${example.defaultSeed ?? 1})`;
    return [head, help] as const;
  });
  const width = Math.min(28, Math.max(...entries.map(([h]) => h.length)) + 2);
  for (const [head, help] of entries) lines.push(head.length < width ? `${head.padEnd(width)}${help}` : `${head}\n${' '.repeat(width)}${help}`);
  return lines.join('\n');
}

function allOptions(example: Pick<ExampleMain<unknown, unknown>, 'options' | 'protocols' | 'seeds'>): OptionSpecs {
  const own: OptionSpecs = { ...example.options };
  if (example.protocols) {
    own.protocol = {
      value: 'NAME',
      help: `${example.protocols.join(' | ')} | all (default ${example.protocols[0]}): ${example.protocols.includes('lecture') ? "'lecture' uses the lecture's settings (training set, method, step rule, iterations)" : 'the settings to run'}`,
    };
  }
  if (example.seeds) own.seeds = SEEDS_OPTION;
  for (const name of Object.keys(own)) {
    if (name in COMMON_OPTIONS) throw new Error(`example options: --${name} is a common option; do not declare it again`);
  }
  return { ...own, ...COMMON_OPTIONS };
}

/**
 * Parse `argv` strictly against the example's options: unknown options,
 * positional arguments, a flag given a value or an option missing its value
 * throw a {@link CliError} with a one-line message.
 */
export function parseCommandLine(example: Pick<ExampleMain<unknown, unknown>, 'options' | 'protocols' | 'seeds'>, argv: string[]): Args {
  const all = allOptions(example);
  const config: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(all)) config[name] = { type: spec.type ?? 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = nodeParseArgs({ args: argv, options: config, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new CliError(parseErrorLine(e));
  }
  const out: Args = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

/** Node's parseArgs messages are long and suggest positional arguments; say what went wrong in one line. */
function parseErrorLine(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const opt = /'(-[^' ]+)/.exec(msg)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${opt ?? msg}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(msg)?.[1] ?? msg}' (options look like --name value)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(msg)) return `${opt ?? 'a flag'} is a flag and takes no value`;
      if (/argument missing/.test(msg)) return `${opt ?? 'an option'} needs a value`;
      if (/ambiguous/.test(msg)) return `${opt ?? 'an option'} needs a value (for a value starting with '-', write ${opt ?? '--name'}=value)`;
      return msg.split('\n')[0];
    default:
      return msg.split('\n')[0];
  }
}

/** The accuracy and time fields the examples' rows use, under the JSON names. */
const JSON_NAMES: Record<string, string> = {
  trainAcc: 'trainAccuracy', valAcc: 'valAccuracy', testAcc: 'testAccuracy', time: 'seconds', wall: 'seconds',
};

/**
 * Rows of an example's table as {@link JsonRow}s: `trainAcc`/`valAcc`/`testAcc`
 * become `trainAccuracy`/`valAccuracy`/`testAccuracy`, `time` becomes
 * `seconds`; numbers, strings and booleans are kept (non-finite numbers as
 * null), arrays and objects dropped.
 */
export function toJsonRows(rows: unknown): JsonRow[] {
  if (!Array.isArray(rows)) return [];
  return rows.map((r, i) => {
    const out: JsonRow = { method: '' };
    for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
      const key = JSON_NAMES[k] ?? k;
      if (typeof v === 'number') out[key] = Number.isFinite(v) ? v : null;
      else if (typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    }
    if (typeof out.method !== 'string' || out.method === '') out.method = String(out.name ?? out.network ?? out.label ?? `row ${i + 1}`);
    return out;
  });
}

/** Mean, min and max over the seeds, per protocol and method (rows matched by their `method`). */
export function summarize(runs: JsonRun[]): SummaryRow[] {
  const groups = new Map<string, { protocol: string; method: string; rows: JsonRow[]; seeds: number[] }>();
  for (const run of runs) {
    for (const row of run.rows) {
      const key = `${run.protocol}\u0000${row.method}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { protocol: run.protocol, method: row.method, rows: [], seeds: [] }));
      g.rows.push(row);
      if (run.seed !== null) g.seeds.push(run.seed);
    }
  }
  return [...groups.values()].map((g) => {
    const metrics: SummaryRow['metrics'] = {};
    const text: Record<string, string> = {};
    for (const [k, v] of Object.entries(g.rows[0])) {
      if (typeof v === 'string' && k !== 'method') text[k] = v;
      if (typeof v !== 'number') continue;
      const xs = g.rows.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
      if (xs.length === 0) continue;
      metrics[k] = { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
    }
    return { protocol: g.protocol, method: g.method, seeds: g.seeds, metrics, text };
  });
}

const pct = (x: number) => (100 * x).toFixed(2);

/**
 * The summary over seeds as a table: per protocol and method, the
 * accuracies as `mean [min, max] %`, iterations and seconds as means, and
 * the lecture's reference when the rows carry one.
 */
export function summaryTable(summary: SummaryRow[], style: 'text' | 'markdown' = 'text'): string {
  const accuracy = (key: string) => (_: unknown, row: Record<string, unknown>) => {
    const m = (row.metrics as SummaryRow['metrics'])[key];
    return m ? `${pct(m.mean)} [${pct(m.min)}, ${pct(m.max)}]` : '-';
  };
  const mean = (key: string, digits: number) => (_: unknown, row: Record<string, unknown>) => {
    const m = (row.metrics as SummaryRow['metrics'])[key];
    return m ? m.mean.toFixed(digits) : '-';
  };
  const has = (key: string) => summary.some((s) => s.metrics[key] !== undefined);
  const cols: TableColumn[] = [];
  if (new Set(summary.map((s) => s.protocol)).size > 1 || summary.some((s) => s.protocol !== 'numdl')) cols.push({ key: 'protocol', label: 'protocol' });
  cols.push({ key: 'method', label: 'method' });
  cols.push({ key: 'seeds', label: 'seeds', format: (v) => seedsText(v as number[]) });
  for (const [key, label] of [['trainAccuracy', 'train acc % mean [min, max]'], ['valAccuracy', 'val acc % mean [min, max]'], ['testAccuracy', 'test acc % mean [min, max]']] as const) {
    if (has(key)) cols.push({ key: `_${key}`, label, align: 'right', format: accuracy(key) });
  }
  if (has('iterations')) cols.push({ key: '_iterations', label: 'iterations', align: 'right', format: mean('iterations', 0) });
  if (has('cpu')) cols.push({ key: '_cpu', label: 'cpu [s]', align: 'right', format: mean('cpu', 2) });
  if (has('seconds')) cols.push({ key: '_seconds', label: 'wall [s]', align: 'right', format: mean('seconds', 2) });
  if (summary.some((s) => s.text.lecture)) cols.push({ key: '_lecture', label: 'lecture', format: (_, row) => (row.text as Record<string, string>).lecture ?? '-' });
  return formatTable(summary as unknown as Record<string, unknown>[], cols, { style });
}

/** 1-5 for consecutive seeds, else a comma list. */
function seedsText(seeds: number[]): string {
  if (seeds.length > 1 && seeds.every((s, i) => i === 0 || s === seeds[i - 1] + 1)) return `${seeds[0]}–${seeds[seeds.length - 1]}`;
  return seeds.join(', ');
}

/** The lines of a results section as a string, from the parts an example's `results` gives. */
function sectionMarkdown(name: string, section: ResultsSection, seconds: number, command: string): string {
  const time = section.time === undefined ? `${seconds.toFixed(0)} s` : section.time;
  return [
    `## ${name}${section.title ? ` — ${section.title}` : ''}`,
    '',
    `${today()}, ${machine()}, \`${command}\`${time === null ? '' : ` (${time})`}${section.separator ?? '. '}${section.setup}`,
    ...section.lines,
  ].join('\n');
}

/**
 * The `main` of an example: parse `argv` (printing the usage for `--help`),
 * run once, or once per protocol and seed, print, write the JSON (`--json`)
 * and, unless `--fast` (a smoke run whose numbers mean nothing), the
 * example's results section. {@link runExample} calls it for a script run;
 * tests call it directly.
 * @throws {@link CliError} on a bad command line
 */
export async function exampleMain<O, R>(example: ExampleMain<O, R>, argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = parseCommandLine(example, argv);
  if (flagArg(args, 'help')) {
    console.log(usage(example));
    return;
  }
  const fast = flagArg(args, 'fast');
  const defaultSeed = example.defaultSeed === undefined ? 1 : example.defaultSeed;
  const seed = args.seed === undefined ? defaultSeed : numArg(args, 'seed', 0, { integer: true, min: 0 });
  if (args.seed !== undefined && args.seeds !== undefined) throw new CliError('give --seed or --seeds, not both');
  const seeds = typeof args.seeds === 'string' ? seedList(args.seeds) : [seed];
  let protocols = [example.protocols?.[0] ?? 'numdl'];
  if (example.protocols && typeof args.protocol === 'string') {
    protocols = args.protocol === 'all' ? [...example.protocols] : [choiceArg(args, 'protocol', example.protocols, example.protocols[0])];
  }
  const joined = argv.join(' ');
  const multi = seeds.length > 1 || protocols.length > 1;

  const runs: JsonRun[] = [];
  const done: ExampleRun<O, R>[] = [];
  for (const protocol of protocols) {
    for (const s of seeds) {
      const runArgs: Args = { ...args };
      if (s !== null) runArgs.seed = String(s);
      if (example.protocols) runArgs.protocol = protocol;
      const options = example.parse(runArgs, fast);
      if (multi) console.log(`\n=== ${example.name}${example.protocols ? `, protocol ${protocol}` : ''}${s === null ? '' : `, seed ${s}`} ===`);
      const t0 = performance.now();
      const result = await example.run(options);
      const seconds = (performance.now() - t0) / 1000;
      const command = example.command ? example.command(joined, options) : `npx tsx examples/${example.name}.ts${joined ? ` ${joined}` : ''}`;
      const d: ExampleRun<O, R> = { options, result, seconds, command, protocol, seed: s };
      done.push(d);
      if (example.print) example.print(d);
      else console.log(`\ntotal ${seconds.toFixed(1)} s`);
      const rows = example.json ? example.json(d) : toJsonRows((result as { rows?: unknown } | null)?.rows);
      runs.push({ example: example.name, seed: s, protocol, rows, seconds, command, date: new Date().toISOString(), machine: machine(), threads: getWasmThreads() });
    }
  }

  const summary = multi ? summarize(runs) : undefined;
  if (summary) console.log(`\n${example.name}: mean [min, max] over seeds ${seedsText(seeds.filter((s): s is number => s !== null))}\n\n${summaryTable(summary)}`);

  const json: JsonResults = multi ? { ...runs[0], seed: null, protocol: protocols.join(','), rows: [], runs, summary } : runs[0];
  const writeJson = (file: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  };
  if (typeof args.json === 'string') {
    writeJson(resolve(args.json));
    console.log(`JSON results: ${resolve(args.json)}`);
  }
  if (!fast && flagArg(args, 'write-results') && !example.resultsFile) writeJson(join(COMMITTED_JSON_DIR, `${example.name}.json`));
  if (fast || !example.results) return;
  const results = example.results;
  const file = example.resultsFile ?? (flagArg(args, 'write-results') ? COMMITTED_RESULTS : join(outDir(example.name, args.out), 'RESULTS.md'));
  const first = done[0];
  if (!multi) {
    writeResultsSection(example.name, sectionMarkdown(example.name, results(first), first.seconds, first.command), file);
  } else {
    // One section: the setup of each protocol (from its first seed's run) and the table over the seeds.
    const total = done.reduce((a, d) => a + d.seconds, 0);
    const parts: string[] = [];
    let title: string | undefined;
    for (const protocol of protocols) {
      const d = done.find((x) => x.protocol === protocol)!;
      const section = results(d);
      title ??= section.title;
      parts.push('', `**${protocols.length > 1 || example.protocols ? `Protocol \`${protocol}\`` : 'Setup'}** (shown for seed ${d.seed}): ${section.setup}`, '',
        summaryTable(summary!.filter((r) => r.protocol === protocol), 'markdown'));
    }
    writeResultsSection(example.name, [
      `## ${example.name}${title ? ` — ${title}` : ''}`,
      '',
      `${today()}, ${machine()}, \`${first.command}\` (${total.toFixed(0)} s in all). Seeds ${seedsText(seeds.filter((s): s is number => s !== null))}: mean [min, max] over the seeds.`,
      ...parts,
    ].join('\n'), file);
  }
  console.log(`results section: ${file === COMMITTED_RESULTS ? 'examples/RESULTS.md' : file}`);
}

/**
 * Run an example's {@link exampleMain} when its module is the script node was
 * started with (so tests can import the module), and end the process with
 * status 1 on an error: a failed run must not look like a finished one, nor
 * linger on a pending worker or timer. A bad command line or a rejected value
 * prints one line; `--verbose` adds the stack trace of other failures.
 */
export function runExample<O, R>(example: ExampleMain<O, R>): void {
  if (!isMain(example.metaUrl)) return;
  exampleMain(example).then(
    () => process.exit(0),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      const line = err.message.split('\n')[0];
      if (err instanceof CliError) console.error(`${example.name}: ${line} (--help lists the options)`);
      else {
        console.error(`${example.name}: ${line}`);
        if (process.argv.includes('--verbose')) console.error(err.stack);
      }
      process.exit(1);
    },
  );
}
